"""A version precondition is an integer: ``true`` is refused (422), never read as version 1 (then a 412)."""

from __future__ import annotations

from typing import Any

import pytest
from pydantic import BaseModel, ValidationError

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
@pytest.mark.parametrize("version", [True, False, "2", 2.0])
def test_given_a_version_that_is_no_integer_then_the_body_is_refused(model: type[BaseModel], body: dict[str, Any],
                                                                      version: Any) -> None:
    with pytest.raises(ValidationError) as refused:
        model.model_validate({**body, "version": version})
    assert any(error["loc"][0] == "version" for error in refused.value.errors())


@pytest.mark.parametrize(("model", "body"), BODIES, ids=[model.__name__ for model, _ in BODIES])
def test_given_an_integer_version_then_it_is_read_as_given(model: type[BaseModel], body: dict[str, Any]) -> None:
    assert model.model_validate({**body, "version": 3}).version == 3  # type: ignore[attr-defined]
