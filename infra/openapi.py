"""Generate the OpenAPI document of every service's REST routes, or check the committed one is current.

    python -m infra.openapi --write     regenerate functions/gateway/deepiri_gateway/openapi.json
    python -m infra.openapi --check     fail when the committed document drifted from the routes
"""

from __future__ import annotations

import importlib
import json
from typing import Any

from deepiri_common.routes import Route
from deepiri_users.logic.oauth_scopes import SCOPES
from infra.cli import run, write_or_check
from infra.config import ROOT
from infra.routes import declared, route_tables

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
        components.update(schema.get("components", {}).get("schemas", {}))
    merged.setdefault("components", {})["securitySchemes"] = {
        "bearer": {"type": "http", "scheme": "bearer", "bearerFormat": "JWT"},
        "oauth2": {"type": "oauth2", "flows": {"authorizationCode": {
            "authorizationUrl": "/api/oauth/authorize", "tokenUrl": "/api/oauth/token",
            "refreshUrl": "/api/oauth/token", "scopes": dict(SCOPES)}}},
    }
    routes = {(item.route.path, item.route.method.lower()): item.route for item in declared()}
    for path, operations in merged.get("paths", {}).items():
        for method, operation in operations.items():
            operation["security"] = security(routes[(path, method)])
    return merged


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
