"""Skill tree: the caller's skills as the API returns them, and the TaskCompleted data the consumer reads."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict

TaskCategory = Literal["manual", "code", "study", "creative", "research", "writing", "design", "admin", "meeting"]
TaskDifficulty = Literal["trivial", "easy", "medium", "hard", "epic"]
# The 22 skills of the tree, in the order the API lists them.
SKILLS: tuple[str, ...] = (
    "timeManagement", "taskOrganization", "focus", "planning", "coding", "debugging", "codeReview",
    "architecture", "writing", "design", "ideation", "storytelling", "research", "learning", "noteTaking",
    "knowledgeRetention", "collaboration", "communication", "leadership", "mentoring", "selfAwareness",
    "adaptability",
)


class SkillView(BaseModel):
    """One skill: its xp, level, and how far the user is into the next level."""

    skill: str
    xp: int
    level: int
    xpIntoLevel: int
    xpToNextLevel: int | None  # None at the level cap
    progress: float  # 0..1 towards the next level; 1.0 at the cap


class SkillTree(BaseModel):
    """Body of ``GET /api/users/me/skills``: all 22 skills, always in the same order."""

    userId: str
    skills: list[SkillView]
    totalXp: int
    skillPoints: int


class TaskCompletedData(BaseModel):
    """``TaskCompleted.data`` as published by the tasks service (contract: contracts/events/TaskCompleted.json).

    Unknown fields are tolerated: a new producer field must never dead-letter the consumer. ``onTime`` is
    null when the task had no due date."""

    model_config = ConfigDict(extra="ignore")

    taskId: str
    userId: str
    category: TaskCategory
    difficulty: TaskDifficulty
    priority: str | None = None
    efficiency: float | None = None
    onTime: bool | None = None
    firstCompletion: bool
    projectId: str | None = None
