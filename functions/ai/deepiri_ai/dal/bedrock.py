"""Amazon Bedrock's Converse API, asked for structured output through one forced tool.

The client is the layer's botocore client (``deepiri_common.aws.client("bedrock-runtime")``) with short
timeouts and no botocore retries: :func:`converse_tool` retries itself, with full jitter, only what is
worth retrying (throttling, 5xx, timeouts), so the breaker sees every real failure.
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from botocore.exceptions import BotoCoreError, ClientError

RETRYABLE = frozenset({"ThrottlingException", "ServiceUnavailableException", "InternalServerException",
                       "ModelTimeoutException", "ModelNotReadyException"})


class ProviderFailed(Exception):
    """Bedrock did not answer usefully (after retries): the caller falls back to the local engine."""


@dataclass(frozen=True)
class ToolAnswer:
    """The forced tool's input as Bedrock wrote it (None when it answered text instead), and its tokens."""

    tool_input: dict[str, Any] | None
    tokens: int


@dataclass(frozen=True)
class Turn:
    """One assistant turn: its content blocks as Bedrock wrote them, why it stopped, and its tokens."""

    content: list[dict[str, Any]]
    stop_reason: str
    tokens: int

    def tool_uses(self) -> list[dict[str, Any]]:
        """The turn's tool calls (``{"toolUseId", "name", "input"}``), in order."""
        return [block["toolUse"] for block in self.content
                if isinstance(block, dict) and isinstance(block.get("toolUse"), dict)]

    def text(self) -> str:
        return "".join(str(block["text"]) for block in self.content if isinstance(block, dict) and "text" in block)


def converse(client: Any, request: dict[str, Any], *, attempts: int = 3, base_delay: float = 0.2,
             sleep: Callable[[float], None] | None = None) -> Turn:
    """One Converse call; retries retryable errors with exponential backoff and full jitter, and raises
    ``ProviderFailed`` for the rest (and when retries run out)."""
    for attempt in range(attempts):
        try:
            answer = client.converse(**request)
            break
        except ClientError as exc:
            code = exc.response.get("Error", {}).get("Code", "")
            if code not in RETRYABLE or attempt == attempts - 1:
                raise ProviderFailed(code or "client error") from exc
        except BotoCoreError as exc:  # timeouts, connection errors
            if attempt == attempts - 1:
                raise ProviderFailed(type(exc).__name__) from exc
        (sleep or time.sleep)(random.uniform(0, base_delay * 2 ** attempt))  # noqa: S311 - jitter, not secrecy
    usage = answer.get("usage") or {}
    tokens = int(usage.get("totalTokens") or (usage.get("inputTokens", 0) + usage.get("outputTokens", 0)))
    blocks = (((answer.get("output") or {}).get("message") or {}).get("content")) or []
    return Turn(content=[block for block in blocks if isinstance(block, dict)],
                stop_reason=str(answer.get("stopReason") or ""), tokens=tokens)


def converse_tool(client: Any, model_id: str, system: str, user_text: str, tool: dict[str, Any], *,
                  attempts: int = 3, base_delay: float = 0.2, max_tokens: int = 512,
                  sleep: Callable[[float], None] | None = None) -> ToolAnswer:
    """Ask ``model_id`` to call ``tool`` about ``user_text`` (sent as data in a user turn, never as system
    text); retries retryable errors with exponential backoff and full jitter."""
    request = {
        "modelId": model_id,
        "system": [{"text": system}],
        "messages": [{"role": "user", "content": [{"text": user_text}]}],
        "toolConfig": {"tools": [{"toolSpec": tool}], "toolChoice": {"tool": {"name": tool["name"]}}},
        "inferenceConfig": {"maxTokens": max_tokens, "temperature": 0},
    }
    turn = converse(client, request, attempts=attempts, base_delay=base_delay, sleep=sleep)
    for use in turn.tool_uses():
        if use.get("name") == tool["name"] and isinstance(use.get("input"), dict):
            return ToolAnswer(tool_input=use["input"], tokens=turn.tokens)
    return ToolAnswer(tool_input=None, tokens=turn.tokens)
