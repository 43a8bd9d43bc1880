"""Skill tree rules: levels, points, XP per task."""

from __future__ import annotations

from collections.abc import Mapping

import pytest

from deepiri_users.logic import skills
from deepiri_users.models.skills import TaskCompletedData


@pytest.mark.parametrize(("xp", "level"), [(0, 1), (999, 1), (1000, 2), (1999, 2), (98_999, 99), (99_000, 100),
                                           (5_000_000, 100)])
def test_given_xp_when_levelled_then_one_level_per_thousand_capped_at_100(xp: int, level: int) -> None:
    assert skills.level_for(xp) == level


def test_given_a_multi_level_jump_then_every_level_earns_its_point() -> None:
    assert skills.points_gained({"coding": 900}, {"coding": 3200}) == 4  # level 1 → 5


def test_given_a_skill_near_the_cap_then_no_point_past_level_100() -> None:
    assert skills.points_gained({"coding": 98_500}, {"coding": 10_000}) == 1
    assert skills.skill_points({"coding": 10_000_000, "focus": 2500}) == 99 + 2


@pytest.mark.parametrize(("difficulty", "on_time", "xp"), [("trivial", False, 10), ("trivial", True, 11),
                                                           ("easy", True, 28), ("medium", True, 55),
                                                           ("hard", False, 100), ("epic", True, 220)])
def test_given_a_difficulty_then_the_documented_xp(difficulty: str, on_time: bool, xp: int) -> None:
    assert skills.task_xp(difficulty, on_time) == xp


def _task(**fields: object) -> TaskCompletedData:
    return TaskCompletedData.model_validate({"taskId": "t", "userId": "u", "category": "meeting",
                                             "difficulty": "medium", "firstCompletion": True, **fields})


def test_given_a_meeting_task_then_xp_is_split_over_its_skills_without_loss() -> None:
    award = skills.xp_award(_task(onTime=True))
    assert award == {"collaboration": 14, "communication": 14, "leadership": 14, "mentoring": 13}
    assert sum(award.values()) == 55


def test_given_a_re_completion_then_no_xp() -> None:
    assert skills.xp_award(_task(firstCompletion=False)) == {}


def test_given_every_category_then_it_trains_known_skills_only() -> None:
    for category, trained in skills.CATEGORY_SKILLS.items():
        assert trained and set(trained) <= set(skills.SKILLS), category
    assert len(skills.SKILLS) == len(set(skills.SKILLS)) == 22


class FakeSkillStore:
    def __init__(self) -> None:
        self.xp: dict[str, dict[str, int]] = {}
        self.credited: set[str] = set()

    def xp_of(self, user_id: str) -> dict[str, int]:
        return dict(self.xp.get(user_id, {}))

    def award(self, user_id: str, event_id: str, xp: Mapping[str, int]) -> bool:
        if event_id in self.credited:
            return False
        self.credited.add(event_id)
        mine = self.xp.setdefault(user_id, {})
        for skill, amount in xp.items():
            mine[skill] = mine.get(skill, 0) + amount
        return True


def test_given_the_same_event_twice_then_credited_once_and_points_reported_once() -> None:
    store = FakeSkillStore()
    store.xp["u"] = {"collaboration": 990}
    assert skills.apply_task_completed(store, "e1", _task()) == 1
    assert skills.apply_task_completed(store, "e1", _task()) == 0
    assert store.xp["u"]["collaboration"] == 1003


def test_given_a_skill_at_the_cap_when_viewed_then_progress_is_full_and_no_next_level() -> None:
    tree = skills.skill_tree("u", {"focus": 120_000, "coding": 2_250})
    view = {s.skill: s for s in tree.skills}
    assert (view["focus"].level, view["focus"].xpToNextLevel, view["focus"].progress) == (100, None, 1.0)
    assert (view["coding"].level, view["coding"].xpIntoLevel, view["coding"].progress) == (3, 250, 0.25)
    assert tree.skillPoints == 99 + 2 and [s.skill for s in tree.skills] == list(skills.SKILLS)


