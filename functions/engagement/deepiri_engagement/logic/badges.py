"""Badges: a seeded catalogue of rules over a user's counters, each tier earned once.

The counters (:data:`COUNTERS`) only ever rise, so the tiers a user holds depend on which events arrived,
never on their order or on duplicates (the exactly-once test delivers 1,000 shuffled events with duplicates):

- task counters count *tasks*: a task adds one to ``tasksCompleted``, to its category's counter, to
  ``hardTasks`` (hard or epic), ``onTimeTasks`` (finished by its due date), ``earlyBird`` (finished before
  08:00 in the user's timezone) or ``nightOwl`` (from 22:00) the first time any completion of it qualifies
  (:func:`completion_marks`; the task remembers its marks). Completing, reopening and completing it again
  counts nothing more, and a reopening takes nothing back, so no sequence of events farms a badge;
- ``challengesCompleted`` and ``duelsWon`` count each challenge and duel once (their grants are keyed);
- ``xp`` is lifetime XP earned (each task counted at the most any of its completions was worth, each
  other award once) and ``level`` the level that reaches; a reversal lowers the wallet, not these;
- ``bestStreak`` and ``bestWeeklyStreak`` are the longest daily and weekly streaks, high-water marks.

A tier is earned the first time its counter reaches the tier's threshold. Earning it pays its reward once:
coins by tier, gems only for the top tier (platinum), and a claimable reward (boost credits, or a streak
freeze) for the tiers that carry one (``rules``). :func:`newly_earned` depends only on the counters and the
tiers already held, so evaluating it again after a duplicate event earns nothing twice.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from deepiri_engagement.logic import rules
from deepiri_engagement.models.events import TaskCategory
from deepiri_engagement.models.wallet import Claimable

TIER_NAMES: tuple[str, ...] = ("bronze", "silver", "gold", "platinum")
TIER_COINS = rules.TIER_COINS
TOP_TIER_GEMS = rules.TOP_TIER_GEMS
CLAIMABLE_BY_TIER = rules.CLAIMABLE_BY_TIER
CLAIMABLE_AMOUNTS = rules.CLAIMABLE_AMOUNTS
EARLY_BIRD_BEFORE_HOUR = rules.EARLY_BIRD_BEFORE_HOUR
NIGHT_OWL_FROM_HOUR = rules.NIGHT_OWL_FROM_HOUR

CATEGORY_COUNTERS: dict[TaskCategory, str] = {
    category: f"{category}Tasks"
    for category in ("manual", "code", "study", "creative", "research", "writing", "design", "admin", "meeting")
}
COUNTERS: tuple[str, ...] = (
    "tasksCompleted", "hardTasks", "earlyBird", "nightOwl", "onTimeTasks", "challengesCompleted", "duelsWon",
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
    _badge("punctual", "Punctual", "Finish tasks by their due date", "onTimeTasks", 5, 25, 100),
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


def completion_marks(category: TaskCategory, difficulty: str, on_time: bool | None, local_hour: int) -> set[str]:
    """The task counters one completion qualifies a task for (each counts a task once, ever)."""
    marks = {"tasksCompleted", CATEGORY_COUNTERS[category]}
    if difficulty in ("hard", "epic"):
        marks.add("hardTasks")
    if on_time:
        marks.add("onTimeTasks")
    if is_early_bird(local_hour):
        marks.add("earlyBird")
    elif is_night_owl(local_hour):
        marks.add("nightOwl")
    return marks


def progress(badge: Badge, counters: Mapping[str, int], held: Iterable[str]) -> float:
    """How far the badge's counter is towards its next tier not held (1.0 when every tier is held)."""
    tier = next_tier(badge, held)
    if tier is None:
        return 1.0
    return round(min(counters.get(badge.counter, 0) / tier.threshold, 1.0), 4)


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
