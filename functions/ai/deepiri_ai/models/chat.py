"""``POST /api/agent/chat``: a conversation with the assistant about the caller's own work."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field

from deepiri_ai.models.agent import Category, Priority, Tag
from deepiri_common.text import MultiLine, SingleLine

Intent = Literal["due", "next", "progress", "add_task", "make_challenge", "unknown"]


class ChatMessage(BaseModel):
    model_config = ConfigDict(extra="forbid")

    role: Literal["user", "assistant"]
    content: Annotated[MultiLine, Field(min_length=1, max_length=2_000)]


class ChatRequest(BaseModel):
    """The conversation so far, oldest first; the last message is the caller's (at most 20, 2,000 characters each)."""

    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [
        {"messages": [{"role": "user", "content": "what should I do next?"}]}]})

    messages: Annotated[list[ChatMessage], Field(min_length=1, max_length=20)]


class ChatReply(BaseModel):
    reply: str
    intent: Intent = Field(description="what the assistant understood: due, next, progress, add_task, "
                                       "make_challenge, or unknown")
    provider: Literal["local", "bedrock"] = Field(default="local", description="which engine answered")
    fallbackReason: Literal["breaker-open", "provider-failed", "invalid-answer"] | None = Field(
        default=None, description="why the local engine answered when Bedrock is configured")
    data: dict[str, Any] = Field(default_factory=dict, description="what the reply was made from (the caller's own)")


# Bedrock's tool inputs, validated before a tool runs (an input that does not validate: the local engine answers).
ChallengeType = Literal["timed_completion", "focus_sprint", "checklist", "streak", "quiz", "puzzle", "multiplayer",
                        "custom"]


class ListTasksInput(BaseModel):
    model_config = ConfigDict(extra="forbid")

    view: Literal["due", "next", "all"] = "all"


class CreateTaskInput(BaseModel):
    model_config = ConfigDict(extra="forbid")

    title: Annotated[SingleLine, Field(min_length=1, max_length=500)]
    dueAt: AwareDatetime | None = None
    priority: Priority = "medium"
    category: Category | None = None
    tags: Annotated[list[Tag], Field(max_length=20)] = []
    estimateMinutes: int | None = Field(default=None, ge=1, le=1_000_000)


class MakeChallengeInput(BaseModel):
    model_config = ConfigDict(extra="forbid")

    taskId: str = Field(pattern=r"^[A-Za-z0-9_-]{1,64}$")
    type: ChallengeType | None = None


class ProgressInput(BaseModel):
    model_config = ConfigDict(extra="forbid")


class AssistantText(BaseModel):
    """The model's final answer to the caller."""

    text: Annotated[str, Field(min_length=1, max_length=4_000)]

