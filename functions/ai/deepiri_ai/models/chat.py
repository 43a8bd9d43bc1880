"""``POST /api/agent/chat``: a conversation with the assistant about the caller's own work."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from deepiri_common.text import MultiLine

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
    provider: Literal["local"] = "local"
    data: dict[str, Any] = Field(default_factory=dict, description="what the reply was made from (the caller's own)")
