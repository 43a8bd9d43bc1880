"""Social graph rules against an in-memory graph: requests, acceptance, races, blocks."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import pytest

from deepiri_common.events import DomainEvent
from deepiri_common.pagination import PageQuery
from deepiri_common.problems import Conflict, NotFound, ValidationFailed
from deepiri_users.logic import social
from deepiri_users.models.social import (
    Edge,
    FollowWrite,
    ProfileSummary,
    Relation,
    RelationPage,
    RequestWrite,
)

SINCE = "2026-01-01T00:00:00.000Z"


class InMemoryGraph:
    """The repository's semantics, as sets of (owner, edge, other) edges and conditions checked first."""

    def __init__(self, *users: str) -> None:
        self.users = {u: ProfileSummary(userId=u, displayName=u.title()) for u in users}
        self.edges: set[tuple[str, Edge, str]] = set()
        self.events: list[DomainEvent] = []

    def has(self, owner: str, edge: Edge, other: str) -> bool:
        return (owner, edge, other) in self.edges

    def profile(self, user_id: str) -> ProfileSummary | None:
        return self.users.get(user_id)

    def profiles(self, user_ids: Iterable[str]) -> dict[str, ProfileSummary]:
        return {u: self.users[u] for u in user_ids if u in self.users}

    def relation(self, user_id: str, edge: Edge, other: str) -> Relation | None:
        return Relation(userId=other, since=SINCE) if self.has(user_id, edge, other) else None

    def is_blocked_between(self, a: str, b: str) -> bool:
        return self.has(a, Edge.BLOCK, b) or self.has(a, Edge.BLOCKED_BY, b)

    def page(self, user_id: str, edge: Edge, limit: int, cursor: str | None) -> RelationPage:
        others = sorted(o for u, e, o in self.edges if u == user_id and e is edge)
        return RelationPage(items=[Relation(userId=o, since=SINCE) for o in others[:limit]])

    def friend_ids(self, user_id: str) -> set[str]:
        return {o for u, e, o in self.edges if u == user_id and e is Edge.FRIEND}

    def request(self, requester: str, addressee: str, event: DomainEvent) -> RequestWrite:
        if self.is_blocked_between(requester, addressee):
            return "blocked"
        if self.has(requester, Edge.FRIEND, addressee):
            return "friends"
        if self.has(requester, Edge.REQUEST_IN, addressee):
            return "incoming"
        if self.has(requester, Edge.REQUEST_OUT, addressee):
            return "exists"
        self.edges |= {(requester, Edge.REQUEST_OUT, addressee), (addressee, Edge.REQUEST_IN, requester)}
        self.events.append(event)
        return "created"

    def accept(self, addressee: str, requester: str, event: DomainEvent) -> bool:
        if not self.has(addressee, Edge.REQUEST_IN, requester):
            return False
        self.edges -= {(addressee, Edge.REQUEST_IN, requester), (requester, Edge.REQUEST_OUT, addressee)}
        self.edges |= {(addressee, Edge.FRIEND, requester), (requester, Edge.FRIEND, addressee)}
        self.events.append(event)
        return True

    def _remove_pair(self, first: tuple[str, Edge, str], second: tuple[str, Edge, str]) -> bool:
        if first not in self.edges:
            return False
        self.edges -= {first, second}
        return True

    def remove_request(self, requester: str, addressee: str) -> bool:
        return self._remove_pair((requester, Edge.REQUEST_OUT, addressee), (addressee, Edge.REQUEST_IN, requester))

    def unfriend(self, a: str, b: str, event: DomainEvent) -> bool:
        if not self._remove_pair((a, Edge.FRIEND, b), (b, Edge.FRIEND, a)):
            return False
        self.events.append(event)
        return True

    def follow(self, follower: str, followed: str) -> FollowWrite:
        if self.is_blocked_between(follower, followed):
            return "blocked"
        if self.has(follower, Edge.FOLLOWING, followed):
            return "exists"
        self.edges |= {(follower, Edge.FOLLOWING, followed), (followed, Edge.FOLLOWER, follower)}
        return "created"

    def unfollow(self, follower: str, followed: str) -> bool:
        return self._remove_pair((follower, Edge.FOLLOWING, followed), (followed, Edge.FOLLOWER, follower))

    def block(self, blocker: str, blocked: str, event: DomainEvent, ended: DomainEvent | None) -> str:
        if self.has(blocker, Edge.BLOCK, blocked):
            return "exists"
        if (ended is not None) != self.has(blocker, Edge.FRIEND, blocked):
            return "retry"
        self.events += [event] if ended is None else [event, ended]
        self.edges = {(u, e, o) for u, e, o in self.edges
                      if {u, o} != {blocker, blocked} or e in (Edge.BLOCK, Edge.BLOCKED_BY)}
        self.edges |= {(blocker, Edge.BLOCK, blocked), (blocked, Edge.BLOCKED_BY, blocker)}
        return "blocked"

    def unblock(self, blocker: str, blocked: str, event: DomainEvent) -> bool:
        if not self._remove_pair((blocker, Edge.BLOCK, blocked), (blocked, Edge.BLOCKED_BY, blocker)):
            return False
        self.events.append(event)
        return True


