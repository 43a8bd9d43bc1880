"""The user's notification history as they see it: listing, the unread count, read marks, deleting; another
user's notification is not found."""

from __future__ import annotations

import pytest

from deepiri_common.problems import NotFound
from deepiri_notifications.logic import inbox
from deepiri_notifications.logic.creation import create
from deepiri_notifications.logic.intake import Draft
from deepiri_notifications.models.notifications import Notification, ReadAll, UnreadCount
from tests.unit.notifications.fakes import FakeQueue, FakeStore

EARLY, LATE = "2026-11-30T10:00:00.000Z", "2026-11-30T11:00:00.000Z"


def _store_with(*titles: str, user: str = "bob") -> tuple[FakeStore, list[str]]:
    store, queue = FakeStore(), FakeQueue()
    ids = [create(store, queue, f"E{n}", Draft(user, "taskDueSoon", title, None, None), EARLY).notificationId
           for n, title in enumerate(titles)]
    return store, ids


def test_given_notifications_then_the_history_is_newest_first_and_the_unread_filter_leaves_read_ones_out() -> None:
    store, ids = _store_with("One", "Two", "Three")
    newest_first = sorted(ids, reverse=True)  # ULIDs made in one millisecond are ordered by their random part
    store.mark_read("bob", newest_first[1], LATE)

    everything = inbox.history(store, "bob", False, 10, None)
    unread = inbox.history(store, "bob", True, 10, None)
    first_page = inbox.history(store, "bob", False, 2, None)
    rest = inbox.history(store, "bob", False, 2, first_page.next_cursor)

    assert [n.id for n in everything.items] == newest_first and {n.title for n in everything.items} == {
        "One", "Two", "Three"}
    assert [n.id for n in unread.items] == [newest_first[0], newest_first[2]]
    assert [n.id for n in first_page.items] == newest_first[:2] and first_page.next_cursor == newest_first[1]
    assert [n.id for n in rest.items] == newest_first[2:] and rest.next_cursor is None
    assert inbox.history(store, "ada", False, 10, None).items == []


def test_given_unread_notifications_then_the_count_follows_read_marks() -> None:
    store, (one, _two) = _store_with("One", "Two")

    before = inbox.unread_count(store, "bob")
    inbox.mark_read(store, "bob", one, LATE)

    assert (before, inbox.unread_count(store, "bob")) == (UnreadCount(unread=2), UnreadCount(unread=1))
    assert inbox.unread_count(store, "ada") == UnreadCount(unread=0)


def test_given_a_notification_when_marked_read_then_answered_with_its_read_time_kept_from_the_first_mark() -> None:
    store, (one,) = _store_with("One")

    read = inbox.mark_read(store, "bob", one, LATE)
    again = inbox.mark_read(store, "bob", one, "2026-11-30T12:00:00.000Z")

    assert type(read) is Notification and (read.id, read.title, read.readAt) == (one, "One", LATE)
    assert again.readAt == LATE
    assert "userId" not in read.model_dump() and "sourceEventId" not in read.model_dump()


def test_given_another_users_or_no_notification_when_marking_read_then_not_found_and_nothing_changes() -> None:
    store, (one,) = _store_with("One")

    for user, notification in (("ada", one), ("bob", "01JDNOTHERE000000000000000")):
        with pytest.raises(NotFound) as missing:
            inbox.mark_read(store, user, notification, LATE)
        assert missing.value.detail == "no such notification"  # the same answer whether it exists or not

    assert inbox.unread_count(store, "bob").unread == 1


class _DeletedMeanwhile(FakeStore):
    def get(self, user_id: str, notification_id: str):  # type: ignore[no-untyped-def]
        return None  # deleted between the read mark and the read-back


def test_given_a_notification_deleted_right_after_its_read_mark_then_not_found() -> None:
    store, (one,) = _store_with("One")
    racing = _DeletedMeanwhile(notes=store.notes)

    with pytest.raises(NotFound) as missing:
        inbox.mark_read(racing, "bob", one, LATE)
    assert missing.value.detail == "no such notification"


def test_given_unread_notifications_when_all_are_marked_read_then_how_many_were_and_none_stays_unread() -> None:
    store, (one, _two, _three) = _store_with("One", "Two", "Three")
    inbox.mark_read(store, "bob", one, EARLY)

    assert inbox.mark_all_read(store, "bob", LATE) == ReadAll(marked=2)
    assert inbox.mark_all_read(store, "bob", LATE) == ReadAll(marked=0)
    assert inbox.unread_count(store, "bob").unread == 0


def test_given_a_notification_when_deleted_then_gone_and_another_user_cannot_delete_it() -> None:
    store, (one, two) = _store_with("One", "Two")

    with pytest.raises(NotFound) as missing:
        inbox.delete(store, "ada", one)
    assert missing.value.detail == "no such notification"
    inbox.delete(store, "bob", one)

    assert [n.id for n in inbox.history(store, "bob", False, 10, None).items] == [two]
    with pytest.raises(NotFound):
        inbox.delete(store, "bob", one)
