"""make demo's month: a plan whose last days form a running streak, on instants never later than now."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from infra import demo


@pytest.mark.parametrize("now", [datetime(2026, 11, 30, 12, 0, tzinfo=UTC), datetime(2026, 11, 30, 0, 20, tzinfo=UTC)])
def test_given_any_time_of_day_then_every_instant_is_in_the_past_and_in_order(now: datetime) -> None:
    for task in demo.plan():
        when = demo.moments(task, now)
        assert when.created <= when.started <= when.stopped < when.completed < now
        assert when.completed > now - timedelta(days=demo.DAYS + 1)


def test_given_the_plan_then_the_demo_user_completes_a_task_on_each_of_the_last_streak_days() -> None:
    now = datetime(2026, 11, 30, 12, 0, tzinfo=UTC)
    days = {(now - demo.moments(t, now).completed).days for t in demo.plan() if t.owner == "demo" and t.done}

    assert set(range(demo.streak_days())) <= days
    assert demo.streak_days() not in days  # the rest day before the running streak
    assert demo.streak_days() >= 7  # enough for the on-fire badge


def test_given_the_plan_then_titles_are_unique_per_owner_and_some_tasks_are_shared_timed_and_open() -> None:
    planned = demo.plan()

    assert len({(t.owner, t.title) for t in planned}) == len(planned)
    assert any(t.in_project for t in planned if t.owner == "friend")
    assert any(t.worked for t in planned) and any(not t.done for t in planned)
