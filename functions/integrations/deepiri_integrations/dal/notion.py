"""Notion's OAuth 2.0 endpoints and REST API, as the integration uses them (developers.notion.com):
authorize (``/v1/oauth/authorize``, ``owner=user``), the token exchange and refresh (``POST /v1/oauth/token``
with HTTP Basic client authentication, as Notion requires), revoking (``POST /v1/oauth/revoke``), the shared
databases (``POST /v1/search`` filtered to databases), a database's pages changed since a time
(``POST /v1/databases/{id}/query``, paged by ``start_cursor``), one page, and setting a page's status
(``PATCH /v1/pages/{id}``). Every call sends ``Notion-Version``.
"""

from __future__ import annotations

import base64
import urllib.parse
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from deepiri_integrations.dal.http import Refused, call
from deepiri_integrations.models.connections import Tokens

VERSION = "2022-06-28"
SCOPES = ("read_content", "update_content")
PAGE_SIZE = 100
MAX_PAGES = 10  # 1,000 pages of one database per run at most; the next run continues from its cursor


@dataclass(frozen=True)
class PageBatch:
    """What one read of a database gave: its pages (oldest edit first) and whether more were left unread."""

    pages: list[dict[str, Any]]
    truncated: bool


class Notion:
    def __init__(self, api_url: str, client_id: str, client_secret: str, timeout: float) -> None:
        self._api = api_url.rstrip("/")
        self._client_id = client_id
        self._client_secret = client_secret
        self._timeout = timeout

    @property
    def configured(self) -> bool:
        return bool(self._client_id and self._client_secret)

    def authorize_url(self, redirect_uri: str, state: str) -> str:
        query = urllib.parse.urlencode({"client_id": self._client_id, "response_type": "code", "owner": "user",
                                        "redirect_uri": redirect_uri, "state": state})
        return f"{self._api}/v1/oauth/authorize?{query}"

    def exchange(self, code: str, redirect_uri: str) -> Tokens:
        return self._token({"grant_type": "authorization_code", "code": code, "redirect_uri": redirect_uri})

    def refresh(self, refresh_token: str) -> Tokens:
        return self._token({"grant_type": "refresh_token", "refresh_token": refresh_token})

    def _token(self, body: dict[str, str]) -> Tokens:
        reply = call("POST", f"{self._api}/v1/oauth/token", headers=self._basic(), json_body=body,
                     timeout=self._timeout)
        answer = reply.body if isinstance(reply.body, dict) else {}
        if not isinstance(answer.get("access_token"), str):
            raise Refused(400, "Notion did not issue an access token")
        expires = answer.get("expires_in")
        return Tokens(accessToken=answer["access_token"], refreshToken=answer.get("refresh_token") or None,
                      expiresIn=int(expires) if isinstance(expires, int) and expires > 0 else None,
                      scopes=list(SCOPES), account=str(answer.get("workspace_id") or "") or None)

    def revoke(self, access_token: str) -> None:
        call("POST", f"{self._api}/v1/oauth/revoke", headers=self._basic(), json_body={"token": access_token},
             timeout=self._timeout)

    def databases(self, access_token: str) -> list[str]:
        """The ids of every database shared with the integration (search filtered to databases)."""
        found: list[str] = []
        body: dict[str, Any] = {"filter": {"property": "object", "value": "database"}, "page_size": PAGE_SIZE}
        for _ in range(MAX_PAGES):
            reply = call("POST", f"{self._api}/v1/search", headers=self._auth(access_token), json_body=body,
                         timeout=self._timeout).body or {}
            found += [str(r["id"]) for r in reply.get("results") or [] if isinstance(r, dict) and "id" in r]
            if not reply.get("has_more") or not reply.get("next_cursor"):
                break
            body = {**body, "start_cursor": reply["next_cursor"]}
        return found

    def changed_pages(self, access_token: str, database: str, since: datetime | None) -> PageBatch:
        """The database's pages edited at or after ``since`` (all of them when None), oldest edit first."""
        body: dict[str, Any] = {"page_size": PAGE_SIZE,
                                "sorts": [{"timestamp": "last_edited_time", "direction": "ascending"}]}
        if since is not None:
            body["filter"] = {"timestamp": "last_edited_time",
                              "last_edited_time": {"on_or_after": since.astimezone(UTC).isoformat()}}
        pages: list[dict[str, Any]] = []
        url = f"{self._api}/v1/databases/{urllib.parse.quote(database)}/query"
        for _ in range(MAX_PAGES):
            reply = call("POST", url, headers=self._auth(access_token), json_body=body, timeout=self._timeout).body
            reply = reply if isinstance(reply, dict) else {}
            pages += [page for page in reply.get("results") or [] if isinstance(page, dict)]
            if not reply.get("has_more") or not reply.get("next_cursor"):
                return PageBatch(pages=pages, truncated=False)
            body = {**body, "start_cursor": reply["next_cursor"]}
        return PageBatch(pages=pages, truncated=True)

    def page(self, access_token: str, page_id: str) -> dict[str, Any]:
        reply = call("GET", f"{self._api}/v1/pages/{urllib.parse.quote(page_id)}", headers=self._auth(access_token),
                     timeout=self._timeout)
        return reply.body if isinstance(reply.body, dict) else {}

    def set_status(self, access_token: str, page_id: str, prop: str, kind: str, value: str) -> dict[str, Any]:
        """Set the page's ``prop`` (a ``status`` or a ``select`` property) to the option named ``value``."""
        reply = call("PATCH", f"{self._api}/v1/pages/{urllib.parse.quote(page_id)}", headers=self._auth(access_token),
                     json_body={"properties": {prop: {kind: {"name": value}}}}, timeout=self._timeout)
        return reply.body if isinstance(reply.body, dict) else {}

    def _basic(self) -> dict[str, str]:
        basic = base64.b64encode(f"{self._client_id}:{self._client_secret}".encode()).decode()
        return {"Authorization": f"Basic {basic}", "Notion-Version": VERSION}

    @staticmethod
    def _auth(access_token: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {access_token}", "Notion-Version": VERSION}
