"""The hourly streak job: each user whose day began ``rules.ROLLOVER_GRACE_HOURS`` ago has the day before
judged, and each user whose evening it is hears that their streak is at risk.

Only users with a standing run are visited, found through the sparse ``due`` index by the UTC hour of
their rollover or evening (kept up to date whenever the streak or the user's settings change), so a run
costs what the users due in that hour cost, never a scan. Judging a date: if the run covers it, nothing
breaks; if freezes cover every day missed since the run's last day, they are spent; otherwise the run
breaks (StreakBroken) and leaves the index, so a long absence breaks it once. Each judged date is written
with a once-only marker (``ROLL#<date>``) and ``rolledThrough``, in one transaction conditioned on the
streak's version: the job run twice, overlapping itself or re-run for a past hour changes nothing more, and
a date is never judged twice, even after a change of timezone.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta

from deepiri_common.events import DomainEvent
from deepiri_engagement.dal.streaks import StreakConflict, StreakRepository
from deepiri_engagement.logic import rules
from deepiri_engagement.logic.days import local_day
from deepiri_engagement.logic.streaks import SYSTEM, due_hours, updated
from deepiri_engagement.models.events import SERVICE
from deepiri_engagement.models.streaks import Streak, StreakAtRisk, StreakBroken

WRITE_ATTEMPTS = 3


@dataclass
class JobReport:
    """What one run did: users visited, dates judged, runs broken, freezes spent, warnings sent."""

    at: str
    visited: int = 0
    judged: int = 0
    broken: int = 0
    frozen: int = 0
    warned: int = 0


def judge(streak: Streak, judged: date) -> tuple[Streak, list[tuple[str, object]]]:
    """The streak after its day ``judged`` ended, and what to announce (detail-type, data)."""
    if not streak.current or not streak.lastDay:
        return streak, []
    last = date.fromisoformat(streak.lastDay)
    missed = (judged - last).days
    after = replace(streak, rolledThrough=judged.isoformat())
    if missed <= 0:
        return after, []
    if missed <= streak.freezes:
        after = replace(after, freezes=streak.freezes - missed, lastDay=judged.isoformat())
        return after, [("FreezeUsed", None)]
    broken = StreakBroken(userId=streak.userId, length=streak.current,
                          missedDay=(last + timedelta(days=1)).isoformat())
    return replace(after, current=0, runId=None, runStart=None), [("StreakBroken", broken)]


def _roll(repository: StreakRepository, user_id: str, at: datetime, report: JobReport) -> None:
    for _ in range(WRITE_ATTEMPTS):
        settings, streak = repository.day_settings(user_id), repository.streak(user_id)
        judged = local_day(at - timedelta(hours=rules.ROLLOVER_GRACE_HOURS), settings) - timedelta(days=1)
        if not streak.current or (streak.rolledThrough and judged.isoformat() <= streak.rolledThrough):
            return
        after, announced = judge(streak, judged)
        after = replace(after, version=streak.version + 1)
        events = [updated(after, "FreezeUsed") if kind == "FreezeUsed" else
                  DomainEvent.new(SERVICE, kind, data, SYSTEM) for kind, data in announced]  # type: ignore[arg-type]
        try:
            repository.save(streak, after, due_hours(after, settings, at), events, markers=[f"ROLL#{judged}"])
        except StreakConflict:
            continue
        report.judged += 1
        report.broken += sum(kind == "StreakBroken" for kind, _ in announced)
        report.frozen += sum(kind == "FreezeUsed" for kind, _ in announced)
        return


def _warn(repository: StreakRepository, user_id: str, at: datetime, report: JobReport) -> None:
    settings, streak = repository.day_settings(user_id), repository.streak(user_id)
    today = local_day(at, settings)
    if not streak.current or not streak.lastDay or streak.lastDay >= today.isoformat():
        return
    after = replace(streak, version=streak.version + 1)
    event = DomainEvent.new(SERVICE, "StreakAtRisk",
                            StreakAtRisk(userId=user_id, days=streak.current, day=today.isoformat()), SYSTEM)
    try:
        repository.save(streak, after, due_hours(after, settings, at), [event], markers=[f"RISK#{today}"])
    except StreakConflict:
        return  # warned already for this date, or the streak just moved (then it is no longer at risk)
    report.warned += 1


def run(repository: StreakRepository, at: datetime) -> JobReport:
    """One run of the job for instant ``at`` (its UTC hour picks the users due)."""
    report = JobReport(at=at.isoformat())
    for user_id in list(repository.due("ROLL", at.hour)):
        report.visited += 1
        _roll(repository, user_id, at, report)
    for user_id in list(repository.due("RISK", at.hour)):
        report.visited += 1
        _warn(repository, user_id, at, report)
    return report
