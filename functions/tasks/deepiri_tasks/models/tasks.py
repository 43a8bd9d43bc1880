"""Wire models of a task: the stored/returned ``Task``, and the bodies that create and change one.

Field names are the wire names (camelCase), as in the users service. Times are timezone-aware: a
date without an offset is refused with 422, and every stored time is UTC.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from pydantic import AfterValidator, BaseModel, BeforeValidator, ConfigDict, Field

from deepiri_common.clock import Instant
from deepiri_common.ids import ID_PATTERN
from deepiri_common.pagination import CURSOR_PATTERN, MAX_CURSOR_LENGTH
from deepiri_common.text import MultiLine, SingleLine

Status = Literal["todo", "in_progress", "review", "done", "blocked", "cancelled"]
Priority = Literal["low", "medium", "high", "urgent"]
Difficulty = Literal["trivial", "easy", "medium", "hard", "epic"]
Category = Literal["manual", "code", "study", "creative", "research", "writing", "design", "admin", "meeting"]
Source = Literal["manual", "github", "notion", "trello", "google", "ai"]
SortKey = Literal["due", "priority", "created"]
SortOrder = Literal["asc", "desc"]

MAX_TAGS = 20
MAX_TAG_LENGTH = 50
MAX_ASSIGNEES = 10  # bounded so one change (pointer puts + deletes) fits in one transaction
PRIORITY_RANK: dict[str, int] = {"low": 1, "medium": 2, "high": 3, "urgent": 4}
CLOSED_STATUSES = frozenset({"done", "cancelled"})


def normalize_tags(tags: list[str]) -> list[str]:
    """Trim, lowercase and de-duplicate tags (first occurrence wins); empty tags are dropped."""
    seen: list[str] = []
    for raw in tags:
        tag = raw.strip().lower()
        if tag and tag not in seen:
            seen.append(tag)
    if len(seen) > MAX_TAGS:
        raise ValueError(f"at most {MAX_TAGS} distinct tags")
    if any(len(tag) > MAX_TAG_LENGTH for tag in seen):
        raise ValueError(f"a tag has at most {MAX_TAG_LENGTH} characters")
    return seen


def _distinct(ids: list[str]) -> list[str]:
    return list(dict.fromkeys(ids))


Tags = Annotated[list[Annotated[str, Field(max_length=200)]], Field(max_length=200), AfterValidator(normalize_tags)]
AssigneeIds = Annotated[
    list[Annotated[str, Field(min_length=1, max_length=64)]], Field(max_length=MAX_ASSIGNEES), AfterValidator(_distinct)
]
# Millisecond precision, as stored, so a value survives a round trip unchanged; 1970 to 2999.
UtcTime = Instant
Title = Annotated[SingleLine, Field(min_length=1, max_length=500)]
Description = Annotated[MultiLine, Field(max_length=20_000)]
Minutes = Annotated[int, Field(ge=0, le=1_000_000)]
# What a client sends: a JSON integer (never true, "90" or 90.0).
SentMinutes = Annotated[Minutes, Field(strict=True)]
Id = Annotated[str, Field(min_length=1, max_length=64)]


class Task(BaseModel):
    """A task as stored and returned."""

    model_config = ConfigDict(defer_build=True)

    id: str
    ownerId: str
    projectId: str | None = None
    parentTaskId: str | None = None
    title: Title
    description: Description = ""
    status: Status = "todo"
    priority: Priority = "medium"
    difficulty: Difficulty = "medium"
    category: Category = "manual"
    tags: Tags = Field(default_factory=list)
    dueAt: UtcTime | None = None
    estimateMinutes: Minutes | None = None
    actualMinutes: int = 0
    assigneeIds: list[str] = Field(default_factory=list)
    source: Source = "manual"
    externalRef: str | None = None
    createdAt: UtcTime
    updatedAt: UtcTime
    completedAt: UtcTime | None = None
    deletedAt: UtcTime | None = None
    version: int = 1
    firstCompletedAt: UtcTime | None = None

    @property
    def is_closed(self) -> bool:
        return self.status in CLOSED_STATUSES


class TaskCreate(BaseModel):
    """Body of ``POST /api/tasks``."""

    model_config = ConfigDict(defer_build=True, extra="forbid", json_schema_extra={"examples": [
        {"title": "Write the quarterly report", "priority": "high", "tags": ["work"],
         "dueAt": "2027-01-15T17:00:00Z", "estimateMinutes": 90}]})

    title: Title
    description: Description = ""
    projectId: Id | None = None
    parentTaskId: Id | None = None
    priority: Priority = "medium"
    difficulty: Difficulty = "medium"
    category: Category = "manual"
    tags: Tags = Field(default_factory=list)
    dueAt: UtcTime | None = None
    estimateMinutes: SentMinutes | None = None
    assigneeIds: AssigneeIds = Field(default_factory=list)


# Fields a PATCH may change, and which of them ``null`` clears (the others refuse null).
EDITABLE_FIELDS = (
    "title", "description", "parentTaskId", "priority", "difficulty", "category", "tags", "dueAt",
    "estimateMinutes", "assigneeIds",
)
CLEARABLE_FIELDS = frozenset({"parentTaskId", "dueAt", "estimateMinutes"})


class TaskPatch(BaseModel):
    """Body of ``PATCH /api/tasks/{id}``: the fields to change, optionally ``status``, ``version``, ``reason``."""

    model_config = ConfigDict(defer_build=True, extra="forbid")

    title: Title | None = None
    description: Description | None = None
    parentTaskId: Id | None = None
    priority: Priority | None = None
    difficulty: Difficulty | None = None
    category: Category | None = None
    tags: Tags | None = None
    dueAt: UtcTime | None = None
    estimateMinutes: SentMinutes | None = None
    assigneeIds: AssigneeIds | None = None
    status: Status | None = None
    version: int | None = Field(default=None, ge=1, strict=True)
    reason: str | None = Field(default=None, max_length=500)

    def changes(self) -> dict[str, object]:
        """The editable fields the client sent; ``null`` only counts for the clearable ones."""
        sent = self.model_dump(exclude_unset=True, include=set(EDITABLE_FIELDS))
        return {name: value for name, value in sent.items() if value is not None or name in CLEARABLE_FIELDS}


class StatusChange(BaseModel):
    """Body of ``POST /api/tasks/{id}/status``."""

    model_config = ConfigDict(defer_build=True, extra="forbid")

    status: Status
    version: int | None = Field(default=None, ge=1, strict=True)
    reason: str | None = Field(default=None, max_length=500)


class CompleteRequest(BaseModel):
    """Body of ``POST /api/tasks/{id}/complete``; ``actualMinutes`` replaces the tracked total when sent."""

    model_config = ConfigDict(defer_build=True, extra="forbid")

    actualMinutes: SentMinutes | None = None
    notes: str | None = Field(default=None, max_length=2_000)
    version: int | None = Field(default=None, ge=1, strict=True)
    completedAt: Instant | None = Field(
        default=None, description="when the work was finished, if earlier than now (an offline client catching up): "
                                  "not in the future, at most 6 hours back; the activity time of TaskCompleted")


class Completion(BaseModel):
    """What ``POST /complete`` answers: the task and the figures its TaskCompleted event carried."""

    model_config = ConfigDict(defer_build=True)

    task: Task
    efficiency: float | None
    onTime: bool | None
    firstCompletion: bool


class FieldChange(BaseModel):
    model_config = ConfigDict(defer_build=True)

    old: object = None
    new: object = None


class TaskVersion(BaseModel):
    """One entry of a task's history: what changed, who changed it, why and when."""

    model_config = ConfigDict(defer_build=True)

    version: int
    changes: dict[str, FieldChange]
    actor: str
    reason: str | None = None
    at: datetime


