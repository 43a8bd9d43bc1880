"""Trello's OAuth 1.0a endpoints and REST API, as the integration uses them (developer.atlassian.com/cloud/trello):

- connecting: Trello's client-side token flow (``/1/authorize``) hands the token back in the URL fragment
  (``callback_method=fragment``) or to a window (``postMessage``), which no server receives; so the
  integration uses Trello's OAuth 1.0a, which redirects to the callback with ``oauth_verifier`` in the
  query: ``POST /1/OAuthGetRequestToken`` (signed with the app key and secret, ``oauth_callback`` = our
  callback carrying the signed ``state``) → the user approves at ``/1/OAuthAuthorizeToken`` (``name``,
  ``scope=read,write``, ``expiration=30days``) → ``POST /1/OAuthGetAccessToken`` (signed with the request
  token's secret and the verifier) → a token used as Trello's ``token`` with the app key;
- the member (``GET /1/members/me``), their boards, a board's cards (``GET /1/boards/{id}/cards/all``), one
  card, completing a card (``PUT /1/cards/{id}``: ``dueComplete``, ``idList``), revoking the token
  (``DELETE /1/tokens/{token}``).

Calls after connecting authenticate with ``Authorization: OAuth oauth_consumer_key=..., oauth_token=...``
(Trello's documented header form), so the token never sits in a URL.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
import time
import urllib.parse
from typing import Any

from deepiri_integrations.dal.http import Refused, call
from deepiri_integrations.models.connections import Tokens

SCOPES = ("read", "write")
EXPIRATION = "30days"
TOKEN_LIFETIME = 30 * 24 * 3600
APP_NAME = "Deepiri"
CARD_FIELDS = "name,desc,due,dueComplete,labels,url,dateLastActivity,idList,idBoard,closed"
MAX_BOARDS = 20


def _pct(value: str) -> str:
    return urllib.parse.quote(value, safe="~-._")


def oauth1_header(method: str, url: str, key: str, secret: str, token_secret: str = "", *,
                  extra: dict[str, str] | None = None, nonce: str | None = None,
                  timestamp: int | None = None) -> str:
    """An OAuth 1.0a ``Authorization`` header signed with HMAC-SHA1 (RFC 5849 §3.4): the signature base
    string is the method, the URL without its query and every parameter (the URL's query and the oauth ones)
    sorted, each percent-encoded; the key is ``consumer secret & token secret``."""
    parts = urllib.parse.urlsplit(url)
    oauth = {"oauth_consumer_key": key, "oauth_nonce": nonce or secrets.token_hex(16),
             "oauth_signature_method": "HMAC-SHA1", "oauth_timestamp": str(timestamp or int(time.time())),
             "oauth_version": "1.0", **(extra or {})}
    params = [*urllib.parse.parse_qsl(parts.query, keep_blank_values=True), *oauth.items()]
    normalized = "&".join(f"{k}={v}" for k, v in sorted((_pct(k), _pct(v)) for k, v in params))
    base_url = urllib.parse.urlunsplit((parts.scheme, parts.netloc, parts.path, "", ""))
    base = "&".join((method.upper(), _pct(base_url), _pct(normalized)))
    signing_key = f"{_pct(secret)}&{_pct(token_secret)}"
    digest = hmac.new(signing_key.encode(), base.encode(), hashlib.sha1).digest()
    oauth["oauth_signature"] = base64.b64encode(digest).decode()
    return "OAuth " + ", ".join(f'{_pct(k)}="{_pct(v)}"' for k, v in sorted(oauth.items()))


class Trello:
    def __init__(self, web_url: str, api_url: str, key: str, secret: str, timeout: float) -> None:
        self._web = web_url.rstrip("/")
        self._api = api_url.rstrip("/")
        self._key = key
        self._secret = secret
        self._timeout = timeout

    @property
    def configured(self) -> bool:
        return bool(self._key and self._secret)

    # ------------------------------------------------------------ connecting (OAuth 1.0a)
    def begin(self, redirect_uri: str, state: str) -> tuple[str, str]:
        """The authorize URL and what to keep until the callback (the request token and its secret)."""
        callback = f"{redirect_uri}?{urllib.parse.urlencode({'state': state})}"
        url = f"{self._web}/1/OAuthGetRequestToken"
        reply = call("POST", url, timeout=self._timeout, form={}, headers={
            "Authorization": oauth1_header("POST", url, self._key, self._secret, extra={"oauth_callback": callback})})
        answer = dict(urllib.parse.parse_qsl(reply.raw.decode(errors="replace")))
        token, token_secret = answer.get("oauth_token"), answer.get("oauth_token_secret")
        if not token or not token_secret:
            raise Refused(502, "Trello did not issue a request token")
        query = urllib.parse.urlencode({"oauth_token": token, "name": APP_NAME, "scope": ",".join(SCOPES),
                                        "expiration": EXPIRATION})
        return f"{self._web}/1/OAuthAuthorizeToken?{query}", f"{token}:{token_secret}"

    def exchange(self, verifier: str, kept: str) -> Tokens:
        """The access token for the request token ``kept`` (``token:secret``) that the user approved."""
        token, _, token_secret = kept.partition(":")
        url = f"{self._web}/1/OAuthGetAccessToken"
        header = oauth1_header("POST", url, self._key, self._secret, token_secret,
                               extra={"oauth_token": token, "oauth_verifier": verifier})
        reply = call("POST", url, timeout=self._timeout, form={}, headers={"Authorization": header})
        access = dict(urllib.parse.parse_qsl(reply.raw.decode(errors="replace"))).get("oauth_token")
        if not access:
            raise Refused(400, "Trello refused the verifier")
        return Tokens(accessToken=access, expiresIn=TOKEN_LIFETIME, scopes=list(SCOPES))

    def login(self, access_token: str) -> str:
        reply = call("GET", f"{self._api}/1/members/me?fields=username", headers=self._auth(access_token),
                     timeout=self._timeout)
        username = reply.body.get("username") if isinstance(reply.body, dict) else None
        if not isinstance(username, str) or not username:
            raise Refused(502, "Trello did not say who the member is")
        return username

    def revoke(self, access_token: str) -> None:
        call("DELETE", f"{self._api}/1/tokens/{urllib.parse.quote(access_token)}", headers=self._auth(access_token),
             timeout=self._timeout)

    # ------------------------------------------------------------ boards and cards
    def boards(self, access_token: str) -> list[str]:
        """The ids of the member's open boards (at most ``MAX_BOARDS``)."""
        reply = call("GET", f"{self._api}/1/members/me/boards?filter=open&fields=id,name",
                     headers=self._auth(access_token), timeout=self._timeout)
        return [str(b["id"]) for b in reply.body or [] if isinstance(b, dict) and "id" in b][:MAX_BOARDS]

    def cards(self, access_token: str, board: str) -> list[dict[str, Any]]:
        """Every card of ``board``, archived ones too (Trello answers a board's cards in one response)."""
        reply = call("GET", f"{self._api}/1/boards/{urllib.parse.quote(board)}/cards/all?fields={CARD_FIELDS}",
                     headers=self._auth(access_token), timeout=self._timeout)
        return [card for card in reply.body or [] if isinstance(card, dict)]

    def card(self, access_token: str, card_id: str) -> dict[str, Any]:
        reply = call("GET", f"{self._api}/1/cards/{urllib.parse.quote(card_id)}?fields={CARD_FIELDS}",
                     headers=self._auth(access_token), timeout=self._timeout)
        return reply.body if isinstance(reply.body, dict) else {}

    def complete_card(self, access_token: str, card_id: str, done_list: str | None) -> dict[str, Any]:
        """Tick the card's due date complete and, when the user named a done list, move the card there."""
        query = {"dueComplete": "true", **({"idList": done_list} if done_list else {})}
        reply = call("PUT", f"{self._api}/1/cards/{urllib.parse.quote(card_id)}?{urllib.parse.urlencode(query)}",
                     headers=self._auth(access_token), timeout=self._timeout)
        return reply.body if isinstance(reply.body, dict) else {}

    def _auth(self, access_token: str) -> dict[str, str]:
        return {"Authorization": f'OAuth oauth_consumer_key="{self._key}", oauth_token="{access_token}"'}
