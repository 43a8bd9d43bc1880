"""The internal ``deepiri-<stage>-ai-draft`` function's payload and answer (the challenges service invokes it)."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from deepiri_common.text import MultiLine, SingleLine


class DraftTask(BaseModel):
    model_config = ConfigDict(extra="forbid")

    title: Annotated[SingleLine, Field(min_length=1, max_length=500)]
    description: Annotated[MultiLine, Field(max_length=5_000)] | None = None
    category: str = Field(max_length=20)
    difficulty: str = Field(max_length=20)
    estimateMinutes: int | None = Field(default=None, ge=0, le=1_000_000)


class DraftRequest(BaseModel):
    """``{"userId", "type": "quiz"|"puzzle", "task": {...}, "questions": 3-10}``."""

    model_config = ConfigDict(extra="forbid")

    userId: str = Field(min_length=1, max_length=64)
    type: Literal["quiz", "puzzle"]
    task: DraftTask
    questions: int = Field(ge=3, le=10)


class Question(BaseModel):
    question: Annotated[str, Field(min_length=1, max_length=500)]
    options: Annotated[list[Annotated[str, Field(min_length=1, max_length=200)]], Field(min_length=4, max_length=4)]
    correctAnswer: int = Field(ge=0, le=3)
    points: int = Field(ge=1, le=100)


class QuizDraft(BaseModel):
    """A draft's questions as Bedrock's tool input must give them (validated before anything is answered)."""

    questions: list[Question]

    @model_validator(mode="after")
    def _distinct_options(self) -> QuizDraft:
        for question in self.questions:
            if len(set(question.options)) != 4:
                raise ValueError("each question needs four different options")
        return self


class DraftAnswer(BaseModel):
    provider: Literal["bedrock"] | None
    questions: list[Question] | None = None
    reason: str | None = None
