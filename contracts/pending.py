"""Models of events whose producer has not landed yet, but which an existing consumer already reads.

Each entry names the module that will own the model (its future producer). The contract in
``contracts/events/`` is generated from the model here until then; when the producer lands, it moves the
model into that module, adds it to its ``PUBLISHES``, and deletes the entry here (``make lint`` fails
while a detail-type is declared in both places). Field names and constraints are what the consumers
already rely on (``participantIds`` and ``userId`` for realtime, the import fields for tasks), so the
producer adopts them as written, or changes them together with the consumers' models.
"""

from __future__ import annotations

from pydantic import BaseModel

PENDING: dict[str, tuple[str, type[BaseModel]]] = {}
"""detail-type → (the module that will publish it, the model of its ``data`` until then)."""
