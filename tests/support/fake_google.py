"""The fake Google (OAuth 2.0 and Calendar API v3) that :mod:`tests.support.fake_providers` serves beside the
fake GitHub, answering with JSON shaped like Google's public documentation (developers.google.com: "Using
OAuth 2.0 for Web Server Applications", "Synchronize resources efficiently", the Calendar API reference
for CalendarList.list/get and Events.list/get/patch/insert).

- ``GET /o/oauth2/v2/auth``: redirects (302) to ``redirect_uri`` with a code and the state; the extra query
  parameter ``login`` chooses the Google account (an address). ``POST /token``: the code (once, PKCE S256,
  same redirect_uri) or a refresh token; a refresh answers a new access token and no new refresh token, as
  Google does. ``POST /revoke``.
- ``GET /calendar/v3/users/me/calendarList[/primary]``; ``GET /calendar/v3/calendars/{id}/events`` (a full
  read, or changes since ``syncToken``, cancelled events included; ``pageToken``; ``nextSyncToken`` on the
  last page; 410 for a token issued before ``/_control/google/expire``); ``GET``/``PATCH``
  ``.../events/{eventId}``; ``POST .../events`` (409 for an id that exists).
- Controls: ``POST /_control/google/events`` (``{"login", "calendarId", "events": [...]}``: add or change),
  ``POST /_control/google/cancel`` (``{"login", "calendarId", "id"}``), ``POST /_control/google/expire``
  (every sync token issued so far answers 410), ``GET /_control/google/state``. Scripted failures come from
  the shared ``/_control/fail``.
"""

from __future__ import annotations

import base64
import hashlib
import json
import secrets
import threading
from datetime import UTC, datetime
from typing import Any, Protocol
from urllib.parse import parse_qs, unquote, urlencode

CLIENT_ID = "deepiri-e2e.apps.googleusercontent.com"
CLIENT_SECRET = "fake-google-client-secret"
PREFIXES = ("/o/oauth2/", "/token", "/revoke", "/calendar/v3/", "/_control/google/")


def now_iso() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"


def event(event_id: str, summary: str, start: dict[str, str], end: dict[str, str], *,
          description: str | None = None, status: str = "confirmed") -> dict[str, Any]:
    """An event as Events.list returns it (the documented fields the integration reads, and a few more)."""
    return {"kind": "calendar#event", "etag": f'"{secrets.token_hex(6)}"', "id": event_id, "status": status,
            "htmlLink": f"https://www.google.com/calendar/event?eid={event_id}", "created": "2026-11-01T09:00:00.000Z",
            "updated": now_iso(), "summary": summary, "description": description, "start": start, "end": end,
            "iCalUID": f"{event_id}@google.com", "sequence": 0, "reminders": {"useDefault": True},
            "eventType": "default"}


class Handler(Protocol):
    """What this module needs of the fake server's request handler."""

    headers: Any

    def _send(self, status: int, body: Any = None, headers: dict[str, str] | None = None) -> None: ...
    def _injected(self, path: str) -> bool: ...


class GoogleState:
    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.codes: dict[str, dict[str, str]] = {}
        self.tokens: dict[str, str] = {}  # access token -> address
        self.refresh: dict[str, str] = {}
        self.calendars: dict[str, dict[str, dict[str, Any]]] = {}  # address -> calendar id -> events by id
        self.changed: dict[tuple[str, str, str], int] = {}  # (address, calendar, event) -> sequence of last change
        self.sequence = 0
        self.valid_from = 0  # sync tokens below this answer 410
        self.expires_in = 3599
        self.refreshes = 0
        self.revoked: list[str] = []
        self.patched: list[str] = []
        self.inserted: list[dict[str, Any]] = []
        self.gone = 0


def owns(path: str) -> bool:
    return path.startswith(PREFIXES)


def serve(handler: Handler, state: GoogleState, method: str, path: str, query: dict[str, str], raw: bytes) -> None:
    """Answer one request under :data:`PREFIXES`."""
    if path.startswith("/_control/google/"):
        return _control(handler, state, method, path, raw)
    if handler._injected(path):
        return None
    if path == "/o/oauth2/v2/auth":
        return _authorize(handler, state, query)
    if path == "/token" and method == "POST":
        return _token(handler, state, {k: v[0] for k, v in parse_qs(raw.decode()).items()})
    if path == "/revoke" and method == "POST":
        return _revoke(handler, state, {k: v[0] for k, v in parse_qs(raw.decode()).items()})
    address = state.tokens.get((handler.headers.get("authorization") or "").removeprefix("Bearer ").strip())
    if address is None:
        return handler._send(401, {"error": {"code": 401, "message": "Request had invalid authentication credentials.",
                                             "status": "UNAUTHENTICATED"}})
    return _calendar(handler, state, address, method, path.removeprefix("/calendar/v3"), query, raw)


