"""The expiry job: challenges and duels whose time is up, read from the ``due`` index hour by hour.

An open challenge or duel carries its deadline's UTC hour (``dueHour``) and instant (``dueAt``) while it
can run out, and loses them when it ends. A run for instant ``at`` queries the hours from
``LOOKBACK_HOURS`` before ``at`` through ``at``'s own, each for the items due at or before ``at``: its
cost is those few Queries plus the items actually due, never a scan. Overdue challenges fail with
ChallengeExpired; duels finish by score (``expired``); unanswered invitations lapse.

A started challenge also has its own one-off schedule (``dal/schedules.py``) that runs
:func:`run_one` for it at its deadline; this five-minute run is the safety net behind it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from deepiri_challenges.dal.challenges import ChallengeRepository
from deepiri_challenges.logic import duels, lifecycle
from deepiri_challenges.models.duels import Duel
from deepiri_common.clock import to_iso

LOOKBACK_HOURS = 24


@dataclass
class ExpiryReport:
    visited: int = 0
    expired: int = 0
    duelsEnded: int = 0


def hours(at: datetime) -> list[str]:
    """The ``due`` index partitions a run at ``at`` reads, oldest first."""
    return [(at - timedelta(hours=back)).strftime("%Y-%m-%dT%H") for back in range(LOOKBACK_HOURS, -1, -1)]


def run(repository: ChallengeRepository, at: datetime) -> ExpiryReport:
    report = ExpiryReport()
    until = to_iso(at)
    for hour in hours(at):
        for pk, sk in list(repository.due(hour, until)):
            report.visited += 1
            item = repository.item_at(pk, sk)
            if isinstance(item, Duel):
                report.duelsEnded += duels.expire(repository, item, at)
            elif item is not None:
                report.expired += lifecycle.expire(repository, item, at)
    return report


def run_one(repository: ChallengeRepository, user_id: str, challenge_id: str, at: datetime) -> ExpiryReport:
    """One challenge's schedule fired: expire it if it is still open and due at ``at`` (else nothing)."""
    challenge = repository.challenge(user_id, challenge_id)
    expired = challenge is not None and lifecycle.expire(repository, challenge, at)
    return ExpiryReport(visited=int(challenge is not None), expired=int(expired))
