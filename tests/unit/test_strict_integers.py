"""Every integer a client sends is a JSON integer: ``true``, ``"5"`` and ``5.0`` are refused (422 naming the
field), never read as 1 or 5.

The bodies come from the declared routes (``infra.routes``: each handler's body model, and the models it
nests) and the WebSocket's client messages, so a route or a field added later is held to it without being
listed here. Stored models are not: an item read back from DynamoDB holds its numbers as ``Decimal``.
"""

from __future__ import annotations

import importlib
import types
from collections.abc import Iterator
from typing import Annotated, Any, Literal, Union, get_args, get_origin, get_type_hints

import pytest
from pydantic import BaseModel, ValidationError

from deepiri_realtime.models.messages import ClientMessage
from infra import routes

NOT_INTEGERS = [True, False, "2", 2.0]
CONTAINERS = (list, tuple, set, frozenset)


def _models_in(annotation: Any) -> Iterator[type[BaseModel]]:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        yield annotation
    elif get_origin(annotation) is not Literal:
        for argument in get_args(annotation):
            yield from _models_in(argument)


def _integer_shape(annotation: Any) -> Literal["", "value", "item"]:
    """Whether ``annotation`` holds an integer as itself ("value"), as a list's items ("item"), or not ("")."""
    origin = get_origin(annotation)
    if annotation is int:
        return "value"
    if origin is Annotated:
        return _integer_shape(get_args(annotation)[0])
    if origin in (Union, types.UnionType):
        return next((shape for shape in map(_integer_shape, get_args(annotation)) if shape), "")
    if origin in CONTAINERS and any(_integer_shape(argument) for argument in get_args(annotation)):
        return "item"
    return ""


def _integer_fields(model: type[BaseModel], path: tuple[str, ...] = (),
                    seen: frozenset[type[BaseModel]] = frozenset()) -> Iterator[tuple[tuple[str, ...], str]]:
    """Each integer field of ``model`` and of the models it nests: its path and its shape."""
    for name, field in model.model_fields.items():
        key = field.alias or name
        if shape := _integer_shape(field.annotation):
            yield (*path, key), shape
        for nested in _models_in(field.annotation):
            if nested not in seen | {model}:
                yield from _integer_fields(nested, (*path, key), seen | {model})


def _bodies() -> dict[str, type[BaseModel]]:
    """Every REST body model by name, and each WebSocket client message."""
    found: dict[str, type[BaseModel]] = {}
    for item in routes.declared():
        if not item.route.handler:
            continue
        handler = getattr(importlib.import_module(item.module), item.route.handler)
        for name, hint in get_type_hints(handler, include_extras=True).items():
            if name != "return" and get_origin(hint) is not Annotated:  # Annotated: a query, header or path
                found.update((model.__name__, model) for model in _models_in(hint))
    found.update((model.__name__, model) for model in _models_in(ClientMessage))
    return found


BODIES = _bodies()
CASES = [(name, path, shape) for name, model in BODIES.items() for path, shape in _integer_fields(model)]


def _placed(path: tuple[str, ...], value: Any) -> dict[str, Any]:
    body: Any = value
    for key in reversed(path):
        body = {key: body}
    return dict(body)


@pytest.mark.parametrize(("model", "path", "shape"), CASES, ids=[f"{m}.{'.'.join(p)}" for m, p, _ in CASES])
@pytest.mark.parametrize("value", NOT_INTEGERS, ids=repr)
def test_given_an_integer_field_sent_as_no_integer_then_the_body_is_refused_naming_it(
        model: str, path: tuple[str, ...], shape: str, value: Any) -> None:
    sent = [value] if shape == "item" else value
    where = (*path, 0) if shape == "item" else path
    with pytest.raises(ValidationError) as refused:
        BODIES[model].model_validate(_placed(path, sent))
    assert any(error["loc"][:len(where)] == where for error in refused.value.errors()), refused.value.errors()


def test_the_table_reaches_the_integers_of_nested_bodies_lists_and_websocket_messages() -> None:
    assert ("CompleteRequest", ("actualMinutes",), "value") in CASES
    assert ("NotificationPreferences", ("digest", "hour"), "value") in CASES
    assert ("ChallengeSubmission", ("answers",), "item") in CASES
    assert ("DuelProgress", ("progress",), "value") in CASES
    assert len({model for model, _, _ in CASES}) >= 15
