"""Thompson sampling over challenge types: a seeded choice, shifted by outcomes."""

from __future__ import annotations

import random
from collections import Counter

from deepiri_challenges.logic import bandit

TYPES = ("timed_completion", "checklist", "streak")


def _picks(arms: bandit.Arms, seed: int = 7, draws: int = 300) -> Counter[str]:
    rng = random.Random(seed)
    return Counter(bandit.choose(arms, TYPES, rng) for _ in range(draws))  # type: ignore[arg-type]


def test_given_the_same_seed_then_the_same_choices() -> None:
    assert _picks({}, seed=3, draws=20) == _picks({}, seed=3, draws=20)


def test_given_no_history_then_every_type_is_tried() -> None:
    assert set(_picks({})) == set(TYPES)


def test_given_repeated_successes_of_one_type_then_it_is_chosen_most() -> None:
    arms: bandit.Arms = {}
    for _ in range(20):
        arms = bandit.record(arms, "streak", True)
        arms = bandit.record(arms, "checklist", False)
        arms = bandit.record(arms, "timed_completion", False)
    picks = _picks(arms)
    assert picks["streak"] > 280
    assert picks.most_common(1)[0][0] == "streak"


def test_given_a_single_eligible_type_then_it_is_chosen() -> None:
    assert bandit.choose({"streak": (50, 0)}, ["checklist"], random.Random(1)) == "checklist"


def test_given_outcomes_then_record_counts_successes_and_failures_apart() -> None:
    arms = bandit.record(bandit.record(bandit.record({}, "quiz", True), "quiz", False), "quiz", True)
    assert arms == {"quiz": (2, 1)}
    assert bandit.record(arms, "streak", False) == {"quiz": (2, 1), "streak": (0, 1)}


class _Draws:
    """A random source whose Beta draws are given in advance; it records the parameters asked for."""

    def __init__(self, *values: float) -> None:
        self.values, self.asked = list(values), []  # type: ignore[var-annotated]

    def betavariate(self, alpha: float, beta: float) -> float:
        self.asked.append((alpha, beta))
        return self.values.pop(0)


def test_given_arms_then_each_eligible_type_is_drawn_from_beta_of_wins_plus_1_and_losses_plus_1() -> None:
    draws = _Draws(0.2, 0.7, 0.4)
    kinds = ["timed_completion", "streak", "quiz"]
    chosen = bandit.choose({"streak": (2, 1), "quiz": (0, 4)}, kinds, draws)  # type: ignore[arg-type]
    assert chosen == "streak"
    assert draws.asked == [(1, 1), (3, 2), (1, 5)]


def test_given_equal_draws_then_the_first_eligible_type_is_chosen() -> None:
    assert bandit.choose({}, ["checklist", "streak"], _Draws(0.5, 0.5)) == "checklist"  # type: ignore[arg-type]
    assert bandit.choose({}, ["checklist", "streak"], _Draws(0.5, 0.6)) == "streak"  # type: ignore[arg-type]
