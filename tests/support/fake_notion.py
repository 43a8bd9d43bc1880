"""A fake Notion inside the fake provider server (tests/support/fake_providers.py), answering with JSON shaped
like Notion's public documentation (developers.notion.com: "Authorization", "Create a token", "Refresh a
token", "Revoke a token", "Search", "Query a database", "Retrieve a page", "Update page properties").

- ``GET /v1/oauth/authorize`` redirects (302) to ``redirect_uri`` with a code and the state; which workspace
  grants is the extra query parameter ``workspace`` (tests add it to the URL).
- ``POST /v1/oauth/token`` requires HTTP Basic client authentication (client id and secret) and a JSON body:
  the code once, with the same redirect_uri, or a refresh token (``expires_in`` and refresh tokens are given
  when ``/_control/notion/config`` sets ``expiresIn``); ``POST /v1/oauth/revoke``.
- With ``Authorization: Bearer`` and ``Notion-Version`` (400 without it): ``POST /v1/search`` (databases),
  ``POST /v1/databases/{id}/query`` (``last_edited_time`` ``on_or_after`` filter, ascending, ``page_size`` and
  ``start_cursor``), ``GET /v1/pages/{id}``, ``PATCH /v1/pages/{id}`` (``last_edited_time`` moves to the
  current minute, as Notion rounds it).
- Controls: ``POST /_control/notion/pages``, ``POST /_control/notion/config``, ``GET /_control/notion/state``.
"""

from __future__ import annotations

import base64
import json
import re
import secrets
import threading
from datetime import UTC, datetime
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlparse

CLIENT_ID = "fake-notion-client"
CLIENT_SECRET = "fake-notion-secret"
PAGE = re.compile(r"^/v1/pages/([0-9a-f-]{32,36})$")
QUERY = re.compile(r"^/v1/databases/([0-9a-f-]{32,36})/query$")


def minute_iso() -> str:
    """Now, as Notion writes ``last_edited_time``: rounded down to the minute."""
    return datetime.now(UTC).replace(second=0, microsecond=0).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def page(page_id: str, database: str, title: str, *, status: str = "Not started", due: str | None = None,
         tags: tuple[str, ...] = (), last_edited: str | None = None) -> dict[str, Any]:
    """A database page as ``GET /v1/pages/{id}`` answers it."""
    return {
        "object": "page", "id": page_id, "created_time": "2026-11-01T09:00:00.000Z",
        "last_edited_time": last_edited or minute_iso(), "archived": False, "in_trash": False,
        "parent": {"type": "database_id", "database_id": database},
        "url": f"https://www.notion.so/{title.replace(' ', '-')}-{page_id.replace('-', '')}",
        "properties": {
            "Name": {"id": "title", "type": "title", "title": [
                {"type": "text", "text": {"content": title, "link": None}, "plain_text": title, "href": None}]},
            "Status": {"id": "s%3Ab", "type": "status", "status": {"id": "1", "name": status, "color": "default"}},
            "Due": {"id": "d%3Ac", "type": "date",
                    "date": {"start": due, "end": None, "time_zone": None} if due else None},
            "Tags": {"id": "t%3Ad", "type": "multi_select",
                     "multi_select": [{"id": str(n), "name": tag, "color": "blue"} for n, tag in enumerate(tags)]},
        },
    }


