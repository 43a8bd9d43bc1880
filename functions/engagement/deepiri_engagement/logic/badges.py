"""Badges: a seeded catalogue of rules over a user's counters, each tier earned once.

A user's counters (:data:`COUNTERS`) move with their events: a completed task adds to ``tasksCompleted``, to
its category's counter and, by the local hour it was finished at, to ``earlyBird`` or ``nightOwl``; a
reopened task takes the same back, so completing and reopening a task again and again earns nothing.
Run counters (``onTimeRun``) and high-water marks (``bestStreak``, ``level``, ``xp``) are set, not added.

A tier is earned the first time its counter reaches the tier's threshold, and stays earned when the
counter falls again (a badge is never taken back). Earning it pays its reward once: coins by tier, gems
only for the top tier (platinum), and a claimable reward (boost credits, a coin bonus or a streak freeze) for
the tiers that carry one. :func:`newly_earned` depends only on the counters and the tiers already held,
so evaluating it again after a duplicate event earns nothing twice.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Literal

from deepiri_engagement.models.events import TaskCategory

Claimable = Literal["boostCredits", "coinBonus", "streakFreeze"]
TIER_NAMES: tuple[str, ...] = ("bronze", "silver", "gold", "platinum")
TIER_COINS: dict[str, int] = {"bronze": 10, "silver": 25, "gold": 50, "platinum": 100}
TOP_TIER_GEMS = 5  # gems come only from the top tier
CLAIMABLE_BY_TIER: dict[str, Claimable] = {"gold": "boostCredits", "platinum": "streakFreeze"}
CLAIMABLE_AMOUNTS: dict[Claimable, int] = {"boostCredits": 5, "coinBonus": 50, "streakFreeze": 1}

EARLY_BIRD_BEFORE_HOUR = 8  # a completion before 08:00 local time
NIGHT_OWL_FROM_HOUR = 22  # ... or from 22:00 to the day's end, local time

CATEGORY_COUNTERS: dict[TaskCategory, str] = {
    category: f"{category}Tasks"
    for category in ("manual", "code", "study", "creative", "research", "writing", "design", "admin", "meeting")
}
COUNTERS: tuple[str, ...] = (
    "tasksCompleted", "hardTasks", "earlyBird", "nightOwl", "onTimeRun", "challengesCompleted", "duelsWon",
    "bestStreak", "bestWeeklyStreak", "level", "xp", *CATEGORY_COUNTERS.values(),
)


@dataclass(frozen=True)
class Tier:
    name: str
    threshold: int
    coins: int
    gems: int = 0
    claimable: Claimable | None = None


@dataclass(frozen=True)
class Badge:
    badgeId: str
    name: str
    description: str
    counter: str
    tiers: tuple[Tier, ...] = field(default=())


def _badge(badge_id: str, name: str, text: str, counter: str, *thresholds: int) -> Badge:  # pragma: no mutate block
    """A badge whose tiers are named bronze, silver, gold, platinum in the order of ``thresholds``."""
    tiers = tuple(
        Tier(name=tier, threshold=threshold, coins=TIER_COINS[tier],
             gems=TOP_TIER_GEMS if tier == TIER_NAMES[-1] else 0, claimable=CLAIMABLE_BY_TIER.get(tier))
        for tier, threshold in zip(TIER_NAMES[:len(thresholds)], thresholds, strict=True))
    return Badge(badge_id, name, text, counter, tiers)


_CATEGORY_BADGES: tuple[tuple[TaskCategory, str, str], ...] = (
    ("code", "coder", "Coder"), ("study", "scholar", "Scholar"), ("creative", "artist", "Artist"),
    ("research", "researcher", "Researcher"), ("writing", "wordsmith", "Wordsmith"),
    ("design", "designer", "Designer"), ("admin", "organiser", "Organiser"), ("manual", "maker", "Maker"),
    ("meeting", "collaborator", "Collaborator"),
)

CATALOGUE: tuple[Badge, ...] = (
    _badge("first-steps", "First steps", "Complete your first task", "tasksCompleted", 1),
    _badge("task-master", "Task master", "Complete tasks", "tasksCompleted", 10, 50, 250, 1000),
    _badge("heavy-lifter", "Heavy lifter", "Complete hard or epic tasks", "hardTasks", 5, 25, 100),
    *(_badge(badge_id, name, f"Complete {category} tasks", CATEGORY_COUNTERS[category], 5, 25, 100)
      for category, badge_id, name in _CATEGORY_BADGES),
    _badge("early-bird", "Early bird", f"Complete tasks before {EARLY_BIRD_BEFORE_HOUR:02d}:00 your time",
           "earlyBird", 1, 10, 50),
    _badge("night-owl", "Night owl", f"Complete tasks after {NIGHT_OWL_FROM_HOUR:02d}:00 your time",
           "nightOwl", 1, 10, 50),
    _badge("punctual", "Punctual", "Finish tasks on time, one after another", "onTimeRun", 5, 20, 50),
    _badge("challenger", "Challenger", "Complete challenges", "challengesCompleted", 1, 10, 50, 200),
    _badge("duelist", "Duelist", "Win duels", "duelsWon", 1, 10, 50),
    _badge("on-fire", "On fire", "Keep a daily streak", "bestStreak", 7, 30, 100, 365),
    _badge("week-warrior", "Week warrior", "Keep a weekly streak", "bestWeeklyStreak", 4, 12, 52),
    _badge("climber", "Climber", "Reach a level", "level", 5, 10, 25, 50),
    _badge("experienced", "Experienced", "Earn XP", "xp", 1_000, 10_000, 100_000),
)
BY_ID: dict[str, Badge] = {badge.badgeId: badge for badge in CATALOGUE}


def tier_key(badge: Badge, tier: Tier) -> str:
    """How an earned tier is keyed (unique per user): ``<badgeId>#<tier>``."""
    return f"{badge.badgeId}#{tier.name}"


