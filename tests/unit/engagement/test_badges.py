"""The badge catalogue and its rule engine: thresholds, tiers, rewards and counters, pinned."""

from __future__ import annotations

import pytest

from deepiri_engagement.logic import badges


def _tiers(badge_id: str) -> list[tuple[str, int]]:
    return [(tier.name, tier.threshold) for tier in badges.BY_ID[badge_id].tiers]


def test_given_the_catalogue_then_it_holds_at_least_twenty_badges_with_unique_ids_and_known_counters() -> None:
    assert len(badges.CATALOGUE) >= 20
    assert len(badges.BY_ID) == len(badges.CATALOGUE)
    assert {badge.counter for badge in badges.CATALOGUE} <= set(badges.COUNTERS)
    for badge in badges.CATALOGUE:
        thresholds = [tier.threshold for tier in badge.tiers]
        assert thresholds == sorted(set(thresholds)), badge.badgeId  # strictly rising


def test_given_every_task_category_then_one_badge_counts_it() -> None:
    counted = {badge.counter for badge in badges.CATALOGUE}
    assert set(badges.CATEGORY_COUNTERS.values()) <= counted
    assert badges.CATEGORY_COUNTERS["code"] == "codeTasks"


@pytest.mark.parametrize(("badge_id", "tiers"), [
    ("first-steps", [("bronze", 1)]),
    ("task-master", [("bronze", 10), ("silver", 50), ("gold", 250), ("platinum", 1000)]),
    ("on-fire", [("bronze", 7), ("silver", 30), ("gold", 100), ("platinum", 365)]),
    ("coder", [("bronze", 5), ("silver", 25), ("gold", 100)]),
    ("experienced", [("bronze", 1000), ("silver", 10000), ("gold", 100000)]),
])
def test_given_a_badge_then_its_tiers_are_the_documented_thresholds(badge_id: str,
                                                                     tiers: list[tuple[str, int]]) -> None:
    assert _tiers(badge_id) == tiers


def test_given_the_tiers_then_coins_rise_and_only_platinum_pays_gems() -> None:
    by_tier = {tier.name: tier for tier in badges.BY_ID["task-master"].tiers}
    assert [by_tier[name].coins for name in badges.TIER_NAMES] == [10, 25, 50, 100]
    assert [by_tier[name].gems for name in badges.TIER_NAMES] == [0, 0, 0, 5]
    assert [by_tier[name].claimable for name in badges.TIER_NAMES] == [None, None, "boostCredits", "streakFreeze"]
    gold_top = badges.BY_ID["coder"].tiers[-1]
    assert (gold_top.name, gold_top.gems) == ("gold", 0)  # a three-tier badge never pays gems


def test_given_counters_then_every_tier_reached_and_not_held_is_earned_in_catalogue_order() -> None:
    earned = badges.newly_earned({"tasksCompleted": 10, "codeTasks": 4}, held=[])
    assert [badges.tier_key(badge, tier) for badge, tier in earned] == ["first-steps#bronze", "task-master#bronze"]


def test_given_a_tier_already_held_then_it_is_not_earned_again() -> None:
    earned = badges.newly_earned({"tasksCompleted": 50}, held=["first-steps#bronze", "task-master#bronze"])
    assert [badges.tier_key(badge, tier) for badge, tier in earned] == ["task-master#silver"]
    assert badges.newly_earned({"tasksCompleted": 50}, held=["first-steps#bronze", "task-master#bronze",
                                                              "task-master#silver"]) == []


def test_given_a_counter_one_below_a_threshold_then_nothing_is_earned() -> None:
    assert badges.newly_earned({"tasksCompleted": 0, "bestStreak": 6, "level": 4, "xp": 999}, held=[]) == []
    earned = badges.newly_earned({"bestStreak": 7, "level": 5, "xp": 1000}, held=[])
    assert [badges.tier_key(badge, tier) for badge, tier in earned] == [
        "on-fire#bronze", "climber#bronze", "experienced#bronze"]


@pytest.mark.parametrize(("hour", "early", "night"), [(0, True, False), (7, True, False), (8, False, False),
                                                      (21, False, False), (22, False, True), (23, False, True)])
def test_given_the_local_hour_then_early_bird_and_night_owl_follow_it(hour: int, early: bool, night: bool) -> None:
    assert (badges.is_early_bird(hour), badges.is_night_owl(hour)) == (early, night)


def test_given_a_completion_then_its_marks_name_the_task_counters_it_qualifies_for() -> None:
    assert badges.completion_marks("code", "hard", True, 6) == {"tasksCompleted", "codeTasks", "hardTasks",
                                                                 "onTimeTasks", "earlyBird"}
    assert badges.completion_marks("study", "epic", None, 23) == {"tasksCompleted", "studyTasks", "hardTasks",
                                                                  "nightOwl"}
    assert badges.completion_marks("writing", "medium", False, 12) == {"tasksCompleted", "writingTasks"}
    assert badges.completion_marks("admin", "easy", None, 8) == {"tasksCompleted", "adminTasks"}
    assert badges.completion_marks("meeting", "trivial", None, 22) == {"tasksCompleted", "meetingTasks",
                                                                       "nightOwl"}


