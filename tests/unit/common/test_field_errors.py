"""One translation from pydantic's errors to the fields a 422 names."""

from __future__ import annotations

import pytest
from pydantic import BaseModel, Field, ValidationError

from deepiri_common.problems import ValidationFailed, field_errors


class Thing(BaseModel):
    title: str = Field(min_length=1)
    tags: list[int] = []


def _errors(data: object) -> list[dict[str, object]]:
    with pytest.raises(ValidationError) as caught:
        Thing.model_validate(data)
    return list(caught.value.errors(include_input=False))


def test_given_a_prefix_then_each_field_is_dotted_under_it() -> None:
    fields = field_errors(_errors({"title": "", "tags": [1, "x"]}), "body")

    assert fields == [
        {"field": "body.title", "message": "String should have at least 1 character"},
        {"field": "body.tags.1", "message": "Input should be a valid integer, unable to parse string as an integer"},
    ]


def test_given_no_prefix_and_an_error_of_the_whole_input_then_the_field_is_named_root() -> None:
    assert field_errors(_errors("not an object"))[0]["field"] == "(root)"


def test_given_field_errors_then_the_422_problem_names_every_field() -> None:
    problem = ValidationFailed(field_errors(_errors({"tags": ["x"]}), "query"))

    assert problem.detail == "invalid fields: query.title, query.tags.0"
    assert [error["field"] for error in problem.errors] == ["query.title", "query.tags.0"]
    assert problem.extensions == {"errors": problem.errors}  # the 422 body carries them