# ---------------------------------------------------------------- OAuth
def _authorize(handler: Handler, state: GoogleState, query: dict[str, str]) -> None:
    if (query.get("client_id") != CLIENT_ID or query.get("code_challenge_method") != "S256"
            or query.get("access_type") != "offline" or query.get("response_type") != "code"):
        return handler._send(400, {"error": "invalid_request"})
    code = "4/" + secrets.token_hex(10)
    login = query.get("login", "ada@example.com")
    with state.lock:
        state.codes[code] = {"login": login, "challenge": query["code_challenge"],
                             "redirect_uri": query["redirect_uri"]}
        state.calendars.setdefault(login, {login: {}})
    back = {"code": code, "state": query.get("state", ""), "scope": query.get("scope", "")}
    target = f"{query['redirect_uri']}?{urlencode(back)}"
    return handler._send(302, None, {"location": target})


def _token(handler: Handler, state: GoogleState, form: dict[str, str]) -> None:
    if form.get("client_id") != CLIENT_ID or form.get("client_secret") != CLIENT_SECRET:
        return handler._send(401, {"error": "invalid_client"})
    with state.lock:
        refresh: str | None = None
        if form.get("grant_type") == "refresh_token":
            login = state.refresh.get(form.get("refresh_token", ""))
            if login is None:
                return handler._send(400, {"error": "invalid_grant",
                                           "error_description": "Token has been expired or revoked."})
            for token in [t for t, who in state.tokens.items() if who == login]:
                del state.tokens[token]
            state.refreshes += 1
        else:
            grant = state.codes.pop(form.get("code", ""), None)
            verifier = form.get("code_verifier", "")
            challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).decode().rstrip("=")
            if grant is None or grant["challenge"] != challenge or grant["redirect_uri"] != form.get("redirect_uri"):
                return handler._send(400, {"error": "invalid_grant", "error_description": "Bad Request"})
            login = grant["login"]
            refresh = "1//" + secrets.token_hex(16)
            state.refresh[refresh] = login
        access = "ya29." + secrets.token_hex(16)
        state.tokens[access] = login
        body: dict[str, Any] = {"access_token": access, "expires_in": state.expires_in, "token_type": "Bearer",
                                "scope": "https://www.googleapis.com/auth/calendar.events "
                                         "https://www.googleapis.com/auth/calendar.readonly"}
    if refresh:
        body["refresh_token"] = refresh
    return handler._send(200, body)


def _revoke(handler: Handler, state: GoogleState, form: dict[str, str]) -> None:
    token = form.get("token", "")
    with state.lock:
        login = state.tokens.pop(token, None) or state.refresh.pop(token, None)
        if login is None:
            return handler._send(400, {"error": "invalid_token"})
        state.revoked.append(login)
        for kind in (state.tokens, state.refresh):
            for other in [t for t, who in kind.items() if who == login]:
                del kind[other]
    return handler._send(200, {})


