"""The events the realtime service publishes (``source = deepiri.realtime``) and what its consumer reads.

``PUBLISHES`` is the service's contract (``make contracts`` writes its schemas); ``Recipients`` is the
only part of a pushed event's ``data`` the fan-out relies on.
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict

from deepiri_realtime.models.presence import Presence

SERVICE = "realtime"

PUBLISHES: dict[str, type[BaseModel]] = {"PresenceUpdated": Presence}


class Recipients(BaseModel):
    """Who an event is pushed to: every ``participantIds`` (duels), else ``userId``, else the actor.

    The rest of ``data`` is passed through to the client untouched, so any other field is allowed.
    """

    model_config = ConfigDict(extra="allow")

    userId: str | None = None
    participantIds: list[str] | None = None
