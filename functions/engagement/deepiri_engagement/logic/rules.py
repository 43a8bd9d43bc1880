"""Every number that turns finished work into progress, in one place.

XP of a completed task: a base by difficulty (``BASE_XP``); * ``ON_TIME_MULTIPLIER`` when it was finished
by its due date; + an efficiency bonus (the first threshold the efficiency is over; efficiency is
estimate / actual * 100, capped at 100); + ``URGENT_BONUS`` for urgent priority; * the active boosts'
multiplier at the event's time (``logic/boosts.py``); rounded half up once, at the end. Coins: one per
``XP_PER_COIN`` XP of each award. Levels: level L needs floor(``LEVEL_BASE_XP`` * ``LEVEL_GROWTH`` ** (L - 1))
XP on top of what the levels below it needed before level L + 1 begins; reaching a level pays
``LEVEL_REWARD_COINS`` * L coins (and ``LEVEL_MILESTONE_GEMS`` gems every ``GEM_LEVELS`` levels), and falling
below it again (a reopened task) takes that reward back, so no sequence of events earns a reward twice.

This XP is the user's overall progress. The users service's skill XP (per skill, in its own table) is a
separate tree fed by the same TaskCompleted events, and stays so.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

from deepiri_engagement.models.events import TaskCompletedData
from deepiri_engagement.models.wallet import BoostKind, Claimable

BASE_XP: dict[str, int] = {"trivial": 5, "easy": 10, "medium": 20, "hard": 40, "epic": 80}
ON_TIME_MULTIPLIER = Decimal("1.25")
EFFICIENCY_BONUSES: tuple[tuple[float, int], ...] = ((90.0, 5), (70.0, 3))  # (over this, bonus), highest first
URGENT_BONUS = 5
XP_PER_COIN = 10

LEVEL_BASE_XP = 100
LEVEL_GROWTH = Decimal("1.5")
MAX_LEVEL = 200  # far beyond any XP a person earns; bounds the level arithmetic
LEVEL_REWARD_COINS = 10
GEM_LEVELS = 10
LEVEL_MILESTONE_GEMS = 5


# Other XP awards. A challenge: pointsReward * bonusMultiplier / CHALLENGE_POINTS_PER_XP (a 250-point challenge
# at 1.5 is 38 XP, about two hard tasks), * the boosts at its time, rounded half up once. A duel: the winner
# DUEL_WIN_XP, a draw DUEL_DRAW_XP to each, the loser nothing (fixed prizes: boosts do not multiply them, nor
# the streak milestones below). Every XP award carries coins (coins_for).
CHALLENGE_POINTS_PER_XP = 10
DUEL_WIN_XP = 25
DUEL_DRAW_XP = 10

# Claimable rewards of level milestones: each LEVEL_CLAIMABLE_EVERY-th level of the user's lifetime XP (the
# badges' ``level`` counter, which a reopened task never lowers) grants a coin bonus to claim, once.
LEVEL_CLAIMABLE_EVERY = 5


# Boosts (logic/boosts.py), bought with boost credits: kind -> (minutes, cost in boost credits, XP multiplier).
# Active boosts add their extra parts (focus + velocity = 1.8); at most MAX_ACTIVE_BOOSTS at once; a bought
# boost is kept BOOST_KEEP_DAYS after it ends, so an award delivered late still finds it.
BOOSTS: dict[BoostKind, tuple[int, int, Decimal]] = {
    "focus": (60, 5, Decimal("1.5")),
    "velocity": (30, 3, Decimal("1.3")),
    "clarity": (45, 4, Decimal("1.25")),
    "debug": (20, 2, Decimal("1.2")),
    "cleanup": (30, 3, Decimal("1.15")),
}
MAX_ACTIVE_BOOSTS = 3
BOOST_KEEP_DAYS = 7

# Badges (logic/badges.py): what earning a tier pays (coins by tier; gems only for the top tier), which tiers
# also grant a claimable reward and how much each claimable is worth; the local hours of early bird (a
# completion before 08:00) and night owl (from 22:00).
TIER_COINS: dict[str, int] = {"bronze": 10, "silver": 25, "gold": 50, "platinum": 100}
TOP_TIER_GEMS = 5
CLAIMABLE_BY_TIER: dict[str, Claimable] = {"gold": "boostCredits", "platinum": "streakFreeze"}
CLAIMABLE_AMOUNTS: dict[Claimable, int] = {"boostCredits": 5, "coinBonus": 50, "streakFreeze": 1}
EARLY_BIRD_BEFORE_HOUR = 8
NIGHT_OWL_FROM_HOUR = 22


def task_xp(task: TaskCompletedData, boost: Decimal = Decimal(1)) -> int:
    """The XP a completed task is worth (rules above)."""
    xp = Decimal(BASE_XP[task.difficulty])
    if task.onTime:
        xp *= ON_TIME_MULTIPLIER
    if task.efficiency is not None:
        xp += next((bonus for threshold, bonus in EFFICIENCY_BONUSES if task.efficiency > threshold), 0)
    if task.priority == "urgent":
        xp += URGENT_BONUS
    # quantize keeps only its argument's exponent (0 for any whole number): Decimal(2) there is equivalent.
    return int((xp * boost).quantize(Decimal(1), rounding=ROUND_HALF_UP))


def challenge_xp(points: int, bonus: float, boost: Decimal = Decimal(1)) -> int:
    """The XP a completed challenge is worth (rules above)."""
    xp = Decimal(points) * Decimal(str(bonus)) / CHALLENGE_POINTS_PER_XP * boost
    # quantize keeps only its argument's exponent (0 for any whole number): Decimal(2) there is equivalent.
    return int(xp.quantize(Decimal(1), rounding=ROUND_HALF_UP))


def duel_xp(user_id: str, winner_id: str | None) -> int:
    """The XP a finished duel pays ``user_id``: a win, a draw (no winner) or nothing for a loss."""
    if winner_id is None:
        return DUEL_DRAW_XP
    return DUEL_WIN_XP if winner_id == user_id else 0


def coins_for(xp: int) -> int:
    """The coins an award of ``xp`` carries."""
    return xp // XP_PER_COIN


def level_step(level: int) -> int:
    """The XP level ``level`` needs on top of the previous ones before level ``level + 1``."""
    return int(LEVEL_BASE_XP * LEVEL_GROWTH ** (level - 1))


def level_start(level: int) -> int:
    """The total XP at which ``level`` begins (level 1 at 0)."""
    return sum(level_step(below) for below in range(1, level))


def level_of(xp: int) -> int:
    """The level a total of ``xp`` reaches (at least 1, at most ``MAX_LEVEL``)."""
    level, start = 1, 0
    while level < MAX_LEVEL and xp >= start + level_step(level):
        start += level_step(level)
        level += 1
    return level


def level_reward(level: int) -> dict[str, int]:
    """What reaching ``level`` for the first time pays, by currency."""
    reward = {"coins": LEVEL_REWARD_COINS * level}
    if level % GEM_LEVELS == 0:
        reward["gems"] = LEVEL_MILESTONE_GEMS
    return reward


# Streaks (logic/streaks.py): XP a daily streak pays when it reaches each length, once per run; what a freeze
# costs and how many a user may hold; the shortest streak that may be cashed in (for boost credits equal to
# its length); how long after a day begins the streak job judges the day before (the grace window in which
# a client may still date a completion into it: the tasks service's GRACE_HOURS); the local hour of the
# evening reminder.
STREAK_MILESTONE_XP: dict[int, int] = {7: 20, 30: 100, 100: 400, 365: 1500}
FREEZE_PRICE_COINS = 50
MAX_FREEZES = 2
CASH_IN_MIN_DAYS = 7
ROLLOVER_GRACE_HOURS = 6
AT_RISK_HOUR = 20
