"""Duels on the repository: only friends, answered by the invited friend, progress that never goes back,
finished once by target, time or forfeit."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from deepiri_challenges.logic import duels
from deepiri_challenges.models.duels import Duel, DuelCreate, DuelSpec
from deepiri_common.problems import Conflict, NotFound, ValidationFailed
from tests.unit.challenges.conftest import RecordingRepository

NOW = datetime(2026, 11, 30, 9, 0, tzinfo=UTC)


def _invite(repository: RecordingRepository, template: str = "most_milestones", target: int = 3) -> Duel:
    repository.set_friends(["alice", "bob"], True, "2026-11-30T08:00:00.000Z")
    return duels.invite(repository, "alice", DuelCreate(opponentId="bob", category="code", durationMinutes=60,
                                                        spec=DuelSpec(template=template, target=target)), NOW)


def _active(repository: RecordingRepository, template: str = "most_milestones", target: int = 3) -> Duel:
    duel = _invite(repository, template, target)
    return duels.accept(repository, "bob", duel.id, NOW + timedelta(minutes=1))


def test_given_a_friend_then_the_invitation_is_stored_and_published(repository: RecordingRepository) -> None:
    duel = _invite(repository)
    assert (duel.challengerId, duel.opponentId, duel.participantIds) == ("alice", "bob", ["alice", "bob"])
    assert (duel.status, duel.version, duel.category, duel.durationMinutes) == ("invited", 1, "code", 60)
    assert duel.inviteExpiresAt == "2026-12-01T09:00:00.000Z" and duel.createdAt == "2026-11-30T09:00:00.000Z"
    assert repository.duel(duel.id) == duel
    # the expiry job finds the invitation in the hour it lapses
    assert list(repository.due("2026-12-01T09", "2026-12-01T09:00:00.000Z")) == [(f"DUEL#{duel.id}", "DUEL")]
    assert duels.view(repository, "bob", duel.id) == duel
    [event] = repository.published
    assert event.detail_type == "DuelInvited" and event.detail.actor == "alice"
    assert event.detail.data["opponentId"] == "bob" and event.detail.data["participantIds"] == ["alice", "bob"]


def test_given_oneself_or_a_stranger_then_no_duel(repository: RecordingRepository) -> None:
    with pytest.raises(ValidationFailed) as refused:
        duels.invite(repository, "alice", DuelCreate(opponentId="alice", category="code", durationMinutes=60), NOW)
    assert refused.value.errors == [{"field": "body.opponentId", "message": "must be someone else"}]
    with pytest.raises(NotFound, match=r"^no such friend$") as unknown:
        duels.invite(repository, "alice", DuelCreate(opponentId="carol", category="code", durationMinutes=60), NOW)
    assert unknown.value.extensions == {"field": "opponentId"}
    assert repository.published == []


def test_given_an_outsider_then_the_duel_is_not_found(repository: RecordingRepository) -> None:
    duel = _invite(repository)
    with pytest.raises(NotFound):
        duels.view(repository, "carol", duel.id)
    with pytest.raises(NotFound):
        duels.view(repository, "alice", "0" * 26)


def test_given_an_accepted_invitation_then_the_duel_runs_for_its_duration(repository: RecordingRepository) -> None:
    duel = _active(repository)
    assert (duel.status, duel.version, duel.scores) == ("active", 2, {"alice": 0, "bob": 0})
    assert (duel.startedAt, duel.endsAt) == ("2026-11-30T09:01:00.000Z", "2026-11-30T10:01:00.000Z")
    assert repository.duel(duel.id) == duel
    started = repository.published[-1]
    assert started.detail_type == "DuelStarted" and started.detail.actor == "bob"
    assert started.detail.data["endsAt"].startswith("2026-11-30T10:01:00")


def test_given_an_invitation_then_only_the_friend_answers_before_it_lapses(repository: RecordingRepository) -> None:
    duel = _invite(repository)
    with pytest.raises(Conflict, match="only the invited friend"):
        duels.accept(repository, "alice", duel.id, NOW)
    with pytest.raises(Conflict, match="lapsed"):
        duels.accept(repository, "bob", duel.id, NOW + timedelta(hours=24))
    declined = duels.decline(repository, "bob", duel.id, NOW + timedelta(hours=23, minutes=59))
    assert (declined.status, declined.version) == ("declined", 2)
    assert repository.duel(duel.id) == declined
    with pytest.raises(Conflict, match="the duel is declined"):
        duels.accept(repository, "bob", duel.id, NOW)
    assert repository.kinds() == ["DuelInvited"]


def test_given_an_invitation_then_only_the_challenger_cancels_it(repository: RecordingRepository) -> None:
    duel = _invite(repository)
    with pytest.raises(Conflict):
        duels.cancel(repository, "bob", duel.id)
    cancelled = duels.cancel(repository, "alice", duel.id)
    assert (cancelled.status, cancelled.version) == ("cancelled", 2)
    assert repository.duel(duel.id) == cancelled
    with pytest.raises(Conflict):
        duels.cancel(repository, "alice", duel.id)


def test_given_progress_then_it_is_capped_never_goes_back_and_published(repository: RecordingRepository) -> None:
    duel = _active(repository, target=3)
    moved = duels.progress(repository, "alice", duel.id, 2, NOW + timedelta(minutes=5))
    assert (moved.scores, moved.version, moved.status, moved.completedAt) == ({"alice": 2, "bob": 0}, 3, "active", {})
    assert moved.endsAt == duel.endsAt and repository.duel(duel.id) == moved
    event = repository.published[-1]
    assert event.detail_type == "DuelProgressed" and event.detail.actor == "alice"
    assert event.detail.data["scores"] == {"alice": 2, "bob": 0} and event.detail.data["userId"] == "alice"
    same = duels.progress(repository, "alice", duel.id, 1, NOW + timedelta(minutes=6))
    assert same == moved and len(repository.published) == 3
    capped = duels.progress(repository, "bob", duel.id, 50, NOW + timedelta(minutes=7))
    assert capped.scores == {"alice": 2, "bob": 3} and capped.completedAt == {"bob": "2026-11-30T09:07:00.000Z"}
    assert capped.status == "active"


def test_given_both_sides_home_then_the_higher_score_wins_once(repository: RecordingRepository) -> None:
    duel = _active(repository, target=3)
    duels.progress(repository, "bob", duel.id, 3, NOW + timedelta(minutes=5))
    finished = duels.progress(repository, "alice", duel.id, 3, NOW + timedelta(minutes=6))
    assert (finished.status, finished.winnerId, finished.reason) == ("finished", None, "completed")
    assert finished.finishedAt == "2026-11-30T09:06:00.000Z" and finished.version == 4
    assert repository.duel(duel.id) == finished
    assert repository.kinds()[-2:] == ["DuelProgressed", "DuelFinished"]
    done = repository.published[-1]
    assert done.detail.actor == "alice" and done.detail.data["reason"] == "completed"
    assert done.detail.data["scores"] == {"alice": 3, "bob": 3} and done.detail.data["category"] == "code"
    with pytest.raises(Conflict, match="finished"):
        duels.progress(repository, "alice", duel.id, 3, NOW + timedelta(minutes=7))


def test_given_first_to_finish_then_the_first_home_wins(repository: RecordingRepository) -> None:
    duel = _active(repository, template="first_to_finish", target=2)
    duels.progress(repository, "alice", duel.id, 1, NOW + timedelta(minutes=5))
    finished = duels.progress(repository, "bob", duel.id, 2, NOW + timedelta(minutes=6))
    assert (finished.status, finished.winnerId, finished.scores) == ("finished", "bob", {"alice": 1, "bob": 2})


def test_given_most_milestones_then_one_side_home_does_not_finish(repository: RecordingRepository) -> None:
    duel = _active(repository, target=2)
    assert duels.progress(repository, "bob", duel.id, 2, NOW + timedelta(minutes=6)).status == "active"


def test_given_time_up_then_progress_is_refused(repository: RecordingRepository) -> None:
    duel = _active(repository)
    with pytest.raises(Conflict, match="time is up"):
        duels.progress(repository, "alice", duel.id, 1, NOW + timedelta(minutes=61))
    assert duels.progress(repository, "alice", duel.id, 1, NOW + timedelta(minutes=60, seconds=59)).scores["alice"] == 1


def test_given_an_invitation_then_progress_and_abandon_are_refused(repository: RecordingRepository) -> None:
    duel = _invite(repository)
    with pytest.raises(Conflict, match="invited"):
        duels.progress(repository, "alice", duel.id, 1, NOW)
    with pytest.raises(Conflict, match="invited"):
        duels.abandon(repository, "alice", duel.id, NOW)


def test_given_a_side_abandons_then_the_other_wins(repository: RecordingRepository) -> None:
    duel = _active(repository)
    finished = duels.abandon(repository, "bob", duel.id, NOW + timedelta(minutes=3))
    assert (finished.status, finished.winnerId, finished.reason, finished.version) == ("finished", "alice",
                                                                                       "forfeited", 3)
    assert repository.published[-1].detail.actor == "bob"


def test_given_a_stale_duel_then_a_move_is_a_conflict(repository: RecordingRepository) -> None:
    duel = _active(repository)
    duels.progress(repository, "alice", duel.id, 1, NOW + timedelta(minutes=2))
    with pytest.raises(Conflict, match="changed meanwhile"):
        duels._save(repository, duel, duel.model_copy(update={"version": 3}), None, [])


def test_given_the_expiry_then_an_active_duel_finishes_by_score(repository: RecordingRepository) -> None:
    duel = _active(repository)
    duel = duels.progress(repository, "bob", duel.id, 2, NOW + timedelta(minutes=2))
    assert duels.expire(repository, duel, NOW + timedelta(minutes=60)) is False
    assert duels.expire(repository, duel, NOW + timedelta(minutes=61)) is True
    finished = repository.duel(duel.id)
    assert finished is not None
    assert (finished.status, finished.winnerId, finished.reason) == ("finished", "bob", "expired")
    assert repository.published[-1].detail.actor == "system"
    assert duels.expire(repository, duel, NOW + timedelta(minutes=62)) is False  # already moved
    assert duels.expire(repository, finished, NOW + timedelta(minutes=62)) is False


def test_given_the_expiry_then_an_unanswered_invitation_lapses(repository: RecordingRepository) -> None:
    duel = _invite(repository)
    assert duels.expire(repository, duel, NOW + timedelta(hours=23)) is False
    assert duels.expire(repository, duel, NOW + timedelta(hours=24)) is True
    lapsed = repository.duel(duel.id)
    assert lapsed is not None and (lapsed.status, lapsed.version) == ("lapsed", 2)
    assert repository.kinds() == ["DuelInvited"]


def test_given_duels_then_each_side_lists_its_own_newest_first(repository: RecordingRepository) -> None:
    first = _active(repository)
    second = _invite(repository)
    assert [d.id for d in duels.listing(repository, "bob", None, 10, None).items] == [second.id, first.id]
    page = duels.listing(repository, "alice", None, 1, None)
    assert [d.id for d in page.items] == [second.id] and page.next_cursor is not None
    assert [d.id for d in duels.listing(repository, "alice", None, 1, page.next_cursor).items] == [first.id]
    active = duels.listing(repository, "alice", "active", 10, None).items
    assert active == [repository.duel(first.id)]
    assert duels.listing(repository, "carol", None, 10, None).items == []


def test_given_a_deleted_participant_then_the_duel_is_gone_for_both(repository: RecordingRepository) -> None:
    duel = _active(repository)
    repository.set_friends(["bob", "carol"], True, "t")
    kept = duels.invite(repository, "bob", DuelCreate(opponentId="carol", category="code", durationMinutes=60), NOW)
    repository.purge_user("alice")
    assert repository.duel(duel.id) is None and repository.duel(kept.id) == kept
    assert [d.id for d in duels.listing(repository, "bob", None, 10, None).items] == [kept.id]
    assert list(repository.due(duel.endsAt[:13] if duel.endsAt else "", "9999")) == []
