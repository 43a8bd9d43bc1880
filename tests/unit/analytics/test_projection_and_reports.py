"""Analytics logic: events → read-model changes, and the reports over day rows (pure, no network)."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from deepiri_analytics.logic import cohorts, projection, reports
from deepiri_analytics.models import feed
from deepiri_analytics.models.rows import Add, Close, DayRow, DaySettings, Forget, Latest, Track
from deepiri_common.ids import new_ulid
from deepiri_common.problems import ValidationFailed

PARIS = DaySettings(timezone="Europe/Paris", dayStartHour=4)
EID = "01JABCDEFGHJKMNPQRSTVWXYZ0"
AT = "2026-03-02T10:00:00.000Z"


def _completed(**over: object) -> feed.TaskCompletedData:
    values = {"taskId": "T1", "userId": "ada", "projectId": None, "category": "code", "onTime": True,
              "estimateMinutes": 30, "actualMinutes": 45, "firstCompletion": True,
              "completedAt": "2026-03-02T01:30:00.000Z"} | over
    return feed.TaskCompletedData.model_validate(values)


def test_given_a_day_that_starts_at_four_then_half_past_two_local_belongs_to_the_day_before() -> None:
    # 01:30Z on a Monday is 02:30 in Paris (winter): before 04:00, so still Sunday's day
    moment = datetime(2026, 3, 2, 1, 30, tzinfo=UTC)
    assert projection.local_day(moment, PARIS) == date(2026, 3, 1)
    assert projection.local_day(moment, DaySettings()) == date(2026, 3, 2)
    assert projection.hour_of_week(moment, PARIS) == 2  # Monday (0) at 02h local
    assert projection.hour_of_week(datetime(2026, 3, 8, 22, 0, tzinfo=UTC), PARIS) == 6 * 24 + 23
    # An unknown zone falls back to UTC rather than failing the event
    assert projection.local_day(moment, DaySettings(timezone="Mars/Base")) == date(2026, 3, 2)


def test_given_a_first_completion_then_the_day_heatmap_and_activity_count_it() -> None:
    changes = projection.effects(_completed(), "2026-03-02T01:31:00.000Z", EID, PARIS)
    assert changes[0] == Add("USER#ada", "DAY#2026-03-01", {"completed": 1, "completed@code": 1, "onTime": 1,
                                                            "estimated": 1, "estimateMinutes": 30, "actualMinutes": 45})
    assert changes[1] == Add("USER#ada", "HEATMAP", {"c2": 1})
    assert {c.owner for c in changes[2:] if isinstance(c, Add)} == {
        "ACTIVE#DAY#2026-03-02", "ACTIVE#WEEK#2026-W10", "ACTIVE#MONTH#2026-03"}


def test_given_a_late_unestimated_completion_or_a_second_one_then_only_what_applies_counts() -> None:
    late = projection.effects(_completed(onTime=False, estimateMinutes=None), AT, EID, DaySettings())
    assert late[0] == Add("USER#ada", "DAY#2026-03-02", {"completed": 1, "completed@code": 1, "late": 1})
    undated = projection.effects(_completed(onTime=None, estimateMinutes=0), AT, EID, DaySettings())
    assert undated[0] == Add("USER#ada", "DAY#2026-03-02", {"completed": 1, "completed@code": 1})
    assert projection.effects(_completed(firstCompletion=False), AT, EID, DaySettings()) == [
        Close("ada", "T1", f"{AT}#{EID}")]  # counted once, but closed whenever completed


def test_given_a_project_task_completed_then_its_cycle_time_runs_from_the_ulid_to_completion() -> None:
    created = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)
    task_id = new_ulid(int(created.timestamp() * 1000))
    changes = projection.effects(_completed(taskId=task_id, projectId="P1"), AT, EID, DaySettings())
    assert Add("PROJECT#P1", "DAY#2026-03-02", {"completed": 1, "cycleMinutes": 810, "cycles": 1}) in changes
    assert len(changes) == 7  # day, heatmap, project, three activity periods, the task's closing
    plain = projection.effects(_completed(taskId="not-a-ulid", projectId="P1"), AT, EID,
                               DaySettings())
    assert Add("PROJECT#P1", "DAY#2026-03-02", {"completed": 1}) in plain


def test_given_a_timer_then_focus_lands_on_the_stop_day_and_the_start_hour() -> None:
    data = feed.TimerStoppedData(taskId="T1", userId="ada", minutes=50, startedAt="2026-03-02T02:40:00.000Z",
                                 stoppedAt="2026-03-02T03:30:00.000Z")
    changes = projection.effects(data, "2026-03-02T03:30:00.000Z", EID, PARIS)
    assert changes[:2] == [Add("USER#ada", "DAY#2026-03-02", {"focusMinutes": 50, "timers": 1}),
                           Add("USER#ada", "HEATMAP", {"f3": 50})]
    zero = data.model_copy(update={"minutes": 0})
    assert [c for c in projection.effects(zero, AT, EID, PARIS) if c.row == "HEATMAP"] == []


@pytest.mark.parametrize(("data", "counts"), [
    (feed.TaskOverdueData(taskId="T", userId="ada"), {"overdue": 1}),
    (feed.XpAwardedData(userId="ada", amount=35), {"xp": 35}),
])
def test_given_a_counted_event_then_the_day_it_happened_gets_it(data: object, counts: dict) -> None:
    changes = projection.effects(data, AT, EID, DaySettings())  # type: ignore[arg-type]
    assert changes[0] == Add("USER#ada", "DAY#2026-03-02", counts)
    assert len(changes) == 4  # and the three activity periods


def test_given_a_challenge_started_and_completed_then_each_lands_on_the_local_day_it_happened() -> None:
    # Published a day later than it happened: the day is the challenge's own time, in the user's zone
    late = "2026-03-04T10:00:00.000Z"
    started = projection.effects(feed.ChallengeStartedData(
        userId="ada", startedAt="2026-03-02T02:00:00.000Z"), late, EID, PARIS)  # 03:00 Paris: Sunday's day
    assert started[0] == Add("USER#ada", "DAY#2026-03-01", {"challengesStarted": 1})
    assert {c.owner for c in started[1:]} == {"ACTIVE#DAY#2026-03-02", "ACTIVE#WEEK#2026-W10", "ACTIVE#MONTH#2026-03"}
    completed = projection.effects(feed.ChallengeCompletedData(
        userId="ada", completedAt="2026-03-02T10:00:00.000Z"), late, EID, PARIS)
    assert completed[0] == Add("USER#ada", "DAY#2026-03-02", {"challengesCompleted": 1})
    assert len(completed) == 4


def test_given_newest_wins_events_then_they_carry_their_order() -> None:
    at = "2026-03-02T10:00:00.000Z"
    assert projection.effects(feed.DaySettingsData(userId="ada", timezone="Asia/Tokyo",
                                                                         dayStartHour=5), at, EID, PARIS) == [
        Latest("USER#ada", "PROFILE", {"timezone": "Asia/Tokyo", "dayStartHour": 5}, f"{at}#{EID}")]
    assert projection.effects(feed.MemberRemovedData(projectId="P", userId="bob"), at, EID,
                              PARIS) == [Latest("PROJECT#P", "MEMBER#bob", {"member": False}, f"{at}#{EID}")]
    assert projection.effects(feed.ProjectCreatedData(projectId="P", ownerId="ada"), at, EID,
                              PARIS)[0].values == {"member": True}
    assert projection.effects(feed.StreakUpdatedData(userId="ada", days=3, longest=9), at, EID,
                              PARIS)[0].values == {"days": 3, "longest": 9}
    assert projection.effects(feed.UserDeletedData(userId="ada"), at, EID, PARIS) == [Forget("ada")]


ROWS = [DayRow("2026-03-02", {"completed": 2, "onTime": 1, "late": 1, "estimateMinutes": 60, "actualMinutes": 80,
                              "focusMinutes": 50, "xp": 20}),
        DayRow("2026-03-04", {"created": 3, "overdue": 1}),
        DayRow("2026-03-09", {"completed": 1, "onTime": 1, "focusMinutes": 10})]


def test_given_day_rows_then_the_summary_adds_them_and_derives_rates() -> None:
    got = reports.summary(ROWS, date(2026, 3, 1), date(2026, 3, 10), {"days": 2, "longest": 5})
    assert (got.completed, got.created, got.overdue, got.onTime, got.late) == (3, 3, 1, 2, 1)
    assert (got.onTimeRate, got.efficiency, got.focusMinutes, got.xp, got.activeDays) == (0.6667, 75.0, 60, 20, 2)
    assert got.streak.longest == 5 and got.model_dump(by_alias=True)["from"] == "2026-03-01"
    assert reports.efficiency(90, 60) == 100.0 and reports.efficiency(10, 0) is None
    assert reports.on_time_rate(0, 0) is None


def test_given_a_window_then_the_series_has_every_bucket_zero_filled() -> None:
    daily = reports.timeseries(ROWS, "completed", "day", date(2026, 3, 1), date(2026, 3, 5))
    assert [(p.start, p.value) for p in daily.points] == [
        ("2026-03-01", 0), ("2026-03-02", 2), ("2026-03-03", 0), ("2026-03-04", 0), ("2026-03-05", 0)]
    weekly = reports.timeseries(ROWS, "focusMinutes", "week", date(2026, 3, 1), date(2026, 3, 10))
    assert [(p.start, p.value) for p in weekly.points] == [("2026-02-23", 0), ("2026-03-02", 50), ("2026-03-09", 10)]


def test_given_windows_then_defaults_apply_and_reversed_or_too_long_ones_are_422() -> None:
    today = date(2026, 3, 31)
    assert reports.window(None, None, today) == (date(2026, 3, 2), today)
    assert reports.window(date(2025, 3, 31), None, today) == (date(2025, 3, 31), today)  # 366 days
    for start in (date(2025, 3, 30), date(2026, 4, 1)):
        with pytest.raises(ValidationFailed):
            reports.window(start, None, today)


def test_given_heatmap_counters_then_grids_are_weekday_by_hour() -> None:
    grid = reports.heatmap({"c0": 1, "c167": 4, "f26": 30})
    assert grid.completions[0][0] == 1 and grid.completions[6][23] == 4 and grid.focusMinutes[1][2] == 30
    assert sum(map(sum, grid.completions)) == 5 and len(grid.focusMinutes) == 7


def test_given_project_rows_then_throughput_and_mean_cycle_time() -> None:
    rows = [DayRow("2026-03-02", {"completed": 3, "cycleMinutes": 600, "cycles": 2, "created": 1})]
    got = reports.project_summary("P1", rows, date(2026, 3, 1), date(2026, 3, 4))
    assert (got.completed, got.throughputPerDay, got.meanCycleHours, got.created) == (3, 0.75, 5.0, 1)
    assert reports.project_summary("P1", [], date(2026, 3, 1), date(2026, 3, 1)).meanCycleHours is None


def test_given_cohort_result_rows_then_retention_is_a_share_of_each_cohort() -> None:
    rows = [["2929", "-1", "4"], ["2929", "0", "4"], ["2929", "2", "1"], ["2930", "-1", "2"]]
    got = cohorts.cohorts_from_rows(rows)
    assert [(c.week, c.users, c.retention) for c in got] == [("2026-02-23", 4, [1.0, 0.0, 0.25]),
                                                             ("2026-03-02", 2, [])]
    assert cohorts.week_index(date(2026, 2, 23)) == 2929 and cohorts.week_index(date(2026, 3, 1)) == 2929


def test_given_events_of_a_user_then_activity_names_them_once_per_period() -> None:
    moment = datetime(2026, 3, 2, 10, 0, tzinfo=UTC)
    expected = [Add("ACTIVE#DAY#2026-03-02", "ada", {"events": 1}), Add("ACTIVE#WEEK#2026-W10", "ada", {"events": 1}),
                Add("ACTIVE#MONTH#2026-03", "ada", {"events": 1})]
    assert projection.activity("ada", moment) == expected
    created = projection.effects(feed.TaskCreatedData(
        taskId="T", userId="ada", projectId="P", status="todo", category="code", dueAt=None, estimateMinutes=None),
        AT, EID, DaySettings())
    assert created == [Add("USER#ada", "DAY#2026-03-02", {"created": 1, "created@code": 1}),
                       Add("PROJECT#P", "DAY#2026-03-02", {"created": 1}), *expected,
                       Track("ada", "T", {"status": "todo", "category": "code", "dueAt": None,
                                          "estimateMinutes": None}, f"{AT}#{EID}")]
    overdue = projection.effects(feed.TaskOverdueData(taskId="T", userId="ada"), AT, EID, DaySettings())
    assert overdue[1:] == expected
    completed = projection.effects(_completed(completedAt=AT), AT, EID, DaySettings())
    assert completed[2:] == [*expected, Close("ada", "T1", f"{AT}#{EID}")]
    timer = feed.TimerStoppedData(taskId="T", userId="ada", minutes=5, startedAt=AT, stoppedAt=AT)
    assert projection.effects(timer, AT, EID, DaySettings())[2:] == expected


def test_given_a_task_completed_the_minute_it_was_created_or_before_then_its_cycle_is_zero() -> None:
    created = datetime(2026, 3, 2, 10, 0, 40, tzinfo=UTC)
    task_id = new_ulid(int(created.timestamp() * 1000))
    for completed_at in ("2026-03-02T10:00:50.000Z", "2026-03-02T09:00:00.000Z"):
        data = _completed(taskId=task_id, projectId="P", completedAt=completed_at)
        changes = projection.effects(data, AT, EID, DaySettings())
        (project,) = [c for c in changes if isinstance(c, Add) and c.owner == "PROJECT#P"]
        assert project.counts == {"completed": 1, "cycleMinutes": 0, "cycles": 1}


def test_given_newest_wins_events_then_each_row_and_values_are_exact() -> None:
    order = f"{AT}#{EID}"
    streak = projection.effects(feed.StreakUpdatedData(userId="ada", days=3, longest=9), AT, EID,
                                PARIS)
    assert streak == [Latest("USER#ada", "STREAK", {"days": 3, "longest": 9}, order)]
    owner = projection.effects(feed.ProjectCreatedData(projectId="P", ownerId="ada"), AT, EID, PARIS)
    assert owner == [Latest("PROJECT#P", "MEMBER#ada", {"member": True}, order)]
    added = projection.effects(feed.MemberAddedData(projectId="P", userId="bob"), AT, EID, PARIS)
    assert added == [Latest("PROJECT#P", "MEMBER#bob", {"member": True}, order)]


def test_given_rates_then_they_are_rounded_as_documented() -> None:
    assert reports.efficiency(2, 3) == 66.7 and reports.efficiency(0, 10) == 0.0 and reports.efficiency(1, 1) == 100.0
    assert reports.on_time_rate(1, 2) == 0.3333
    rows = [DayRow("2026-03-02", {"completed": 1, "cycleMinutes": 100, "cycles": 1, "created": 2}),
            DayRow("2026-03-03", {"completed": 0, "created": 1})]
    got = reports.project_summary("P1", rows, date(2026, 3, 1), date(2026, 3, 3))
    assert (got.throughputPerDay, got.meanCycleHours) == (0.33, 1.67)
    assert [(d.day, d.created, d.completed) for d in got.days] == [("2026-03-02", 2, 1), ("2026-03-03", 1, 0)]


def test_given_rows_then_every_summary_field_reads_its_own_counter() -> None:
    rows = [DayRow("2026-03-02", {"completed": 1, "challengesStarted": 3, "challengesCompleted": 2}),
            DayRow("2026-03-03", {"focusMinutes": 5}),
            DayRow("2026-03-04", {"created": 1})]
    got = reports.summary(rows, date(2026, 3, 1), date(2026, 3, 4), {"days": 4, "longest": 6})
    assert got.challengesStarted == 3
    assert (got.challengesCompleted, got.activeDays, got.streak.days, got.streak.longest) == (2, 2, 4, 6)
    empty = reports.summary([], date(2026, 3, 1), date(2026, 3, 1), {})
    assert (empty.streak.days, empty.streak.longest, empty.efficiency, empty.onTimeRate) == (0, 0, None, None)


def test_given_rows_at_and_beyond_the_window_edges_then_only_those_inside_count() -> None:
    rows = [DayRow("2026-02-28", {"completed": 7}), DayRow("2026-03-01", {"completed": 1}),
            DayRow("2026-03-03", {"completed": 2}), DayRow("2026-03-04", {"completed": 9})]
    series = reports.timeseries(rows, "completed", "day", date(2026, 3, 1), date(2026, 3, 3))
    assert [p.value for p in series.points] == [1, 0, 2]
    assert reports.window(date(2026, 3, 3), date(2026, 3, 3), date(2026, 3, 9)) == (date(2026, 3, 3), date(2026, 3, 3))


def test_given_a_bad_window_then_the_422_names_from_and_says_why() -> None:
    with pytest.raises(ValidationFailed) as reversed_window:
        reports.window(date(2026, 3, 4), date(2026, 3, 3), date(2026, 3, 9))
    assert reversed_window.value.errors == [{"field": "query.from", "message": "must not be after to"}]
    with pytest.raises(ValidationFailed) as long_window:
        reports.window(date(2025, 1, 1), date(2026, 3, 3), date(2026, 3, 9))
    assert long_window.value.errors == [{"field": "query.from", "message": "a window is at most 366 days"}]


def test_given_a_heatmap_then_each_weekday_has_exactly_24_hours() -> None:
    grid = reports.heatmap({"c24": 3})
    assert [len(row) for row in grid.completions] == [24] * 7 and grid.completions[1][0] == 3
    assert grid.completions[0] == [0] * 24
