"""What the challenges service does with the events it reads: deleted tasks cancel their challenges,
deleted users are purged, friendships are copied, settings place mornings, and a participant's
WebSocket ``duel.progress`` (forwarded by realtime) is validated and applied."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from pydantic import BaseModel

from deepiri_challenges.dal.challenges import ChallengeRepository
from deepiri_challenges.logic import daily, duels, lifecycle
from deepiri_challenges.models.events import (
    DuelProgressReportedData,
    FriendshipAcceptedData,
    FriendshipEndedData,
    TaskDeletedData,
    UserDeletedData,
    UserSettingsData,
)
from deepiri_common.clock import is_valid_timezone
from deepiri_common.consumers import PermanentFailure
from deepiri_common.problems import Problem


def apply(repository: ChallengeRepository, data: BaseModel, occurred_at: str, at: datetime) -> dict[str, Any]:
    """Apply one event's data; what happened, for the log."""
    for kind, action in _ACTIONS:
        if isinstance(data, kind):
            return action(repository, data, occurred_at, at)
    return {}


def _task_deleted(repository: ChallengeRepository, data: Any, occurred_at: str, at: datetime) -> dict[str, Any]:
    return {"cancelled": lifecycle.cancel_for_task(repository, data.ownerId, data.taskId, at)}


def _user_deleted(repository: ChallengeRepository, data: Any, occurred_at: str, at: datetime) -> dict[str, Any]:
    return {"purged": repository.purge_user(data.userId)}


def _friendship(repository: ChallengeRepository, data: Any, occurred_at: str, at: datetime) -> dict[str, Any]:
    friends = isinstance(data, FriendshipAcceptedData)
    if len(set(data.userIds)) != 2:  # a friendship is two people
        raise PermanentFailure("a friendship names two different users")
    repository.set_friends(data.userIds, friends, occurred_at)
    return {"friends": friends}


def _settings(repository: ChallengeRepository, data: Any, occurred_at: str, at: datetime) -> dict[str, Any]:
    if not is_valid_timezone(data.timezone):
        return {"ignored": "unknown timezone"}
    repository.set_timezone(data.userId, data.timezone, daily.morning_hour(data.timezone, at), occurred_at)
    return {"timezone": data.timezone}


def _duel_progress(repository: ChallengeRepository, data: Any, occurred_at: str, at: datetime) -> dict[str, Any]:
    try:
        duels.progress(repository, data.userId, data.duelId, data.progress, at)
    except Problem as refused:  # not a participant, not active, time up: the report is dropped, not retried
        return {"refused": refused.detail}
    return {"applied": True}


_ACTIONS: tuple[tuple[type[BaseModel], Callable[[ChallengeRepository, Any, str, datetime], dict[str, Any]]], ...] = (
    (TaskDeletedData, _task_deleted),
    (UserDeletedData, _user_deleted),
    (FriendshipAcceptedData, _friendship),
    (FriendshipEndedData, _friendship),
    (UserSettingsData, _settings),
    (DuelProgressReportedData, _duel_progress),
)
