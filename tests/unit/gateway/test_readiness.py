"""Readiness logic: every dependency probed; anyone learns up / down per dependency, admins learn names."""

from __future__ import annotations

import pytest

from deepiri_common.problems import ServiceUnavailable
from deepiri_gateway.logic.readiness import admin_readiness, check_readiness, probe_all
from deepiri_gateway.models.health import DependencyDown, Kind


def _probe(down: set[str]):
    def probe(kind: Kind, name: str) -> None:
        if name in down:
            raise DependencyDown(f"ResourceNotFoundException: {name}")

    return probe


DEPENDENCIES: list[tuple[Kind, str]] = [("table", "deepiri-dev-tasks"), ("queue", "https://q/000000000000/realtime"),
                                        ("bus", "deepiri-dev")]
NAMES = [name for _, name in DEPENDENCIES]


def test_given_every_dependency_up_when_checked_then_ready_with_up_for_each_and_no_names() -> None:
    readiness = check_readiness(probe_all(_probe(set()), DEPENDENCIES))
    assert readiness.status == "ready"
    assert [(d.kind, d.status) for d in readiness.dependencies] == [("table", "up"), ("queue", "up"), ("bus", "up")]
    assert not any(name in readiness.model_dump_json() for name in NAMES)


def test_given_a_table_and_the_bus_down_when_anyone_asks_then_503_says_which_kinds_are_down_and_names_nothing() -> None:
    with pytest.raises(ServiceUnavailable) as unavailable:
        check_readiness(probe_all(_probe({"deepiri-dev-tasks", "deepiri-dev"}), DEPENDENCIES))
    problem = unavailable.value
    assert problem.detail == "2 of 3 dependencies are down"
    assert problem.extensions["dependencies"] == [
        {"kind": "table", "status": "down"}, {"kind": "queue", "status": "up"}, {"kind": "bus", "status": "down"}]
    assert not any(name in f"{problem.detail} {problem.extensions}" for name in NAMES)


def test_given_a_dependency_down_when_probed_then_the_log_names_it_with_the_reason(caplog) -> None:
    probe_all(_probe({"https://q/000000000000/realtime"}), DEPENDENCIES)
    [record] = [r for r in caplog.records if r.getMessage() == "dependency down"]
    assert record.__dict__["dependency"] == "https://q/000000000000/realtime"
    assert record.__dict__["reason"] == "ResourceNotFoundException: https://q/000000000000/realtime"


def test_given_a_dependency_down_when_an_admin_asks_then_503_names_it_and_says_why() -> None:
    probed: list[tuple[Kind, str]] = []

    def probe(kind: Kind, name: str) -> None:
        probed.append((kind, name))
        if kind == "queue":
            raise DependencyDown(f"AWS.SimpleQueueService.NonExistentQueue: {name}")

    with pytest.raises(ServiceUnavailable) as unavailable:
        admin_readiness(probe_all(probe, DEPENDENCIES), lambda url: 0, [])

    assert probed == DEPENDENCIES
    assert unavailable.value.detail == "unreachable: queue https://q/000000000000/realtime"
    down = next(c for c in unavailable.value.extensions["checks"] if not c["ok"])
    assert down["detail"] == "AWS.SimpleQueueService.NonExistentQueue: https://q/000000000000/realtime"


def test_given_every_dependency_up_when_an_admin_asks_then_each_is_named_with_dead_letter_depths() -> None:
    depths = {"https://q/1/a-dlq": 3}
    ready = admin_readiness(probe_all(_probe(set()), DEPENDENCIES), depths.__getitem__, ["https://q/1/a-dlq"])
    assert [(c.kind, c.name, c.ok) for c in ready.checks] == [(k, n, True) for k, n in DEPENDENCIES]
    assert [(d.queue, d.depth) for d in ready.deadLetters] == [("a-dlq", 3)]


def test_given_a_dead_letter_queue_that_cannot_be_read_then_admins_see_its_name_and_why() -> None:
    def depth(url: str) -> int:
        if url.endswith("broken-dlq/"):
            raise DependencyDown("AccessDenied: sqs:GetQueueAttributes")
        return 0

    ready = admin_readiness(probe_all(_probe(set()), DEPENDENCIES), depth,
                            ["http://localhost:4566/000000000000/deepiri-dev-users-events-dlq",
                             "https://sqs.us-east-1.amazonaws.com/123456789012/deepiri-dev-broken-dlq/"])

    assert [d.model_dump() for d in ready.deadLetters] == [
        {"queue": "deepiri-dev-users-events-dlq", "depth": 0, "detail": None},
        {"queue": "deepiri-dev-broken-dlq", "depth": None, "detail": "AccessDenied: sqs:GetQueueAttributes"}]


def test_given_two_dependencies_down_when_an_admin_asks_then_both_are_named_in_order() -> None:
    with pytest.raises(ServiceUnavailable) as unavailable:
        admin_readiness(probe_all(_probe({"deepiri-dev-tasks", "deepiri-dev"}), DEPENDENCIES), lambda url: 0, [])
    assert unavailable.value.detail == "unreachable: table deepiri-dev-tasks, bus deepiri-dev"


def test_given_a_dependency_down_when_probed_then_the_log_says_its_kind(caplog) -> None:
    probe_all(_probe({"deepiri-dev"}), DEPENDENCIES)
    [record] = [r for r in caplog.records if r.getMessage() == "dependency down"]
    assert record.__dict__["kind"] == "bus"


def test_given_dead_letter_queues_named_in_capitals_or_by_name_alone_then_each_keeps_its_whole_name() -> None:
    queues = ["https://sqs.us-east-1.amazonaws.com/123456789012/Deepiri-Dev-Events-DLQ-X", "deepiri-dev-jobs-dlq"]

    ready = admin_readiness(probe_all(_probe(set()), DEPENDENCIES), lambda url: 1, queues)

    assert [(d.queue, d.depth) for d in ready.deadLetters] == [("Deepiri-Dev-Events-DLQ-X", 1),
                                                               ("deepiri-dev-jobs-dlq", 1)]
