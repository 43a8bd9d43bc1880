"""Every field of what a duel and a challenge publish, as the consumers (engagement, notifications, realtime)
read it: who, when, which task, the winner and the score."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta

from deepiri_challenges.logic import duels, generation, lifecycle
from deepiri_challenges.models.challenges import ChallengeSubmission, ChallengeVersionCheck, GenerateRequest
from deepiri_challenges.models.duels import DuelCreate, DuelSpec
from deepiri_common.identity import Caller
from tests.unit.challenges.conftest import MemoryDrafts, MemoryTasks, RecordingRepository

NOW = datetime(2026, 11, 30, 9, 0, tzinfo=UTC)


def test_given_a_duel_forfeited_after_progress_then_each_event_carries_every_field(
        repository: RecordingRepository) -> None:
    repository.set_friends(["alice", "bob"], True, "2026-11-30T08:00:00.000Z")
    duel = duels.invite(repository, "alice", DuelCreate(opponentId="bob", category="code", durationMinutes=60,
                                                        spec=DuelSpec(template="most_milestones", target=3)), NOW)
    duels.accept(repository, "bob", duel.id, NOW + timedelta(minutes=1))
    duels.progress(repository, "alice", duel.id, 2, NOW + timedelta(minutes=2))
    duels.abandon(repository, "alice", duel.id, NOW + timedelta(minutes=3))

    pair = ["alice", "bob"]
    assert [(e.detail_type, e.detail.actor, e.detail.data) for e in repository.published] == [
        ("DuelInvited", "alice", {"duelId": duel.id, "challengerId": "alice", "opponentId": "bob",
                                  "participantIds": pair, "expiresAt": "2026-12-01T09:00:00Z"}),
        ("DuelStarted", "bob", {"duelId": duel.id, "participantIds": pair, "startedAt": "2026-11-30T09:01:00Z",
                                "endsAt": "2026-11-30T10:01:00Z"}),
        ("DuelProgressed", "alice", {"duelId": duel.id, "participantIds": pair, "userId": "alice",
                                     "scores": {"alice": 2, "bob": 0}}),
        ("DuelFinished", "alice", {"duelId": duel.id, "category": "code", "participantIds": pair, "winnerId": "bob",
                                   "scores": {"alice": 2, "bob": 0}, "reason": "forfeited"}),
    ]


def test_given_a_challenge_made_started_and_completed_then_each_event_carries_every_field(
        repository: RecordingRepository) -> None:
    tasks = MemoryTasks()
    task = tasks.add("alice", description="- draft\n- review", estimateMinutes=30, difficulty="easy")
    tools = generation.Generation(repository, tasks, MemoryDrafts(), random.Random(1))  # type: ignore[arg-type]
    made = generation.generate(tools, Caller(user_id="alice"), GenerateRequest(taskId=task.id, type="checklist"), NOW)
    lifecycle.start(repository, "alice", made.id, ChallengeVersionCheck(), NOW)
    lifecycle.complete(repository, tasks, Caller(user_id="alice"), made.id, request=ChallengeSubmission(),  # type: ignore[arg-type]
                       now=NOW + timedelta(minutes=19))

    who = {"challengeId": made.id, "userId": "alice", "taskId": task.id}
    assert [(e.detail_type, e.detail.actor, e.detail.data) for e in repository.published] == [
        ("ChallengeGenerated", "alice", {**who, "type": "checklist", "difficulty": "easy", "pointsReward": 100,
                                         "bonusMultiplier": 1, "daily": False, "expiresAt": None}),
        ("ChallengeStarted", "alice", {**who, "type": "checklist", "startedAt": "2026-11-30T09:00:00Z",
                                       "expiresAt": "2026-11-30T09:38:00Z"}),
        ("ChallengeCompleted", "alice", {**who, "pointsReward": 100, "bonusMultiplier": 1, "difficulty": "easy",
                                         "completedAt": "2026-11-30T09:19:00Z", "type": "checklist",
                                         "score": 150}),  # no step checked: 0 of 700, half the time left: 150
    ]
