"""What the consumer does with a participant's forwarded WebSocket ``duel.progress`` and a friendship that
names one person twice."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from deepiri_challenges.logic import duels, intake
from deepiri_challenges.models.duels import DuelCreate, DuelSpec
from deepiri_challenges.models.events import DuelProgressReportedData, FriendshipEndedData
from deepiri_common.consumers import PermanentFailure
from tests.unit.challenges.conftest import RecordingRepository

NOW = datetime(2026, 11, 30, 9, 0, tzinfo=UTC)


def test_given_a_participants_forwarded_progress_then_it_moves_their_score(repository: RecordingRepository) -> None:
    repository.set_friends(["alice", "bob"], True, "2026-11-30T08:00:00.000Z")
    duel = duels.invite(repository, "alice", DuelCreate(opponentId="bob", category="code", durationMinutes=60,
                                                        spec=DuelSpec(target=3)), NOW)
    duels.accept(repository, "bob", duel.id, NOW)
    report = DuelProgressReportedData(userId="bob", duelId=duel.id, progress=2)
    assert intake.apply(repository, report, "t", NOW + timedelta(minutes=5)) == {"applied": True}
    assert duels.view(repository, "alice", duel.id).scores == {"alice": 0, "bob": 2}
    # After its end the same report is refused, not applied.
    late = intake.apply(repository, report, "t", NOW + timedelta(minutes=61))
    assert late == {"refused": "the duel's time is up"}


def test_given_a_friendship_of_one_person_then_it_fails_for_good_saying_why(repository: RecordingRepository) -> None:
    with pytest.raises(PermanentFailure, match=r"^a friendship names two different users$"):
        intake.apply(repository, FriendshipEndedData(userIds=["alice", "alice"]), "t", NOW)
