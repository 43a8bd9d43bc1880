"""The daily challenge: offered to each known user once per local date, in their local morning.

A user's settings item carries ``morningKey = MORNING#<hh>``: the UTC hour of their local 08:00 (as of
their timezone's offset when the settings arrived). The hourly job reads the users of the hour before,
the hour itself and the hour after (so a daylight-saving shift never skips anyone), offers a challenge
to those whose local time is between 08:00 and noon, and writes ``DAILY#<local date>`` only if absent in
the same transaction: however often the job runs, a user gets one daily challenge per local date. It is
a short focus sprint, tied to no task, that lapses (ChallengeExpired) at the end of the local day.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

from deepiri_challenges.dal.challenges import ChallengeRepository, VersionConflict
from deepiri_challenges.logic.generation import build
from deepiri_challenges.models.events import SERVICE, ChallengeGenerated
from deepiri_common.clock import local_date, local_day_bounds, to_iso
from deepiri_common.events import DomainEvent

MORNING_FROM, MORNING_UNTIL = 8, 12


def morning_hour(timezone: str, at: datetime) -> int:
    """The UTC hour in which local 08:00 falls in ``timezone`` on ``at``'s local date."""
    day = local_date(at, timezone)
    return datetime.combine(day, time(MORNING_FROM), tzinfo=ZoneInfo(timezone)).astimezone(UTC).hour


def is_morning(timezone: str, at: datetime) -> bool:
    return MORNING_FROM <= at.astimezone(ZoneInfo(timezone)).hour < MORNING_UNTIL


@dataclass
class DailyReport:
    visited: int = 0
    offered: int = 0


def run(repository: ChallengeRepository, at: datetime) -> DailyReport:
    report = DailyReport()
    for shift in (-1, 0, 1):
        # The hour before and after too (a zone whose 08:00 moved with a clock change); the shifts are symmetric,
        # so reading ``at - shift`` instead would read the same three hours (an equivalent mutant).
        for user_id, timezone in list(repository.morning_users((at + timedelta(hours=shift)).hour)):
            report.visited += 1
            report.offered += offer(repository, user_id, timezone, at)
    return report


def offer(repository: ChallengeRepository, user_id: str, timezone: str, at: datetime) -> bool:
    """Offer the user today's challenge if it is their morning and none was offered today; whether it was."""
    if not is_morning(timezone, at):
        return False
    day = local_date(at, timezone)
    ends = to_iso(local_day_bounds(day, timezone)[1])
    challenge = build(user_id, "focus_sprint", None, "easy", now=at, title=f"Daily focus, {day}",
                      daily=True).model_copy(update={"expiresAt": ends})
    event = DomainEvent.new(SERVICE, "ChallengeGenerated", ChallengeGenerated(
        challengeId=challenge.id, userId=user_id, taskId=None, type=challenge.type, difficulty=challenge.difficulty,
        pointsReward=challenge.pointsReward, bonusMultiplier=challenge.bonusMultiplier, daily=True,
        expiresAt=datetime.fromisoformat(ends)), actor="system")
    try:
        repository.save([*repository.challenge_writes(0, challenge, ends),
                         repository.daily_marker_write(user_id, day.isoformat(), challenge.id),
                         *repository.counter_writes(user_id, challenge.type, "generated")], [event])
    except VersionConflict:
        return False
    return True
