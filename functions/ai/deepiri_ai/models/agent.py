"""Request and response bodies of /api/agent: classify a task, parse a line into a task draft.

Size limits (documented in the OpenAPI document and the README): a title holds at most 500 characters,
a description 5,000, a line to parse 1,000; longer answers 422 naming the field (a body over the
gateway's byte limit answers 413 before it is read).
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from deepiri_common.clock import Instant
from deepiri_common.text import MultiLine, SingleLine

Category = Literal["manual", "code", "study", "creative", "research", "writing", "design", "admin", "meeting"]
Difficulty = Literal["trivial", "easy", "medium", "hard", "epic"]
Priority = Literal["low", "medium", "high", "urgent"]
MAX_TITLE, MAX_DESCRIPTION, MAX_LINE = 500, 5_000, 1_000


class ClassifyRequest(BaseModel):
    """Body of ``POST /api/agent/classify``: a task's words, read as data."""

    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [
        {"title": "Write essay on capital", "description": "2,000 words for the politics seminar"}]})

    title: Annotated[SingleLine, Field(min_length=1, max_length=MAX_TITLE)]
    description: Annotated[MultiLine, Field(max_length=MAX_DESCRIPTION)] | None = None


class Alternative(BaseModel):
    category: Category
    confidence: float = Field(ge=0, le=1)


class Classification(BaseModel):
    """What the local engine reads in a task: its category (with the next likeliest), difficulty and estimate."""

    category: Category
    difficulty: Difficulty
    estimateMinutes: int = Field(ge=1)
    confidence: float = Field(ge=0, le=1, description="the model's probability of the category")
    alternatives: list[Alternative] = Field(description="the next likeliest categories, likeliest first")
    provider: Literal["local", "bedrock"] = Field(default="local", description="which engine answered")
    fallbackReason: Literal["breaker-open", "provider-failed", "invalid-answer"] | None = Field(
        default=None, description="why the local engine answered when Bedrock is configured")


class ParseRequest(BaseModel):
    """Body of ``POST /api/agent/parse``: one line of plain language."""

    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [
        {"text": "write the Q3 report by next Friday 5pm, high priority #work"}]})

    text: Annotated[SingleLine, Field(min_length=1, max_length=MAX_LINE)]


class TaskDraft(BaseModel):
    """A task as the line describes it, ready for ``POST /api/tasks`` (nothing is created)."""

    title: str
    dueAt: Instant | None = Field(description="UTC; the line's date and time read in the caller's timezone")
    timezone: str = Field(description="the timezone the line was read in (the caller's, else UTC)")
    priority: Priority
    category: Category
    difficulty: Difficulty
    tags: list[str]
    estimateMinutes: int = Field(ge=1)
    recurrence: str | None = Field(description="an RFC 5545 RRULE (FREQ=WEEKLY;BYDAY=MO), or null")
    provider: Literal["local", "bedrock"] = Field(default="local", description="which engine answered")
    fallbackReason: Literal["breaker-open", "provider-failed", "invalid-answer"] | None = Field(
        default=None, description="why the local engine answered when Bedrock is configured")


_DAY = "(MO|TU|WE|TH|FR|SA|SU)"
RRULE_PATTERN = rf"^FREQ=(DAILY|WEEKLY|MONTHLY|YEARLY)(;(INTERVAL=[1-9][0-9]?|BYDAY={_DAY}(,{_DAY}){{0,6}}))*$"
Tag = Annotated[str, Field(pattern=r"^[a-z][a-z0-9_-]{0,49}$")]


class DraftToolInput(BaseModel):
    """The draft as Bedrock's ``record_task_draft`` tool must give it (validated before anything is answered):
    the due time is a wall time in the caller's timezone, placed in UTC by this service."""

    model_config = ConfigDict(extra="forbid")

    title: Annotated[SingleLine, Field(min_length=1, max_length=MAX_TITLE)]
    dueLocal: datetime | None = None
    priority: Priority = "medium"
    category: Category
    difficulty: Difficulty
    tags: Annotated[list[Tag], Field(max_length=20)] = []
    estimateMinutes: int = Field(ge=1, le=1_000_000)
    recurrence: Annotated[str, Field(pattern=RRULE_PATTERN)] | None = None

    @field_validator("dueLocal")
    @classmethod
    def _wall_time(cls, value: datetime | None) -> datetime | None:
        if value is not None and value.tzinfo is not None:
            raise ValueError("dueLocal is a wall time without an offset")
        return value
