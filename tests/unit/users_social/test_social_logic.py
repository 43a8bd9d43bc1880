"""Social graph rules against an in-memory graph: requests, acceptance, races, blocks."""

from __future__ import annotations

from collections.abc import Iterable

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

    def unfriend(self, a: str, b: str) -> bool:
        return self._remove_pair((a, Edge.FRIEND, b), (b, Edge.FRIEND, a))

    def follow(self, follower: str, followed: str) -> FollowWrite:
        if self.is_blocked_between(follower, followed):
            return "blocked"
        if self.has(follower, Edge.FOLLOWING, followed):
            return "exists"
        self.edges |= {(follower, Edge.FOLLOWING, followed), (followed, Edge.FOLLOWER, follower)}
        return "created"

    def unfollow(self, follower: str, followed: str) -> bool:
        return self._remove_pair((follower, Edge.FOLLOWING, followed), (followed, Edge.FOLLOWER, follower))

    def block(self, blocker: str, blocked: str, event: DomainEvent) -> bool:
        if self.has(blocker, Edge.BLOCK, blocked):
            return False
        self.edges = {(u, e, o) for u, e, o in self.edges
                      if {u, o} != {blocker, blocked} or e in (Edge.BLOCK, Edge.BLOCKED_BY)}
        self.edges |= {(blocker, Edge.BLOCK, blocked), (blocked, Edge.BLOCKED_BY, blocker)}
        self.events.append(event)
        return True

    def unblock(self, blocker: str, blocked: str) -> bool:
        return self._remove_pair((blocker, Edge.BLOCK, blocked), (blocked, Edge.BLOCKED_BY, blocker))


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
