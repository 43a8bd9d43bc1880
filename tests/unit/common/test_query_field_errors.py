"""A 422 for a bad query string or header names the field as the client sent it (``query.limit``,
``header.if-match``), not under the name of the handler's parameter that holds the model."""

from __future__ import annotations

import json
from typing import Annotated, Any

import pytest
from aws_lambda_powertools.event_handler.openapi.params import Header, Query
from pydantic import BaseModel, ConfigDict, Field

from deepiri_common.api import api_handler, create_resolver
from tests.support.apigw import rest_event
from tests.support.lambda_context import FakeLambdaContext

pytestmark = pytest.mark.filterwarnings("ignore:No application metrics to publish")


class Listing(BaseModel):
    model_config = ConfigDict(extra="forbid")

    limit: int = Field(default=20, ge=1, le=100)


class Preconditions(BaseModel):
    if_match: str = Field(alias="if-match", pattern=r"^\d+$")


def _service() -> Any:
    app = create_resolver()

    @app.get("/api/things")
    def list_things(listing: Annotated[Listing, Query()]) -> dict[str, int]:
        return {"limit": listing.limit}

    @app.put("/api/things/<thing_id>")
    def put_thing(thing_id: str, conditions: Annotated[Preconditions, Header()]) -> dict[str, str]:
        return {"id": thing_id}

    return api_handler(app)


def _errors(event: dict[str, Any]) -> tuple[int, list[dict[str, str]]]:
    response = _service()(event, FakeLambdaContext())
    return response["statusCode"], json.loads(response["body"]).get("errors", [])


def test_given_a_query_field_out_of_range_then_422_names_it_query_dot_field() -> None:
    status, errors = _errors(rest_event("GET", "/api/things", query={"limit": "500"}))

    assert status == 422
    assert [e["field"] for e in errors] == ["query.limit"]


def test_given_a_bad_header_then_422_names_it_header_dot_name() -> None:
    status, errors = _errors(rest_event("PUT", "/api/things/t1", body={}, headers={"If-Match": "abc"},
                                        path_params={"thing_id": "t1"}))

    assert status == 422
    assert [e["field"] for e in errors] == ["header.if-match"]
