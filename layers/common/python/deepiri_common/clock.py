"""UTC time and IANA-timezone helpers: every stored time is UTC ISO-8601; a user's timezone
only decides where their days begin and end (streaks, digests, reminders)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import UTC, date, datetime, time, timedelta
from typing import Annotated
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

from pydantic import AfterValidator, AwareDatetime

# Set only by :func:`clock_at`, which only the tasks service's invoke-only seeding function calls.
_as_of: ContextVar[datetime | None] = ContextVar("deepiri_clock_as_of", default=None)


def utc_now() -> datetime:
    """The current time, timezone-aware, in UTC (the instant :func:`clock_at` names, inside it)."""
    fixed = _as_of.get()
    return fixed if fixed is not None else datetime.now(UTC)


@contextmanager
def clock_at(moment: datetime) -> Iterator[None]:
    """Within the block, :func:`utc_now` answers ``moment``: the domain logic runs "as of" that instant and
    the events it writes carry it as ``occurredAt``.

    For seeding history through a service's own logic from a function no route reaches; never on a
    request path. The previous clock is restored on exit, also when the block raises.
    """
    if moment.tzinfo is None:
        raise ValueError("naive datetimes are not accepted; attach a timezone")
    token = _as_of.set(moment.astimezone(UTC))
    try:
        yield
    finally:
        _as_of.reset(token)


def to_iso(moment: datetime) -> str:
    """Format an aware datetime as UTC ISO-8601 with millisecond precision and a Z suffix."""
    if moment.tzinfo is None:
        raise ValueError("naive datetimes are not accepted; attach a timezone")
    return moment.astimezone(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def parse_iso(text: str) -> datetime:
    """Parse an ISO-8601 timestamp that carries an offset (or Z) into an aware UTC datetime."""
    # Python 3.11's fromisoformat reads a final "Z" itself: leaving it unreplaced is equivalent ("z" it refuses)
    moment = datetime.fromisoformat(text.replace("Z", "+00:00").replace("z", "+00:00"))
    if moment.tzinfo is None:
        raise ValueError(f"timestamp has no timezone offset: {text!r}")
    return moment.astimezone(UTC)


def is_valid_timezone(name: str) -> bool:
    """Whether ``name`` is an IANA timezone this runtime knows (for example ``Europe/Paris``)."""
    if name not in available_timezones():
        return False
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return False
    return True


def local_date(moment: datetime, timezone: str) -> date:
    """The calendar date at ``moment`` for someone living in ``timezone``."""
    return moment.astimezone(ZoneInfo(timezone)).date()


def local_day_bounds(day: date, timezone: str) -> tuple[datetime, datetime]:
    """The UTC instants at which ``day`` starts and ends in ``timezone`` (DST-aware)."""
    zone = ZoneInfo(timezone)
    start = datetime.combine(day, time.min, tzinfo=zone)
    end = datetime.combine(day + timedelta(days=1), time.min, tzinfo=zone)
    return start.astimezone(UTC), end.astimezone(UTC)


def epoch_seconds(moment: datetime) -> int:
    """Whole seconds since the epoch, the format DynamoDB TTL attributes expect."""
    return int(moment.timestamp())


EARLIEST = datetime(1970, 1, 1, tzinfo=UTC)
LATEST = datetime(2999, 12, 31, 23, 59, 59, 999000, tzinfo=UTC)
RANGE_MESSAGE = "must be between 1970-01-01T00:00:00Z and 2999-12-31T23:59:59.999Z"


def within_range(moment: datetime) -> datetime:
    """``moment`` in UTC at millisecond precision (as stored); ValueError outside 1970 to 2999.

    Instants near year 1 or 9999 with a large offset cannot even be converted to UTC, and later
    arithmetic (reminder windows, TTLs) would overflow on the rest: both are refused here, by name.
    """
    try:
        utc = moment.astimezone(UTC)
    except OverflowError:
        raise ValueError(RANGE_MESSAGE) from None
    if not EARLIEST <= utc <= LATEST:
        raise ValueError(RANGE_MESSAGE)
    return utc.replace(microsecond=utc.microsecond // 1000 * 1000)


# An aware instant a client may send: UTC, millisecond precision, 1970 to 2999.
Instant = Annotated[AwareDatetime, AfterValidator(within_range)]
