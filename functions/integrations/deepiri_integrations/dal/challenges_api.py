"""The challenge a focus block is for, read through the challenges service's own API function as the caller.

The integrations service never reads the challenges table: ``deepiri_common.internal.call_route`` invokes
``deepiri-<stage>-challenges-api`` with the proxy event the gateway would send for the same caller, so the
challenges service decides what the caller may see (another user's challenge is its own 404).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from pydantic import BaseModel, ConfigDict

from deepiri_common.identity import Caller
from deepiri_common.internal import call_route


class ChallengeView(BaseModel):
    """What a focus block reads of a challenge."""

    model_config = ConfigDict(extra="ignore")

    id: str
    title: str
    description: str = ""
    status: str
    timeLimitMinutes: int = 60


class ChallengesApi:
    def __init__(self, function_name: str, invoke: Callable[..., Mapping[str, Any]] | None = None) -> None:
        self._function, self._invoke = function_name, invoke

    def challenge(self, caller: Caller, challenge_id: str) -> ChallengeView | None:
        """The caller's challenge; None when the challenges service answers anything but 200."""
        status, body = call_route(self._function, "GET", f"/api/challenges/{challenge_id}", caller=caller,
                                  invoke=self._invoke)
        return ChallengeView.model_validate(body) if status == 200 else None