@pytest.fixture
def graph() -> InMemoryGraph:
    return InMemoryGraph("ann", "ben", "cat")


def test_given_a_request_when_accepted_then_friends_both_ways_and_two_events(graph) -> None:
    assert social.send_friend_request(graph, "ann", "ben").status == "requested"
    assert social.accept_friend_request(graph, "ben", "ann").status == "friends"
    assert graph.friend_ids("ann") == {"ben"} and graph.friend_ids("ben") == {"ann"}
    assert [e.detail_type for e in graph.events] == ["FriendRequested", "FriendshipAccepted"]
    assert graph.events[1].detail.data["userIds"] == ["ann", "ben"]


def test_given_an_incoming_request_when_asking_back_then_it_accepts_instead(graph) -> None:
    social.send_friend_request(graph, "ann", "ben")
    assert social.send_friend_request(graph, "ben", "ann").status == "friends"
    assert graph.events[-1].detail.data == {"requesterId": "ann", "addresseeId": "ben", "userIds": ["ann", "ben"]}
    assert not any(e in graph.edges for e in [("ann", Edge.REQUEST_OUT, "ben"), ("ben", Edge.REQUEST_IN, "ann")])


def test_given_a_crossing_request_the_read_missed_when_written_then_retried_as_acceptance(graph, monkeypatch) -> None:
    social.send_friend_request(graph, "ann", "ben")
    real = graph.relation
    reads = iter([None])  # ben's first look misses ann's request, as if it landed just after
    monkeypatch.setattr(graph, "relation", lambda *args: next(reads, real(*args)))
    assert social.send_friend_request(graph, "ben", "ann").status == "friends"
    assert graph.friend_ids("ben") == {"ann"} and graph.friend_ids("ann") == {"ben"}


def test_given_friends_when_accepting_again_then_same_answer_and_no_second_event(graph) -> None:
    social.send_friend_request(graph, "ann", "ben")
    social.accept_friend_request(graph, "ben", "ann")
    assert social.accept_friend_request(graph, "ben", "ann").status == "friends"
    assert [e.detail_type for e in graph.events].count("FriendshipAccepted") == 1


def test_given_friends_when_requesting_again_then_409(graph) -> None:
    social.send_friend_request(graph, "ann", "ben")
    social.accept_friend_request(graph, "ben", "ann")
    with pytest.raises(Conflict):
        social.send_friend_request(graph, "ann", "ben")


def test_given_self_or_unknown_targets_then_422_and_404(graph) -> None:
    with pytest.raises(ValidationFailed):
        social.send_friend_request(graph, "ann", "ann")
    with pytest.raises(ValidationFailed):
        social.block(graph, "ann", "ann")
    with pytest.raises(NotFound):
        social.follow(graph, "ann", "zed")
    with pytest.raises(NotFound):
        social.accept_friend_request(graph, "ann", "cat")  # no pending request


