"""Google's OAuth 2.0 endpoints and the Calendar API v3, as the integration uses them (documented at
developers.google.com: "Using OAuth 2.0 for Web Server Applications", "Synchronize resources efficiently",
Calendar API reference):

- authorize (``/o/oauth2/v2/auth``) with PKCE S256, ``access_type=offline`` and ``prompt=consent`` so a
  refresh token is always issued; exchange and refresh (``POST /token``); revoke (``POST /revoke``);
- who the user is: the primary calendar's id, their address (``GET /users/me/calendarList/primary``);
- the calendars (``GET /users/me/calendarList``);
- events (``GET /calendars/{id}/events``, ``singleEvents=true``): a full read from a week ago, then
  incremental with the ``nextSyncToken`` of the last read; a 410 means the token expired
  (:class:`SyncTokenGone`): read everything again;
- one event (``GET``), marking it (``PATCH``), and inserting a focus block (``POST``, with our own id so a
  second insert answers 409 instead of making a second block).
"""

from __future__ import annotations

import urllib.parse
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from deepiri_integrations.dal.http import ProviderError, Refused, call
from deepiri_integrations.models.connections import Tokens

SCOPES = ("https://www.googleapis.com/auth/calendar.events", "https://www.googleapis.com/auth/calendar.readonly")
MAX_PAGES = 10  # 2,500 events per calendar per run at most; the next run continues from its page token
PAGE_SIZE = 250
FULL_SYNC_DAYS = 7  # a full read starts this long ago: older events are not work to do


class SyncTokenGone(ProviderError):
    """410 Gone: the calendar's sync token expired; the client reads the calendar in full again."""


@dataclass(frozen=True)
class EventPage:
    """What one read of a calendar returned: the raw events, and the cursor to store (``sync:<token>`` when the
    read reached the end, ``page:<token>`` when it stopped at the page limit)."""

    events: list[dict[str, Any]]
    cursor: str | None


