"""The seeding function's rules: which instants a step may be made at, and which API function serves a path."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from deepiri_tasks.logic.seed import as_of_refusal, route_family

NOW = datetime(2026, 11, 30, 12, 0, tzinfo=UTC)


@pytest.mark.parametrize(("at", "refused"), [
    (NOW, None),
    (NOW - timedelta(days=400), None),  # the window is 400 days: a streak or a board over a year and a month
    (NOW - timedelta(days=3), None),
    (NOW + timedelta(milliseconds=1), "at must not be in the future"),
    (NOW - timedelta(days=400, milliseconds=1), "at must be at most 400 days back"),
])
def test_given_an_instant_then_only_the_past_within_the_window_is_accepted(at: datetime, refused: str | None) -> None:
    assert as_of_refusal(at, NOW) == refused


@pytest.mark.parametrize(("path", "family"), [
    ("/api/tasks", "tasks"),
    ("/api/tasks/01JD0000000000000000000000/complete", "tasks"),
    ("/api/tasks/01JD0000000000000000000000/timer/start", "timers"),
    ("/api/tasks/01JD0000000000000000000000/time", "timers"),
    ("/api/projects", "projects"),
    ("/api/projects/01JD0000000000000000000000/invitations/accept", "projects"),
])
def test_given_a_path_then_the_function_that_serves_it_over_http_serves_it(path: str, family: str) -> None:
    assert route_family(path) == family