def test_given_counters_then_progress_is_the_share_of_the_next_tier_and_one_when_all_are_held() -> None:
    badge = badges.BY_ID["task-master"]
    assert badges.progress(badge, {"tasksCompleted": 3}, []) == 0.3
    assert badges.progress(badge, {"tasksCompleted": 20}, ["task-master#bronze"]) == 0.4
    assert badges.progress(badge, {"tasksCompleted": 2}, ["task-master#bronze"]) == 0.04
    assert badges.progress(badge, {}, []) == 0.0
    assert badges.progress(badge, {"tasksCompleted": 1}, ["task-master#bronze", "task-master#silver"]) == 0.004
    assert badges.progress(badges.BY_ID["first-steps"], {"tasksCompleted": 9}, []) == 1.0  # capped
    assert badges.progress(badges.BY_ID["first-steps"], {}, ["first-steps#bronze"]) == 1.0
    assert badges.progress(badges.BY_ID["experienced"], {"xp": 1}, []) == 0.001
    assert badges.progress(badges.BY_ID["experienced"], {"xp": 1}, ["experienced#bronze"]) == 0.0001


def test_given_high_water_marks_then_they_only_rise() -> None:
    assert badges.raise_to({"level": 5, "xp": 10}, level=4, xp=20) == {"level": 5, "xp": 20}
    assert badges.raise_to({}, level=0) == {"level": 0}  # a mark never set starts at zero


def test_given_held_tiers_then_the_next_tier_is_the_lowest_missing_one() -> None:
    badge = badges.BY_ID["task-master"]
    assert badges.next_tier(badge, []).name == "bronze"  # type: ignore[union-attr]
    assert badges.next_tier(badge, ["task-master#bronze"]).name == "silver"  # type: ignore[union-attr]
    assert badges.next_tier(badges.BY_ID["first-steps"], ["first-steps#bronze"]) is None


def test_given_a_share_of_endless_decimals_then_progress_is_rounded_to_four() -> None:
    assert badges.progress(badges.BY_ID["on-fire"], {"bestStreak": 1}, []) == 0.1429  # 1 of 7 days
    assert badges.progress(badges.BY_ID["experienced"], {"xp": 1}, ["experienced#bronze", "experienced#silver"]) == 0.0


CATALOGUE = [  # the 21 badges, in the order they are earned and listed: id, name, counter, tier thresholds
    ("first-steps", "First steps", "tasksCompleted", [1]),
    ("task-master", "Task master", "tasksCompleted", [10, 50, 250, 1000]),
    ("heavy-lifter", "Heavy lifter", "hardTasks", [5, 25, 100]),
    ("coder", "Coder", "codeTasks", [5, 25, 100]),
    ("scholar", "Scholar", "studyTasks", [5, 25, 100]),
    ("artist", "Artist", "creativeTasks", [5, 25, 100]),
    ("researcher", "Researcher", "researchTasks", [5, 25, 100]),
    ("wordsmith", "Wordsmith", "writingTasks", [5, 25, 100]),
    ("designer", "Designer", "designTasks", [5, 25, 100]),
    ("organiser", "Organiser", "adminTasks", [5, 25, 100]),
    ("maker", "Maker", "manualTasks", [5, 25, 100]),
    ("collaborator", "Collaborator", "meetingTasks", [5, 25, 100]),
    ("early-bird", "Early bird", "earlyBird", [1, 10, 50]),
    ("night-owl", "Night owl", "nightOwl", [1, 10, 50]),
    ("punctual", "Punctual", "onTimeTasks", [5, 25, 100]),
    ("challenger", "Challenger", "challengesCompleted", [1, 10, 50, 200]),
    ("duelist", "Duelist", "duelsWon", [1, 10, 50]),
    ("on-fire", "On fire", "bestStreak", [7, 30, 100, 365]),
    ("week-warrior", "Week warrior", "bestWeeklyStreak", [4, 12, 52]),
    ("climber", "Climber", "level", [5, 10, 25, 50]),
    ("experienced", "Experienced", "xp", [1000, 10000, 100000]),
]


def test_given_the_catalogue_then_every_badge_has_its_documented_counter_and_thresholds() -> None:
    assert [(b.badgeId, b.name, b.counter, [t.threshold for t in b.tiers]) for b in badges.CATALOGUE] == CATALOGUE


@pytest.mark.parametrize(("badge_id", "counter", "thresholds"), [(i, c, t) for i, _, c, t in CATALOGUE])
def test_given_a_counter_at_each_threshold_then_that_tier_is_earned_and_one_below_it_is_not(
        badge_id: str, counter: str, thresholds: list[int]) -> None:
    for tier, threshold in zip(badges.TIER_NAMES, thresholds, strict=False):
        held = [f"{badge_id}#{below}" for below in badges.TIER_NAMES[:badges.TIER_NAMES.index(tier)]]
        keys = {badges.tier_key(b, t) for b, t in badges.newly_earned({counter: threshold}, held)}
        assert f"{badge_id}#{tier}" in keys
        keys = {badges.tier_key(b, t) for b, t in badges.newly_earned({counter: threshold - 1}, held)}
        assert f"{badge_id}#{tier}" not in keys


@pytest.mark.parametrize("category", ["manual", "code", "study", "creative", "research", "writing", "design",
                                      "admin", "meeting"])
def test_given_a_task_of_each_category_then_its_own_counter_is_marked(category: str) -> None:
    assert badges.completion_marks(category, "easy", None, 12) == {"tasksCompleted", f"{category}Tasks"}
