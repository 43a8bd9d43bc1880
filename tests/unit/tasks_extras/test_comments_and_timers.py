"""Comments (with mentions) and time tracking through their use cases, over in-memory stores."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta

import pytest

from deepiri_common.events import DomainEvent
from deepiri_common.ids import ulid_time
from deepiri_common.problems import Conflict, Forbidden, NotFound
from deepiri_tasks.logic import comments as c
from deepiri_tasks.logic import timers as t
from deepiri_tasks.models.comments import Comment, CommentPage, CommentWrite
from deepiri_tasks.models.graph import TaskFacts
from deepiri_tasks.models.timers import RunningTimer, TimeInterval
from tests.unit.tasks.fakes import FakeProjects

NOW = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)
PROJECTS = FakeProjects({"P1": {"mia": "member", "vic": "viewer"}})
PERSONAL = TaskFacts(id="T1", ownerId="ada", assigneeIds=frozenset({"bob"}))
SHARED = TaskFacts(id="T2", ownerId="mia", projectId="P1")


class Lookup:
    def __init__(self, *tasks: TaskFacts) -> None:
        self.tasks = {x.id: x for x in tasks}

    def facts(self, task_id: str) -> TaskFacts | None:
        return self.tasks.get(task_id)


TASKS = Lookup(PERSONAL, SHARED)


class Comments:
    def __init__(self) -> None:
        self.items: dict[tuple[str, str], Comment] = {}
        self.events: list[DomainEvent] = []
        self.paged: list[tuple[str, int, str | None]] = []
        self.lose_writes = False

    def get(self, task_id: str, comment_id: str) -> Comment | None:
        return self.items.get((task_id, comment_id))

    def page(self, task_id: str, limit: int, cursor: str | None) -> CommentPage:
        self.paged.append((task_id, limit, cursor))
        return CommentPage(items=[x for (tid, _), x in self.items.items() if tid == task_id][:limit])

    def add(self, comment: Comment, event: DomainEvent) -> None:
        self.items[(comment.taskId, comment.id)] = comment
        self.events.append(event)

    def update(self, comment: Comment) -> bool:
        if self.lose_writes:
            return False
        self.items[(comment.taskId, comment.id)] = comment
        return True

    def delete(self, task_id: str, comment_id: str, author_id: str) -> bool:
        # Conditioned on the author, as the table's delete is
        comment = self.items.get((task_id, comment_id))
        if self.lose_writes or comment is None or comment.authorId != author_id:
            return False
        del self.items[(task_id, comment_id)]
        return True


def test_given_text_with_mentions_then_each_at_word_once_in_order_and_no_email() -> None:
    assert c.parse_mentions("@bob hi @ada, mail bob@example.com or @bob again; x@y @carol_1") == [
        "bob", "ada", "carol_1"]


def _comment(store: Comments, user: str = "ada", task: str = "T1", body: str = "see @bob @zoe @ada") -> Comment:
    return c.add_comment(TASKS, PROJECTS, store, user_id=user, task_id=task, body=CommentWrite(body=body), now=NOW)


def test_given_a_comment_then_it_is_stored_with_mentions_of_people_who_see_the_task_and_announced() -> None:
    store = Comments()

    comment = _comment(store)

    assert store.get("T1", comment.id) == comment
    assert (comment.authorId, comment.body, comment.mentionedUserIds) == ("ada", "see @bob @zoe @ada", ["bob"])
    assert comment.createdAt == comment.updatedAt == "2026-03-01T12:00:00.000Z"
    assert ulid_time(comment.id) == NOW  # ids sort by time
    event = store.events[0]
    assert (event.detail_type, event.detail.actor) == ("TaskCommented", "ada")
    assert event.detail.data == {"taskId": "T1", "commentId": comment.id, "authorId": "ada",
                                 "mentionedUserIds": ["bob"], "projectId": None, "userId": "ada"}


def test_given_an_assignee_then_they_may_comment_but_a_viewer_of_a_project_may_not() -> None:
    assert _comment(Comments(), user="bob").authorId == "bob"
    with pytest.raises(Forbidden):
        _comment(Comments(), user="vic", task="T2")


def test_given_the_author_when_editing_then_body_and_mentions_change_and_the_time_moves() -> None:
    store = Comments()
    comment = _comment(store)

    edited = c.edit_comment(TASKS, PROJECTS, store, user_id="ada", task_id="T1", comment_id=comment.id,
                            body=CommentWrite(body="now @ada and @bob"), now=NOW + timedelta(minutes=5))

    assert (edited.body, edited.mentionedUserIds, edited.createdAt) == ("now @ada and @bob", ["bob"],
                                                                         comment.createdAt)
    assert edited.updatedAt == "2026-03-01T12:05:00.000Z" and store.get("T1", comment.id) == edited


def test_given_someone_else_or_a_missing_comment_then_edit_and_delete_refuse() -> None:
    store = Comments()
    comment = _comment(store)

    with pytest.raises(Forbidden) as refused:
        c.delete_comment(TASKS, PROJECTS, store, user_id="bob", task_id="T1", comment_id=comment.id)
    assert refused.value.detail == "only the author may change a comment"
    with pytest.raises(NotFound) as missing:
        c.delete_comment(TASKS, PROJECTS, store, user_id="ada", task_id="T1", comment_id="C9")
    assert missing.value.detail == "comment C9 not found"


def test_given_the_store_lost_the_comment_meanwhile_then_edit_and_delete_say_404() -> None:
    store = Comments()
    comment = _comment(store)
    store.lose_writes = True

    with pytest.raises(NotFound, match=f"comment {comment.id} not found"):
        c.edit_comment(TASKS, PROJECTS, store, user_id="ada", task_id="T1", comment_id=comment.id,
                       body=CommentWrite(body="x"), now=NOW)
    with pytest.raises(NotFound, match=f"comment {comment.id} not found"):
        c.delete_comment(TASKS, PROJECTS, store, user_id="ada", task_id="T1", comment_id=comment.id)


def test_given_the_author_when_deleting_then_the_comment_is_gone_and_lists_show_the_rest() -> None:
    store = Comments()
    first, second = _comment(store), _comment(store, body="second")

    c.delete_comment(TASKS, PROJECTS, store, user_id="ada", task_id="T1", comment_id=first.id)
    page = c.list_comments(TASKS, PROJECTS, store, user_id="bob", task_id="T1", limit=10, cursor="x")

    assert page.items == [second] and store.paged == [("T1", 10, "x")]
    with pytest.raises(NotFound):
        c.list_comments(TASKS, PROJECTS, store, user_id="zoe", task_id="T1", limit=10, cursor=None)


def test_given_a_project_task_then_members_comment_and_only_members_count_as_mentioned() -> None:
    store = Comments()

    comment = _comment(store, user="mia", task="T2", body="@vic @ada @mia look")

    assert comment.mentionedUserIds == ["vic"]
    assert store.events[0].detail.data["projectId"] == "P1" and store.events[0].detail.data["userId"] == "mia"
    edited = c.edit_comment(TASKS, PROJECTS, store, user_id="mia", task_id="T2", comment_id=comment.id,
                            body=CommentWrite(body="@ada only"), now=NOW)
    assert edited.mentionedUserIds == [] and store.get("T2", comment.id) == edited
    assert [x.id for x in c.list_comments(TASKS, PROJECTS, store, user_id="vic", task_id="T2", limit=5,
                                          cursor=None).items] == [comment.id]
    c.delete_comment(TASKS, PROJECTS, store, user_id="mia", task_id="T2", comment_id=comment.id)
    assert store.items == {}


def test_given_a_project_task_then_strangers_can_neither_read_nor_change_its_comments() -> None:
    store = Comments()
    comment = _comment(store, user="mia", task="T2", body="x")

    for action in (
        lambda: c.list_comments(TASKS, PROJECTS, store, user_id="zoe", task_id="T2", limit=5, cursor=None),
        lambda: c.delete_comment(TASKS, PROJECTS, store, user_id="zoe", task_id="T2", comment_id=comment.id),
        lambda: c.edit_comment(TASKS, PROJECTS, store, user_id="zoe", task_id="T2", comment_id=comment.id,
                               body=CommentWrite(body="y"), now=NOW),
    ):
        with pytest.raises(NotFound, match="task not found"):
            action()


# ------------------------------------------------------------------ timers

class Timers:
    def __init__(self) -> None:
        self.runs: dict[str, RunningTimer] = {}
        self.booked: list[TimeInterval] = []
        self.announced: list[DomainEvent] = []
        self.refuse = False

    def running(self, user_id: str) -> RunningTimer | None:
        return self.runs.get(user_id)

    def start(self, timer: RunningTimer) -> bool:
        if self.refuse:
            return False
        self.runs[timer.userId] = timer
        return True

    def book(self, stopped: RunningTimer, interval: TimeInterval, announce: DomainEvent,
             then_start: RunningTimer | None = None) -> bool:
        if self.refuse:
            return False
        self.booked.append(interval)
        self.announced.append(announce)
        self.runs.pop(stopped.userId)
        if then_start is not None:
            self.runs[then_start.userId] = then_start
        return True

    def intervals(self, task_id: str) -> list[TimeInterval]:
        return [i for i in self.booked if i.taskId == task_id]


class Book:
    """Tasks whose actualMinutes start at ``totals`` (0 by default); keeps each addition and its event."""

    def __init__(self, totals: dict[str, int] | None = None) -> None:
        self.totals = dict(totals or {})
        self.added: list[tuple[str, int, DomainEvent]] = []

    def add_actual_minutes(self, task_id: str, minutes: int, announce: Callable[[int], DomainEvent]) -> object:
        self.totals[task_id] = self.totals.get(task_id, 0) + minutes
        self.added.append((task_id, minutes, announce(self.totals[task_id])))
        return None


@pytest.mark.parametrize(("seconds", "minutes"), [(0, 0), (29, 0), (30, 1), (89, 1), (90, 2), (-300, 0)])
def test_given_a_duration_then_booked_minutes_round_half_up_and_never_go_negative(seconds: int, minutes: int) -> None:
    assert t.booked_minutes("2026-03-01T12:00:00.000Z",
                            (NOW + timedelta(seconds=seconds)).isoformat()) == minutes


def test_given_a_started_timer_when_stopped_then_the_interval_is_booked_and_the_task_gets_its_minutes() -> None:
    store, book = Timers(), Book({"T1": 5})

    started = t.start_timer(TASKS, PROJECTS, store, book, user_id="bob", task_id="T1", now=NOW)
    again = t.start_timer(TASKS, PROJECTS, store, book, user_id="bob", task_id="T1", now=NOW + timedelta(hours=1))
    interval = t.stop_timer(TASKS, PROJECTS, store, book, user_id="bob", task_id="T1",
                            now=NOW + timedelta(minutes=25))

    assert again.timer == started.timer and started.stopped is None
    assert (started.timer.userId, started.timer.taskId, started.timer.startedAt) == ("bob", "T1",
                                                                                     "2026-03-01T12:00:00.000Z")
    assert ulid_time(started.timer.intervalId) == NOW
    assert (interval.id, interval.minutes, interval.stoppedAt) == (started.timer.intervalId, 25,
                                                                   "2026-03-01T12:25:00.000Z")
    task_id, minutes, event = book.added[0]
    assert (task_id, minutes, event.detail_type, event.detail.actor) == ("T1", 25, "TaskUpdated", "bob")
    assert event.detail.data == {"taskId": "T1", "changed": ["actualMinutes"], "values": {"actualMinutes": 30},
                                 "ownerId": "ada", "projectId": None, "assigneeIds": ["bob"], "userId": "ada"}
    (stopped,) = store.announced
    assert (stopped.detail_type, stopped.source, stopped.detail.actor) == ("TimerStopped", "deepiri.tasks", "bob")
    assert stopped.detail.data == {"taskId": "T1", "userId": "bob", "minutes": 25,
                                   "startedAt": "2026-03-01T12:00:00.000Z", "stoppedAt": "2026-03-01T12:25:00.000Z"}
    report = t.time_report(TASKS, PROJECTS, store, user_id="ada", task_id="T1")
    assert (report.totalMinutes, report.running, [i.minutes for i in report.intervals]) == (25, None, [25])


def test_given_a_timer_on_another_task_when_starting_then_it_is_stopped_and_booked_first() -> None:
    store2, book2 = Timers(), Book()
    tasks = Lookup(PERSONAL, SHARED, TaskFacts(id="T3", ownerId="mia", projectId="P1"))
    t.start_timer(tasks, PROJECTS, store2, book2, user_id="mia", task_id="T2", now=NOW)
    moved = t.start_timer(tasks, PROJECTS, store2, book2, user_id="mia", task_id="T3", now=NOW + timedelta(minutes=10))

    assert moved.stopped is not None and (moved.stopped.taskId, moved.stopped.minutes) == ("T2", 10)
    assert store2.running("mia") == moved.timer and moved.timer.taskId == "T3"
    assert [(x[0], x[1]) for x in book2.added] == [("T2", 10)]
    assert book2.added[0][2].detail.data == {"taskId": "T2", "changed": ["actualMinutes"],
                                             "values": {"actualMinutes": 10}, "ownerId": "mia",
                                             "projectId": "P1", "assigneeIds": [], "userId": "mia"}
    assert [e.detail.data["minutes"] for e in store2.announced] == [10]
    assert store2.announced[0].detail.data["taskId"] == "T2"
    report = t.time_report(tasks, PROJECTS, store2, user_id="mia", task_id="T3")
    assert report.running == moved.timer and report.totalMinutes == 0
    # The task left behind shows its booked minutes and no running timer: the running one is on T3.
    left = t.time_report(tasks, PROJECTS, store2, user_id="mia", task_id="T2")
    assert (left.running, left.totalMinutes) == (None, 10)


def test_given_a_short_or_orphaned_interval_then_no_minutes_are_added() -> None:
    store, book = Timers(), Book()
    t.start_timer(TASKS, PROJECTS, store, book, user_id="bob", task_id="T1", now=NOW)
    t.stop_timer(TASKS, PROJECTS, store, book, user_id="bob", task_id="T1", now=NOW + timedelta(seconds=10))

    assert book.added == [] and store.booked[0].minutes == 0


def test_given_no_timer_of_mine_on_the_task_when_stopping_then_409_names_the_task() -> None:
    store = Timers()

    with pytest.raises(Conflict) as refused:
        t.stop_timer(TASKS, PROJECTS, store, Book(), user_id="bob", task_id="T1", now=NOW)
    assert refused.value.detail == "no timer of yours is running on task T1"


def test_given_concurrent_timer_changes_then_409_asks_to_retry() -> None:
    store, book = Timers(), Book()
    store.refuse = True
    with pytest.raises(Conflict) as started:
        t.start_timer(TASKS, PROJECTS, store, book, user_id="bob", task_id="T1", now=NOW)
    assert started.value.detail == "a timer was started concurrently; retry"

    store.refuse = False
    t.start_timer(TASKS, PROJECTS, store, book, user_id="mia", task_id="T2", now=NOW)
    store.refuse = True
    with pytest.raises(Conflict) as stopped:
        t.stop_timer(TASKS, PROJECTS, store, book, user_id="mia", task_id="T2", now=NOW)
    assert stopped.value.detail == "the running timer changed concurrently; retry"
    with pytest.raises(Conflict) as moved:
        t.start_timer(Lookup(SHARED, TaskFacts(id="T3", ownerId="mia", projectId="P1")), PROJECTS, store, book,
                      user_id="mia", task_id="T3", now=NOW)
    assert moved.value.detail == "the running timer changed concurrently; retry"


def test_given_a_viewer_then_they_may_not_track_time_on_a_project_task() -> None:
    with pytest.raises(Forbidden):
        t.start_timer(TASKS, PROJECTS, Timers(), Book(), user_id="vic", task_id="T2", now=NOW)
