"""Generate the OpenAPI document of every service's REST routes, or check the committed one is current.

    python -m infra.openapi --write     regenerate functions/gateway/deepiri_gateway/openapi.json
    python -m infra.openapi --check     fail when the committed document drifted from the routes
"""

from __future__ import annotations

import importlib
import json
from http import HTTPStatus
from typing import Annotated, Any, get_args, get_origin, get_type_hints

from pydantic import BaseModel

from deepiri_common.api import PATH_PARAMETER_PATTERN as PATH_PATTERN
from deepiri_common.contract import (
    FROM_THE_GATEWAY,
    PROBLEM_JSON,
    GatewayMessage,
    ProblemDetails,
    error_statuses,
    example_problem,
)
from deepiri_common.routes import Route
from deepiri_users.logic.oauth_scopes import SCOPES
from infra.cli import run, write_or_check
from infra.config import ROOT
from infra.routes import declared, route_tables

# The statuses a route's own error model may answer besides problems (OAuth's token errors).
OWN_ERROR_STATUSES = (400, 401, 429)
# The ``instance`` of the shared error examples: one route's path stands for all.
EXAMPLE_INSTANCE = "/api/tasks"

DOCUMENT = ROOT / "functions" / "gateway" / "deepiri_gateway" / "openapi.json"


def build() -> dict[str, Any]:
    """Merge the OpenAPI schema each service's resolver generates from its routes.

    Which service modules have routes, and each operation's security, come from the route
    declarations (``infra.routes``): open routes need nothing, the others a first-party bearer token
    or, where the route names a scope, an OAuth token with that scope.
    """
    merged: dict[str, Any] = {}
    for module_name in route_tables():
        app = importlib.import_module(module_name).app
        schema = json.loads(app.get_openapi_json_schema(title="Deepiri API", version="1.0.0"))
        if not merged:
            merged = schema
            continue
        merged.setdefault("paths", {}).update(schema.get("paths", {}))
        components = merged.setdefault("components", {}).setdefault("schemas", {})
        for name, definition in schema.get("components", {}).get("schemas", {}).items():
            # Two modules' models of one name would silently replace each other in the document.
            if components.get(name, definition) != definition:
                raise ValueError(f"two different models are named {name} in the OpenAPI document ({module_name})")
            components[name] = definition
    merged.setdefault("components", {})["securitySchemes"] = {
        "bearer": {"type": "http", "scheme": "bearer", "bearerFormat": "JWT"},
        "oauth2": {"type": "oauth2", "flows": {"authorizationCode": {
            "authorizationUrl": "/api/oauth/authorize", "tokenUrl": "/api/oauth/token",
            "refreshUrl": "/api/oauth/token", "scopes": dict(SCOPES)}}},
    }
    # Relative to the document (served at <stage>/docs/openapi.json): the stage that serves it.
    merged["servers"] = [{"url": "..", "description": "the API stage that serves this document"}]
    schemas = merged["components"].setdefault("schemas", {})
    for model in (ProblemDetails, GatewayMessage):
        add_schema(schemas, model)
    routes = {(item.route.path, item.route.method.lower()): item for item in declared()}
    for path, operations in merged.get("paths", {}).items():
        for method, operation in operations.items():
            item = routes[(path, method)]
            operation["security"] = security(item.route)
            function = getattr(importlib.import_module(item.module), item.route.handler)
            describe_parameters(operation, function, schemas)
            complete(operation, item.route, schemas, merged["components"].setdefault("responses", {}))
    # Powertools adds these for its own validation answers; the gateway answers problem+json instead.
    for unused in ("HTTPValidationError", "ValidationError", "ResponseValidationError"):
        schemas.pop(unused, None)
    return merged


def complete(operation: dict[str, Any], route: Route, schemas: dict[str, Any], shared: dict[str, Any]) -> None:
    """Add to ``operation`` what its handler's signature cannot tell: its form body, every error it
    may answer (``deepiri_common.contract``, as references into ``shared``, the document's
    ``components/responses``), and no body for a 204."""
    responses = operation.setdefault("responses", {})
    if route.summary:
        operation["summary"] = route.summary
    if route.form is not None:
        operation["requestBody"] = {"required": True, "content": {
            "application/x-www-form-urlencoded": {"schema": {"$ref": add_schema(schemas, route.form)}}}}
    for code in route.statuses:
        if code == HTTPStatus.NO_CONTENT:
            responses[str(code)] = {"description": "No Content"}
    headers = frozenset(p["name"].lower() for p in operation.get("parameters", []) if p.get("in") == "header")
    own_errors = add_schema(schemas, route.error_model) if route.error_model else None
    fields = frozenset(p["name"] for p in operation.get("parameters", []) if p.get("in") == "query")
    for code in error_statuses(route, headers, fields | body_fields(operation, schemas)):
        responses[str(code)] = share(shared, code, own_errors if code in OWN_ERROR_STATUSES else None,
                                     error_response(code, own_errors))


