"""Who receives a domain event live, and what frame they get.

The recipient is the user the event is about: ``data.userId`` when present (XpAwarded, LevelUp, ...),
every id in ``data.participantIds`` for duel events, otherwise the actor. Delivery is best effort:
a connection that is gone is forgotten; the event itself stays in the consuming services' stores.
"""

from __future__ import annotations

from typing import Protocol

from deepiri_common.events import ReceivedEvent
from deepiri_realtime.models.connection import Connection
from deepiri_realtime.models.messages import EventFrame


class Connections(Protocol):
    def for_user(self, user_id: str) -> list[Connection]: ...
    def remove(self, connection_id: str) -> None: ...


class Pusher(Protocol):
    def send(self, connection_id: str, payload: bytes) -> None: ...


def recipients(event: ReceivedEvent) -> set[str]:
    """The user ids an event is pushed to."""
    data = event.detail.data
    participants = data.get("participantIds")
    if isinstance(participants, list) and participants:
        return {str(p) for p in participants}
    user_id = data.get("userId")
    if isinstance(user_id, str) and user_id:
        return {user_id}
    return {event.detail.actor} if event.detail.actor != "system" else set()


def frame_for(event: ReceivedEvent) -> EventFrame:
    """The frame a client receives for ``event``."""
    detail = event.detail
    return EventFrame(event=event.detail_type, id=detail.id, occurredAt=detail.occurredAt, data=detail.data)


def fan_out(event: ReceivedEvent, connections: Connections, pusher: Pusher,
            gone: type[Exception]) -> int:
    """Push ``event`` to every open connection of its recipients; forget gone ones. Returns pushes made."""
    payload = frame_for(event).model_dump_json().encode()
    delivered = 0
    for user_id in sorted(recipients(event)):
        for connection in connections.for_user(user_id):
            try:
                pusher.send(connection.connectionId, payload)
                delivered += 1
            except gone:
                connections.remove(connection.connectionId)
    return delivered
