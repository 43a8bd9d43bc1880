"""Generate the OpenAPI document of every service's REST routes, or check the committed one is current.

    python -m infra.openapi --write     regenerate functions/gateway/deepiri_gateway/openapi.json
    python -m infra.openapi --check     fail when the committed document drifted from the routes
"""

from __future__ import annotations

import argparse
import importlib
import json
from typing import Any

from infra.config import ROOT

SERVICE_APIS = [
    "deepiri_gateway.handlers.api",
    "deepiri_realtime.handlers.api",
    "deepiri_users.handlers.auth",
    "deepiri_users.handlers.users",
    "deepiri_users.handlers.oauth",
    "deepiri_users.handlers.social",
    "deepiri_users.handlers.skills",
    "deepiri_users.handlers.metrics",
    "deepiri_tasks.handlers.tasks",
    "deepiri_tasks.handlers.dependencies_graph",
    "deepiri_tasks.handlers.comments",
    "deepiri_tasks.handlers.attachments",
    "deepiri_tasks.handlers.timers",
    "deepiri_tasks.handlers.projects",
]
DOCUMENT = ROOT / "functions" / "gateway" / "deepiri_gateway" / "openapi.json"
PUBLIC_PATHS = {
    "/health", "/health/ready", "/docs", "/docs/openapi.json", "/.well-known/jwks.json",
    "/api/auth/register", "/api/auth/login", "/api/auth/refresh", "/api/auth/password-reset",
    "/api/auth/password-reset/confirm", "/api/auth/verify-email",
    "/api/oauth/token", "/api/oauth/revoke", "/api/oauth/introspect",
}


def build() -> dict[str, Any]:
    """Merge the OpenAPI schema each service's resolver generates from its routes."""
    merged: dict[str, Any] = {}
    for module_name in SERVICE_APIS:
        app = importlib.import_module(module_name).app
        schema = json.loads(app.get_openapi_json_schema(title="Deepiri API", version="1.0.0"))
        if not merged:
            merged = schema
            continue
        merged.setdefault("paths", {}).update(schema.get("paths", {}))
        components = merged.setdefault("components", {}).setdefault("schemas", {})
        components.update(schema.get("components", {}).get("schemas", {}))
    merged.setdefault("components", {})["securitySchemes"] = {
        "bearer": {"type": "http", "scheme": "bearer", "bearerFormat": "JWT"}
    }
    for path, operations in merged.get("paths", {}).items():
        for operation in operations.values():
            operation["security"] = [] if path in PUBLIC_PATHS else [{"bearer": []}]
    return merged


def render() -> str:
    return json.dumps(build(), indent=2, sort_keys=True) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    mode = parser.add_mutually_exclusive_group(required=True)
    mode.add_argument("--write", action="store_true")
    mode.add_argument("--check", action="store_true")
    args = parser.parse_args()
    current = render()
    if args.write:
        DOCUMENT.write_text(current)
        print(f"wrote {DOCUMENT.relative_to(ROOT)}")
        return
    if not DOCUMENT.exists() or DOCUMENT.read_text() != current:
        raise SystemExit(f"{DOCUMENT.relative_to(ROOT)} is out of date with the routes: run `make openapi`")
    print("OpenAPI document is current")


if __name__ == "__main__":
    main()