class FakeNotion:
    """Notion's slice of the fake provider server; ``respond`` answers a request it owns."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.codes: dict[str, dict[str, str]] = {}
        self.tokens: dict[str, str] = {}  # access token -> workspace id
        self.refresh: dict[str, str] = {}
        self.pages: dict[str, dict[str, Any]] = {}
        self.updated: list[str] = []
        self.revoked: list[str] = []
        self.requests: dict[str, int] = {}
        self.expires_in: int | None = None

    def respond(self, handler: Any, method: str) -> bool:
        url = urlparse(handler.path)
        if not (url.path.startswith("/v1/") or url.path.startswith("/_control/notion/")):
            return False
        with self.lock:
            self.requests[url.path] = self.requests.get(url.path, 0) + 1
        raw = handler.rfile.read(int(handler.headers.get("content-length") or 0))
        try:
            body = json.loads(raw) if raw else {}
        except ValueError:
            body = None
        if not isinstance(body, dict):
            handler._send(400, {"object": "error", "status": 400, "code": "invalid_json", "message": "bad JSON"})
            return True
        status, answer, headers = self._route(handler, method, url.path, dict(parse_qsl(url.query)), body)
        handler._send(status, answer, headers)
        return True

    def _route(self, handler: Any, method: str, path: str, query: dict[str, str],
               body: dict[str, Any]) -> tuple[int, Any, dict[str, str]]:
        if path.startswith("/_control/notion/"):
            return self._control(path, body)
        if path == "/v1/oauth/authorize":
            return self._authorize(query)
        if path in ("/v1/oauth/token", "/v1/oauth/revoke"):
            expected = "Basic " + base64.b64encode(f"{CLIENT_ID}:{CLIENT_SECRET}".encode()).decode()
            if handler.headers.get("authorization") != expected:
                return _error(401, "unauthorized", "invalid client")
            return self._token(body) if path.endswith("token") else self._revoke(body)
        if not handler.headers.get("notion-version"):
            return _error(400, "missing_version", "Notion-Version header failed validation")
        workspace = self.tokens.get((handler.headers.get("authorization") or "").removeprefix("Bearer ").strip())
        if workspace is None:
            return _error(401, "unauthorized", "API token is invalid.")
        return self._rest(method, path, body)

    # ------------------------------------------------------------ OAuth
    def _authorize(self, query: dict[str, str]) -> tuple[int, Any, dict[str, str]]:
        if (query.get("client_id"), query.get("response_type"), query.get("owner")) != (CLIENT_ID, "code", "user"):
            return _error(400, "invalid_request", "bad authorization request")
        code = secrets.token_hex(10)
        with self.lock:
            self.codes[code] = {"workspace": query.get("workspace", "ws-default"),
                                "redirect_uri": query["redirect_uri"]}
        back = urlencode({"code": code, "state": query.get("state", "")})
        return 302, None, {"location": f"{query['redirect_uri']}?{back}"}

    def _token(self, body: dict[str, Any]) -> tuple[int, Any, dict[str, str]]:
        with self.lock:
            if body.get("grant_type") == "refresh_token":
                workspace = self.refresh.pop(str(body.get("refresh_token")), None)
            else:
                grant = self.codes.pop(str(body.get("code")), None)
                workspace = grant["workspace"] if grant and grant["redirect_uri"] == body.get("redirect_uri") else None
            if workspace is None:
                return _error(400, "invalid_grant", "Invalid code or refresh token.")
            access = f"ntn_{secrets.token_hex(16)}"
            self.tokens[access] = workspace
            answer: dict[str, Any] = {
                "access_token": access, "token_type": "bearer", "bot_id": "b0b0b0b0-0000-4000-8000-000000000001",
                "workspace_id": workspace, "workspace_name": "E2E workspace", "workspace_icon": None,
                "owner": {"type": "user", "user": {"object": "user", "id": "u1", "type": "person"}},
                "duplicated_template_id": None}
            if self.expires_in:
                refresh = f"nrt_{secrets.token_hex(16)}"
                self.refresh[refresh] = workspace
                answer |= {"refresh_token": refresh, "expires_in": self.expires_in}
        return 200, answer, {}

    def _revoke(self, body: dict[str, Any]) -> tuple[int, Any, dict[str, str]]:
        with self.lock:
            workspace = self.tokens.pop(str(body.get("token")), None)
            if workspace is not None:
                self.revoked.append(workspace)
        return 200, {}, {}

    # ------------------------------------------------------------ REST
    def _rest(self, method: str, path: str, body: dict[str, Any]) -> tuple[int, Any, dict[str, str]]:
        with self.lock:
            if method == "POST" and path == "/v1/search":
                databases = sorted({p["parent"]["database_id"] for p in self.pages.values()})
                results = [{"object": "database", "id": d, "title": [{"plain_text": f"Tasks {d[:4]}"}]}
                           for d in databases]
                return 200, {"object": "list", "results": results, "has_more": False, "next_cursor": None}, {}
            if method == "POST" and (found := QUERY.match(path)):
                return 200, self._query(found.group(1), body), {}
            found = PAGE.match(path)
            current = self.pages.get(_compact(found.group(1))) if found else None
            if current is None:
                return _error(404, "object_not_found", "Could not find page.")
            if method == "GET":
                return 200, json.loads(json.dumps(current)), {}
            if method == "PATCH":
                for name, value in (body.get("properties") or {}).items():
                    prop = current["properties"].get(name)
                    if prop is None or prop["type"] not in value:
                        return _error(400, "validation_error", f"{name} is not a property that exists.")
                    prop[prop["type"]] = {**(prop[prop["type"]] or {}), **value[prop["type"]]}
                current["last_edited_time"] = minute_iso()
                self.updated.append(current["id"])
                return 200, json.loads(json.dumps(current)), {}
        return _error(404, "object_not_found", "Not found.")

    def _query(self, database: str, body: dict[str, Any]) -> dict[str, Any]:
        since = ((body.get("filter") or {}).get("last_edited_time") or {}).get("on_or_after")
        rows = sorted((p for p in self.pages.values() if _compact(p["parent"]["database_id"]) == _compact(database)
                       and (since is None or _instant(p["last_edited_time"]) >= _instant(since))),
                      key=lambda p: (p["last_edited_time"], p["id"]))
        start = int(body.get("start_cursor") or 0)
        size = int(body.get("page_size") or 100)
        chunk = rows[start:start + size]
        more = start + size < len(rows)
        return {"object": "list", "results": json.loads(json.dumps(chunk)), "has_more": more,
                "next_cursor": str(start + size) if more else None, "type": "page_or_database"}

    def _control(self, path: str, body: dict[str, Any]) -> tuple[int, Any, dict[str, str]]:
        with self.lock:
            if path == "/_control/notion/pages":
                for found in body["pages"]:
                    self.pages[_compact(found["id"])] = found
            elif path == "/_control/notion/config":
                self.expires_in = body.get("expiresIn")
            elif path == "/_control/notion/state":
                return 200, {"pages": self.pages, "updated": self.updated, "revoked": self.revoked,
                             "requests": self.requests, "tokens": len(self.tokens)}, {}
        return 200, {"ok": True}, {}


def _compact(notion_id: str) -> str:
    return notion_id.replace("-", "")


def _instant(value: str) -> datetime:
    return datetime.fromisoformat(value.replace("Z", "+00:00"))


def _error(status: int, code: str, message: str) -> tuple[int, Any, dict[str, str]]:
    return status, {"object": "error", "status": status, "code": code, "message": message}, {}
