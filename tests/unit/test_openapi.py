"""The committed OpenAPI document matches the routes (regenerate with `make openapi`)."""

from __future__ import annotations

from infra import openapi


def test_given_the_routes_when_the_document_is_generated_then_it_equals_the_committed_one() -> None:
    assert openapi.DOCUMENT.read_text() == openapi.render()


def test_given_the_document_then_only_public_routes_skip_the_bearer_requirement() -> None:
    paths = openapi.build()["paths"]
    assert paths["/health"]["get"]["security"] == []
    assert paths["/api/realtime/me"]["get"]["security"] == [{"bearer": []}, {"oauth2": ["profile:read"]}]
    assert paths["/api/realtime/presence"]["put"]["security"] == [{"bearer": []}]
