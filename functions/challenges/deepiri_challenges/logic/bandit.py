"""Thompson sampling over challenge types, per user: the product learns which challenges each person finishes.

Each type is an arm with a Beta(successes + 1, failures + 1) posterior. To choose, draw once from every
eligible arm and take the highest draw (ties: the first in :data:`CHALLENGE_TYPES` order). A completed
challenge is a success of its type; failed, expired and abandoned ones are failures. The arms are stored
per user (``dal``), so the choice survives a restart; the random source is passed in, so tests seed it.
"""

from __future__ import annotations

import random
from collections.abc import Mapping, Sequence

from deepiri_challenges.models.challenges import ChallengeType

Arms = Mapping[str, tuple[int, int]]
"""type → (successes, failures)."""


def choose(arms: Arms, eligible: Sequence[ChallengeType], rng: random.Random) -> ChallengeType:
    """The type whose posterior draw is highest among ``eligible`` (never empty), drawn in their order."""
    draws = {kind: rng.betavariate(wins + 1, losses + 1)
             for kind, (wins, losses) in ((kind, arms.get(kind, (0, 0))) for kind in eligible)}
    return max(eligible, key=draws.__getitem__)  # the first of equal draws


def record(arms: Arms, kind: str, success: bool) -> dict[str, tuple[int, int]]:
    """``arms`` with one more outcome of ``kind``."""
    wins, losses = arms.get(kind, (0, 0))
    return {**arms, kind: (wins + 1, losses) if success else (wins, losses + 1)}
