"""Skill tree: 22 skills that grow with the tasks a user completes.

Levels and points
    level = floor(xp / 1000) + 1, capped at 100 (reached at 99,000 xp; xp keeps counting beyond).
    One skill point per level gained; a jump over several levels earns every level's point, so the
    total is always ``sum(level - 1)`` over the 22 skills.

Where XP comes from: ``TaskCompleted`` with ``firstCompletion: true`` (a reopened and re-completed task
earns nothing). The task's difficulty gives the XP, +10 % (rounded half up) when ``onTime`` (null for a task
without a due date: no bonus); the XP is
split evenly across the category's skills, the remainder going to the first skills listed.

    | difficulty | xp  | on time |
    | ---------- | --- | ------- |
    | trivial    | 10  | 11      |
    | easy       | 25  | 28      |
    | medium     | 50  | 55      |
    | hard       | 100 | 110     |
    | epic       | 200 | 220     |

    | category | skills (in split order)                              |
    | -------- | ---------------------------------------------------- |
    | manual   | focus, taskOrganization                              |
    | code     | coding, debugging, codeReview                        |
    | study    | learning, noteTaking, knowledgeRetention             |
    | creative | ideation, storytelling, design                       |
    | research | research, learning, adaptability                     |
    | writing  | writing, communication                               |
    | design   | design, architecture, ideation                       |
    | admin    | planning, timeManagement, taskOrganization           |
    | meeting  | collaboration, communication, leadership, mentoring  |

``selfAwareness`` is not trained by tasks (no category maps to it); it is listed at level 1 until a
source (reflections, mood metrics) is agreed.

Replays never double-count: the consumer is idempotent on the event id, and the repository writes an
``SKILLXP#<eventId>`` marker in the same transaction as the XP, so even a replay after the
idempotency record expired is refused by the data.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Protocol

from deepiri_users.models.skills import SKILLS, SkillTree, SkillView, TaskCompletedData

XP_PER_LEVEL = 1000
MAX_LEVEL = 100
ON_TIME_BONUS_PERCENT = 10

DIFFICULTY_XP: dict[str, int] = {"trivial": 10, "easy": 25, "medium": 50, "hard": 100, "epic": 200}

CATEGORY_SKILLS: dict[str, tuple[str, ...]] = {
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


class SkillStore(Protocol):
    def xp_of(self, user_id: str) -> dict[str, int]: ...
    def award(self, user_id: str, event_id: str, xp: Mapping[str, int]) -> bool: ...


def level_for(xp: int) -> int:
    """The level ``xp`` reaches: 1 at 0 xp, +1 per 1000 xp, never above 100."""
    return min(max(xp, 0) // XP_PER_LEVEL + 1, MAX_LEVEL)  # 0 and 1 xp are both level 1: max(xp, 1) is equivalent


def skill_points(xp_by_skill: Mapping[str, int]) -> int:
    """Points earned over all skills: one per level above 1."""
    return sum(level_for(xp) - 1 for xp in xp_by_skill.values())


def points_gained(before: Mapping[str, int], award: Mapping[str, int]) -> int:
    """Points an award earns, every level of a multi-level jump included (none past the cap)."""
    # A skill never trained is level 1, and so is 1 xp: the second default as 1 is equivalent.
    return sum(level_for(before.get(s, 0) + xp) - level_for(before.get(s, 0)) for s, xp in award.items())


def task_xp(difficulty: str, on_time: bool | None) -> int:
    """Total XP of one completed task; ``on_time`` is None for a task without a due date (no bonus)."""
    base = DIFFICULTY_XP[difficulty]
    if not on_time:
        return base
    # rounded half up, in integers; every base is a multiple of 10, so +51 rounds alike (equivalent)
    return (base * (100 + ON_TIME_BONUS_PERCENT) + 50) // 100


def split_xp(total: int, skills: tuple[str, ...]) -> dict[str, int]:
    """``total`` split evenly over ``skills``; the first ones get the remainder, so nothing is lost."""
    share, remainder = divmod(total, len(skills))
    return {skill: share + (1 if i < remainder else 0) for i, skill in enumerate(skills)}


def xp_award(task: TaskCompletedData) -> dict[str, int]:
    """XP per skill for a completed task; empty when it is not a first completion."""
    if not task.firstCompletion:
        return {}
    return split_xp(task_xp(task.difficulty, task.onTime), CATEGORY_SKILLS[task.category])


def apply_task_completed(store: SkillStore, event_id: str, task: TaskCompletedData) -> int:
    """Credit the task's XP once; returns the skill points it earned (0 when nothing was credited)."""
    award = xp_award(task)
    if not award:
        return 0
    before = store.xp_of(task.userId)
    if not store.award(task.userId, event_id, award):
        return 0  # this event was counted before
    return points_gained(before, award)


def view_skill(skill: str, xp: int) -> SkillView:
    level = level_for(xp)
    if level == MAX_LEVEL:
        return SkillView(skill=skill, xp=xp, level=level, xpIntoLevel=xp - (MAX_LEVEL - 1) * XP_PER_LEVEL,
                         xpToNextLevel=None, progress=1.0)
    into = xp - (level - 1) * XP_PER_LEVEL
    return SkillView(skill=skill, xp=xp, level=level, xpIntoLevel=into, xpToNextLevel=XP_PER_LEVEL - into,
                     progress=round(into / XP_PER_LEVEL, 4))  # into/1000 has 3 decimals: 5 is equivalent


def skill_tree(user_id: str, xp_by_skill: Mapping[str, int]) -> SkillTree:
    """All 22 skills of a user (unknown ones at 0 xp), with totals."""
    xp = {skill: int(xp_by_skill.get(skill, 0)) for skill in SKILLS}
    return SkillTree(userId=user_id, skills=[view_skill(s, xp[s]) for s in SKILLS],
                     totalXp=sum(xp.values()), skillPoints=skill_points(xp))


def describe_skills(store: SkillStore, user_id: str) -> SkillTree:
    """The caller's skill tree."""
    return skill_tree(user_id, store.xp_of(user_id))
