"""Domain events that matter to a person → notifications (SQS batch, idempotent per event id); the users
directory (addresses, names), the account's timezone and account deletion."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel

from deepiri_common.clock import to_iso, utc_now
from deepiri_common.consumers import Consumes, make_event_consumer
from deepiri_common.events import ReceivedEvent
from deepiri_common.observability import logger
from deepiri_notifications import wiring
from deepiri_notifications.logic import creation, directory, intake, settings
from deepiri_notifications.models.events import (
    BadgeEarnedData,
    ChallengeExpiredData,
    DuelFinishedData,
    DuelInvitedData,
    FriendRequestedData,
    FriendshipAcceptedData,
    LevelUpData,
    MemberAddedData,
    SecurityMailData,
    StreakAtRiskData,
    StreakBrokenData,
    TaskCommentedData,
    TaskReminderData,
    UserDeletedData,
    UserRegisteredData,
    UserSettingsChangedData,
)

# What this consumer reads; the contract tests check each model against its producer's schema, and the
# NotificationsEvents application's detail-types against these keys.
CONSUMES: Consumes = {
    "TaskDueSoon": TaskReminderData,
    "TaskOverdue": TaskReminderData,
    "TaskCommented": TaskCommentedData,
    "MemberAdded": MemberAddedData,
    "FriendRequested": FriendRequestedData,
    "FriendshipAccepted": FriendshipAcceptedData,
    "LevelUp": LevelUpData,
    "BadgeEarned": BadgeEarnedData,
    "StreakAtRisk": StreakAtRiskData,
    "StreakBroken": StreakBrokenData,
    "DuelInvited": DuelInvitedData,
    "DuelFinished": DuelFinishedData,
    "ChallengeExpired": ChallengeExpiredData,
    "PasswordResetRequested": SecurityMailData,
    "EmailVerificationRequested": SecurityMailData,
    "UserRegistered": UserRegisteredData,
    "UserSettingsChanged": UserSettingsChangedData,
    "UserDeleted": UserDeletedData,
}


def handle(event: ReceivedEvent, data: BaseModel) -> None:
    repository = wiring.notification_repository()
    extra: dict[str, Any] = {"event": event.detail_type, "eventId": event.detail.id}
    if isinstance(data, UserRegisteredData):
        directory.remember(repository, data.userId, data.email, data.displayName)
        if data.timezone is not None:
            extra["timezoneKept"] = settings.timezone_announced(repository, data.userId, data.timezone,
                                                                event.detail.occurredAt, event.detail.id)
    elif isinstance(data, UserSettingsChangedData):
        extra["timezoneKept"] = settings.timezone_announced(repository, data.userId, data.timezone,
                                                            event.detail.occurredAt, event.detail.id)
    elif isinstance(data, UserDeletedData):
        extra["deleted"] = directory.forget(repository, wiring.pusher(), data.userId)
    else:
        drafts = intake.drafts(event.detail_type, data, lambda user: directory.display_name(repository, user),
                               wiring.settings().app_url)
        now = to_iso(utc_now())
        made = [creation.create(repository, wiring.delivery_queue(), event.detail.id, draft, now) for draft in drafts]
        extra |= {"notifications": [m.notificationId for m in made], "new": sum(m.new for m in made),
                  "queued": sum(len(m.queued) for m in made)}
    logger.info("handled", extra=extra)


handler: Any = make_event_consumer(
    handle, consumes=CONSUMES,
    idempotency_table=lambda: wiring.settings().idempotency_table, service="notifications")
