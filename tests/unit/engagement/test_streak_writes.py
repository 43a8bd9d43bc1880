"""What the streak writes leave behind (logic/streaks.py): the ledger entries, their time and reason, the
StreakUpdated events and their reason, the versions the next write is conditioned on, and the job's index."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest

from deepiri_common.clock import to_iso
from deepiri_common.problems import Conflict
from deepiri_engagement.dal.streaks import StreakConflict
from deepiri_engagement.dal.wallets import AlreadyApplied
from deepiri_engagement.logic import streaks
from deepiri_engagement.models.streaks import DaySettingsData, Streak
from deepiri_engagement.models.wallet import Outcome
from tests.unit.engagement.fakes import MarkedWallets, Streaks

DAY1 = datetime(2026, 11, 1, 12, 0, tzinfo=UTC)  # a Sunday


def _active(store: Streaks, wallets: MarkedWallets, count: int, user: str = "u1") -> None:
    for n in range(count):
        streaks.activity(store, wallets, f"e{n}", user, DAY1 + timedelta(days=n))


def _reasons(outcome: Outcome) -> list[tuple[str, str]]:
    """The StreakUpdated events of an outcome, and their reasons."""
    return [(e.detail_type, e.detail.data["reason"]) for e in outcome.events if e.detail_type == "StreakUpdated"]


def _ledger(outcome: Outcome) -> list[tuple[str, int, str, str]]:
    return [(e.currency, e.amount, e.reason, e.sourceId) for e, _ in outcome.entries]


def test_given_a_freeze_bought_then_the_ledger_shows_the_spend_at_its_time_and_the_event_says_why() -> None:
    store, wallets = Streaks(), MarkedWallets()
    _active(store, wallets, 2)
    wallets.give("u1", coins=60)
    bought_at = DAY1 + timedelta(days=1, hours=2)

    bought = streaks.buy_freeze(store, wallets, "u1", "k1", bought_at)

    outcome, at, _ = wallets.saved[-1]
    assert (bought.freezes, bought.coins, at) == (1, 10, to_iso(bought_at))
    assert _ledger(outcome) == [("coins", -50, "StreakFreeze", "StreakFreeze#k1")]
    assert _reasons(outcome) == [("StreakUpdated", "FreezeBought")]
    assert outcome.events[-1].detail.data["freezes"] == 1 and outcome.events[-1].detail.data["days"] == 2
    assert (store.streak("u1").version, store.streak("u1").freezes, store.streak("u1").current) == (3, 1, 2)
    assert store.index["u1"] == (6, 20)  # the run stays due at its rollover and evening hours
    assert ("u1", "StreakFreeze#k1") in wallets.markers


def test_given_no_run_then_a_freeze_leaves_the_user_out_of_the_jobs_index_and_the_next_write_follows_it() -> None:
    store, wallets = Streaks(), MarkedWallets()
    wallets.give("u1", coins=100)

    streaks.buy_freeze(store, wallets, "u1", None, DAY1)
    streaks.buy_freeze(store, wallets, "u1", None, DAY1)  # conditioned on the version the first one wrote
    after = streaks.activity(store, wallets, "e1", "u1", DAY1)

    assert store.streak("u1").version == 3 and after is not None and after.freezes == 2
    assert wallets.wallet("u1").balances["coins"] == 0
    assert [m for _, m in wallets.markers if m.startswith("StreakFreeze#")] != []


def test_given_a_retried_freeze_request_then_it_answers_what_is_held_now_without_spending_again() -> None:
    store, wallets = Streaks(), MarkedWallets()
    wallets.give("u1", coins=100)
    streaks.buy_freeze(store, wallets, "u1", "k1", DAY1)
    wallets.give("u1", coins=77)

    retried = streaks.buy_freeze(store, wallets, "u1", "k1", DAY1)

    assert (retried.freezes, retried.coins, len(wallets.saved)) == (1, 77, 1)


def test_given_the_most_freezes_held_then_the_409_names_how_many() -> None:
    store, wallets = Streaks(), MarkedWallets()
    store.streaks["u1"] = Streak("u1", freezes=2, version=4)
    wallets.give("u1", coins=500)

    with pytest.raises(Conflict) as raised:
        streaks.buy_freeze(store, wallets, "u1", "k1", DAY1)

    assert "at most 2 freezes may be held" in str(raised.value)
    assert raised.value.extensions == {"freezes": 2}
    assert wallets.wallet("u1").balances["coins"] == 500


def test_given_one_rival_spend_then_the_freeze_is_bought_on_the_next_attempt_with_the_coins_left() -> None:
    store, wallets = Streaks(), MarkedWallets(rivals=1, rival_coins=20)
    wallets.give("u1", coins=100)

    bought = streaks.buy_freeze(store, wallets, "u1", "k1", DAY1)

    assert (bought.freezes, bought.coins) == (1, 30)
    assert store.streak("u1").version == 1


def test_given_a_freeze_applied_by_a_parallel_request_then_the_retry_answers_from_it(
        monkeypatch: pytest.MonkeyPatch) -> None:
    store, wallets = Streaks(), MarkedWallets()
    wallets.give("u1", coins=100)
    real_save, calls = wallets.save, []

    def parallel_first(previous, outcome, at, also=()):  # type: ignore[no-untyped-def]
        calls.append(at)
        if len(calls) == 1:
            real_save(previous, outcome, at, also)  # the parallel request lands first...
            raise AlreadyApplied(outcome.marker)  # ...and this one finds its marker
        return real_save(previous, outcome, at, also)

    monkeypatch.setattr(wallets, "save", parallel_first)
    bought = streaks.buy_freeze(store, wallets, "u1", "k1", DAY1)

    assert (bought.freezes, bought.coins, len(calls)) == (1, 50, 1)


def test_given_a_run_cashed_in_then_the_ledger_credits_its_length_at_its_time_and_the_event_says_why() -> None:
    store, wallets = Streaks(), MarkedWallets()
    _active(store, wallets, 8)
    run = store.streak("u1")
    cashed_at = DAY1 + timedelta(days=7, hours=3)

    cashed = streaks.cash_in(store, wallets, "u1", cashed_at)

    outcome, at, _ = wallets.saved[-1]
    assert (cashed.length, cashed.boostCredits, at) == (8, 8, to_iso(cashed_at))
    assert _ledger(outcome) == [("boostCredits", 8, "StreakCashIn", f"StreakCashIn#{run.runId}")]
    assert _reasons(outcome) == [("StreakUpdated", "CashIn")]
    assert outcome.events[-1].detail.data["days"] == 0 and outcome.events[-1].detail.data["longest"] == 8
    after = store.streak("u1")
    assert (after.current, after.runId, after.runStart, after.version, after.best) == (0, None, None,
                                                                                    run.version + 1, 8)
    assert store.index["u1"] is None
    # the next activity is conditioned on the version the cash-in wrote, and starts a new run
    again = streaks.activity(store, wallets, "e9", "u1", DAY1 + timedelta(days=8))
    assert again is not None and (again.current, again.runId) == (1, "e9")


def test_given_a_run_too_short_then_the_409_names_its_length() -> None:
    store, wallets = Streaks(), MarkedWallets()
    _active(store, wallets, 6)

    with pytest.raises(Conflict) as raised:
        streaks.cash_in(store, wallets, "u1", DAY1 + timedelta(days=5))

    assert "a streak of at least 7 days can be cashed in" in str(raised.value)
    assert raised.value.extensions == {"days": 6}


def test_given_a_lost_run_then_it_cannot_be_cashed_in() -> None:
    store, wallets = Streaks(), MarkedWallets()
    _active(store, wallets, 7)

    with pytest.raises(Conflict):
        streaks.cash_in(store, wallets, "u1", DAY1 + timedelta(days=8))  # 7 Nov missed: the run is gone


def test_given_one_rival_write_then_the_cash_in_goes_through_on_the_next_attempt() -> None:
    store, wallets = Streaks(), MarkedWallets()
    _active(store, wallets, 7)
    wallets.rivals, wallets.rival_coins = 1, 0

    cashed = streaks.cash_in(store, wallets, "u1", DAY1 + timedelta(days=6))

    assert (cashed.length, cashed.boostCredits, store.streak("u1").current) == (7, 7, 0)


def test_given_a_cash_in_applied_by_a_parallel_request_then_the_retry_refuses_it(
        monkeypatch: pytest.MonkeyPatch) -> None:
    store, wallets = Streaks(), MarkedWallets()
    _active(store, wallets, 7)
    real_save = wallets.save

    def parallel_first(previous, outcome, at, also=()):  # type: ignore[no-untyped-def]
        real_save(previous, outcome, at, also)
        raise AlreadyApplied(outcome.marker)

    monkeypatch.setattr(wallets, "save", parallel_first)
    with pytest.raises(Conflict, match="at least 7"):  # read again: the run is over
        streaks.cash_in(store, wallets, "u1", DAY1 + timedelta(days=6))
    assert wallets.wallet("u1").balances["boostCredits"] == 7


def test_given_a_milestone_then_its_xp_coins_and_badge_are_dated_by_the_activity_and_the_event_says_why() -> None:
    store, wallets = Streaks(), MarkedWallets()
    _active(store, wallets, 6)
    seventh = DAY1 + timedelta(days=6, hours=5)

    streaks.activity(store, wallets, "e6", "u1", seventh)

    outcome, at, _ = wallets.saved[-1]
    source = streaks.milestone_source("e0", 7)
    assert at == to_iso(seventh) and outcome.marker == source
    assert _ledger(outcome)[:2] == [("xp", 20, "StreakMilestone", source), ("coins", 2, "StreakMilestone", source)]
    assert _reasons(outcome) == [("StreakUpdated", "Activity")]
    assert wallets.wallet("u1").badges["on-fire#bronze"] == to_iso(seventh)
    assert store.streak("u1").version == 7 and store.index["u1"] == (6, 20)


def test_given_a_run_reaching_thirty_then_that_milestone_pays_its_own_xp() -> None:
    store, wallets = Streaks(), MarkedWallets()
    store.streaks["u1"] = Streak("u1", current=29, best=29, runId="r1", runStart="2026-10-03",
                                 lastDay="2026-10-31", weekly=5, bestWeekly=5, lastWeek="2026-W44", version=9)

    streaks.activity(store, wallets, "e1", "u1", DAY1)

    outcome, _, _ = wallets.saved[-1]
    assert outcome.marker == streaks.milestone_source("r1", 30)
    assert wallets.wallet("u1").balances["xp"] == 100 and store.streak("u1").version == 10


def test_given_a_new_weekly_record_then_its_badge_is_dated_by_the_activity() -> None:
    store, wallets = Streaks(), MarkedWallets()
    store.streaks["u1"] = Streak("u1", current=1, best=30, runId="r1", runStart="2026-10-31",
                                 lastDay="2026-10-31", weekly=3, bestWeekly=3, lastWeek="2026-W44", version=2)
    wallets.wallets["u1"] = replace(wallets.wallet("u1"), counters={"bestStreak": 30, "bestWeeklyStreak": 3})
    monday = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)  # week 45: a fourth week in a row

    after = streaks.activity(store, wallets, "e1", "u1", monday)

    outcome, at, _ = wallets.saved[-1]
    assert after is not None and (after.weekly, after.current) == (4, 1)  # 1 Nov missed: a new daily run
    assert at == to_iso(monday) and _reasons(outcome) == [("StreakUpdated", "Activity")]
    assert wallets.wallet("u1").badges["week-warrior#bronze"] == to_iso(monday)
    assert {(reason, source) for _, _, reason, source in _ledger(outcome)} == {("BadgeEarned", "StreakRecord#e1#1")}
    assert wallets.wallet("u1").counters["bestWeeklyStreak"] == 4
    assert store.streak("u1").version == 3


def test_given_no_new_record_then_the_streak_is_saved_alone_with_its_event() -> None:
    store, wallets = Streaks(), MarkedWallets()
    _active(store, wallets, 1)
    wallets.wallets["u1"] = replace(wallets.wallet("u1"), counters={"bestStreak": 2, "bestWeeklyStreak": 1})
    saved = len(wallets.saved)

    after = streaks.activity(store, wallets, "e1", "u1", DAY1 + timedelta(days=1))  # 2 of 2, 2 weeks > 1

    assert after is not None and len(wallets.saved) == saved + 1  # the weekly record goes through the wallet
    wallets.wallets["u1"] = replace(wallets.wallet("u1"), counters={"bestStreak": 3, "bestWeeklyStreak": 2})
    after = streaks.activity(store, wallets, "e2", "u1", DAY1 + timedelta(days=2))  # 3 ≤ 3, 2 ≤ 2

    assert after is not None and len(wallets.saved) == saved + 1
    [event] = store.published
    assert (event.detail.data["reason"], event.detail.data["days"]) == ("Activity", 3)
    assert store.streak("u1").version == 3 and store.index["u1"] == (6, 20)


def test_given_a_milestone_paid_already_then_the_streak_alone_carries_the_event() -> None:
    store, wallets = Streaks(), MarkedWallets()
    _active(store, wallets, 6)
    wallets.markers.add(("u1", streaks.milestone_source("e0", 7)))

    streaks.activity(store, wallets, "e6", "u1", DAY1 + timedelta(days=6))

    [event] = store.published
    assert (event.detail.data["reason"], event.detail.data["days"]) == ("Activity", 7)
    assert store.streak("u1").version == 7 and store.index["u1"] == (6, 20)  # still due at its hours


def test_given_settings_that_move_the_users_day_then_the_run_is_indexed_at_the_new_hours() -> None:
    store, wallets = Streaks(), MarkedWallets()
    _active(store, wallets, 2)  # 1-2 November, UTC days

    kept = streaks.settings_changed(store, "s1", "2026-11-02T13:00:00.000Z",
                                    DaySettingsData(userId="u1", timezone="Asia/Tokyo", dayStartHour=0))

    streak = store.streak("u1")
    # 2 Nov ended at 3 Nov 00:00 UTC, which is 3 Nov 09:00 in Tokyo: the run now covers Tokyo's 3 Nov
    assert kept is True and (streak.lastDay, streak.current, streak.version) == ("2026-11-03", 2, 3)
    assert store.index["u1"] == (21, 11)  # judged at 06:00 JST, warned at 20:00 JST, in UTC hours
    assert store.day_settings("u1").at == "2026-11-02T13:00:00.000Z"


def test_given_settings_with_a_day_start_hour_then_the_run_ends_where_the_old_day_ended() -> None:
    store, wallets = Streaks(), MarkedWallets()
    streaks.settings_changed(store, "s1", "2026-10-01T00:00:00.000Z",
                             DaySettingsData(userId="u1", timezone="UTC", dayStartHour=4))
    _active(store, wallets, 1)  # 1 Nov 12:00 UTC: the day of 1 Nov, which ends at 2 Nov 04:00

    streaks.settings_changed(store, "s2", "2026-11-01T13:00:00.000Z",
                             DaySettingsData(userId="u1", timezone="UTC", dayStartHour=5))

    assert store.streak("u1").lastDay == "2026-11-01"  # 2 Nov 03:59 is still 1 Nov when days start at 05:00
    assert store.index["u1"] == (11, 20)


def test_given_no_run_then_settings_leave_the_streak_alone() -> None:
    store = Streaks()
    assert streaks.settings_changed(store, "s1", "2026-11-01T00:00:00.000Z",
                                    DaySettingsData(userId="u1", timezone="Asia/Tokyo", dayStartHour=3)) is True
    assert "u1" not in store.streaks and "u1" not in store.index


def test_given_a_streak_that_keeps_moving_then_settings_give_up_after_their_attempts() -> None:
    store, wallets = Streaks(), MarkedWallets()
    _active(store, wallets, 1)
    real_writes = store.writes

    def writes_after_a_rival(previous: Streak, streak: Streak, due, markers=()):  # type: ignore[no-untyped-def]
        store.streaks["u1"] = replace(store.streak("u1"), version=store.streak("u1").version + 1)
        return real_writes(previous, streak, due, markers)

    store.writes = writes_after_a_rival  # type: ignore[method-assign]
    with pytest.raises(StreakConflict) as raised:
        streaks.settings_changed(store, "s1", "2026-11-02T00:00:00.000Z",
                                 DaySettingsData(userId="u1", timezone="Europe/Paris", dayStartHour=4))
    assert raised.value.args == ("u1",)
    assert store.day_settings("u1").timezone == "UTC"


def test_given_activity_then_its_event_reports_the_streaks_as_they_stand() -> None:
    store, wallets = Streaks(), MarkedWallets()
    store.streaks["u1"] = Streak("u1", current=2, best=5, runId="r1", runStart="2026-10-30", lastDay="2026-10-31",
                                 weekly=1, bestWeekly=3, lastWeek="2026-W44", freezes=1, version=4)
    wallets.wallets["u1"] = replace(wallets.wallet("u1"), counters={"bestStreak": 9, "bestWeeklyStreak": 9})

    streaks.activity(store, wallets, "e1", "u1", DAY1)

    [event] = store.published
    assert event.detail.data == {"userId": "u1", "days": 3, "longest": 5, "weeks": 1, "longestWeeks": 3,
                                 "freezes": 1, "lastDay": "2026-11-01", "reason": "Activity"}
    assert event.detail.actor == "system"


def test_given_activity_before_the_clocks_go_back_then_the_run_is_indexed_at_the_next_days_hours() -> None:
    store, wallets = Streaks(), MarkedWallets()
    streaks.settings_changed(store, "s1", "2026-10-01T00:00:00.000Z",
                             DaySettingsData(userId="u1", timezone="America/New_York", dayStartHour=0))

    streaks.activity(store, wallets, "e1", "u1", datetime(2026, 10, 31, 16, 0, tzinfo=UTC))  # Saturday, EDT

    # 31 Oct is judged on 1 Nov 06:00 EDT (10:00 UTC); 1 Nov's evening is 20:00 EST (01:00 UTC); 2 Nov would be 11
    assert store.index["u1"] == (10, 1)


def test_given_freezes_then_the_view_keeps_a_run_over_as_many_missed_days_and_shows_the_users_day() -> None:
    store, wallets = Streaks(), MarkedWallets()
    streaks.settings_changed(store, "s1", "2026-10-01T00:00:00.000Z",
                             DaySettingsData(userId="u1", timezone="Europe/Paris", dayStartHour=3))
    _active(store, wallets, 2)  # 1-2 November, Paris days
    store.streaks["u1"] = replace(store.streak("u1"), freezes=1)

    kept = streaks.view(store, "u1", DAY1 + timedelta(days=3))  # 3 Nov missed, covered by the freeze
    lost = streaks.view(store, "u1", DAY1 + timedelta(days=4))  # 3 and 4 Nov missed, one freeze

    assert (kept.days, kept.freezes, kept.lastDay, kept.timezone, kept.dayStartHour) == (
        2, 1, "2026-11-02", "Europe/Paris", 3)
    assert (lost.days, lost.longest, lost.weeks, lost.longestWeeks) == (0, 2, 2, 2)


def test_given_a_weekly_streak_whose_last_week_is_two_weeks_back_then_the_view_shows_none() -> None:
    store, wallets = Streaks(), MarkedWallets()
    _active(store, wallets, 1)  # Sunday 1 November: week 44

    next_monday = streaks.view(store, "u1", datetime(2026, 11, 2, 8, 0, tzinfo=UTC))  # week 45: last week counts
    monday_after = streaks.view(store, "u1", datetime(2026, 11, 9, 8, 0, tzinfo=UTC))  # week 46: it does not

    assert (next_monday.weeks, monday_after.weeks, monday_after.longestWeeks) == (1, 0, 1)


def test_given_a_run_cashed_in_then_new_settings_leave_the_ended_streak_as_it_is() -> None:
    store, wallets = Streaks(), MarkedWallets()
    _active(store, wallets, 7)
    streaks.cash_in(store, wallets, "u1", DAY1 + timedelta(days=6))
    ended = store.streak("u1")

    streaks.settings_changed(store, "s1", "2026-11-08T00:00:00.000Z",
                             DaySettingsData(userId="u1", timezone="Asia/Tokyo", dayStartHour=0))

    assert store.streak("u1") == ended and store.index["u1"] is None


def test_given_a_streak_that_keeps_moving_then_activity_gives_up_naming_the_user() -> None:
    store, wallets = Streaks(), MarkedWallets()
    store.rivals = [Streak("u1", version=n + 1) for n in range(streaks.WRITE_ATTEMPTS)]
    wallets.wallets["u1"] = replace(wallets.wallet("u1"), counters={"bestStreak": 9, "bestWeeklyStreak": 9})

    with pytest.raises(StreakConflict) as raised:
        streaks.activity(store, wallets, "e1", "u1", DAY1)
    assert raised.value.args == ("u1",)


def test_given_a_wallet_that_keeps_moving_then_the_409_says_to_try_again() -> None:
    store, wallets = Streaks(), MarkedWallets()
    _active(store, wallets, 7)
    wallets.rivals = 2 * streaks.WRITE_ATTEMPTS
    wallets.give("u1", coins=100)

    with pytest.raises(Conflict) as freeze:
        streaks.buy_freeze(store, wallets, "u1", "k1", DAY1 + timedelta(days=6))
    with pytest.raises(Conflict) as cash:
        streaks.cash_in(store, wallets, "u1", DAY1 + timedelta(days=6))
    assert freeze.value.detail == cash.value.detail == "the wallet is changing too fast; try again"


def test_given_a_user_in_tokyo_then_a_freeze_keeps_the_run_due_at_tokyos_hours() -> None:
    store, wallets = Streaks(), MarkedWallets()
    streaks.settings_changed(store, "s1", "2026-10-01T00:00:00.000Z",
                             DaySettingsData(userId="u1", timezone="Asia/Tokyo", dayStartHour=0))
    _active(store, wallets, 1)
    wallets.give("u1", coins=50)

    streaks.buy_freeze(store, wallets, "u1", "k1", DAY1)

    assert store.index["u1"] == (21, 11)


def test_given_a_badge_reachable_but_not_held_then_a_cash_in_earns_it_dated_by_the_cash_in() -> None:
    store, wallets = Streaks(), MarkedWallets()
    _active(store, wallets, 7)
    wallet = wallets.wallet("u1")
    wallets.wallets["u1"] = replace(wallet, badges={}, counters={**wallet.counters, "bestStreak": 7})
    cashed_at = DAY1 + timedelta(days=6, hours=1)

    streaks.cash_in(store, wallets, "u1", cashed_at)

    assert wallets.wallet("u1").badges["on-fire#bronze"] == to_iso(cashed_at)


def test_given_a_gap_without_freezes_then_the_new_run_starts_and_ends_on_the_day_of_the_activity() -> None:
    store, wallets = Streaks(), MarkedWallets()
    _active(store, wallets, 2)

    after = streaks.activity(store, wallets, "e9", "u1", DAY1 + timedelta(days=4))

    assert after is not None and (after.current, after.runId, after.runStart, after.lastDay) == (
        1, "e9", "2026-11-05", "2026-11-05")


def test_given_two_settings_events_at_the_same_time_then_the_later_id_stands() -> None:
    store = Streaks()
    at = "2026-11-01T00:00:00.000Z"
    tokyo = DaySettingsData(userId="u1", timezone="Asia/Tokyo", dayStartHour=0)
    paris = DaySettingsData(userId="u1", timezone="Europe/Paris", dayStartHour=0)

    assert streaks.settings_changed(store, "s1", at, tokyo) is True
    assert streaks.settings_changed(store, "s2", at, paris) is True
    assert streaks.settings_changed(store, "s1", at, tokyo) is False

    assert (store.day_settings("u1").timezone, store.day_settings("u1").eventId) == ("Europe/Paris", "s2")


def test_given_a_run_in_tokyo_then_moving_to_kolkata_ends_it_where_tokyos_day_ended() -> None:
    store, wallets = Streaks(), MarkedWallets()
    streaks.settings_changed(store, "s1", "2026-10-01T00:00:00.000Z",
                             DaySettingsData(userId="u1", timezone="Asia/Tokyo", dayStartHour=0))
    streaks.activity(store, wallets, "e1", "u1", datetime(2026, 11, 1, 20, 0, tzinfo=UTC))  # 2 Nov 05:00 JST

    streaks.settings_changed(store, "s2", "2026-11-02T01:00:00.000Z",
                             DaySettingsData(userId="u1", timezone="Asia/Kolkata", dayStartHour=0))

    # Tokyo's 2 Nov ended at 2 Nov 15:00 UTC, 20:30 in Kolkata: still 2 Nov there (UTC's would be 3 Nov)
    assert store.streak("u1").lastDay == "2026-11-02"


def test_given_the_same_settings_announced_again_then_the_run_keeps_its_last_day() -> None:
    store, wallets = Streaks(), MarkedWallets()
    _active(store, wallets, 1)

    streaks.settings_changed(store, "s1", "2026-11-01T13:00:00.000Z",
                             DaySettingsData(userId="u1", timezone="UTC", dayStartHour=0))

    assert (store.streak("u1").lastDay, store.streak("u1").current) == ("2026-11-01", 1)
