"""A user's days: the local date an instant falls on, from their IANA timezone and the hour their day starts.

The day comes from the server's copy of the user's settings, never from a client's offset. A day that starts
at hour ``h`` runs from ``h``:00 local time to ``h``:00 the next day; an instant before ``h``:00 belongs to the
previous date. Across a DST change the local day is 23 or 25 hours long; a start hour that does not exist
that night (skipped by a spring-forward gap) begins at the first instant after the gap.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from deepiri_engagement.models.streaks import DaySettings


def local_day(at: datetime, settings: DaySettings) -> date:
    """The user's date at instant ``at``."""
    local = at.astimezone(ZoneInfo(settings.timezone))
    return (local - timedelta(hours=settings.dayStartHour)).date()


def day_start(day: date, settings: DaySettings) -> datetime:
    """The UTC instant the user's ``day`` begins."""
    # fold=0: a wall time repeated by a fall-back begins at its first occurrence, and one skipped by a
    # spring-forward gap maps (with the offset before the gap) to the instant the clocks jump.
    naive = datetime(day.year, day.month, day.day, settings.dayStartHour, tzinfo=ZoneInfo(settings.timezone))
    return naive.astimezone(UTC)


def iso_week(day: date) -> tuple[int, int]:
    """The ISO (year, week) a date belongs to: 2026-12-31 is in 2026-W53, 2027-01-01 too."""
    year, week, _ = day.isocalendar()
    return year, week


def local_hour(at: datetime, settings: DaySettings) -> int:
    """The wall-clock hour at instant ``at`` in the user's timezone (the day start hour plays no part)."""
    return at.astimezone(ZoneInfo(settings.timezone)).hour
