"""Completing and reopening a task, end to end through the use cases over in-memory collaborators."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from deepiri_common.clock import utc_now
from deepiri_common.problems import Conflict, Forbidden, NotFound, PreconditionFailed, ValidationFailed
from deepiri_tasks.logic.completion import (
    COMPLETABLE,
    GRACE_HOURS,
    complete_task,
    grace_checked,
    mark_done,
    reopen_task,
)
from deepiri_tasks.models.tasks import CompleteRequest, Task
from tests.unit.tasks.fakes import Blockers, MemoryTasks, services

CREATED = datetime(2030, 1, 1, 9, 0, tzinfo=UTC)


def _task(**fields: object) -> Task:
    return Task.model_validate({"id": "T1", "ownerId": "alice", "title": "write the report", "createdAt": CREATED,
                                "updatedAt": CREATED, "status": "in_progress", **fields})


def test_given_the_completable_statuses_then_they_are_exactly_the_open_working_ones() -> None:
    assert set(COMPLETABLE) == {"todo", "in_progress", "review"}


@pytest.mark.parametrize("status", ["todo", "in_progress", "review"])
def test_given_an_open_task_when_its_owner_completes_it_then_it_is_done_now_with_a_new_version(status: str) -> None:
    store = MemoryTasks(_task(status=status, version=3))
    before = utc_now()

    completion = complete_task(services(store), "alice", "T1", CompleteRequest())

    done = store.tasks["T1"]
    assert completion.task == done
    assert done.status == "done" and done.version == 4
    assert done.completedAt is not None and before <= done.completedAt <= utc_now()
    assert done.updatedAt == done.completedAt == done.firstCompletedAt
    assert store.types() == ["TaskStatusChanged", "TaskCompleted"]
    assert store.data("TaskStatusChanged")["from"] == status and store.data("TaskStatusChanged")["to"] == "done"


def test_given_the_current_version_when_completing_then_it_completes() -> None:
    store = MemoryTasks(_task(version=3))

    complete_task(services(store), "alice", "T1", CompleteRequest(version=3))

    assert store.tasks["T1"].status == "done"


@pytest.mark.parametrize("stale", [2, 4])
def test_given_another_version_when_completing_then_412_and_the_task_is_untouched(stale: int) -> None:
    store = MemoryTasks(_task(version=3))

    with pytest.raises(PreconditionFailed, match=f"version 3, not {stale}"):
        complete_task(services(store), "alice", "T1", CompleteRequest(version=stale))

    assert store.tasks["T1"].status == "in_progress" and store.writes == 0


def test_given_a_done_task_when_completing_again_then_409_says_reopen_first() -> None:
    store = MemoryTasks(_task(status="done", version=2))

    with pytest.raises(Conflict) as refused:
        complete_task(services(store), "alice", "T1", CompleteRequest())

    assert refused.value.detail == "the task is already done; reopen it first"
    assert refused.value.extensions == {"currentStatus": "done"}
    assert store.writes == 0


@pytest.mark.parametrize("status", ["blocked", "cancelled"])
def test_given_a_blocked_or_cancelled_task_when_completing_then_409_names_its_status(status: str) -> None:
    store = MemoryTasks(_task(status=status))

    with pytest.raises(Conflict, match=f"a {status} task cannot be completed") as refused:
        complete_task(services(store), "alice", "T1", CompleteRequest())

    assert refused.value.extensions == {"currentStatus": status}
    assert store.writes == 0


def test_given_open_blockers_of_this_task_when_completing_then_409_names_them_and_nothing_is_written() -> None:
    store = MemoryTasks(_task(), _task(id="T2"))
    blockers = Blockers({"T1": ["B1", "B2"]})

    with pytest.raises(Conflict) as refused:
        complete_task(services(store, blockers=blockers), "alice", "T1", CompleteRequest())

    assert refused.value.extensions == {"openBlockers": ["B1", "B2"]}
    assert store.writes == 0
    # Another task's blockers do not hold this one back
    complete_task(services(store, blockers=blockers), "alice", "T2", CompleteRequest())
    assert store.tasks["T2"].status == "done"


def test_given_someone_who_may_not_change_the_task_when_completing_then_403_or_404() -> None:
    store = MemoryTasks(_task(assigneeIds=["bob"]))

    with pytest.raises(Forbidden):
        complete_task(services(store), "bob", "T1", CompleteRequest())
    with pytest.raises(NotFound):
        complete_task(services(store), "carol", "T1", CompleteRequest())
    assert store.writes == 0


def test_given_minutes_and_notes_when_completing_then_they_replace_the_tracked_total_and_reach_the_history() -> None:
    store = MemoryTasks(_task(estimateMinutes=30, actualMinutes=10, dueAt=CREATED + timedelta(days=3650)))

    completion = complete_task(services(store), "alice", "T1", CompleteRequest(actualMinutes=60, notes="finally"))

    assert store.tasks["T1"].actualMinutes == 60
    assert (completion.efficiency, completion.onTime, completion.firstCompletion) == (50.0, True, True)
    record = store.history["T1"][-1]
    assert (record.actor, record.reason, record.version) == ("alice", "finally", 2)
    completed = store.data("TaskCompleted")
    assert (completed["efficiency"], completed["onTime"], completed["firstCompletion"]) == (50.0, True, True)
    assert (completed["actualMinutes"], completed["estimateMinutes"], completed["actorId"]) == (60, 30, "alice")


def test_given_no_minutes_sent_when_marking_done_then_the_tracked_total_stays() -> None:
    now = CREATED + timedelta(hours=2)
    after, _, completion = mark_done(_task(estimateMinutes=30, actualMinutes=45, dueAt=CREATED), "alice", now)

    assert after.actualMinutes == 45
    assert completion.efficiency == 66.7 and completion.onTime is False


def test_given_a_done_task_when_reopened_then_it_is_todo_again_with_no_completion_time() -> None:
    store = MemoryTasks(_task())
    complete_task(services(store), "alice", "T1", CompleteRequest())
    first = store.tasks["T1"].firstCompletedAt

    reopened = reopen_task(services(store), "alice", "T1")

    assert reopened == store.tasks["T1"]
    assert (reopened.status, reopened.completedAt, reopened.version) == ("todo", None, 3)
    assert reopened.firstCompletedAt == first and reopened.updatedAt >= first
    assert store.types()[-2:] == ["TaskStatusChanged", "TaskReopened"]
    assert store.data("TaskStatusChanged")["from"] == "done" and store.data("TaskStatusChanged")["to"] == "todo"
    assert store.history["T1"][-1].actor == "alice" and store.history["T1"][-1].reason is None


def test_given_a_reopened_task_when_completed_again_then_it_is_not_a_first_completion() -> None:
    store = MemoryTasks(_task())
    complete_task(services(store), "alice", "T1", CompleteRequest())
    first = store.tasks["T1"].firstCompletedAt
    reopen_task(services(store), "alice", "T1")

    again = complete_task(services(store), "alice", "T1", CompleteRequest())

    assert again.firstCompletion is False and store.data("TaskCompleted")["firstCompletion"] is False
    assert again.task.firstCompletedAt == first and again.task.completedAt is not None


def test_given_a_task_cancelled_long_ago_when_reopened_then_it_is_todo_and_updated_now() -> None:
    long_ago = datetime(2020, 1, 1, tzinfo=UTC)
    store = MemoryTasks(_task(status="cancelled", createdAt=long_ago, updatedAt=long_ago))
    before = utc_now()

    reopened = reopen_task(services(store), "alice", "T1")

    assert reopened.status == "todo"
    assert before <= reopened.updatedAt <= utc_now()


@pytest.mark.parametrize("status", ["todo", "in_progress", "review", "blocked"])
def test_given_an_open_task_when_reopened_then_409_names_its_status(status: str) -> None:
    store = MemoryTasks(_task(status=status))

    with pytest.raises(Conflict, match=f"only a done or cancelled task can be reopened; this one is {status}") as no:
        reopen_task(services(store), "alice", "T1")

    assert no.value.extensions == {"currentStatus": status}
    assert store.writes == 0


def test_given_a_completed_at_inside_the_grace_window_then_the_task_and_its_event_carry_it() -> None:
    store = MemoryTasks(_task(dueAt=utc_now() - timedelta(hours=4)))
    earlier = utc_now() - timedelta(hours=5, minutes=59)

    completion = complete_task(services(store), "alice", "T1", CompleteRequest(completedAt=earlier))

    done = store.tasks["T1"]
    assert done.completedAt == earlier.replace(microsecond=earlier.microsecond // 1000 * 1000)
    assert done.updatedAt > done.completedAt  # the change itself happened now
    assert completion.onTime is True  # measured at the time the work was finished
    assert store.data("TaskCompleted")["completedAt"] == done.completedAt.isoformat(timespec="milliseconds")[:23] + "Z"


def test_given_no_completed_at_then_the_event_carries_the_time_of_the_request() -> None:
    store = MemoryTasks(_task())

    complete_task(services(store), "alice", "T1", CompleteRequest())

    done = store.tasks["T1"]
    assert store.data("TaskCompleted")["completedAt"] == done.updatedAt.isoformat(timespec="milliseconds")[:23] + "Z"


@pytest.mark.parametrize(("shift", "message"), [
    (timedelta(minutes=1), "must not be in the future"),
    (-timedelta(hours=6, minutes=1), "must be at most 6 hours before now"),
    (-timedelta(days=400), "must be at most 6 hours before now"),
])
def test_given_a_completed_at_outside_the_grace_window_then_422_names_it_and_nothing_is_written(
        shift: timedelta, message: str) -> None:
    store = MemoryTasks(_task())

    with pytest.raises(ValidationFailed) as refused:
        complete_task(services(store), "alice", "T1", CompleteRequest(completedAt=utc_now() + shift))

    assert refused.value.errors == [{"field": "body.completedAt", "message": message}]
    assert store.tasks["T1"].status == "in_progress" and store.writes == 0


def test_given_a_completed_at_on_the_edges_of_the_grace_window_then_it_is_accepted() -> None:
    now = datetime(2030, 1, 2, 12, 0, tzinfo=UTC)

    assert GRACE_HOURS == 6
    assert grace_checked(now, now) == now  # finished this very instant
    assert grace_checked(now - timedelta(hours=6), now) == now - timedelta(hours=6)  # exactly 6 hours back
    assert grace_checked(None, now) is None
    for outside in (now + timedelta(microseconds=1), now - timedelta(hours=6, microseconds=1)):
        with pytest.raises(ValidationFailed):
            grace_checked(outside, now)