def test_given_ties_when_blocked_then_all_severed_and_the_blocked_user_gets_404(graph) -> None:
    social.send_friend_request(graph, "ann", "ben")
    social.accept_friend_request(graph, "ben", "ann")
    social.follow(graph, "ann", "ben")
    social.follow(graph, "ben", "ann")
    social.follow(graph, "ann", "cat")
    social.block(graph, "ben", "ann")
    assert graph.edges == {("ben", Edge.BLOCK, "ann"), ("ann", Edge.BLOCKED_BY, "ben"),
                           ("ann", Edge.FOLLOWING, "cat"), ("cat", Edge.FOLLOWER, "ann")}
    with pytest.raises(NotFound) as refused:
        social.send_friend_request(graph, "ann", "ben")
    assert refused.value.detail == "user ben not found"
    with pytest.raises(NotFound):
        social.follow(graph, "ann", "ben")
    social.block(graph, "ben", "ann")  # again: no change, no second event
    assert [e.detail_type for e in graph.events].count("UserBlocked") == 1


def test_given_a_disabled_user_then_unreachable(graph) -> None:
    graph.users["cat"] = ProfileSummary(userId="cat", disabled=True)
    with pytest.raises(NotFound):
        social.send_friend_request(graph, "ann", "cat")


def test_given_friends_in_common_when_listed_then_mutual_counts(graph) -> None:
    graph.users["dan"] = ProfileSummary(userId="dan")
    for a, b in (("ann", "ben"), ("ann", "cat"), ("ben", "cat"), ("ben", "dan")):
        social.send_friend_request(graph, a, b)
        social.accept_friend_request(graph, b, a)
    page = social.list_relations(graph, "ann", Edge.FRIEND, PageQuery(limit=10))
    assert [(u.userId, u.mutualFriends, u.displayName) for u in page.items] == [("ben", 1, "Ben"), ("cat", 1, "Cat")]


def test_given_a_request_when_sent_then_it_names_both_users_and_asking_twice_keeps_one(graph) -> None:
    first = social.send_friend_request(graph, "ann", "ben")
    assert first.model_dump() == {"userId": "ben", "status": "requested"}
    [event] = graph.events
    assert (event.detail_type, event.detail.actor, event.source) == ("FriendRequested", "ann", "deepiri.users")
    assert event.detail.data == {"requesterId": "ann", "addresseeId": "ben", "userId": "ben"}
    assert social.send_friend_request(graph, "ann", "ben").status == "requested"
    assert len(graph.events) == 1


def test_given_an_acceptance_then_the_event_is_the_addressees_and_names_both(graph) -> None:
    social.send_friend_request(graph, "ann", "ben")
    assert social.accept_friend_request(graph, "ben", "ann").model_dump() == {"userId": "ann", "status": "friends"}
    event = graph.events[-1]
    assert (event.detail_type, event.detail.actor) == ("FriendshipAccepted", "ben")
    assert event.detail.data == {"requesterId": "ann", "addresseeId": "ben", "userIds": ["ann", "ben"]}


def test_given_targets_of_each_action_when_aimed_at_oneself_then_422_naming_the_field(graph) -> None:
    cases = [(social.send_friend_request, "body.userId"), (social.accept_friend_request, "path.userId"),
             (social.follow, "path.userId"), (social.block, "path.userId"),
             # Undoing a tie with yourself once reached DynamoDB as two writes to one item (a 500).
             (social.unfriend, "path.userId"), (social.unfollow, "path.userId"), (social.unblock, "path.userId"),
             (social.reject_friend_request, "path.userId"), (social.cancel_friend_request, "path.userId")]
    for action, field in cases:
        with pytest.raises(ValidationFailed) as refused:
            action(graph, "ann", "ann")
        assert refused.value.errors == [{"field": field, "message": "cannot target yourself"}], action


