"""The task events as consumers receive them: every builder names the task, its owner and its project."""

from __future__ import annotations

from datetime import UTC, datetime

from deepiri_tasks.logic import tasks_events as events
from deepiri_tasks.models.tasks import Task

NOW = datetime(2030, 1, 1, tzinfo=UTC)
TASK = Task.model_validate({
    "id": "T1", "ownerId": "alice", "projectId": "P1", "title": "ship", "status": "review", "priority": "high",
    "difficulty": "hard", "category": "code", "assigneeIds": ["bob"], "dueAt": "2030-01-02T10:00:00Z",
    "source": "github", "estimateMinutes": 30, "actualMinutes": 45, "createdAt": NOW, "updatedAt": NOW,
})


def test_given_a_project_task_then_each_event_carries_its_project_and_comes_from_the_tasks_service() -> None:
    built = [events.created(TASK, "bob"), events.updated(TASK, ["title"], "bob"),
             events.status_changed(TASK, "in_progress", "bob"), events.completed(TASK, "bob", 66.7, True, False),
             events.reopened(TASK, "bob"), events.deleted(TASK, "bob")]

    assert [e.detail_type for e in built] == ["TaskCreated", "TaskUpdated", "TaskStatusChanged", "TaskCompleted",
                                              "TaskReopened", "TaskDeleted"]
    for event in built:
        assert event.source == "deepiri.tasks" and event.detail.actor == "bob"
        assert event.detail.data["taskId"] == "T1" and event.detail.data["projectId"] == "P1"


def test_given_a_created_task_then_the_event_describes_it_whole() -> None:
    assert events.created(TASK, "alice").detail.data == {
        "taskId": "T1", "userId": "alice", "ownerId": "alice", "projectId": "P1", "title": "ship",
        "status": "review", "priority": "high", "difficulty": "hard", "category": "code", "assigneeIds": ["bob"],
        "dueAt": "2030-01-02T10:00:00.000Z", "source": "github", "estimateMinutes": 30,
    }
    bare = events.created(TASK.model_copy(update={"dueAt": None, "estimateMinutes": None}), "alice").detail.data
    assert bare["dueAt"] is None and bare["estimateMinutes"] is None


def test_given_an_update_a_status_change_a_reopening_and_a_deletion_then_their_data_is_exact() -> None:
    assert events.updated(TASK, ["title", "dueAt"], "bob").detail.data == {
        "taskId": "T1", "changed": ["title", "dueAt"], "values": {"title": "ship", "dueAt": "2030-01-02T10:00:00.000Z"},
        "ownerId": "alice", "projectId": "P1", "assigneeIds": ["bob"], "userId": "alice"}
    # A cleared field is there with null, so a reader tells "cleared" from "not changed"
    cleared = events.updated(TASK.model_copy(update={"dueAt": None}), ["dueAt"], "bob").detail.data
    assert (cleared["changed"], cleared["values"]) == (["dueAt"], {"dueAt": None})
    assert events.status_changed(TASK, "in_progress", "bob").detail.data == {
        "taskId": "T1", "from": "in_progress", "to": "review", "ownerId": "alice", "projectId": "P1",
        "userId": "alice"}
    assert events.reopened(TASK, "bob").detail.data == {
        "taskId": "T1", "userId": "alice", "ownerId": "alice", "projectId": "P1", "status": "review",
        "category": "code", "dueAt": "2030-01-02T10:00:00.000Z", "estimateMinutes": 30}
    bare = events.reopened(TASK.model_copy(update={"dueAt": None, "estimateMinutes": None}), "bob").detail.data
    assert bare["dueAt"] is None and bare["estimateMinutes"] is None
    assert events.deleted(TASK, "bob").detail.data == {"taskId": "T1", "ownerId": "alice", "projectId": "P1"}


def test_given_a_completion_then_the_event_carries_the_figures_engagement_awards_on() -> None:
    assert events.completed(TASK, "bob", 66.7, True, False).detail.data == {
        "taskId": "T1", "userId": "alice", "actorId": "bob", "projectId": "P1", "category": "code",
        "difficulty": "hard", "priority": "high", "efficiency": 66.7, "onTime": True, "estimateMinutes": 30,
        "actualMinutes": 45, "firstCompletion": False, "completedAt": "2030-01-01T00:00:00.000Z",
        # an imported task names its provider and key, so the integration writes the completion back
        "source": "github", "externalRef": None}
    imported = TASK.model_copy(update={"externalRef": "github:octo/app#12"})
    assert events.completed(imported, "bob", None, None, True).detail.data["externalRef"] == "github:octo/app#12"
