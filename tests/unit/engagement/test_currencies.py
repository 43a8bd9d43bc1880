"""Grants and spends: each source applies once, a spend never takes a balance below zero."""

from __future__ import annotations

import pytest

from deepiri_common.problems import Conflict
from deepiri_engagement.logic import currencies, progress
from deepiri_engagement.models.wallet import Wallet
from tests.unit.engagement.fakes import MarkedWallets

AT = "2026-11-30T10:00:00.000Z"


def test_given_a_grant_then_it_credits_once_per_source() -> None:
    wallets = MarkedWallets()

    first = currencies.grant(wallets, "u1", "src-1", AT, {"boostCredits": 9}, reason="StreakCashIn")
    again = currencies.grant(wallets, "u1", "src-1", AT, {"boostCredits": 9}, reason="StreakCashIn")

    assert first is not None and again is None
    assert wallets.wallet("u1").balances["boostCredits"] == 9
    assert [(entry.currency, entry.amount, entry.reason, entry.sourceId, balance)
            for entry, balance in first.entries] == [("boostCredits", 9, "StreakCashIn", "src-1", 9)]
    assert [event.detail_type for event in first.events] == ["CurrencyCredited"]


def test_given_an_xp_grant_over_a_level_then_the_level_rises_and_pays_its_reward() -> None:
    wallets = MarkedWallets()

    outcome = currencies.grant(wallets, "u1", "m7", AT, {"xp": 120}, reason="StreakMilestone")

    assert outcome is not None and outcome.wallet.level == 2
    assert wallets.wallet("u1").balances["coins"] == 20  # level 2's reward
    assert [event.detail_type for event in outcome.events] == ["XpAwarded", "CurrencyCredited", "LevelUp"]


def test_given_enough_coins_then_a_spend_debits_them_once_per_source() -> None:
    wallets = MarkedWallets()
    wallets.give("u1", coins=50)

    first = currencies.spend(wallets, "u1", "key-1", AT, {"coins": 30}, reason="StreakFreeze")
    again = currencies.spend(wallets, "u1", "key-1", AT, {"coins": 30}, reason="StreakFreeze")

    assert first is not None and again is None
    assert wallets.wallet("u1").balances["coins"] == 20
    assert [(entry.amount, balance) for entry, balance in first.entries] == [(-30, 20)]
    assert [event.detail_type for event in first.events] == ["CurrencyDebited"]


def test_given_too_few_coins_then_the_spend_is_a_409_and_nothing_moves() -> None:
    wallets = MarkedWallets()
    wallets.give("u1", coins=29)

    with pytest.raises(currencies.InsufficientBalance) as refused:
        currencies.spend(wallets, "u1", "key-1", AT, {"coins": 30}, reason="StreakFreeze")

    assert refused.value.status == 409
    assert refused.value.extensions == {"currency": "coins", "needed": 30, "balance": 29}
    assert wallets.wallet("u1").balances["coins"] == 29 and wallets.saved == []


def test_given_a_rival_spend_first_then_the_spend_is_decided_again_and_refused() -> None:
    # Given 50 coins, and a parallel spend of 30 landing between our read and our write
    wallets = MarkedWallets(rivals=1, rival_coins=30)
    wallets.give("u1", coins=50)

    # When we spend 30 too, Then the second decision sees 20 and refuses: never below zero
    with pytest.raises(currencies.InsufficientBalance):
        currencies.spend(wallets, "u1", "key-1", AT, {"coins": 30}, reason="StreakFreeze")
    assert wallets.wallet("u1").balances["coins"] == 20


def test_given_a_wallet_that_never_stops_moving_then_the_spend_is_a_conflict_not_a_crash() -> None:
    wallets = MarkedWallets(rivals=progress.WRITE_ATTEMPTS, rival_coins=0)
    wallets.give("u1", coins=50)

    with pytest.raises(Conflict, match="try again"):
        currencies.spend(wallets, "u1", "key-1", AT, {"coins": 1}, reason="StreakFreeze")


def test_given_a_zero_amount_then_no_entry_is_written() -> None:
    outcome = currencies.spent(Wallet("u1", balances={"xp": 0, "coins": 5, "gems": 0, "boostCredits": 0}),
                               "k", {"coins": 0}, "Nothing")
    assert outcome.entries == [] and outcome.marker == "k"


def test_given_a_retried_spend_that_landed_then_it_answers_as_done_though_the_coins_are_gone() -> None:
    wallets = MarkedWallets()
    wallets.give("u1", coins=30)
    currencies.spend(wallets, "u1", "key-1", AT, {"coins": 30}, reason="StreakFreeze")

    assert currencies.spend(wallets, "u1", "key-1", AT, {"coins": 30}, reason="StreakFreeze") is None
    with pytest.raises(currencies.InsufficientBalance):
        currencies.spend(wallets, "u1", "key-2", AT, {"coins": 30}, reason="StreakFreeze")


def test_given_zero_or_one_of_a_currency_then_only_what_moves_is_entered_and_lifetime_xp_counts_only_xp() -> None:
    from deepiri_engagement.models.wallet import Wallet as FreshWallet  # noqa: PLC0415

    credited = currencies.granted(FreshWallet("u1"), "g1", {"coins": 0, "gems": 1}, "Test", at=AT)
    rich = FreshWallet("u1", balances={"xp": 0, "coins": 5, "gems": 0, "boostCredits": 0})
    debited = currencies.spent(rich, "s1", {"coins": 1, "gems": 0}, "Test")

    assert [(e.currency, e.amount) for e, _ in credited.entries] == [("gems", 1)]
    assert credited.wallet.counters == {"xp": 0, "level": 1}  # no XP: lifetime XP stays 0
    assert [(e.currency, e.amount) for e, _ in debited.entries] == [("coins", -1)]


def test_given_a_spend_then_its_entries_are_dated_by_the_request_and_a_short_one_says_what_is_missing() -> None:
    wallets = MarkedWallets()
    wallets.give("u1", coins=10)

    currencies.spend(wallets, "u1", "s1", AT, {"coins": 4}, reason="StreakFreeze")

    assert [at for _, at, _ in wallets.saved] == [AT]
    with pytest.raises(currencies.InsufficientBalance) as short:
        currencies.spend(wallets, "u1", "s2", AT, {"coins": 7}, reason="StreakFreeze")
    assert short.value.detail == "7 coins needed, 6 held"


def test_given_a_wallet_that_keeps_moving_then_a_spend_says_so() -> None:
    wallets = MarkedWallets(rivals=progress.WRITE_ATTEMPTS, rival_coins=0)
    wallets.give("u1", coins=100)
    with pytest.raises(Conflict, match=r"^the wallet is changing too fast; try again$"):
        currencies.spend(wallets, "u1", "s1", AT, {"coins": 1}, reason="Test")
