"""What a user holds beyond balances: badge tiers (the catalogue with progress), claimable rewards and boosts.

- The badge list reads the wallet's counters and held tiers against the catalogue (``logic/badges.py``).
- A claimable reward (a gold badge's boost credits, a platinum badge's streak freeze, a level milestone's
  coin bonus) is claimed once: the claim credits the wallet (or adds a freeze to the streak) in one
  transaction that sets the reward's ``claimedAt`` only if unset and writes the grant's marker
  (``Reward#<id>``); a second claim is a 409.
- A boost is bought with boost credits (a spend keyed by the request's ``Idempotency-Key``, else a new id),
  in the wallet's transaction, so parallel purchases are decided one after the other: a fourth active boost
  or one of a kind already active is a 409, as is too few credits.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime

from deepiri_common.clock import to_iso
from deepiri_common.ids import new_ulid
from deepiri_common.problems import Conflict, NotFound
from deepiri_engagement.dal.streaks import StreakRepository
from deepiri_engagement.dal.wallets import AlreadyApplied, VersionConflict, WalletRepository
from deepiri_engagement.logic import badges, boosts, currencies, progress, rules, streaks
from deepiri_engagement.logic.awards import Changes
from deepiri_engagement.models.rewards import (
    BadgeList,
    BadgeTierView,
    BadgeView,
    BoostPurchase,
    RewardList,
    RewardView,
)
from deepiri_engagement.models.wallet import BoostKind, Outcome, Reward, Wallet

WRITE_ATTEMPTS = 5
CLAIMED_CURRENCY = {"boostCredits": "boostCredits", "coinBonus": "coins"}
BUSY = "the wallet is changing too fast; try again"


def badge_list(wallets: WalletRepository, user_id: str) -> BadgeList:
    """The catalogue with the caller's earned dates, counter values and progress to each badge's next tier."""
    wallet = wallets.wallet(user_id)
    items = []
    for badge in badges.CATALOGUE:
        tier = badges.next_tier(badge, wallet.badges)
        items.append(BadgeView(
            badgeId=badge.badgeId, name=badge.name, description=badge.description, counter=badge.counter,
            value=wallet.counters.get(badge.counter, 0),
            tiers=[BadgeTierView(name=t.name, threshold=t.threshold, coins=t.coins, gems=t.gems,
                                 claimable=t.claimable, earnedAt=wallet.badges.get(badges.tier_key(badge, t)))
                   for t in badge.tiers],
            nextTier=tier.name if tier else None, progress=badges.progress(badge, wallet.counters, wallet.badges)))
    return BadgeList(items=items, earned=len(wallet.badges))


def _view(reward: Reward) -> RewardView:
    return RewardView(rewardId=reward.rewardId, kind=reward.kind, amount=reward.amount, source=reward.source,
                      grantedAt=reward.grantedAt, claimedAt=reward.claimedAt)


def reward_list(wallets: WalletRepository, user_id: str) -> RewardList:
    """The caller's claimable rewards: unclaimed first, then claimed, each by when it was granted."""
    held = sorted(wallets.rewards(user_id), key=lambda r: (r.claimedAt is not None, r.grantedAt, r.rewardId))
    return RewardList(items=[_view(reward) for reward in held])


def _reward(wallets: WalletRepository, user_id: str, reward_id: str) -> Reward:
    found = next((r for r in wallets.rewards(user_id) if r.rewardId == reward_id), None)
    if found is None:
        raise NotFound("no such reward")
    if found.claimedAt is not None:
        raise Conflict("the reward was claimed already", claimedAt=found.claimedAt)
    return found


def claim(wallets: WalletRepository, streak_repository: StreakRepository, user_id: str, reward_id: str,
          now: datetime) -> RewardView:
    """Claim a reward once (404: not the caller's; 409: claimed already, or a freeze while holding the most)."""
    at = to_iso(now)
    for _ in range(WRITE_ATTEMPTS):
        reward = _reward(wallets, user_id, reward_id)
        wallet, source = wallets.wallet(user_id), f"Reward#{reward_id}"
        also = [wallets.claim_write(user_id, reward_id, at)]
        # A claim credits no XP, so it earns no badge or level reward: the time (and, for a freeze, which
        # moves no balance, the source) given to the changes never reaches the outcome.
        if reward.kind == "streakFreeze":
            # The source and time given to Changes are never read for a freeze (mutants equivalent).
            outcome = Changes(wallet, source, at=at).outcome(marker=source)
            also += _freeze_writes(streak_repository, user_id, reward.amount, now, outcome)
        else:
            # No XP in a claim: the time given to the grant is never read (mutants equivalent).
            outcome = currencies.granted(wallet, source, {CLAIMED_CURRENCY[reward.kind]: reward.amount},
                                         "RewardClaimed", at=at)
        try:
            wallets.save(wallet, outcome, at, also=also)
        except VersionConflict:
            continue  # read again: the reward may have been claimed meanwhile
        except AlreadyApplied:
            raise Conflict("the reward was claimed already") from None
        return _view(replace(reward, claimedAt=at))
    raise Conflict(BUSY)


def _freeze_writes(streak_repository: StreakRepository, user_id: str, amount: int, now: datetime,
                   outcome: Outcome) -> list[dict[str, object]]:
    streak = streak_repository.streak(user_id)
    if streak.freezes + amount > rules.MAX_FREEZES:
        raise Conflict(f"at most {rules.MAX_FREEZES} freezes may be held; use one first", freezes=streak.freezes)
    after = replace(streak, freezes=streak.freezes + amount, version=streak.version + 1)
    outcome.events.append(streaks.updated(after, "FreezeClaimed"))
    return streak_repository.writes(streak, after, streaks.due_hours(after, streak_repository.day_settings(user_id),
                                                                     now))


def bought(wallet: Wallet, kind: BoostKind, source: str, now: datetime) -> Outcome:
    """The outcome of buying a boost of ``kind`` at ``now`` (409 when refused or too few credits)."""
    try:
        boost = boosts.start(kind, now, wallet.boosts)
    except boosts.BoostRefused as refused:
        raise Conflict(str(refused), kind=kind) from None
    outcome = currencies.spent(wallet, source, {"boostCredits": boosts.CATALOGUE[kind].cost}, "BoostBought")
    outcome.wallet = replace(outcome.wallet, boosts=boosts.kept((*wallet.boosts, boost), now))
    return outcome


def buy_boost(wallets: WalletRepository, user_id: str, kind: BoostKind, key: str | None,
              now: datetime) -> BoostPurchase:
    """Buy a boost now; a retried request with the same idempotency ``key`` buys once."""
    source = f"Boost#{key or new_ulid()}"
    for _ in range(WRITE_ATTEMPTS):
        wallet = wallets.wallet(user_id)
        if wallets.applied(user_id, source):
            return _purchase(wallet, kind, now)
        outcome = bought(wallet, kind, source, now)
        try:
            wallets.save(wallet, outcome, to_iso(now))
        except (VersionConflict, AlreadyApplied):
            continue
        return _purchase(outcome.wallet, kind, now)
    raise Conflict(BUSY)


def _purchase(wallet: Wallet, kind: BoostKind, now: datetime) -> BoostPurchase:
    latest = max((b for b in wallet.boosts if b.kind == kind), key=lambda b: b.startsAt)
    return BoostPurchase(boost=progress.boost_view(latest), boostCredits=wallet.balances["boostCredits"],
                         active=progress.active_boosts(wallet, now))
