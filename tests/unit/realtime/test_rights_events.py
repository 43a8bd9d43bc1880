"""Channel rights from other services' events, event by event: who gains or loses which channel, with the
time of the event that decided it (so a later event wins whatever the order of delivery)."""

from __future__ import annotations

from deepiri_common.events import DomainEvent, ReceivedEvent
from deepiri_realtime.logic.rights import RIGHTS_EVENTS, apply_rights
from tests.unit.realtime.fakes import MemoryRights

T1, T2, T3 = "2026-01-01T10:00:00.000Z", "2026-01-01T11:00:00.000Z", "2026-01-01T12:00:00.000Z"


def _event(detail_type: str, data: dict, occurred_at: str = T2) -> ReceivedEvent:
    event = DomainEvent.new("any", detail_type, data, actor="system")
    detail = event.detail.model_dump() | {"occurredAt": occurred_at}
    return ReceivedEvent.model_validate({"id": "bus-1", "source": event.source, "detail-type": detail_type,
                                         "time": occurred_at, "detail": detail})


def _applied(*events: ReceivedEvent) -> MemoryRights:
    rights = MemoryRights()
    for event in events:
        apply_rights(rights, event)
    return rights


def test_the_events_that_decide_rights_are_the_ones_subscribed_to() -> None:
    assert RIGHTS_EVENTS == ("ProjectCreated", "MemberAdded", "MemberRemoved", "ProjectDeleted", "DuelInvited",
                             "DuelStarted", "FriendshipAccepted", "FriendshipEnded", "UserDeleted")


def test_given_a_new_project_then_its_owner_holds_its_channel_from_the_events_time() -> None:
    rights = _applied(_event("ProjectCreated", {"projectId": "p", "ownerId": "ann", "name": "P"}))

    assert rights.items == {("project:p", "ann"): (True, T2)}


def test_given_members_added_and_removed_then_each_holds_the_channel_as_the_latest_event_says() -> None:
    rights = _applied(_event("MemberAdded", {"projectId": "p", "userId": "bob", "role": "editor"}, T1),
                      _event("MemberAdded", {"projectId": "p", "userId": "cy", "role": "viewer"}, T1),
                      _event("MemberRemoved", {"projectId": "p", "userId": "cy", "reason": "left"}, T2))

    assert rights.items == {("project:p", "bob"): (True, T1), ("project:p", "cy"): (False, T2)}


def test_given_a_deleted_project_then_its_owner_and_every_member_lose_its_channel() -> None:
    rights = _applied(_event("ProjectCreated", {"projectId": "p", "ownerId": "ann", "name": "P"}, T1),
                      _event("MemberAdded", {"projectId": "p", "userId": "bob", "role": "editor"}, T1),
                      _event("MemberAdded", {"projectId": "q", "userId": "bob", "role": "editor"}, T1),
                      _event("ProjectDeleted", {"projectId": "p", "ownerId": "ann", "memberIds": ["bob", "ann"]}, T3))

    assert rights.holders("project:p") == set()
    assert rights.items[("project:p", "ann")] == (False, T3) and rights.items[("project:p", "bob")] == (False, T3)
    assert rights.holders("project:q") == {"bob"}  # another project is untouched


def test_given_a_deleted_project_without_members_then_its_owner_loses_its_channel() -> None:
    for members in ({}, {"memberIds": None}, {"memberIds": []}):
        rights = _applied(_event("ProjectCreated", {"projectId": "p", "ownerId": "ann", "name": "P"}, T1),
                          _event("ProjectDeleted", {"projectId": "p", "ownerId": "ann", **members}, T3))
        assert rights.items == {("project:p", "ann"): (False, T3)}, members


def test_given_a_duel_then_both_participants_hold_the_duel_and_its_challenge() -> None:
    invited = _applied(_event("DuelInvited", {"duelId": "d", "participantIds": ["x", "y"], "opponentId": "y",
                                              "challengeId": "c"}))
    started = _applied(_event("DuelStarted", {"duelId": "d", "participantIds": ["x", "y"]}))

    assert invited.items == {("duel:d", "x"): (True, T2), ("duel:d", "y"): (True, T2),
                             ("challenge:c", "x"): (True, T2), ("challenge:c", "y"): (True, T2)}
    assert started.items == {("duel:d", "x"): (True, T2), ("duel:d", "y"): (True, T2)}  # no challenge named


def test_given_a_friendship_then_each_holds_the_others_friends_channel_until_it_ends() -> None:
    rights = _applied(_event("FriendshipAccepted", {"userIds": ["x", "y"]}, T1))
    assert rights.items == {("friends:x", "y"): (True, T1), ("friends:y", "x"): (True, T1)}

    apply_rights(rights, _event("FriendshipEnded", {"userIds": ["y", "x"]}, T2))
    assert rights.items == {("friends:x", "y"): (False, T2), ("friends:y", "x"): (False, T2)}


def test_given_a_friendship_with_oneself_then_nothing_is_recorded() -> None:
    assert _applied(_event("FriendshipAccepted", {"userIds": ["x", "x"]})).items == {}


def test_given_a_deleted_user_then_every_friendship_of_theirs_ends_at_the_deletion_time() -> None:
    rights = _applied(_event("FriendshipAccepted", {"userIds": ["x", "y"]}, T1),
                      _event("FriendshipAccepted", {"userIds": ["z", "y"]}, T1),
                      _event("UserDeleted", {"userId": "x"}, T3))

    assert rights.items[("friends:x", "y")] == (False, T3) and rights.items[("friends:y", "x")] == (False, T3)
    assert rights.holders("friends:y") == {"z"} and rights.holders("friends:z") == {"y"}


def test_given_any_other_event_then_no_right_changes() -> None:
    assert _applied(_event("TaskUpdated", {"ownerId": "a", "projectId": "p", "taskId": "t", "userId": "a",
                                           "userIds": ["a", "b"]})).items == {}