def test_given_the_documented_category_table_then_each_category_trains_those_skills_in_split_order() -> None:
    assert skills.CATEGORY_SKILLS == {
        "manual": ("focus", "taskOrganization"),
        "code": ("coding", "debugging", "codeReview"),
        "study": ("learning", "noteTaking", "knowledgeRetention"),
        "creative": ("ideation", "storytelling", "design"),
        "research": ("research", "learning", "adaptability"),
        "writing": ("writing", "communication"),
        "design": ("design", "architecture", "ideation"),
        "admin": ("planning", "timeManagement", "taskOrganization"),
        "meeting": ("collaboration", "communication", "leadership", "mentoring"),
    }
    # selfAwareness is listed but no task trains it.
    assert "selfAwareness" in skills.SKILLS
    assert all("selfAwareness" not in trained for trained in skills.CATEGORY_SKILLS.values())


def test_given_a_skill_never_trained_when_an_award_crosses_nothing_then_no_point() -> None:
    # Given no xp at all in coding, 999 xp stays on level 1; 1000 xp reaches level 2.
    assert skills.points_gained({}, {"coding": 999}) == 0
    assert skills.points_gained({}, {"coding": 1000}) == 1


def test_given_a_re_completion_when_applied_then_no_point_and_nothing_credited() -> None:
    store = FakeSkillStore()
    assert skills.apply_task_completed(store, "e1", _task(firstCompletion=False)) == 0
    assert store.xp == {} and store.credited == set()


def test_given_two_different_events_when_applied_then_both_are_credited() -> None:
    store = FakeSkillStore()
    store.xp["u"] = {"collaboration": 986}
    # When two medium tasks (13 xp to collaboration each) complete: 999 xp, then 1012 xp (level 2).
    assert skills.apply_task_completed(store, "e1", _task()) == 0
    assert skills.apply_task_completed(store, "e2", _task()) == 1
    assert store.credited == {"e1", "e2"}
    assert store.xp["u"]["collaboration"] == 1012


def test_given_xp_past_the_cap_when_viewed_then_xp_into_level_keeps_counting_from_level_100() -> None:
    view = skills.view_skill("focus", 120_000)
    assert (view.level, view.xpIntoLevel, view.xpToNextLevel, view.progress) == (100, 21_000, None, 1.0)
    assert skills.view_skill("focus", 99_000).xpIntoLevel == 0


def test_given_xp_below_the_cap_when_viewed_then_xp_to_next_level_is_what_is_left() -> None:
    view = skills.view_skill("coding", 98_750)
    assert (view.level, view.xpIntoLevel, view.xpToNextLevel, view.progress) == (99, 750, 250, 0.75)
    assert skills.view_skill("coding", 0).model_dump() == {"skill": "coding", "xp": 0, "level": 1, "xpIntoLevel": 0,
                                                           "xpToNextLevel": 1000, "progress": 0.0}


class ReadOnlySkills:
    def __init__(self, xp: dict[str, dict[str, int]]) -> None:
        self.xp = xp

    def xp_of(self, user_id: str) -> dict[str, int]:
        return dict(self.xp.get(user_id, {}))

    def award(self, user_id: str, event_id: str, xp: Mapping[str, int]) -> bool:
        raise AssertionError("describing skills never awards xp")


def test_given_a_user_with_one_trained_skill_when_describing_skills_then_every_other_skill_shows_0_xp() -> None:
    tree = skills.describe_skills(ReadOnlySkills({"u": {"coding": 1500}, "v": {"focus": 5000}}), "u")
    assert tree.userId == "u"
    assert (tree.totalXp, tree.skillPoints) == (1500, 1)
    untrained = [view for view in tree.skills if view.skill != "coding"]
    assert len(untrained) == 21
    assert all((view.xp, view.level, view.xpIntoLevel) == (0, 1, 0) for view in untrained)


def test_given_an_untrained_skill_then_999_xp_earn_no_point_and_1000_earn_one() -> None:
    assert skills.points_gained({}, {"coding": 999}) == 0
    assert skills.points_gained({}, {"coding": 1000}) == 1
    assert skills.points_gained({"coding": 1}, {"coding": 999}) == 1
