"""The emulator launcher's invocation queue: at most N invocations of a function run at once, the rest
wait for a free worker, and one that waits too long gets Lambda's throttle (API Gateway's 429)."""

from __future__ import annotations

import sys
import threading
import time
import types
from typing import Any

import pytest

from infra import ministack_launcher


class FakeLambdaService(types.ModuleType):
    """The two members of ministack.services.lambda_svc the launcher uses."""

    def __init__(self, seconds: float) -> None:
        super().__init__("ministack.services.lambda_svc")
        self.seconds, self.running, self.most = seconds, 0, 0
        self.lock = threading.Lock()

    def _execute_function_dispatch(self, func: Any, config: dict[str, str], event: Any, request_id: str,
                                   started: float) -> dict[str, Any]:
        with self.lock:
            self.running += 1
            self.most = max(self.most, self.running)
        time.sleep(self.seconds)
        with self.lock:
            self.running -= 1
        return {"body": event}

    @staticmethod
    def _throttle_response(reason_code: str, msg: str) -> dict[str, Any]:
        return {"throttle": True, "body": {"Reason": reason_code, "message": msg}}


def _install(monkeypatch: pytest.MonkeyPatch, service: FakeLambdaService) -> None:
    package = types.ModuleType("ministack")
    services = types.ModuleType("ministack.services")
    services.lambda_svc = service  # type: ignore[attr-defined]
    package.services = services  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "ministack", package)
    monkeypatch.setitem(sys.modules, "ministack.services", services)
    monkeypatch.setitem(sys.modules, "ministack.services.lambda_svc", service)


def _burst(service: FakeLambdaService, names: list[str], thread_name: str = "caller") -> list[dict[str, Any]]:
    results: list[dict[str, Any]] = []
    threads = [threading.Thread(name=thread_name, target=lambda n=n: results.append(
        service._execute_function_dispatch({}, {"FunctionName": n}, n, "r", 0.0))) for n in names]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(5)
    return results


def test_given_a_burst_larger_than_the_pool_then_it_queues_and_every_invocation_runs(monkeypatch) -> None:
    service = FakeLambdaService(seconds=0.05)
    _install(monkeypatch, service)
    ministack_launcher.queue_invocations(per_function=2, wait_seconds=5)

    results = _burst(service, ["tasks-api"] * 8)

    assert len(results) == 8 and not any(r.get("throttle") for r in results)
    assert service.most == 2


def test_given_a_wait_longer_than_allowed_then_the_invocation_is_throttled_not_left_hanging(monkeypatch) -> None:
    service = FakeLambdaService(seconds=0.5)
    _install(monkeypatch, service)
    ministack_launcher.queue_invocations(per_function=1, wait_seconds=0.1)

    results = _burst(service, ["tasks-api", "tasks-api"])

    throttled = [r for r in results if r.get("throttle")]
    assert len(throttled) == 1 and "had no free worker" in throttled[0]["body"]["message"]


def test_given_two_functions_then_each_has_its_own_pool(monkeypatch) -> None:
    service = FakeLambdaService(seconds=0.2)
    _install(monkeypatch, service)
    ministack_launcher.queue_invocations(per_function=1, wait_seconds=0.05)

    results = _burst(service, ["authorizer", "tasks-api"])

    assert not any(r.get("throttle") for r in results) and service.most == 2


def test_given_an_authorizer_invocation_then_it_waits_longer_instead_of_being_throttled_into_a_500(
    monkeypatch,
) -> None:
    service = FakeLambdaService(seconds=0.3)
    _install(monkeypatch, service)
    ministack_launcher.queue_invocations(per_function=1, wait_seconds=0.05, authorizer_wait_seconds=2)

    results = _burst(service, ["authorizer"] * 3, thread_name=ministack_launcher.AUTHORIZER_THREAD)

    assert len(results) == 3 and not any(r.get("throttle") for r in results) and service.most == 1


class FakeProvisioners(types.ModuleType):
    """MiniStack's ``_update_resource`` as it behaves for an unchanged resource: the attributes it is given."""

    def __init__(self) -> None:
        super().__init__("ministack.services.cloudformation.provisioners")

    @staticmethod
    def _update_resource(resource_type: str, physical_id: str, old_props: dict[str, Any], new_props: dict[str, Any],
                         stack_name: str, logical_id: str | None = None,
                         old_attrs: dict[str, Any] | None = None) -> tuple[str, dict[str, Any]]:
        return physical_id, old_attrs or {}


def _install_cloudformation(monkeypatch: pytest.MonkeyPatch, stacks: dict[str, Any]) -> FakeProvisioners:
    provisioners = FakeProvisioners()
    cloudformation = types.ModuleType("ministack.services.cloudformation")
    cloudformation._stacks = stacks  # type: ignore[attr-defined]
    cloudformation.provisioners = provisioners  # type: ignore[attr-defined]
    for name, module in (("ministack", types.ModuleType("ministack")),
                         ("ministack.services", types.ModuleType("ministack.services")),
                         ("ministack.services.cloudformation", cloudformation),
                         ("ministack.services.cloudformation.provisioners", provisioners)):
        monkeypatch.setitem(sys.modules, name, module)
    return provisioners


def test_given_a_nested_stack_update_when_a_resource_is_unchanged_then_it_keeps_its_recorded_attributes(
        monkeypatch: pytest.MonkeyPatch) -> None:
    queue = {"PhysicalResourceId": "https://q/dlq", "Attributes": {"Arn": "arn:dlq", "QueueName": "dlq"}}
    provisioners = _install_cloudformation(monkeypatch, {"child": {"_resources": {"DeadLetterQueue": queue}}})
    ministack_launcher.keep_unchanged_attributes()
    update = provisioners._update_resource
    # When: the nested stack's update calls it without the previous attributes, as MiniStack 1.5.33 does
    assert update("AWS::SQS::Queue", "https://q/dlq", {}, {}, "child", "DeadLetterQueue") == (
        "https://q/dlq", {"Arn": "arn:dlq", "QueueName": "dlq"})
    # ... and a resource recorded under another physical id, or another stack, gets none of them
    assert update("AWS::SQS::Queue", "https://q/other", {}, {}, "child", "DeadLetterQueue") == ("https://q/other", {})
    assert update("AWS::SQS::Queue", "https://q/dlq", {}, {}, "elsewhere", "DeadLetterQueue") == ("https://q/dlq", {})
    # ... and attributes the caller passes win
    assert update("AWS::SQS::Queue", "https://q/dlq", {}, {}, "child", "DeadLetterQueue", {"Arn": "a"})[1] == {
        "Arn": "a"}
