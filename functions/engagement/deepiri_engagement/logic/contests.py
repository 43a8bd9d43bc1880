"""What finished challenges and duels pay: XP (and its coins) credited once per challenge, and per duel and
participant, through the wallet's grants; each counts towards its badge (challenger, duelist)."""

from __future__ import annotations

from deepiri_common.clock import parse_iso
from deepiri_engagement.dal.wallets import WalletRepository
from deepiri_engagement.logic import boosts, currencies, progress, rules
from deepiri_engagement.models.events import ChallengeCompletedData
from deepiri_engagement.models.wallet import Outcome, Wallet


def challenge_completed(repository: WalletRepository, at: str, challenge: ChallengeCompletedData) -> Outcome | None:
    """Credit a completed challenge's XP (boosted at ``at``) and coins, once per challenge (None: credited
    before); it counts towards the challenger badge."""
    def decide(wallet: Wallet) -> Outcome:
        xp = rules.challenge_xp(challenge.pointsReward, challenge.bonusMultiplier,
                                boosts.multiplier_at(wallet.boosts, parse_iso(at)))
        return currencies.granted(wallet, f"Challenge#{challenge.challengeId}",
                                  {"xp": xp, "coins": rules.coins_for(xp)}, "ChallengeCompleted", at=at,
                                  counts=["challengesCompleted"])
    return progress.apply(repository, challenge.userId, at, decide)


def duel_finished(repository: WalletRepository, at: str, duel_id: str, user_id: str,
                  winner_id: str | None) -> Outcome | None:
    """Pay one participant of a finished duel (the winner, or each side of a draw), once per duel and user."""
    xp = rules.duel_xp(user_id, winner_id)
    counts = ["duelsWon"] if winner_id == user_id else []
    if not xp:
        return None
    return currencies.grant(repository, user_id, f"Duel#{duel_id}", at, {"xp": xp, "coins": rules.coins_for(xp)},
                            reason="DuelFinished", counts=counts)

