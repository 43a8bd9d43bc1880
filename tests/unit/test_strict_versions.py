"""A version precondition sent as an integer is read as given (``test_strict_integers`` refuses ``true``, ``"2"``
and ``2.0`` in it, and in every other integer a client sends)."""

from __future__ import annotations

from typing import Any

import pytest
from pydantic import BaseModel

from deepiri_realtime.models.messages import RoomUpdate
from deepiri_tasks.models.projects import ProjectPatch
from deepiri_tasks.models.tasks import CompleteRequest, StatusChange, TaskPatch
from deepiri_users.models.profiles import ProfilePatch

BODIES: list[tuple[type[BaseModel], dict[str, Any]]] = [
    (TaskPatch, {"title": "x"}), (StatusChange, {"status": "in_progress"}), (CompleteRequest, {}),
    (ProjectPatch, {"name": "x"}), (ProfilePatch, {"displayName": "x"}),
    (RoomUpdate, {"action": "room.update", "roomId": "01HZY3Q8M4W6T9V2K5R7N1P3XA", "patch": {}}),
]


@pytest.mark.parametrize(("model", "body"), BODIES, ids=[model.__name__ for model, _ in BODIES])
def test_given_an_integer_version_then_it_is_read_as_given(model: type[BaseModel], body: dict[str, Any]) -> None:
    assert model.model_validate({**body, "version": 3}).version == 3  # type: ignore[attr-defined]
