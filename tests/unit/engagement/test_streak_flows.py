"""Streaks applied (logic/streaks.py) and the hourly job (logic/streak_job.py) on in-memory repositories:
activity, milestones and records through the wallet, settings moving a run, freezes, cash-ins, the job's
rollovers and evening warnings, each once."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest

from deepiri_common.problems import Conflict
from deepiri_engagement.dal.streaks import StreakConflict
from deepiri_engagement.logic import streak_job, streaks
from deepiri_engagement.models.streaks import DaySettingsData, Streak
from tests.unit.engagement.fakes import MarkedWallets, Streaks

DAY1 = datetime(2026, 11, 1, 12, 0, tzinfo=UTC)


def _days(count: int, start: datetime = DAY1) -> list[datetime]:
    return [start + timedelta(days=n) for n in range(count)]


def _active(store: Streaks, wallets: MarkedWallets, days: list[datetime], user: str = "u1") -> None:
    for n, day in enumerate(days):
        streaks.activity(store, wallets, f"e{day:%m%d}{n}", user, day)


def test_given_activity_then_a_run_starts_its_record_reaches_the_wallet_and_the_same_day_changes_nothing() -> None:
    store, wallets = Streaks(), MarkedWallets()

    first = streaks.activity(store, wallets, "e1", "u1", DAY1)
    again = streaks.activity(store, wallets, "e2", "u1", DAY1 + timedelta(hours=3))

    assert first is not None and (first.current, first.runId, first.lastDay, first.version) == (1, "e1",
                                                                                             "2026-11-01", 1)
    assert again is None
    assert wallets.wallet("u1").counters == {"bestStreak": 1, "bestWeeklyStreak": 1}
    assert store.index["u1"] == (6, 20)  # judged at 06:00 UTC, warned at 20:00 UTC
    [(outcome, _, _)] = wallets.saved
    assert [e.detail_type for e in outcome.events] == ["StreakUpdated"]


def test_given_seven_days_then_the_milestone_pays_xp_coins_and_the_on_fire_badge_once() -> None:
    store, wallets = Streaks(), MarkedWallets()

    _active(store, wallets, _days(7))

    wallet = wallets.wallet("u1")
    assert store.streak("u1").current == 7
    assert (wallet.balances["xp"], wallet.balances["coins"]) == (20, 2 + 10)  # milestone XP, its coins, badge
    assert "on-fire#bronze" in wallet.badges and wallet.counters["bestStreak"] == 7
    assert ("u1", streaks.milestone_source("e11010", 7)) in wallets.markers


def test_given_a_milestone_paid_already_then_the_streak_is_saved_alone() -> None:
    store, wallets = Streaks(), MarkedWallets()
    _active(store, wallets, _days(6))
    wallets.markers.add(("u1", streaks.milestone_source("e11010", 7)))

    after = streaks.activity(store, wallets, "e7", "u1", DAY1 + timedelta(days=6))

    assert after is not None and store.streak("u1").current == 7
    assert wallets.wallet("u1").balances["xp"] == 0


def test_given_a_rival_write_then_activity_decides_again_and_gives_up_after_its_attempts() -> None:
    store, wallets = Streaks(), MarkedWallets()
    _active(store, wallets, _days(2))
    wallet = wallets.wallet("u1")
    wallets.wallets["u1"] = replace(wallet, counters={"bestStreak": 100, "bestWeeklyStreak": 100})  # no records
    store.rivals = [replace(store.streak("u1"), version=store.streak("u1").version + 1)]
    assert streaks.activity(store, wallets, "e3", "u1", DAY1 + timedelta(days=2)) is not None
    store.rivals = [replace(store.streak("u1"), version=100 + n, lastDay="2026-11-03")
                    for n in range(streaks.WRITE_ATTEMPTS)]
    with pytest.raises(StreakConflict):
        streaks.activity(store, wallets, "e4", "u1", DAY1 + timedelta(days=3))


def test_given_settings_events_then_the_latest_stands_and_a_run_is_re_expressed_in_the_new_zone() -> None:
    store, wallets = Streaks(), MarkedWallets()
    tokyo = DaySettingsData(userId="u1", timezone="Asia/Tokyo", dayStartHour=0)
    assert streaks.settings_changed(store, "s1", "2026-11-01T00:00:00.000Z", tokyo) is True
    streaks.activity(store, wallets, "e1", "u1", datetime(2026, 11, 1, 14, 0, tzinfo=UTC))  # 23:00 JST, 1 Nov

    la = DaySettingsData(userId="u1", timezone="America/Los_Angeles", dayStartHour=0)
    assert streaks.settings_changed(store, "s2", "2026-11-01T15:00:00.000Z", la) is True
    assert streaks.settings_changed(store, "s0", "2026-10-01T00:00:00.000Z", tokyo) is False  # older

    settings, streak = store.day_settings("u1"), store.streak("u1")
    assert (settings.timezone, streak.lastDay, streak.current) == ("America/Los_Angeles", "2026-11-01", 1)
    assert store.index["u1"] is not None


def test_given_a_streak_that_moves_while_settings_change_then_they_are_decided_again() -> None:
    store, wallets = Streaks(), MarkedWallets()
    streaks.activity(store, wallets, "e1", "u1", DAY1)
    store.rivals = []
    real_writes = store.writes
    moved: list[int] = []

    def writes_after_a_rival(previous: Streak, streak: Streak, due, markers=()):  # type: ignore[no-untyped-def]
        if not moved:
            moved.append(1)
            store.streaks["u1"] = replace(store.streak("u1"), version=store.streak("u1").version + 1)
        return real_writes(previous, streak, due, markers)

    store.writes = writes_after_a_rival  # type: ignore[method-assign]
    assert streaks.settings_changed(store, "s1", "2026-11-02T00:00:00.000Z",
                                    DaySettingsData(userId="u1", timezone="Europe/Paris", dayStartHour=4)) is True
    assert store.day_settings("u1").dayStartHour == 4


def test_given_a_run_not_judged_yet_then_the_view_shows_what_stands_now() -> None:
    store, wallets = Streaks(), MarkedWallets()
    _active(store, wallets, _days(3))

    today = streaks.view(store, "u1", DAY1 + timedelta(days=3))  # the day after the last: still standing
    lost = streaks.view(store, "u1", DAY1 + timedelta(days=4))  # a whole day missed: already lost
    weeks_later = streaks.view(store, "u1", DAY1 + timedelta(days=30))

    assert (today.days, today.longest, today.weeks, today.timezone) == (3, 3, 2, "UTC")  # 1 Nov is a Sunday
    assert (lost.days, lost.longest) == (0, 3)
    assert weeks_later.weeks == 0


def test_given_coins_then_a_freeze_is_bought_once_per_key_up_to_the_most_held() -> None:
    store, wallets = Streaks(), MarkedWallets()
    wallets.give("u1", coins=120)

    first = streaks.buy_freeze(store, wallets, "u1", "k1", DAY1)
    retried = streaks.buy_freeze(store, wallets, "u1", "k1", DAY1)
    second = streaks.buy_freeze(store, wallets, "u1", None, DAY1)

    assert (first.freezes, first.coins, retried.freezes, second.freezes, second.coins) == (1, 70, 1, 2, 20)
    with pytest.raises(Conflict, match="at most 2"):
        streaks.buy_freeze(store, wallets, "u1", "k3", DAY1)
    poor = Streaks()
    with pytest.raises(Conflict):
        streaks.buy_freeze(poor, MarkedWallets(), "u2", "k1", DAY1)


def test_given_a_wallet_that_keeps_moving_then_buying_a_freeze_is_a_409() -> None:
    assert streaks.WRITE_ATTEMPTS == 5  # reads and decisions of one purchase before the 409
    wallets = MarkedWallets(rivals=streaks.WRITE_ATTEMPTS, rival_coins=0)
    wallets.give("u1", coins=100)
    with pytest.raises(Conflict, match="too fast"):
        streaks.buy_freeze(Streaks(), wallets, "u1", "k1", DAY1)


def test_given_a_run_of_seven_days_then_cashing_it_in_credits_its_length_once_and_ends_it() -> None:
    store, wallets = Streaks(), MarkedWallets()
    _active(store, wallets, _days(6))
    with pytest.raises(Conflict, match="at least 7"):
        streaks.cash_in(store, wallets, "u1", DAY1 + timedelta(days=5))
    _active(store, wallets, [DAY1 + timedelta(days=6)])

    cashed = streaks.cash_in(store, wallets, "u1", DAY1 + timedelta(days=6))

    assert (cashed.length, cashed.boostCredits) == (7, 7)
    assert (store.streak("u1").current, store.streak("u1").runId, store.index["u1"]) == (0, None, None)
    with pytest.raises(Conflict):
        streaks.cash_in(store, wallets, "u1", DAY1 + timedelta(days=6))


def test_given_a_wallet_that_keeps_moving_then_a_cash_in_is_a_409() -> None:
    store, wallets = Streaks(), MarkedWallets()
    _active(store, wallets, _days(7))
    wallets.rivals = streaks.WRITE_ATTEMPTS
    with pytest.raises(Conflict, match="too fast"):
        streaks.cash_in(store, wallets, "u1", DAY1 + timedelta(days=6))


def _job(store: Streaks, at: datetime) -> streak_job.JobReport:
    return streak_job.run(store, at)


def test_given_a_missed_day_then_the_job_breaks_the_run_once_and_a_rerun_changes_nothing() -> None:
    store, wallets = Streaks(), MarkedWallets()
    _active(store, wallets, _days(3))  # 1-3 November
    at = datetime(2026, 11, 4, 6, 0, tzinfo=UTC)
    assert (_job(store, at).judged, store.streak("u1").rolledThrough) == (1, "2026-11-03")  # 3 Nov covered

    report = _job(store, datetime(2026, 11, 5, 6, 0, tzinfo=UTC))  # 4 November missed
    rerun = _job(store, datetime(2026, 11, 5, 6, 0, tzinfo=UTC))

    assert (report.visited, report.judged, report.broken, report.frozen) == (1, 1, 1, 0)
    assert (rerun.visited, rerun.judged) == (0, 0)  # a broken run left the index
    assert store.streak("u1").current == 0 and store.index["u1"] is None
    broken = [e.detail.data for e in store.published if e.detail_type == "StreakBroken"]
    assert broken == [{"userId": "u1", "length": 3, "missedDay": "2026-11-04"}]


def test_given_a_freeze_then_the_job_spends_it_on_the_missed_day_and_the_run_goes_on() -> None:
    store, wallets = Streaks(), MarkedWallets()
    _active(store, wallets, _days(2))
    store.streaks["u1"] = replace(store.streak("u1"), freezes=1)

    report = _job(store, datetime(2026, 11, 4, 6, 0, tzinfo=UTC))  # 3 November missed

    assert (report.judged, report.frozen, report.broken) == (1, 1, 0)
    assert (store.streak("u1").current, store.streak("u1").freezes, store.streak("u1").lastDay) == (2, 0,
                                                                                                    "2026-11-03")
    assert [e.detail.data["reason"] for e in store.published if e.detail_type == "StreakUpdated"] == ["FreezeUsed"]


def test_given_a_date_judged_already_then_the_job_leaves_it_even_if_the_index_says_due() -> None:
    store, wallets = Streaks(), MarkedWallets()
    _active(store, wallets, _days(1))
    store.streaks["u1"] = replace(store.streak("u1"), rolledThrough="2026-11-05")

    assert _job(store, datetime(2026, 11, 3, 6, 0, tzinfo=UTC)).judged == 0


def test_given_the_streak_moving_under_the_job_then_it_reads_again_and_gives_up_after_its_attempts() -> None:
    store, wallets = Streaks(), MarkedWallets()
    _active(store, wallets, _days(1))
    base = store.streak("u1")
    assert streak_job.WRITE_ATTEMPTS == 3  # the job's reads of a moving streak before it leaves it to the next run
    store.rivals = [replace(base, version=base.version + n + 1) for n in range(streak_job.WRITE_ATTEMPTS)]

    report = _job(store, datetime(2026, 11, 3, 6, 0, tzinfo=UTC))

    assert (report.visited, report.judged) == (1, 0)


def test_given_an_evening_without_activity_then_the_job_warns_once_and_not_after_activity() -> None:
    store, wallets = Streaks(), MarkedWallets()
    _active(store, wallets, _days(1))  # 1 November

    warned = _job(store, datetime(2026, 11, 2, 20, 0, tzinfo=UTC))
    again = _job(store, datetime(2026, 11, 2, 20, 0, tzinfo=UTC))
    _active(store, wallets, [datetime(2026, 11, 3, 9, 0, tzinfo=UTC)], user="u1")
    covered = _job(store, datetime(2026, 11, 3, 20, 0, tzinfo=UTC))

    assert (warned.warned, again.warned, covered.warned) == (1, 0, 0)
    at_risk = [e.detail.data for e in store.published if e.detail_type == "StreakAtRisk"]
    assert at_risk == [{"userId": "u1", "days": 1, "day": "2026-11-02"}]
    assert store.marked("u1", "RISK#2026-11-02")


def test_given_a_user_with_no_run_then_the_job_neither_judges_nor_warns() -> None:
    store = Streaks()
    store.index["u1"] = (6, 20)  # a stale index entry of a user without a run

    assert (_job(store, datetime(2026, 11, 3, 6, 0, tzinfo=UTC)).judged,
            _job(store, datetime(2026, 11, 3, 20, 0, tzinfo=UTC)).warned) == (0, 0)


def test_given_several_users_due_then_the_report_counts_each_and_every_judgement_is_marked_once() -> None:
    store, wallets = Streaks(), MarkedWallets()
    for user in ("a", "b"):
        _active(store, wallets, _days(2), user=user)  # 1-2 November
    versions = {user: store.streak(user).version for user in ("a", "b")}

    report = _job(store, datetime(2026, 11, 4, 6, 0, tzinfo=UTC))  # 3 November missed by both
    evening = _job(store, datetime(2026, 11, 2, 20, 0, tzinfo=UTC))

    assert report.at == "2026-11-04T06:00:00+00:00"
    assert (report.visited, report.judged, report.broken) == (2, 2, 2)
    assert all(store.marked(user, "ROLL#2026-11-03") for user in ("a", "b"))
    assert {user: store.streak(user).version for user in ("a", "b")} == {u: v + 1 for u, v in versions.items()}
    assert (evening.visited, evening.warned) == (0, 0)  # broken runs left the index


def test_given_two_freezes_used_by_two_users_then_the_report_adds_them() -> None:
    store, wallets = Streaks(), MarkedWallets()
    for user in ("a", "b"):
        _active(store, wallets, _days(2), user=user)
        store.streaks[user] = replace(store.streak(user), freezes=1)

    assert _job(store, datetime(2026, 11, 4, 6, 0, tzinfo=UTC)).frozen == 2
    assert store.streak("a").runStart == "2026-11-01"


def test_given_a_broken_run_then_its_start_is_cleared_too() -> None:
    store, wallets = Streaks(), MarkedWallets()
    _active(store, wallets, _days(1))
    _job(store, datetime(2026, 11, 3, 6, 0, tzinfo=UTC))
    assert (store.streak("u1").runId, store.streak("u1").runStart) == (None, None)


def test_given_the_users_own_zone_then_the_job_judges_their_previous_local_day() -> None:
    store, wallets = Streaks(), MarkedWallets()
    streaks.settings_changed(store, "s1", "2026-10-01T00:00:00.000Z",
                             DaySettingsData(userId="u1", timezone="Asia/Tokyo", dayStartHour=0))
    _active(store, wallets, [datetime(2026, 11, 1, 3, 0, tzinfo=UTC)])  # 12:00 JST, 1 November

    report = _job(store, datetime(2026, 11, 1, 21, 0, tzinfo=UTC))  # 06:00 JST, 2 November: judges 1 November

    assert (report.judged, report.broken, store.streak("u1").rolledThrough) == (1, 0, "2026-11-01")


def test_given_a_run_for_an_hour_that_is_not_the_users_rollover_then_the_day_judged_is_before_the_grace() -> None:
    store, wallets = Streaks(), MarkedWallets()
    _active(store, wallets, _days(2))  # 1-2 November, UTC
    store.index["u1"] = (20, 20)  # as if the index placed the user at 20:00

    report = _job(store, datetime(2026, 11, 3, 20, 0, tzinfo=UTC))  # 14:00 is the 3rd: the 2nd is judged

    assert (report.judged, report.broken, store.streak("u1").rolledThrough) == (1, 0, "2026-11-02")


def test_given_the_date_judged_exactly_then_it_is_not_judged_again() -> None:
    store, wallets = Streaks(), MarkedWallets()
    _active(store, wallets, _days(1))
    store.streaks["u1"] = replace(store.streak("u1"), rolledThrough="2026-11-02")

    assert _job(store, datetime(2026, 11, 3, 6, 0, tzinfo=UTC)).judged == 0


def test_given_one_rival_write_then_the_job_reads_again_and_judges() -> None:
    store, wallets = Streaks(), MarkedWallets()
    _active(store, wallets, _days(1))
    base = store.streak("u1")
    store.rivals = [replace(base, version=base.version + 1)]

    assert _job(store, datetime(2026, 11, 3, 6, 0, tzinfo=UTC)).broken == 1


def test_given_a_warning_then_the_run_stays_indexed_and_moves_one_version() -> None:
    store, wallets = Streaks(), MarkedWallets()
    streaks.settings_changed(store, "s1", "2026-10-01T00:00:00.000Z",
                             DaySettingsData(userId="u1", timezone="Asia/Tokyo", dayStartHour=0))
    _active(store, wallets, [datetime(2026, 11, 1, 3, 0, tzinfo=UTC)])  # 1 November, JST
    version = store.streak("u1").version

    warned = _job(store, datetime(2026, 11, 2, 11, 0, tzinfo=UTC))  # 20:00 JST on 2 November

    assert warned.warned == 1 and store.streak("u1").version == version + 1
    assert store.index["u1"] == (21, 11)


def test_given_two_users_at_risk_then_both_are_warned() -> None:
    store, wallets = Streaks(), MarkedWallets()
    for user in ("a", "b"):
        _active(store, wallets, _days(1), user=user)
    report = _job(store, datetime(2026, 11, 2, 20, 0, tzinfo=UTC))
    assert (report.visited, report.warned) == (2, 2)


def test_given_a_broken_run_left_in_the_evening_index_then_no_warning_goes_out() -> None:
    store = Streaks()
    store.streaks["u1"] = Streak("u1", current=0, best=4, lastDay="2026-10-01", version=3)
    store.index["u1"] = (6, 20)

    assert _job(store, datetime(2026, 11, 3, 20, 0, tzinfo=UTC)).warned == 0
