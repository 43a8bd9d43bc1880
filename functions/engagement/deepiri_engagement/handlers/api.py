"""Engagement REST routes under /api/gamification: the caller's progress and ledger, streaks, badges, rewards,
boosts and the leaderboards."""

from __future__ import annotations

from typing import Annotated, Any

from aws_lambda_powertools.event_handler.openapi.params import Header, Path, Query

from deepiri_common.api import api_handler, create_resolver
from deepiri_common.clock import utc_now
from deepiri_common.identity import current_caller
from deepiri_common.pagination import Page
from deepiri_common.params import Cursor, Limit
from deepiri_common.routes import Routes
from deepiri_engagement import wiring
from deepiri_engagement.logic import progress, rewards, standings, streaks
from deepiri_engagement.models.boards import BoardName, BoardPage, MyStanding
from deepiri_engagement.models.events import Currency
from deepiri_engagement.models.progress import LedgerEntry, Progress
from deepiri_engagement.models.rewards import BadgeList, BoostOrder, BoostPurchase, RewardList, RewardView
from deepiri_engagement.models.streaks import CashIn, FreezePurchase

app = create_resolver()
routes = Routes(app)


@routes.get("/api/gamification/me")
def get_me() -> Progress:
    """The caller's level, XP, progress to the next level, balances and streaks."""
    user_id = current_caller(app).user_id
    now = utc_now()
    me = progress.describe(wiring.wallet_repository(), user_id, now)
    return me.model_copy(update={"streaks": streaks.view(wiring.streak_repository(), user_id, now)})


IdempotencyKey = Annotated[str | None, Header(alias="idempotency-key", max_length=64, pattern=r"^[A-Za-z0-9._~:-]+$",
                                              description="a retried request with the same key buys once")]


@routes.post("/api/gamification/streaks/freezes")
def buy_freeze(idempotency_key: IdempotencyKey = None) -> FreezePurchase:
    """Buy a streak freeze with coins (409 when too few coins or holding the most already)."""
    return streaks.buy_freeze(wiring.streak_repository(), wiring.wallet_repository(), current_caller(app).user_id,
                              idempotency_key, utc_now())


@routes.post("/api/gamification/streaks/cash-in")
def cash_in() -> CashIn:
    """End a daily streak of at least 7 days for as many boost credits as its length (409 when shorter)."""
    return streaks.cash_in(wiring.streak_repository(), wiring.wallet_repository(), current_caller(app).user_id,
                           utc_now())


@routes.get("/api/gamification/ledger")
def get_ledger(
    currency: Annotated[Currency | None, Query(description="only this currency's entries")] = None,
    limit: Limit = 20,
    cursor: Cursor = None,
) -> Page[LedgerEntry]:
    """The caller's ledger, newest first: every credit and debit with the balance after it."""
    return progress.ledger(wiring.wallet_repository(), current_caller(app).user_id, currency, limit, cursor)


@routes.get("/api/gamification/badges")
def get_badges() -> BadgeList:
    """The badge catalogue with the caller's earned tiers (and when), counters and progress to the next tier."""
    return rewards.badge_list(wiring.wallet_repository(), current_caller(app).user_id)


@routes.get("/api/gamification/rewards")
def get_rewards() -> RewardList:
    """The caller's claimable rewards (from badges and level milestones), unclaimed first."""
    return rewards.reward_list(wiring.wallet_repository(), current_caller(app).user_id)


RewardId = Annotated[str, Path(max_length=80, pattern=r"^[a-z0-9-]+$", description="a reward's id")]


@routes.post("/api/gamification/rewards/<reward_id>/claim")
def claim_reward(reward_id: RewardId) -> RewardView:
    """Claim a reward once: boost credits, a coin bonus or a streak freeze (409 when claimed already)."""
    return rewards.claim(wiring.wallet_repository(), wiring.streak_repository(), current_caller(app).user_id,
                         reward_id, utc_now())


@routes.post("/api/gamification/boosts")
def buy_boost(order: BoostOrder, idempotency_key: IdempotencyKey = None) -> BoostPurchase:
    """Buy a boost with boost credits; it multiplies XP earned while it lasts (409: too few credits, 3 active)."""
    return rewards.buy_boost(wiring.wallet_repository(), current_caller(app).user_id, order.kind, idempotency_key,
                             utc_now())


Board = Annotated[BoardName, Path(description="xp, weekly, weekly-previous, friends, elo or elo-<category>")]


@routes.get("/api/gamification/leaderboards/<board>")
def get_leaderboard(board: Board, limit: Limit = 20, cursor: Cursor = None) -> BoardPage:
    """A leaderboard in order (higher score first, ties: earlier achiever first), with its period."""
    return standings.board_page(wiring.board_repository(), board, current_caller(app).user_id, limit, cursor,
                                now=utc_now())


@routes.get("/api/gamification/leaderboards/<board>/me")
def get_my_standing(board: Board) -> MyStanding:
    """The caller's rank on a leaderboard and their nearest neighbours either side."""
    return standings.my_standing(wiring.board_repository(), board, current_caller(app).user_id, utc_now())


handler: Any = api_handler(app)