def test_given_a_blocked_or_disabled_or_unknown_user_then_every_action_answers_the_same_404(graph) -> None:
    social.block(graph, "cat", "ann")
    graph.users["dan"] = ProfileSummary(userId="dan", disabled=True)
    for other in ("cat", "dan", "zed"):
        for action in (social.send_friend_request, social.accept_friend_request, social.follow):
            with pytest.raises(NotFound) as refused:
                action(graph, "ann", other)
            assert refused.value.detail == f"user {other} not found"
    with pytest.raises(NotFound, match=r"^user zed not found$"):
        social.block(graph, "ann", "zed")


def test_given_a_block_either_way_then_nothing_is_written_before_the_404(graph, monkeypatch) -> None:
    social.block(graph, "ben", "ann")

    def no_write(*args: object) -> str:
        raise AssertionError("a blocked user must be refused before any write")

    monkeypatch.setattr(graph, "request", no_write)
    monkeypatch.setattr(graph, "follow", no_write)
    for action in (social.send_friend_request, social.follow):
        with pytest.raises(NotFound, match=r"^user ben not found$"):
            action(graph, "ann", "ben")


def test_given_a_new_request_then_it_is_written_once(graph, monkeypatch) -> None:
    writes: list[str] = []
    real = graph.request

    def counted(*args: object) -> RequestWrite:
        writes.append("request")
        return real(*args)  # type: ignore[arg-type]

    monkeypatch.setattr(graph, "request", counted)
    assert social.send_friend_request(graph, "ann", "ben").status == "requested"
    assert writes == ["request"]


def test_given_a_block_the_read_missed_when_the_write_sees_it_then_404(graph, monkeypatch) -> None:
    monkeypatch.setattr(graph, "is_blocked_between", lambda a, b: False)
    graph.edges |= {("ben", Edge.BLOCK, "ann"), ("ann", Edge.BLOCKED_BY, "ben")}
    monkeypatch.setattr(graph, "request", lambda *args: "blocked")
    with pytest.raises(NotFound, match=r"^user ben not found$"):
        social.send_friend_request(graph, "ann", "ben")
    monkeypatch.setattr(graph, "follow", lambda *args: "blocked")
    with pytest.raises(NotFound, match=r"^user ben not found$"):
        social.follow(graph, "ann", "ben")


def test_given_friends_when_asking_again_then_409_naming_the_friend(graph, monkeypatch) -> None:
    monkeypatch.setattr(graph, "request", lambda *args: "friends")
    with pytest.raises(Conflict, match=r"^already friends with ben$"):
        social.send_friend_request(graph, "ann", "ben")


@pytest.mark.parametrize(("write", "act"), [("request", social.send_friend_request), ("block", social.block)])
def test_given_a_relationship_that_keeps_changing_then_three_tries_and_a_409(graph, monkeypatch, write: str,
                                                                           act: Any) -> None:
    attempts: list[str] = []

    def always_retry(*args: object) -> str:
        attempts.append(write)
        return "retry"

    monkeypatch.setattr(graph, write, always_retry)
    with pytest.raises(Conflict, match=r"^the relationship kept changing; retry$"):
        act(graph, "ann", "ben")
    assert len(attempts) == social.REQUEST_ATTEMPTS == 3


def test_given_a_friendship_that_ends_during_a_block_then_the_next_try_blocks_without_it(graph, monkeypatch) -> None:
    social.send_friend_request(graph, "ann", "ben")
    social.accept_friend_request(graph, "ben", "ann")
    graph.events.clear()
    block = graph.block

    def unfriended_meanwhile(blocker: str, blocked: str, event: DomainEvent, ended: DomainEvent | None) -> str:
        graph.edges -= {("ann", Edge.FRIEND, "ben"), ("ben", Edge.FRIEND, "ann")}  # ben unfriended ann just now
        monkeypatch.setattr(graph, "block", block)
        return block(blocker, blocked, event, ended)

    monkeypatch.setattr(graph, "block", unfriended_meanwhile)
    social.block(graph, "ann", "ben")

    assert [e.detail_type for e in graph.events] == ["UserBlocked"]
    assert graph.has("ann", Edge.BLOCK, "ben")


