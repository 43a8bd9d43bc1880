"""Category balance and the overdue risk of open tasks: the events that keep their rows, and the insights
computed from them with exact figures (pure, no network)."""

from __future__ import annotations

import math
from datetime import UTC, datetime, timedelta

import pytest

from deepiri_analytics.logic import insights, projection
from deepiri_analytics.models import feed
from deepiri_analytics.models.rows import Add, Close, DayRow, DaySettings, OpenTask, Reopen, Track
from deepiri_common.clock import to_iso

EID = "01JABCDEFGHJKMNPQRSTVWXYZ0"
AT = "2026-03-02T10:00:00.000Z"
ORDER = f"{AT}#{EID}"
NOW = datetime(2026, 3, 28, 12, 0, tzinfo=UTC)


def _created(category: str = "code", due: str | None = "2026-03-05T09:00:00.000Z") -> feed.TaskCreatedData:
    return feed.TaskCreatedData(taskId="T1", userId="ada", projectId=None, status="todo", category=category,
                                dueAt=due, estimateMinutes=45)


def test_given_a_task_created_then_its_category_is_counted_and_its_open_row_tracked_with_its_estimate() -> None:
    changes = projection.effects(_created("study"), AT, EID, DaySettings())
    assert changes[0] == Add("USER#ada", "DAY#2026-03-02", {"created": 1, "created@study": 1})
    assert changes[-1] == Track("ada", "T1", {"status": "todo", "category": "study",
                                              "dueAt": "2026-03-05T09:00:00.000Z", "estimateMinutes": 45}, ORDER)


def test_given_a_task_created_before_the_event_carried_an_estimate_then_its_row_has_none() -> None:
    archived = feed.TaskCreatedData.model_validate({"taskId": "T1", "userId": "ada", "projectId": None,
                                                     "status": "todo", "category": "code", "dueAt": None})
    track = projection.effects(archived, AT, EID, DaySettings())[-1]
    assert isinstance(track, Track) and track.values["estimateMinutes"] is None


def test_given_a_task_updated_then_only_the_tracked_values_it_carries_change_the_open_row() -> None:
    data = feed.TaskUpdatedData(taskId="T1", userId="ada", values={"title": "x", "estimateMinutes": 90,
                                                                   "dueAt": None, "category": "design"})
    assert projection.effects(data, AT, EID, DaySettings()) == [
        Track("ada", "T1", {"category": "design", "dueAt": None, "estimateMinutes": 90}, ORDER)]
    untracked = feed.TaskUpdatedData(taskId="T1", userId="ada", values={"title": "y"})
    assert projection.effects(untracked, AT, EID, DaySettings()) == []


def test_given_a_completion_or_a_deletion_then_the_open_row_closes() -> None:
    done = feed.TaskCompletedData(taskId="T1", userId="ada", projectId=None, category="writing", onTime=None,
                                  estimateMinutes=None, actualMinutes=0, firstCompletion=True, completedAt=AT)
    changes = projection.effects(done, AT, EID, DaySettings())
    assert changes[0] == Add("USER#ada", "DAY#2026-03-02", {"completed": 1, "completed@writing": 1})
    assert changes[-1] == Close("ada", "T1", ORDER)
    again = done.model_copy(update={"firstCompletion": False})
    assert projection.effects(again, AT, EID, DaySettings()) == [Close("ada", "T1", ORDER)]
    deleted = feed.TaskDeletedData(taskId="T1", ownerId="bob")
    assert projection.effects(deleted, AT, EID, DaySettings()) == [Close("bob", "T1", ORDER)]


def test_given_completions_in_three_categories_then_the_balance_names_the_top_one_with_exact_figures() -> None:
    rows = [DayRow("2026-03-20", {"completed": 3, "completed@code": 3}),
            DayRow("2026-03-21", {"completed": 3, "completed@code": 1, "completed@study": 1, "completed@admin": 1,
                                  "created@code": 9})]
    open_tasks = [OpenTask("T1", status="todo", category="study"), OpenTask("T2", status="in_progress",
                                                                            category="study"),
                  OpenTask("T3", status="done", category="code"), OpenTask("T4")]
    found = insights.category_balance(rows, open_tasks)
    shares = [4 / 6, 1 / 6, 1 / 6]
    even = -sum(p * math.log(p) for p in shares) / math.log(3)
    assert found is not None and found.kind == "category_balance"
    assert found.figures == {"completed": 6, "topShare": 0.6667, "evenness": round(even, 4), "categories": 3,
                             "completed.admin": 1, "completed.code": 4, "completed.study": 1, "open.study": 2}
    assert found.confidence == 0.2
    assert found.message == (f"67% of your 6 completions in the last 28 days were code (3 categories, evenness "
                             f"{even:.2f}).")


