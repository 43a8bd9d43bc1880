"""Local-time rules: whether an instant falls in the user's quiet hours (and when they end), and whether the
daily digest is due. Times are in the user's IANA timezone, DST included."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from deepiri_notifications.models.preferences import Digest, NotificationQuietHours


def _local_time(text: str) -> time:
    hours, minutes = text.split(":")
    return time(int(hours), int(minutes))


def quiet_until(now: datetime, timezone: str, quiet: NotificationQuietHours | None) -> datetime | None:
    """The UTC instant the quiet hours around ``now`` end, or None when ``now`` is outside them."""
    if quiet is None:
        return None
    zone = ZoneInfo(timezone)
    local = now.astimezone(zone)
    start, end = _local_time(quiet.start), _local_time(quiet.end)
    clock = local.time().replace(tzinfo=None)
    if start < end:  # never equal (the model refuses it), so `<=` here is equivalent
        inside = start <= clock < end
        end_day = local.date()
    else:  # spans midnight: 22:00 to 07:00
        inside = clock >= start or clock < end
        end_day = local.date() + timedelta(days=1) if clock >= start else local.date()
    if not inside:
        return None
    # In UTC, whatever the machine's own zone (astimezone(None) would give that zone's offset).
    return datetime.combine(end_day, end, tzinfo=zone).astimezone(UTC)


def digest_day_due(now: datetime, timezone: str, digest: Digest, last_sent_on: date | None) -> date | None:
    """The local date whose digest is due at ``now``: today once its hour has come, unless already sent."""
    local = now.astimezone(ZoneInfo(timezone))
    if local.hour < digest.hour or (last_sent_on is not None and last_sent_on >= local.date()):
        return None
    return local.date()
