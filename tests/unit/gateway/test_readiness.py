"""Readiness logic: every dependency probed; 503 names exactly the ones that are down."""

from __future__ import annotations

import pytest

from deepiri_common.problems import ServiceUnavailable
from deepiri_gateway.logic.readiness import check_readiness
from deepiri_gateway.models.health import DependencyDown, Kind


def _probe(down: set[str]):
    def probe(kind: Kind, name: str) -> None:
        if name in down:
            raise DependencyDown("ResourceNotFoundException")

    return probe


DEPENDENCIES: list[tuple[Kind, str]] = [("table", "tasks"), ("queue", "https://q/realtime"), ("bus", "deepiri-dev")]


def test_given_every_dependency_up_when_checked_then_ready_with_one_check_each() -> None:
    readiness = check_readiness(_probe(set()), DEPENDENCIES)
    assert readiness.status == "ready"
    assert [(c.kind, c.name, c.ok) for c in readiness.checks] == [(k, n, True) for k, n in DEPENDENCIES]


def test_given_a_table_and_the_bus_down_when_checked_then_503_names_both_and_only_them() -> None:
    with pytest.raises(ServiceUnavailable) as unavailable:
        check_readiness(_probe({"tasks", "deepiri-dev"}), DEPENDENCIES)
    assert unavailable.value.detail == "unreachable: table tasks, bus deepiri-dev"
    checks = {c["name"]: c["ok"] for c in unavailable.value.extensions["checks"]}
    assert checks == {"tasks": False, "https://q/realtime": True, "deepiri-dev": False}


def test_given_a_dependency_down_then_its_check_says_why_and_the_probe_was_told_its_kind() -> None:
    probed: list[tuple[Kind, str]] = []

    def probe(kind: Kind, name: str) -> None:
        probed.append((kind, name))
        if kind == "queue":
            raise DependencyDown(f"AWS.SimpleQueueService.NonExistentQueue: {name}")

    with pytest.raises(ServiceUnavailable) as unavailable:
        check_readiness(probe, DEPENDENCIES)

    assert probed == DEPENDENCIES
    down = next(c for c in unavailable.value.extensions["checks"] if not c["ok"])
    assert down["detail"] == "AWS.SimpleQueueService.NonExistentQueue: https://q/realtime"