class GoogleCalendar:
    def __init__(self, accounts_url: str, oauth_url: str, api_url: str, *, client_id: str, client_secret: str,
                 timeout: float) -> None:
        self._accounts = accounts_url.rstrip("/")
        self._oauth = oauth_url.rstrip("/")
        self._api = api_url.rstrip("/") + "/calendar/v3"
        self._client_id = client_id
        self._client_secret = client_secret
        self._timeout = timeout

    @property
    def configured(self) -> bool:
        return bool(self._client_id)

    @property
    def scopes(self) -> tuple[str, ...]:
        return SCOPES

    # ------------------------------------------------------------ OAuth
    def authorize_url(self, redirect_uri: str, state: str, challenge: str) -> str:
        query = urllib.parse.urlencode({
            "client_id": self._client_id, "redirect_uri": redirect_uri, "response_type": "code",
            "scope": " ".join(SCOPES), "state": state, "code_challenge": challenge, "code_challenge_method": "S256",
            "access_type": "offline", "prompt": "consent", "include_granted_scopes": "true"})
        return f"{self._accounts}/o/oauth2/v2/auth?{query}"

    def exchange(self, code: str, verifier: str, redirect_uri: str) -> Tokens:
        return self._token({"grant_type": "authorization_code", "code": code, "code_verifier": verifier,
                            "redirect_uri": redirect_uri})

    def refresh(self, refresh_token: str) -> Tokens:
        return self._token({"grant_type": "refresh_token", "refresh_token": refresh_token})

    def _token(self, form: dict[str, str]) -> Tokens:
        try:
            reply = call("POST", f"{self._oauth}/token", timeout=self._timeout,
                         form={"client_id": self._client_id, "client_secret": self._client_secret, **form})
        except Refused as refused:  # Google answers 400 {"error": "invalid_grant"} for a bad code or token
            raise Refused(400, "Google refused the grant") from refused
        body = reply.body if isinstance(reply.body, dict) else {}
        if "access_token" not in body:
            raise Refused(400, "Google answered no access token")
        expires = str(body.get("expires_in") or "")
        return Tokens(accessToken=str(body["access_token"]), refreshToken=body.get("refresh_token") or None,
                      expiresIn=int(expires) if expires.isdigit() else None,
                      scopes=[s for s in str(body.get("scope") or "").split(" ") if s])

    def login(self, access_token: str) -> str:
        """The account: the primary calendar's id, which is the user's Google address."""
        reply = call("GET", f"{self._api}/users/me/calendarList/primary", headers=_auth(access_token),
                     timeout=self._timeout)
        account = reply.body.get("id") if isinstance(reply.body, dict) else None
        if not isinstance(account, str) or not account:
            raise Refused(502, "Google did not say who the user is")
        return account

    def revoke(self, access_token: str) -> None:
        call("POST", f"{self._oauth}/revoke", form={"token": access_token}, timeout=self._timeout)

    # ------------------------------------------------------------ calendars and events
    def calendars(self, access_token: str) -> list[dict[str, Any]]:
        reply = call("GET", f"{self._api}/users/me/calendarList?maxResults=250", headers=_auth(access_token),
                     timeout=self._timeout)
        items = reply.body.get("items") if isinstance(reply.body, dict) else None
        return [item for item in items or [] if isinstance(item, dict)]

    def events(self, access_token: str, calendar_id: str, cursor: str | None, now: datetime) -> EventPage:
        """Events changed since ``cursor`` (None: a full read from a week ago). ``SyncTokenGone`` on 410."""
        base: dict[str, str] = {"singleEvents": "true", "maxResults": str(PAGE_SIZE), "showDeleted": "true"}
        kind, _, token = (cursor or "").partition(":")
        if kind == "sync" and token:
            base["syncToken"] = token
        else:
            base["timeMin"] = (now - timedelta(days=FULL_SYNC_DAYS)).astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
        page_token = token if kind == "page" and token else None
        url = f"{self._api}/calendars/{_quote(calendar_id)}/events"
        found: list[dict[str, Any]] = []
        for _ in range(MAX_PAGES):
            query = {**base, **({"pageToken": page_token} if page_token else {})}
            try:
                reply = call("GET", f"{url}?{urllib.parse.urlencode(query)}", headers=_auth(access_token),
                             timeout=self._timeout)
            except Refused as refused:
                if refused.status == 410:
                    raise SyncTokenGone(f"the sync token of {calendar_id} expired") from None
                raise
            body = reply.body if isinstance(reply.body, dict) else {}
            found.extend(item for item in body.get("items") or [] if isinstance(item, dict))
            page_token = body.get("nextPageToken") if isinstance(body.get("nextPageToken"), str) else None
            if page_token is None:
                sync = body.get("nextSyncToken")
                return EventPage(events=found, cursor=f"sync:{sync}" if isinstance(sync, str) and sync else None)
        return EventPage(events=found, cursor=f"page:{page_token}")

    def event(self, access_token: str, calendar_id: str, event_id: str) -> dict[str, Any]:
        reply = call("GET", self._event_url(calendar_id, event_id), headers=_auth(access_token), timeout=self._timeout)
        return reply.body if isinstance(reply.body, dict) else {}

    def patch_event(self, access_token: str, calendar_id: str, event_id: str, patch: dict[str, Any]) -> dict[str, Any]:
        reply = call("PATCH", self._event_url(calendar_id, event_id), headers=_auth(access_token), json_body=patch,
                     timeout=self._timeout)
        return reply.body if isinstance(reply.body, dict) else {}

    def insert_event(self, access_token: str, calendar_id: str, event: dict[str, Any]) -> dict[str, Any]:
        reply = call("POST", f"{self._api}/calendars/{_quote(calendar_id)}/events", headers=_auth(access_token),
                     json_body=event, timeout=self._timeout)
        return reply.body if isinstance(reply.body, dict) else {}

    def _event_url(self, calendar_id: str, event_id: str) -> str:
        return f"{self._api}/calendars/{_quote(calendar_id)}/events/{_quote(event_id)}"


def _quote(value: str) -> str:
    return urllib.parse.quote(value, safe="")


def _auth(access_token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {access_token}"}
