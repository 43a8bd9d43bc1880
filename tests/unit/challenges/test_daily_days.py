"""The daily challenge across days: a new one each local morning, and yesterday's lapses at the end of its
local day through the expiry job."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from deepiri_challenges.logic import daily, expiry, lifecycle
from tests.unit.challenges.conftest import RecordingRepository

MORNING = datetime(2026, 11, 30, 8, 30, tzinfo=UTC)


def test_given_a_new_local_morning_then_a_new_daily_challenge(repository: RecordingRepository) -> None:
    repository.set_timezone("carol", "UTC", daily.morning_hour("UTC", MORNING), "t")
    assert daily.offer(repository, "carol", "UTC", MORNING) is True
    assert daily.offer(repository, "carol", "UTC", MORNING + timedelta(hours=1)) is False  # the same day
    assert daily.offer(repository, "carol", "UTC", MORNING + timedelta(days=1)) is True  # the next morning
    titles = sorted(c.title for c in lifecycle.listing(repository, "carol", None, 10, None).items)
    assert titles == ["Daily focus, 2026-11-30", "Daily focus, 2026-12-01"]


def test_given_an_untaken_daily_challenge_then_it_lapses_when_its_local_day_ends(
        repository: RecordingRepository) -> None:
    assert daily.offer(repository, "alice", "Europe/Paris", MORNING) is True  # 09:30 in Paris
    [offered] = lifecycle.listing(repository, "alice", None, 10, None).items
    assert expiry.run(repository, datetime(2026, 11, 30, 22, 59, tzinfo=UTC)).expired == 0
    report = expiry.run(repository, datetime(2026, 11, 30, 23, 0, tzinfo=UTC))  # Paris midnight
    assert (report.visited, report.expired) == (1, 1)
    lapsed = repository.challenge("alice", offered.id)
    assert lapsed is not None and lapsed.status == "expired"
    assert [e.detail.data["taskId"] for e in repository.published if e.detail_type == "ChallengeExpired"] == [None]


def test_given_several_things_due_at_once_then_the_expiry_report_counts_each(repository: RecordingRepository) -> None:
    for user in ("alice", "bob", "carol"):
        assert daily.offer(repository, user, "UTC", MORNING) is True  # all three lapse at UTC midnight
    report = expiry.run(repository, datetime(2026, 12, 1, 0, 0, tzinfo=UTC))
    assert (report.visited, report.expired, report.duelsEnded) == (3, 3, 0)


def test_given_the_local_time_then_the_morning_runs_from_eight_until_noon() -> None:
    # Tokyo is UTC+9: 23:00 UTC the evening before is 08:00 there.
    tokyo = [daily.is_morning("Asia/Tokyo", datetime(2026, 11, 29, 22, 59, tzinfo=UTC) + timedelta(minutes=m))
             for m in (0, 1, 180, 181)]  # 07:59, 08:00, 11:00, 11:01

    assert tokyo == [False, True, True, True]
    assert daily.is_morning("Asia/Tokyo", datetime(2026, 11, 30, 2, 59, tzinfo=UTC)) is True  # 11:59
    assert daily.is_morning("Asia/Tokyo", datetime(2026, 11, 30, 3, 0, tzinfo=UTC)) is False  # noon
    assert daily.morning_hour("Asia/Tokyo", datetime(2026, 11, 30, 3, 0, tzinfo=UTC)) == 23