# ---------------------------------------------------------------- Calendar API
def _calendar(handler: Handler, state: GoogleState, address: str, method: str, path: str, query: dict[str, str],
              raw: bytes) -> None:
    parts = [unquote(p) for p in path.strip("/").split("/")]
    if parts[:3] == ["users", "me", "calendarList"] and method == "GET":
        with state.lock:
            calendars = [{"kind": "calendar#calendarListEntry", "id": cid, "summary": cid, "timeZone": "UTC",
                          "accessRole": "owner", "primary": cid == address} for cid in state.calendars.get(address, {})]
        if len(parts) == 4:
            entry = [c for c in calendars if c["id"] == (address if parts[3] == "primary" else parts[3])]
            return handler._send(200, entry[0]) if entry else handler._send(404, {"error": {"code": 404}})
        return handler._send(200, {"kind": "calendar#calendarList", "items": calendars})
    if len(parts) < 3 or parts[0] != "calendars" or parts[2] != "events":
        return handler._send(404, {"error": {"code": 404, "message": "Not Found"}})
    calendar_id = address if parts[1] == "primary" else parts[1]
    with state.lock:
        events = state.calendars.get(address, {}).get(calendar_id)
        if events is None:
            return handler._send(404, {"error": {"code": 404, "message": "Not Found"}})
        if len(parts) == 3 and method == "GET":
            return _list(handler, state, address, calendar_id, events, query)
        if len(parts) == 3 and method == "POST":
            body = json.loads(raw or b"{}")
            if body.get("id") in events:
                return handler._send(409, {"error": {"code": 409,
                                                     "message": "The requested identifier already exists."}})
            created = {**event(body.get("id") or secrets.token_hex(8), body.get("summary", ""), body["start"],
                               body["end"], description=body.get("description")), **body}
            _put(state, address, calendar_id, created)
            state.inserted.append(created)
            return handler._send(200, created)
        found = events.get(parts[3]) if len(parts) == 4 else None
        if found is None:
            return handler._send(404, {"error": {"code": 404, "message": "Not Found"}})
        if method == "GET":
            return handler._send(200, found)
        if method == "PATCH":
            patch = json.loads(raw or b"{}")
            private = {**((found.get("extendedProperties") or {}).get("private") or {}),
                       **((patch.get("extendedProperties") or {}).get("private") or {})}
            changed = {**found, **{k: v for k, v in patch.items() if k != "extendedProperties"},
                       "extendedProperties": {"private": private}, "updated": now_iso()}
            _put(state, address, calendar_id, changed)
            state.patched.append(f"{calendar_id}/{parts[3]}")
            return handler._send(200, changed)
    return handler._send(405, {"error": {"code": 405}})


def _put(state: GoogleState, address: str, calendar_id: str, found: dict[str, Any]) -> None:
    state.sequence += 1
    state.calendars.setdefault(address, {}).setdefault(calendar_id, {})[found["id"]] = found
    state.changed[(address, calendar_id, found["id"])] = state.sequence


def _list(handler: Handler, state: GoogleState, address: str, calendar_id: str, events: dict[str, dict[str, Any]],
          query: dict[str, str]) -> None:
    token = query.get("syncToken")
    if token is not None:
        since = int(token.removeprefix("sync-") or "0") if token.startswith("sync-") else -1
        if since < state.valid_from:
            state.gone += 1
            return handler._send(410, {"error": {
                "code": 410, "message": "Sync token is no longer valid, a full sync is required.",
                "errors": [{"reason": "fullSyncRequired"}]}})
        chosen = [e for i, e in events.items() if state.changed[(address, calendar_id, i)] > since]
    else:
        chosen = [e for e in events.values() if e.get("status") != "cancelled"]
    chosen.sort(key=lambda e: state.changed[(address, calendar_id, e["id"])])
    size, offset = int(query.get("maxResults", "250")), int(query.get("pageToken", "0") or "0")
    body: dict[str, Any] = {"kind": "calendar#events", "summary": calendar_id, "timeZone": "UTC",
                            "items": chosen[offset:offset + size]}
    if offset + size < len(chosen):
        body["nextPageToken"] = str(offset + size)
    else:
        body["nextSyncToken"] = f"sync-{state.sequence}"
    return handler._send(200, body)


# ---------------------------------------------------------------- controls
def _control(handler: Handler, state: GoogleState, method: str, path: str, raw: bytes) -> None:
    if method == "GET" and path == "/_control/google/state":
        with state.lock:
            return handler._send(200, {
                "calendars": state.calendars, "refreshes": state.refreshes, "revoked": state.revoked,
                "patched": state.patched, "inserted": state.inserted, "gone": state.gone, "tokens": len(state.tokens)})
    body = json.loads(raw or b"{}")
    with state.lock:
        if path == "/_control/google/events":
            for found in body["events"]:
                _put(state, body["login"], body.get("calendarId") or body["login"], {**found, "updated": now_iso()})
        elif path == "/_control/google/cancel":
            calendar_id = body.get("calendarId") or body["login"]
            _put(state, body["login"], calendar_id, {"kind": "calendar#event", "id": body["id"], "status": "cancelled"})
        elif path == "/_control/google/expire":
            state.sequence += 1
            state.valid_from = state.sequence
        elif path == "/_control/google/config":
            state.expires_in = int(body.get("expiresIn", state.expires_in))
    return handler._send(200, {"ok": True})
