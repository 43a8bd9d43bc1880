"""Exact-time expiry: one EventBridge Scheduler one-off schedule per started challenge.

The schedule ``challenge-<id>`` in the service's group fires ``at(<deadline>)`` (UTC, rounded up to the
second) and invokes the expiry job with ``{"userId", "challengeId"}``; the job expires that challenge if it
is still open and due. It deletes itself after firing (``ActionAfterCompletion: DELETE``) and is deleted
when the challenge ends first. A schedule that cannot be made or deleted is logged, never an error: the
expiry job's five-minute run over the ``due`` index stays the safety net, and a stale schedule that fires
finds the challenge ended and changes nothing.
"""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from typing import Any, Protocol

from deepiri_common.observability import logger


def schedule_name(challenge_id: str) -> str:
    """The one-off schedule of a challenge (names are unique within the group, at most 64 characters)."""
    return f"challenge-{challenge_id}"


def at_expression(deadline: datetime) -> str:
    """``at(yyyy-mm-ddThh:mm:ss)`` in UTC, rounded up to the second so it never fires before the deadline."""
    ceiling = deadline if deadline.microsecond == 0 else deadline + timedelta(seconds=1)
    return f"at({ceiling.replace(microsecond=0):%Y-%m-%dT%H:%M:%S})"


class ExpirySchedules(Protocol):
    def arm(self, user_id: str, challenge_id: str, deadline: datetime) -> bool:
        """Have the expiry job look at this challenge at ``deadline``; whether the schedule was made."""

    def disarm(self, challenge_id: str) -> None:
        """Forget the challenge's schedule (it ended before its deadline)."""


class SchedulerExpirySchedules:
    """EventBridge Scheduler: one-off schedules in ``group`` invoking ``target_arn`` as ``role_arn``."""

    def __init__(self, client: Any, *, group: str, target_arn: str, role_arn: str) -> None:
        self._client, self._group, self._target, self._role = client, group, target_arn, role_arn

    def arm(self, user_id: str, challenge_id: str, deadline: datetime) -> bool:
        try:
            self._client.create_schedule(
                Name=schedule_name(challenge_id), GroupName=self._group, ScheduleExpression=at_expression(deadline),
                ScheduleExpressionTimezone="UTC", FlexibleTimeWindow={"Mode": "OFF"},
                ActionAfterCompletion="DELETE", State="ENABLED",
                Target={"Arn": self._target, "RoleArn": self._role,
                        "Input": json.dumps({"userId": user_id, "challengeId": challenge_id})})
        except Exception as exc:  # noqa: BLE001 - no schedule is no error: the five-minute job expires it
            logger.warning("no expiry schedule", extra={"challengeId": challenge_id, "reason": type(exc).__name__})
            return False
        return True

    def disarm(self, challenge_id: str) -> None:
        try:
            self._client.delete_schedule(Name=schedule_name(challenge_id), GroupName=self._group)
        except Exception as exc:  # noqa: BLE001 - gone already (it fired), or left to fire on an ended challenge
            logger.info("expiry schedule not deleted", extra={"challengeId": challenge_id,
                                                              "reason": type(exc).__name__})