def newly_earned(counters: Mapping[str, int], held: Iterable[str]) -> list[tuple[Badge, Tier]]:
    """The tiers the counters reach that are not among ``held`` (tier keys), in catalogue order."""
    already = set(held)
    return [(badge, tier) for badge in CATALOGUE for tier in badge.tiers
            if counters.get(badge.counter, 0) >= tier.threshold and tier_key(badge, tier) not in already]


def is_early_bird(local_hour: int) -> bool:
    return local_hour < EARLY_BIRD_BEFORE_HOUR


def is_night_owl(local_hour: int) -> bool:
    return local_hour >= NIGHT_OWL_FROM_HOUR


def completion_deltas(category: TaskCategory, difficulty: str, local_hour: int) -> dict[str, int]:
    """What one standing completion adds to the counters (a reopening subtracts the same)."""
    deltas = {"tasksCompleted": 1, CATEGORY_COUNTERS[category]: 1}
    if difficulty in ("hard", "epic"):
        deltas["hardTasks"] = 1
    if is_early_bird(local_hour):
        deltas["earlyBird"] = 1
    elif is_night_owl(local_hour):
        deltas["nightOwl"] = 1
    return deltas


def apply_deltas(counters: Mapping[str, int], deltas: Mapping[str, int], sign: int = 1) -> dict[str, int]:
    """The counters after adding (``sign`` 1) or taking back (``sign`` -1) ``deltas``, never below zero."""
    moved = dict(counters)
    for name, amount in deltas.items():
        moved[name] = max(moved.get(name, 0) + sign * amount, 0)
    return moved


def on_time_run(run: int, on_time: bool | None) -> int:
    """The run of on-time completions after one more completion (one without a due date leaves it)."""
    if on_time is None:
        return run
    return run + 1 if on_time else 0


def raise_to(counters: Mapping[str, int], **marks: int) -> dict[str, int]:
    """The counters with each high-water mark raised to the given value (never lowered)."""
    moved = dict(counters)
    for name, value in marks.items():
        moved[name] = max(moved.get(name, 0), value)
    return moved


def next_tier(badge: Badge, held: Iterable[str]) -> Tier | None:
    """The lowest tier of ``badge`` not yet held, or None when all are."""
    already = set(held)
    return next((tier for tier in badge.tiers if tier_key(badge, tier) not in already), None)
