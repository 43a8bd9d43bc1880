"""Streak rules as pure functions: extending a run, freezes, milestones, judging a day, index hours."""

from __future__ import annotations

from datetime import date

import pytest

from deepiri_engagement.logic import rules
from deepiri_engagement.logic.streak_job import judge
from deepiri_engagement.logic.streaks import extend, rollover_hours
from deepiri_engagement.models.streaks import DaySettings, Streak
from tests.support.host_zone import host_zone

D = date(2026, 11, 30)


def _run(days: int, last: date = D, freezes: int = 0) -> Streak:
    return Streak("u1", current=days, best=days, runId="run1", runStart="2026-11-01", lastDay=last.isoformat(),
                  freezes=freezes)


def test_given_no_run_then_activity_starts_one_of_one_day() -> None:
    after, milestones = extend(Streak("u1"), D, "e1")
    assert (after.current, after.best, after.runId, after.lastDay, after.weekly) == (1, 1, "e1", "2026-11-30", 1)
    assert milestones == []


def test_given_a_run_then_the_next_day_extends_it_and_the_same_day_changes_nothing() -> None:
    after, _ = extend(_run(3, date(2026, 11, 29)), D, "e2")
    assert (after.current, after.lastDay, after.runId) == (4, "2026-11-30", "run1")
    again, milestones = extend(after, D, "e3")
    assert (again.current, milestones) == (4, [])
    older, _ = extend(after, date(2026, 11, 28), "e4")  # a day the run covers already
    assert older.current == 4


def test_given_a_missed_day_without_freeze_then_a_new_run_starts_and_best_stays() -> None:
    after, _ = extend(_run(5, date(2026, 11, 28)), D, "e9")
    assert (after.current, after.best, after.runId) == (1, 5, "e9")


def test_given_a_missed_day_and_a_freeze_then_the_run_goes_on_and_the_freeze_is_spent() -> None:
    after, _ = extend(_run(5, date(2026, 11, 28), freezes=1), D, "e9")
    assert (after.current, after.freezes, after.runId) == (6, 0, "run1")
    two_missed, _ = extend(_run(5, date(2026, 11, 27), freezes=1), D, "e9")
    assert (two_missed.current, two_missed.freezes) == (1, 1)  # one freeze covers one day only


@pytest.mark.parametrize(("before", "reached"), [(6, [7]), (29, [30]), (99, [100]), (364, [365]), (7, []), (30, [])])
def test_given_a_run_reaching_a_milestone_then_it_is_named_once(before: int, reached: list[int]) -> None:
    _, milestones = extend(_run(before, date(2026, 11, 29)), D, "e")
    assert milestones == reached
    assert [rules.STREAK_MILESTONE_XP[m] for m in (7, 30, 100, 365)] == [20, 100, 400, 1500]


def test_given_weeks_across_new_year_then_the_weekly_streak_continues() -> None:
    streak = Streak("u1", weekly=3, bestWeekly=3, lastWeek="2026-W53")
    after, _ = extend(streak, date(2027, 1, 4), "e")  # 2027-W01
    assert (after.weekly, after.lastWeek) == (4, "2027-W01")
    skipped, _ = extend(streak, date(2027, 1, 11), "e")  # 2027-W02: W01 had nothing
    assert (skipped.weekly, skipped.bestWeekly) == (1, 3)


def test_given_a_judged_day_that_the_run_covers_then_only_the_judgement_is_recorded() -> None:
    after, announced = judge(_run(4, D), D)
    assert (after.current, after.rolledThrough, announced) == (4, "2026-11-30", [])


def test_given_a_missed_day_and_a_freeze_then_judging_spends_it_and_covers_the_day() -> None:
    after, announced = judge(_run(4, date(2026, 11, 29), freezes=2), D)
    assert (after.current, after.freezes, after.lastDay) == (4, 1, "2026-11-30")
    assert [kind for kind, _ in announced] == ["FreezeUsed"]


def test_given_a_missed_day_without_freeze_then_the_run_breaks_once_naming_the_missed_day() -> None:
    after, announced = judge(_run(4, date(2026, 11, 29)), D)
    assert (after.current, after.best, after.runId) == (0, 4, None)
    [(kind, broken)] = announced
    assert kind == "StreakBroken" and broken.model_dump() == {"userId": "u1", "length": 4, "missedDay": "2026-11-30"}
    assert judge(after, date(2026, 12, 5)) == (after, [])  # a broken run is never judged again


def test_given_a_long_absence_then_more_missed_days_than_freezes_break_it_once() -> None:
    after, announced = judge(_run(9, date(2026, 11, 20), freezes=2), D)
    assert after.current == 0 and after.freezes == 2 and len(announced) == 1


@pytest.mark.parametrize(("settings", "day", "hours"), [
    (DaySettings("u", "UTC", 0), D, (6, 20)),
    (DaySettings("u", "America/New_York", 0), date(2026, 11, 30), (11, 1)),   # EST: day starts 05:00 UTC
    (DaySettings("u", "America/New_York", 0), date(2026, 7, 1), (10, 0)),     # EDT: 04:00 UTC
    (DaySettings("u", "Asia/Kolkata", 0), D, (1, 14)),   # starts 18:30 UTC: judged 00:30, rounded up to 01
    (DaySettings("u", "Asia/Tokyo", 4), D, (1, 11)),     # starts 04:00 JST = 19:00 UTC
    (DaySettings("u", "America/New_York", 0), date(2026, 3, 8), (11, 0)),    # clocks go forward: 20:00 EDT
    (DaySettings("u", "America/New_York", 0), date(2026, 11, 1), (10, 1)),    # clocks go back: 20:00 EST
    (DaySettings("u", "UTC", 22), D, (4, 20)),           # starts at 22:00 the evening before: 20:00 is 22 h in
    (DaySettings("u", "America/St_Johns", 0), date(2026, 11, 30), (10, 23)),  # NST, -03:30: 09:30 rounded up
])
def test_given_settings_then_the_rollover_and_evening_hours_are_utc_hours(settings: DaySettings, day: date,
                                                                           hours: tuple[int, int]) -> None:
    assert rollover_hours(settings, day) == hours


def test_given_a_server_in_another_zone_then_the_hours_are_still_utc_hours() -> None:
    with host_zone("Asia/Tokyo"):
        hours = rollover_hours(DaySettings("u", "Europe/Paris", 0), date(2026, 11, 30))
    assert hours == (5, 19)  # starts 23:00 UTC: judged 05:00 UTC, 20:00 CET is 19:00 UTC