def test_given_an_incoming_request_that_vanishes_then_the_request_is_written_next_time(graph, monkeypatch) -> None:
    social.send_friend_request(graph, "ben", "ann")
    accepted = iter([False])
    real_accept = graph.accept
    monkeypatch.setattr(graph, "accept", lambda *args: next(accepted, None) or real_accept(*args))
    graph.edges -= {("ann", Edge.REQUEST_IN, "ben"), ("ben", Edge.REQUEST_OUT, "ann")}
    real_relation = graph.relation
    reads = iter([Relation(userId="ben", since=SINCE)])  # ann sees ben's request, which is gone by the write
    monkeypatch.setattr(graph, "relation", lambda *args: next(reads, real_relation(*args)))
    assert social.send_friend_request(graph, "ann", "ben").status == "requested"
    assert graph.has("ann", Edge.REQUEST_OUT, "ben")


def test_given_pending_requests_when_rejected_or_cancelled_then_gone_and_otherwise_404(graph) -> None:
    social.send_friend_request(graph, "ann", "ben")
    social.send_friend_request(graph, "cat", "ben")
    social.reject_friend_request(graph, "ben", "ann")
    social.cancel_friend_request(graph, "cat", "ben")
    assert graph.edges == set()
    with pytest.raises(NotFound, match=r"^no pending friend request from ann$"):
        social.reject_friend_request(graph, "ben", "ann")
    with pytest.raises(NotFound, match=r"^no pending friend request to ben$"):
        social.cancel_friend_request(graph, "cat", "ben")
    with pytest.raises(NotFound, match=r"^no pending friend request from cat$"):
        social.accept_friend_request(graph, "ann", "cat")


def test_given_ties_when_undone_then_gone_and_undoing_again_is_404(graph) -> None:
    social.send_friend_request(graph, "ann", "ben")
    social.accept_friend_request(graph, "ben", "ann")
    social.follow(graph, "ann", "cat")
    social.follow(graph, "ann", "cat")  # following again changes nothing
    social.block(graph, "ann", "ben")
    assert graph.has("ann", Edge.FOLLOWING, "cat")
    social.unfollow(graph, "ann", "cat")
    social.unblock(graph, "ann", "ben")
    assert graph.edges == set()
    social.send_friend_request(graph, "ann", "ben")
    social.accept_friend_request(graph, "ben", "ann")
    social.unfriend(graph, "ben", "ann")
    assert graph.edges == set()
    with pytest.raises(NotFound, match=r"^not friends with ann$"):
        social.unfriend(graph, "ben", "ann")
    with pytest.raises(NotFound, match=r"^not following cat$"):
        social.unfollow(graph, "ann", "cat")
    with pytest.raises(NotFound, match=r"^ben is not blocked$"):
        social.unblock(graph, "ann", "ben")


def test_given_a_block_then_the_event_names_blocker_and_blocked(graph) -> None:
    social.block(graph, "ann", "ben")
    [event] = graph.events
    assert (event.detail_type, event.detail.actor) == ("UserBlocked", "ann")
    assert event.detail.data == {"blockerId": "ann", "blockedId": "ben"}


def test_given_a_block_when_lifted_then_one_unblock_event_and_none_for_a_block_that_is_not_there(graph) -> None:
    social.block(graph, "ann", "ben")
    social.unblock(graph, "ann", "ben")
    with pytest.raises(NotFound):
        social.unblock(graph, "ann", "ben")
    assert [(e.detail_type, e.detail.actor, e.detail.data) for e in graph.events] == [
        ("UserBlocked", "ann", {"blockerId": "ann", "blockedId": "ben"}),
        ("UserUnblocked", "ann", {"blockerId": "ann", "blockedId": "ben"})]


