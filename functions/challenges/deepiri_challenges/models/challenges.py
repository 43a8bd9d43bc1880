"""A challenge as stored and as shown, and the requests that make and move one."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, StrictInt

from deepiri_common.ids import ID_PATTERN
from deepiri_common.text import SingleLine

ChallengeType = Literal["timed_completion", "focus_sprint", "checklist", "streak", "quiz", "puzzle", "multiplayer",
                        "custom"]
CHALLENGE_TYPES: tuple[ChallengeType, ...] = ("timed_completion", "focus_sprint", "checklist", "streak", "quiz",
                                              "puzzle", "multiplayer", "custom")
Difficulty = Literal["trivial", "easy", "medium", "hard", "epic"]
DIFFICULTIES: tuple[Difficulty, ...] = ("trivial", "easy", "medium", "hard", "epic")
Category = Literal["manual", "code", "study", "creative", "research", "writing", "design", "admin", "meeting"]
Status = Literal["generated", "active", "completed", "failed", "expired", "abandoned", "cancelled"]
OPEN_STATUSES: tuple[Status, ...] = ("generated", "active")
Id = SingleLine


class Milestone(BaseModel):
    id: int = Field(ge=0)
    title: str
    done: bool = False
    doneAt: str | None = None


class Question(BaseModel):
    """A quiz or puzzle question as the client sees it: never its correct answer before submission."""

    question: str
    options: list[str] = Field(min_length=4, max_length=4)
    points: int = Field(ge=0)


class StoredQuestion(Question):
    correctAnswer: int = Field(ge=0, le=3)


class QuizResult(BaseModel):
    """After a submission: each answer's verdict and, now that it counts, the correct answers."""

    correct: list[bool]
    correctAnswers: list[int]
    points: int
    maxPoints: int
    passed: bool


class Challenge(BaseModel):
    id: str
    userId: str
    type: ChallengeType
    status: Status
    title: str
    description: str
    taskId: str | None = None
    completesTask: bool = False
    category: Category = "manual"
    difficulty: Difficulty
    pointsReward: int = Field(ge=0)
    bonusMultiplier: int = Field(ge=1, le=3)
    timeLimitMinutes: int = Field(ge=1)
    attempts: int = Field(ge=1)
    attemptsUsed: int = 0
    hints: list[str] = Field(default_factory=list)
    milestones: list[Milestone] = Field(default_factory=list)
    questions: list[Question] = Field(default_factory=list)
    quizResult: QuizResult | None = None
    duelId: str | None = None
    daily: bool = False
    createdAt: str
    startedAt: str | None = None
    expiresAt: str | None = None
    endedAt: str | None = None
    score: int | None = None
    taskCompleted: bool | None = Field(default=None, description="whether finishing it completed its task")
    version: int = 1


class StoredChallenge(Challenge):
    """The stored challenge: the shown one plus what the client must not see."""

    answers: list[int] = Field(default_factory=list)

    def public(self) -> Challenge:
        return Challenge.model_validate(self.model_dump(exclude={"answers"}))


class GenerateRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    taskId: str = Field(pattern=ID_PATTERN)
    type: ChallengeType | None = Field(default=None, description="without one, the caller's bandit chooses")
    difficulty: Difficulty | None = Field(default=None, description="without one, the task's, moved by success rate")
    completesTask: bool = Field(default=False, description="finishing the challenge also completes its task")


class ChallengeVersionCheck(BaseModel):
    model_config = ConfigDict(extra="forbid")

    version: int | None = Field(default=None, ge=1, strict=True, description="412 when the challenge moved")


class MilestoneCheck(ChallengeVersionCheck):
    done: bool = True


class ChallengeSubmission(ChallengeVersionCheck):
    answers: list[StrictInt] | None = Field(default=None, max_length=10,
                                           description="a quiz's or puzzle's chosen options")


class TypeStats(BaseModel):
    type: ChallengeType
    generated: int = 0
    completed: int = 0
    failed: int = 0
    expired: int = 0
    abandoned: int = 0
    cancelled: int = 0
    pointsEarned: int = 0


class Stats(BaseModel):
    total: int
    completed: int
    successRate: float | None
    byType: list[TypeStats]
