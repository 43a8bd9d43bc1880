"""Pure rules of the task extras: graph algorithms, mentions, attachment checks, timers, reminder windows."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from deepiri_common.problems import PayloadTooLarge, ValidationFailed
from deepiri_tasks.logic import attachments, comments, graph, reminders, timers
from deepiri_tasks.models.attachments import MAX_ATTACHMENT_BYTES as MAX
from deepiri_tasks.models.attachments import AttachmentCreate
from deepiri_tasks.models.graph import TaskFacts

NOW = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)


def successors(edges: dict[str, list[str]]):
    return lambda node: edges.get(node, [])


def test_given_a_chain_when_closing_it_then_the_cycle_is_named_in_order() -> None:
    # Given a depends on b, b depends on c
    edges = {"a": ["b"], "b": ["c"]}
    # When c would depend on a, Then the cycle reads c -> a -> b -> c
    assert graph.find_cycle("c", "a", successors(edges)) == ["c", "a", "b", "c"]


def test_given_no_path_back_when_adding_an_edge_then_there_is_no_cycle() -> None:
    assert graph.find_cycle("a", "c", successors({"a": ["b"], "b": ["c"]})) is None
    assert graph.find_cycle("x", "x", successors({})) == ["x", "x"]


def test_given_dependencies_when_ordering_then_prerequisites_come_first_and_ties_by_id() -> None:
    # (a, b): a depends on b
    order = graph.topological_order(["a", "b", "c", "d"], [("a", "b"), ("a", "c"), ("c", "d")])
    assert order == ["b", "d", "c", "a"]
    assert graph.topological_order(["a", "b"], [("a", "b"), ("b", "a")]) is None


def test_given_estimates_when_finding_the_critical_path_then_the_longest_chain_wins() -> None:
    edges = [("a", "b"), ("a", "c"), ("c", "d")]
    order = graph.topological_order("abcd", edges)
    assert order is not None
    path, minutes = graph.critical_path(order, edges, {"a": 10, "b": 100, "c": 30, "d": 60})
    assert (path, minutes) == (["b", "a"], 110)
    path, minutes = graph.critical_path(order, edges, {"a": 10, "b": 50, "c": 30, "d": 60})
    assert (path, minutes) == (["d", "c", "a"], 100)


def test_given_a_body_when_parsing_mentions_then_only_word_initial_ids_count_once() -> None:
    body = "@alice look, cc @bob and @alice again; mail carol@example.com; (@dave)"
    assert comments.parse_mentions(body) == ["alice", "bob", "dave"]


class Members:
    def role_of(self, project_id: str, user_id: str):
        return "member" if user_id in {"alice", "bob"} else None

    def is_archived(self, project_id: str) -> bool:
        return False


def test_given_a_project_task_when_mentioning_then_only_members_other_than_the_author_count() -> None:
    task = TaskFacts(id="T1", ownerId="alice", projectId="P1")
    assert comments.eligible_mentions(Members(), task, "alice", ["alice", "bob", "mallory"]) == ["bob"]
    personal = TaskFacts(id="T2", ownerId="alice", assigneeIds=frozenset({"erin"}))
    assert comments.eligible_mentions(Members(), personal, "erin", ["alice", "bob"]) == ["alice"]


@pytest.mark.parametrize("content_type", ["image/png", "application/pdf", "TEXT/MARKDOWN"])
def test_given_an_allowed_type_under_the_limit_when_checked_then_it_passes(content_type: str) -> None:
    attachments.check_upload(AttachmentCreate(fileName="a", contentType=content_type, sizeBytes=MAX))


def test_given_a_bad_type_or_size_when_checked_then_422_or_413() -> None:
    with pytest.raises(ValidationFailed):
        attachments.check_upload(AttachmentCreate(fileName="a", contentType="text/html", sizeBytes=1))
    with pytest.raises(PayloadTooLarge):
        attachments.check_upload(AttachmentCreate(fileName="a", contentType="image/png", sizeBytes=MAX + 1))


def test_given_hostile_names_when_sanitised_then_no_directories_or_odd_characters_remain() -> None:
    assert attachments.sanitise_file_name("../../etc/passwd") == "passwd"
    assert attachments.sanitise_file_name("C:\\tmp\\Résumé final (2).pdf") == "Resume_final_2_.pdf"
    assert attachments.sanitise_file_name("...") == "file"


def test_given_intervals_when_booking_then_minutes_round_half_up_and_never_go_negative() -> None:
    start = "2026-03-01T12:00:00.000Z"
    assert timers.booked_minutes(start, "2026-03-01T12:25:29.000Z") == 25
    assert timers.booked_minutes(start, "2026-03-01T12:25:30.000Z") == 26
    assert timers.booked_minutes(start, "2026-03-01T11:59:00.000Z") == 0


def test_given_due_times_when_classified_then_soon_overdue_or_nothing() -> None:
    lead = timedelta(minutes=60)
    assert reminders.reminder_kind(NOW + timedelta(minutes=30), NOW, lead) == "DUESOON"
    assert reminders.reminder_kind(NOW + timedelta(minutes=61), NOW, lead) is None
    assert reminders.reminder_kind(NOW - timedelta(minutes=1), NOW, lead) == "OVERDUE"
    assert reminders.reminder_kind(NOW - timedelta(days=2), NOW, lead) is None


def test_given_a_window_when_bucketing_then_every_hour_is_covered_once() -> None:
    buckets = reminders.hour_buckets(NOW - timedelta(days=1), NOW + timedelta(minutes=90))
    assert buckets[0] == "2026-02-28T12" and buckets[-1] == "2026-03-01T13" and len(buckets) == 26
