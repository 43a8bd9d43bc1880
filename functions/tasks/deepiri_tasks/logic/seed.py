"""Seeding history: a tasks API request made "as of" a past instant.

The seeding function runs the routes' own code (validation, authorization as the named user, the status
machine, timers, the outbox) with the clock set to the step's instant, so the events carry that instant as
``occurredAt`` and every read model built from them (engagement's XP and streaks, analytics' daily rows,
the leaderboards) agrees with the tasks table. Only the clock is given: the step is refused when it is in
the future (a streak or a board cannot be run ahead) or more than ``MAX_DAYS_BACK`` days back.

No route reaches the function: it is invoked by name by whoever holds the AWS right to invoke it (the
operator's ``make demo``), never by a user's token.
"""

from __future__ import annotations

from datetime import datetime, timedelta

MAX_DAYS_BACK = 400


def as_of_refusal(at: datetime, now: datetime) -> str | None:
    """Why a step at ``at`` may not run at real time ``now``, or None when it may."""
    if at > now:
        return "at must not be in the future"
    if at < now - timedelta(days=MAX_DAYS_BACK):
        return f"at must be at most {MAX_DAYS_BACK} days back"
    return None


def route_family(path: str) -> str:
    """Which of the tasks service's API functions serves ``path``: ``projects``, ``timers`` or ``tasks``."""
    # equivalent mutant: strip("XX/XX") also strips an X that ends a ULID, which never changes the family
    parts = path.strip("/").split("/")
    if parts[1] == "projects":
        return "projects"
    if len(parts) >= 4 and parts[3] in ("timer", "time"):
        return "timers"
    return "tasks"