class PagedGraph(InMemoryGraph):
    def __init__(self, *users: str) -> None:
        super().__init__(*users)
        self.asked: list[tuple[str, Edge, int, str | None]] = []
        self.friend_reads = 0

    def page(self, user_id: str, edge: Edge, limit: int, cursor: str | None) -> RelationPage:
        self.asked.append((user_id, edge, limit, cursor))
        return super().page(user_id, edge, limit, cursor).model_copy(update={"nextCursor": "more"})

    def friend_ids(self, user_id: str) -> set[str]:
        self.friend_reads += 1
        return super().friend_ids(user_id)


def test_given_a_list_then_its_page_and_profiles_and_mutual_friends_for_each_user() -> None:
    graph = PagedGraph("ann", "ben", "cat", "dan")
    graph.users["ben"] = ProfileSummary(userId="ben", displayName="Ben", avatarUrl="https://cdn.example/b.png")
    for a, b in (("ann", "cat"), ("ben", "cat")):
        social.send_friend_request(graph, a, b)
        social.accept_friend_request(graph, b, a)
    social.follow(graph, "ben", "ann")
    graph.edges.add(("ann", Edge.FOLLOWER, "gone"))  # a follower whose profile no longer exists
    page = social.list_relations(graph, "ann", Edge.FOLLOWER, PageQuery(limit=5, cursor="c1"))
    assert graph.asked == [("ann", Edge.FOLLOWER, 5, "c1")]
    assert page.nextCursor == "more"
    assert [u.model_dump() for u in page.items] == [
        {"userId": "ben", "displayName": "Ben", "avatarUrl": "https://cdn.example/b.png", "since": SINCE,
         "mutualFriends": 1},
        {"userId": "gone", "displayName": None, "avatarUrl": None, "since": SINCE, "mutualFriends": 0}]


def test_given_my_blocks_when_listed_then_no_mutual_friends_are_counted() -> None:
    graph = PagedGraph("ann", "ben", "cat")
    for a, b in (("ann", "cat"), ("ben", "cat")):
        social.send_friend_request(graph, a, b)
        social.accept_friend_request(graph, b, a)
    social.block(graph, "ann", "ben")
    graph.friend_reads = 0
    page = social.list_relations(graph, "ann", Edge.BLOCK, PageQuery())
    assert [(u.userId, u.mutualFriends) for u in page.items] == [("ben", 0)]
    assert graph.friend_reads == 0
    empty = social.list_relations(graph, "ann", Edge.FOLLOWING, PageQuery())
    assert empty.items == [] and graph.friend_reads == 0


def test_given_friends_when_one_unfriends_then_one_friendship_ended_event_naming_both(graph) -> None:
    social.send_friend_request(graph, "ann", "ben")
    social.accept_friend_request(graph, "ben", "ann")
    graph.events.clear()

    social.unfriend(graph, "ben", "ann")

    [event] = graph.events
    assert (event.detail_type, event.detail.actor) == ("FriendshipEnded", "ben")
    assert event.detail.data == {"userIds": ["ben", "ann"], "endedBy": "ben", "reason": "unfriended"}


def test_given_friends_when_one_blocks_the_other_then_friendship_ended_goes_with_the_block(graph) -> None:
    social.send_friend_request(graph, "ann", "ben")
    social.accept_friend_request(graph, "ben", "ann")
    graph.events.clear()

    social.block(graph, "ann", "ben")

    assert [(e.detail_type, e.detail.data.get("reason")) for e in graph.events] == [
        ("UserBlocked", None), ("FriendshipEnded", "blocked")]


def test_given_strangers_when_one_blocks_the_other_then_no_friendship_ended(graph) -> None:
    social.block(graph, "ann", "cat")
    assert [e.detail_type for e in graph.events] == ["UserBlocked"]