def _comma_separated(value: object) -> object:
    """``status=todo,review`` (or the parameter repeated) as a list of its non-empty parts."""
    parts = value if isinstance(value, list) else [value]
    if not all(isinstance(part, str) for part in parts):
        return value
    return [piece.strip() for part in parts for piece in str(part).split(",") if piece.strip()]


class TaskListQuery(BaseModel):
    """The filters, sort and page of ``GET /api/tasks``."""

    model_config = ConfigDict(defer_build=True, extra="forbid")

    status: Annotated[list[Status], BeforeValidator(_comma_separated)] = Field(default_factory=list)
    priority: Priority | None = None
    category: Category | None = None
    tag: SingleLine | None = Field(default=None, max_length=200)
    projectId: str | None = Field(default=None, pattern=ID_PATTERN)
    assignee: str | None = Field(default=None, pattern=ID_PATTERN)
    dueFrom: UtcTime | None = None
    dueTo: UtcTime | None = None
    overdue: bool = False
    q: SingleLine | None = Field(default=None, max_length=200)
    sort: SortKey = "created"
    order: SortOrder | None = None
    limit: int = Field(default=20, ge=1, le=100)
    cursor: str | None = Field(default=None, max_length=MAX_CURSOR_LENGTH, pattern=CURSOR_PATTERN)
