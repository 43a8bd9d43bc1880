"""Task completions and reopenings, finished challenges and duels → XP, coins, levels and badges; XP changes,
duels and friendships → leaderboards and ratings; deleted users → forgotten (SQS batch)."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel

from deepiri_common.clock import parse_iso
from deepiri_common.consumers import Consumes, PermanentFailure, make_event_consumer
from deepiri_common.events import ReceivedEvent
from deepiri_common.observability import logger
from deepiri_engagement import wiring
from deepiri_engagement.logic import contests, progress, standings, streaks
from deepiri_engagement.logic.days import local_hour
from deepiri_engagement.models import boards
from deepiri_engagement.models.events import (
    ChallengeCompletedData,
    TaskCompletedData,
    TaskReopenedData,
    UserDeletedData,
)
from deepiri_engagement.models.streaks import DaySettingsData

# What this consumer reads; the contract tests check each model against its producer's schema, and the
# EngagementEvents application's detail-types against these keys.
CONSUMES: Consumes = {
    "TaskCompleted": TaskCompletedData,
    "TaskReopened": TaskReopenedData,
    "ChallengeCompleted": ChallengeCompletedData,
    "UserDeleted": UserDeletedData,
    # leaderboards and ratings
    "XpAwarded": boards.XpAwardedData,
    "CurrencyDebited": boards.CurrencyDebitedData,
    "DuelFinished": boards.DuelFinishedData,
    "FriendshipAccepted": boards.FriendshipAcceptedData,
    "FriendshipEnded": boards.FriendshipEndedData,
    "UserRegistered": DaySettingsData,
    "UserSettingsChanged": DaySettingsData,
}


def handle(event: ReceivedEvent, data: BaseModel) -> None:
    repository, at = wiring.wallet_repository(), event.detail.occurredAt
    extra: dict[str, Any] = {"event": event.detail_type, "eventId": event.detail.id}
    if isinstance(data, TaskCompletedData):
        done = parse_iso(data.completedAt or at)
        hour = local_hour(done, wiring.streak_repository().day_settings(data.userId))
        outcome = progress.task_completed(repository, event.detail.id, at, data, hour)
        extra["applied"] = outcome is not None
        extra["streak"] = streaks.activity(wiring.streak_repository(), repository, event.detail.id, data.userId,
                                           done) is not None
    elif isinstance(data, ChallengeCompletedData):
        if not data.userId or not data.challengeId:
            raise PermanentFailure("ChallengeCompleted needs a user and a challenge")
        extra["applied"] = contests.challenge_completed(repository, at, data) is not None
    elif isinstance(data, TaskReopenedData):
        outcome = progress.task_reopened(repository, event.detail.id, at, data.userId, data.taskId)
        extra["applied"] = outcome is not None
    elif isinstance(data, UserDeletedData):
        extra["deleted"] = progress.forget_user(repository, data.userId)
    elif isinstance(data, DaySettingsData):
        extra["applied"] = streaks.settings_changed(wiring.streak_repository(), event.detail.id, at, data)
    extra |= standings.on_event(wiring.board_repository(), event, data)
    if isinstance(data, boards.DuelFinishedData):  # rated (or found rated before): pay each participant once
        extra["paid"] = [contests.duel_finished(repository, at, data.duelId, user, data.winnerId) is not None
                         for user in data.participantIds]
    logger.info("handled", extra=extra)


handler: Any = make_event_consumer(
    handle, consumes=CONSUMES,
    idempotency_table=lambda: wiring.settings().idempotency_table, service="engagement")