def share(shared: dict[str, Any], code: int, own_errors: str | None, response: dict[str, Any]) -> dict[str, str]:
    """A reference to ``response`` among the document's shared responses, added there under a name
    made of its status phrase and the route's own error model.

    Every operation answers the same few errors: written once each, they keep the document small.
    """
    name = HTTPStatus(code).phrase.title().replace(" ", "").replace("-", "")
    if own_errors:
        name += own_errors.rsplit("/", 1)[-1]
    if shared.setdefault(name, response) != response:
        raise ValueError(f"two different {code} answers would share the name {name} in the OpenAPI document")
    return {"$ref": f"#/components/responses/{name}"}


def describe_parameters(operation: dict[str, Any], function: Any, schemas: dict[str, Any]) -> None:
    """Give every parameter its whole schema.

    Powertools documents a query or header *model*'s fields by type only: their limits, formats and
    enums are taken here from the model. A path parameter without a pattern gets the one every route
    enforces (``deepiri_common.api.refusal``). A query or header value is absent, never null.
    """
    fields: dict[str, Any] = {}
    for hint in get_type_hints(function, include_extras=True).values():
        model = next((arg for arg in get_args(hint)[:1] if isinstance(arg, type) and issubclass(arg, BaseModel)), None)
        if model is not None and get_origin(hint) is Annotated:
            schema = model.model_json_schema(ref_template="#/components/schemas/{model}")
            for name, definition in schema.pop("$defs", {}).items():
                schemas.setdefault(name, definition)
            fields.update(schema.get("properties", {}))
    for parameter in operation.get("parameters", []):
        schema = fields.get(parameter["name"], parameter.get("schema", {}))
        if parameter["in"] == "path" and "pattern" not in schema:
            schema = {**schema, "pattern": PATH_PATTERN}
        if parameter["in"] in ("query", "header"):
            schema = _not_null(schema)
        parameter["schema"] = schema


def _not_null(schema: dict[str, Any]) -> dict[str, Any]:
    options = [option for option in schema.get("anyOf", []) if option != {"type": "null"}]
    if not options or len(options) == len(schema.get("anyOf", [])):
        return schema
    rest = {key: value for key, value in schema.items() if key not in ("anyOf", "default")}
    return {**rest, **options[0]} if len(options) == 1 else {**rest, "anyOf": options}


def body_fields(operation: dict[str, Any], schemas: dict[str, Any]) -> frozenset[str]:
    """The top-level fields of the operation's JSON body."""
    schema = operation.get("requestBody", {}).get("content", {}).get("application/json", {}).get("schema", {})
    reference = str(schema.get("$ref", ""))
    return frozenset(schemas.get(reference.rsplit("/", 1)[-1], {}).get("properties", {}) if reference else ())


def error_response(code: int, own_errors: str | None) -> dict[str, Any]:
    """The documented answer for the error status ``code`` of a route whose own error model (its
    ``application/json`` answers besides problems, as OAuth's) is ``own_errors``."""
    content: dict[str, Any] = {PROBLEM_JSON: {"schema": {"$ref": "#/components/schemas/Problem"},
                                              "example": example_problem(code, EXAMPLE_INSTANCE)}}
    json_schemas = []
    if own_errors and code in OWN_ERROR_STATUSES:
        json_schemas.append({"$ref": own_errors})
    if code in FROM_THE_GATEWAY:
        json_schemas.append({"$ref": "#/components/schemas/GatewayMessage"})
    if json_schemas:
        content["application/json"] = {"schema": json_schemas[0] if len(json_schemas) == 1
                                       else {"anyOf": json_schemas}}
    response: dict[str, Any] = {"description": HTTPStatus(code).phrase, "content": content}
    if code == HTTPStatus.TOO_MANY_REQUESTS:
        response["headers"] = {"Retry-After": {"description": "seconds to wait before trying again",
                                               "schema": {"type": "integer"}}}
    return response


def add_schema(schemas: dict[str, Any], model: type) -> str:
    """Put ``model``'s JSON schema (and the models it uses) into ``schemas``; its reference."""
    if not issubclass(model, BaseModel):
        raise TypeError(f"{model!r} is not a pydantic model")
    schema = model.model_json_schema(ref_template="#/components/schemas/{model}", mode="serialization")
    for name, definition in schema.pop("$defs", {}).items():
        schemas.setdefault(name, definition)
    name = str(schema.get("title", model.__name__))
    schemas[name] = schema
    return f"#/components/schemas/{name}"


def security(route: Route) -> list[dict[str, list[str]]]:
    """The OpenAPI security requirement of a declared route."""
    if route.open:
        return []
    return [{"bearer": []}, {"oauth2": [route.scope]}] if route.scope else [{"bearer": []}]


def render() -> str:
    return json.dumps(build(), indent=2, sort_keys=True) + "\n"


def main() -> None:
    write = write_or_check(__doc__)
    current = render()
    if write:
        DOCUMENT.write_text(current)
        print(f"wrote {DOCUMENT.relative_to(ROOT)}")
        return
    if not DOCUMENT.exists() or DOCUMENT.read_text() != current:
        raise SystemExit(f"{DOCUMENT.relative_to(ROOT)} is out of date with the routes: run `make openapi`")
    print("OpenAPI document is current")


if __name__ == "__main__":
    run(main)