def test_given_too_few_completions_or_one_category_then_balance_is_absent_or_uneven() -> None:
    assert insights.category_balance([DayRow("d", {"completed@code": 2})], []) is None
    single = insights.category_balance([DayRow("d", {"completed@code": 3, "completed@study": 0})], [])
    assert single is not None and single.figures["evenness"] == 0.0 and single.figures["topShare"] == 1.0
    tie = insights.category_balance([DayRow("d", {"completed@study": 2, "completed@code": 2})], [])
    assert tie is not None and tie.figures["evenness"] == 1.0 and "were code" in tie.message  # ties: by name
    assert insights.evenness([5]) == 0.0 and insights.evenness([]) == 0.0 and insights.evenness([1, 1, 1, 1]) == 1.0


def _due(hours: float) -> str:
    return to_iso(NOW + timedelta(hours=hours))


def test_given_open_tasks_then_overdue_and_under_estimated_ones_due_soon_are_at_risk_with_exact_figures() -> None:
    # 280 focus minutes in 28 days: 10 a day. Slip 1.5 (three estimated tasks, 100 estimated, 150 actual).
    rows = [DayRow("2026-03-20", {"focusMinutes": 280, "estimated": 3, "estimateMinutes": 100,
                                  "actualMinutes": 150})]
    open_tasks = [
        OpenTask("late", status="todo", dueAt=_due(-2)),                               # past due
        OpenTask("big", status="in_progress", dueAt=_due(24), estimateMinutes=10),     # 15 needed > 10 there
        OpenTask("small", status="in_progress", dueAt=_due(48), estimateMinutes=10),   # 15 needed < 20 there
        OpenTask("fresh", status="todo", dueAt=_due(12)),                              # unestimated, not started
        OpenTask("going", status="in_progress", dueAt=_due(12)),                       # unestimated, started
        OpenTask("far", status="todo", dueAt=_due(49), estimateMinutes=600),           # beyond 48 hours
        OpenTask("done", status="done", dueAt=_due(-5)),                               # not open
        OpenTask("undated", status="todo"),
    ]
    found = insights.overdue_risk(rows, open_tasks, NOW)
    assert found is not None and found.kind == "overdue_risk"
    assert found.figures == {"openWithDue": 6, "overdueNow": 1, "dueSoon": 4, "atRisk": 2, "neededMinutes": 15.0,
                             "slip": 1.5, "dailyFocusMinutes": 10.0}
    assert found.confidence == round((1 + 2 * 0.2) / 3, 2)
    assert found.message.startswith("3 of your 6 open tasks with a due date are at risk: 1 past due, 2 due within")


def test_given_no_estimate_history_then_slip_is_one_and_nothing_at_risk_is_no_insight() -> None:
    rows = [DayRow("2026-03-20", {"estimated": 2, "estimateMinutes": 10, "actualMinutes": 40})]
    due_soon = [OpenTask("a", status="todo", dueAt=_due(1), estimateMinutes=30)]
    found = insights.overdue_risk(rows, due_soon, NOW)
    assert found is not None and found.figures["slip"] == 1.0 and found.figures["neededMinutes"] == 30.0
    assert found.confidence == 0.13  # two estimated completions of fifteen
    assert insights.overdue_risk(rows, [OpenTask("b", status="in_progress", dueAt=_due(1))], NOW) is None
    assert insights.overdue_risk(rows, [], NOW) is None
    only_late = insights.overdue_risk([], [OpenTask("c", status="blocked", dueAt=_due(-0.01))], NOW)
    assert only_late is not None and only_late.confidence == 1.0 and only_late.figures["overdueNow"] == 1


def test_given_tasks_at_every_edge_then_late_soon_and_at_risk_follow_the_hour_exactly() -> None:
    rows = [DayRow("2026-03-20", {"focusMinutes": 280})]  # 10 focus minutes a day; no estimates: slip 1
    open_tasks = [
        OpenTask("late1", status="in_progress", dueAt=_due(-1)),
        OpenTask("late2", status="in_progress", dueAt=_due(-2)),
        OpenTask("now", status="in_progress", dueAt=_due(0)),                           # due this instant: not late
        OpenTask("half", status="in_progress", dueAt=_due(0.5)),
        OpenTask("even", status="in_progress", dueAt=_due(24), estimateMinutes=10),     # 10 needed, 10 there
        OpenTask("beyond", status="todo", dueAt=to_iso(NOW + timedelta(hours=48, seconds=30)), estimateMinutes=999),
    ]
    found = insights.overdue_risk(rows, open_tasks, NOW)
    assert found is not None and found.figures == {
        "openWithDue": 6, "overdueNow": 2, "dueSoon": 3, "atRisk": 0, "neededMinutes": 0.0, "slip": 1.0,
        "dailyFocusMinutes": 10.0}
    one_each = [OpenTask("late", status="todo", dueAt=_due(-1)), OpenTask("soon", status="todo", dueAt=_due(1))]
    both = insights.overdue_risk([], one_each, NOW)
    assert both is not None and (both.figures["overdueNow"], both.figures["atRisk"]) == (1, 1)


@pytest.mark.parametrize("status", ["done", "cancelled"])
def test_given_a_closed_task_past_its_due_date_then_it_is_not_at_risk(status: str) -> None:
    assert insights.overdue_risk([], [OpenTask("closed", status=status, dueAt=_due(-1))], NOW) is None


def test_given_a_task_due_beyond_48_hours_listed_first_then_the_ones_after_it_still_count() -> None:
    far_first = [OpenTask("far", status="todo", dueAt=_due(72)), OpenTask("soon", status="todo", dueAt=_due(1)),
                 OpenTask("late", status="todo", dueAt=_due(-1))]

    found = insights.overdue_risk([], far_first, NOW)

    assert found is not None
    assert (found.figures["openWithDue"], found.figures["dueSoon"], found.figures["atRisk"],
            found.figures["overdueNow"]) == (3, 1, 1, 1)


def test_given_uneven_numbers_then_slip_focus_and_minutes_keep_their_decimals() -> None:
    rows = [DayRow("2026-03-20", {"estimated": 3, "estimateMinutes": 81, "actualMinutes": 100, "focusMinutes": 100})]
    found = insights.overdue_risk(rows, [OpenTask("a", status="todo", dueAt=_due(1), estimateMinutes=7)], NOW)
    assert found is not None
    assert (found.figures["slip"], found.figures["dailyFocusMinutes"], found.figures["neededMinutes"]) == (
        1.2346, 3.57, 8.6)
    tiny = [DayRow("d", {"estimated": 3, "estimateMinutes": 1, "actualMinutes": 2})]
    doubled = insights.overdue_risk(tiny, [OpenTask("b", status="todo", dueAt=_due(1), estimateMinutes=5)], NOW)
    assert doubled is not None and doubled.figures["slip"] == 2.0
    assert insights.evenness([4, 0]) == 0.0


def test_given_a_task_reopened_then_it_is_open_again_with_its_values_as_it_reopened() -> None:
    reopened = feed.TaskReopenedData(taskId="T1", userId="ada", status="in_progress", category="study",
                                     dueAt="2026-03-09T00:00:00.000Z", estimateMinutes=25)
    assert projection.effects(reopened, AT, EID, DaySettings()) == [Reopen("ada", "T1", {
        "status": "in_progress", "category": "study", "dueAt": "2026-03-09T00:00:00.000Z", "estimateMinutes": 25},
        ORDER)]


@pytest.mark.parametrize("missing", ["status", "category"])
def test_given_a_reopening_archived_before_the_event_carried_the_task_s_values_then_nothing_changes(
        missing: str) -> None:
    values = {"taskId": "T1", "userId": "ada", "status": "todo", "category": "code"}
    archived = feed.TaskReopenedData.model_validate({k: v for k, v in values.items() if k != missing})
    assert projection.effects(archived, AT, EID, DaySettings()) == []
