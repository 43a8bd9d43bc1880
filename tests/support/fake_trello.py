"""A fake Trello inside the fake provider server (tests/support/fake_providers.py), answering with JSON
shaped like Trello's public documentation (developer.atlassian.com/cloud/trello: "OAuth 1.0a", "Cards",
"Boards", "Tokens", "Webhooks").

- OAuth 1.0a: ``POST /1/OAuthGetRequestToken`` and ``POST /1/OAuthGetAccessToken`` check the HMAC-SHA1
  signature of their ``Authorization`` header (recomputed here from RFC 5849, independently of the
  service's code); ``GET /1/OAuthAuthorizeToken`` (``scope=read,write`` and an ``expiration`` required)
  redirects to the request's ``oauth_callback`` with ``oauth_token`` and ``oauth_verifier``. Which member
  signs in is chosen by the extra query parameter ``username`` (tests add it to the URL).
- REST (``Authorization: OAuth oauth_consumer_key="...", oauth_token="..."``): ``GET /1/members/me``,
  ``GET /1/members/me/boards``, ``GET /1/boards/{id}/cards/all``, ``GET /1/cards/{id}``, ``PUT /1/cards/{id}``
  (``dueComplete``, ``idList``; the card's ``dateLastActivity`` moves), ``DELETE /1/tokens/{token}``.
- Controls: ``POST /_control/trello/cards`` (add or change cards; ``dateLastActivity`` defaults to now),
  ``GET /_control/trello/state``.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import re
import secrets
import threading
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler
from typing import Any
from urllib.parse import parse_qsl, quote, unquote, urlencode, urlparse

API_KEY = "fake-trello-key"
API_SECRET = "fake-trello-secret"
CARD_ID = re.compile(r"^/1/cards/([0-9a-f]{24})$")
BOARD_CARDS = re.compile(r"^/1/boards/([0-9a-f]{24})/cards/all$")


def now_iso() -> str:
    return datetime.now(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def card(card_id: str, board: str, name: str, *, list_id: str, desc: str = "", due: str | None = None,
         labels: tuple[str, ...] = (), due_complete: bool = False, last_activity: str | None = None) -> dict[str, Any]:
    """A card as ``GET /1/cards/{id}`` answers it (the documented fields the integration asks for, and a few more)."""
    return {"id": card_id, "name": name, "desc": desc, "due": due, "dueComplete": due_complete,
            "idBoard": board, "idList": list_id, "closed": False, "idShort": 1, "shortLink": card_id[-8:],
            "labels": [{"id": f"{n:024x}", "idBoard": board, "name": label, "color": "green"}
                       for n, label in enumerate(labels)],
            "url": f"https://trello.com/c/{card_id[-8:]}/1-{quote(name.lower().replace(' ', '-'))}",
            "dateLastActivity": last_activity or now_iso()}


def _pct(value: str) -> str:
    return quote(value, safe="~-._")


def _oauth_params(header: str) -> dict[str, str]:
    """The parameters of an ``OAuth k="v", ...`` header, decoded."""
    if not header.startswith("OAuth "):
        return {}
    pairs = (part.split("=", 1) for part in header[6:].split(",") if "=" in part)
    return {unquote(k.strip()): unquote(v.strip().strip('"')) for k, v in pairs}


def _signed(method: str, url: str, header: str, token_secret: str) -> dict[str, str] | None:
    """The oauth parameters of ``header`` when its HMAC-SHA1 signature is right (RFC 5849 §3.4), else None."""
    params = _oauth_params(header)
    signature = params.pop("oauth_signature", "")
    if params.get("oauth_consumer_key") != API_KEY or params.get("oauth_signature_method") != "HMAC-SHA1":
        return None
    pairs = sorted((_pct(k), _pct(v)) for k, v in params.items())
    base = "&".join((method, _pct(url), _pct("&".join(f"{k}={v}" for k, v in pairs))))
    expected = base64.b64encode(hmac.new(f"{_pct(API_SECRET)}&{_pct(token_secret)}".encode(), base.encode(),
                                         hashlib.sha1).digest()).decode()
    return params if hmac.compare_digest(expected, signature) else None


class FakeTrello:
    """Trello's slice of the fake provider server; ``respond`` answers a request it owns."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.request_tokens: dict[str, dict[str, str]] = {}  # token -> secret, callback
        self.verifiers: dict[str, dict[str, str]] = {}  # request token -> verifier, username
        self.tokens: dict[str, str] = {}  # access token -> username
        self.cards: dict[str, dict[str, Any]] = {}
        self.completed: list[str] = []
        self.revoked: list[str] = []
        self.requests: dict[str, int] = {}

    def respond(self, handler: Any, method: str) -> bool:
        url = urlparse(handler.path)
        if not (url.path.startswith("/1/") or url.path.startswith("/_control/trello/")):
            return False
        query = dict(parse_qsl(url.query))
        with self.lock:
            self.requests[url.path] = self.requests.get(url.path, 0) + 1
        body = handler.rfile.read(int(handler.headers.get("content-length") or 0))
        status, answer, headers = self._route(handler, method, url.path, query, body)
        if isinstance(answer, str):
            data = answer.encode()
            handler.send_response(status)
            for name, value in {**headers, "content-type": "text/plain; charset=utf-8"}.items():
                handler.send_header(name, value)
            handler.send_header("content-length", str(len(data)))
            handler.end_headers()
            handler.wfile.write(data)
        else:
            handler._send(status, answer, headers)
        return True

    def _route(self, handler: BaseHTTPRequestHandler, method: str, path: str, query: dict[str, str],
               body: bytes) -> tuple[int, Any, dict[str, str]]:
        host = f"http://{handler.headers.get('host')}"
        if path == "/_control/trello/cards" and method == "POST":
            return self._control_cards(json.loads(body or b"{}"))
        if path == "/_control/trello/state":
            with self.lock:
                return 200, {"cards": self.cards, "completed": self.completed, "revoked": self.revoked,
                             "requests": self.requests, "tokens": len(self.tokens)}, {}
        if path == "/1/OAuthGetRequestToken" and method == "POST":
            return self._request_token(host + path, handler.headers.get("authorization") or "")
        if path == "/1/OAuthAuthorizeToken" and method == "GET":
            return self._authorize(query)
        if path == "/1/OAuthGetAccessToken" and method == "POST":
            return self._access_token(host + path, handler.headers.get("authorization") or "")
        member = self._member(handler.headers.get("authorization") or "")
        if member is None:
            return 401, "invalid token", {}
        return self._rest(method, path, query, member)

    # ------------------------------------------------------------ OAuth 1.0a
    def _request_token(self, url: str, header: str) -> tuple[int, Any, dict[str, str]]:
        params = _signed("POST", url, header, "")
        if params is None or not params.get("oauth_callback"):
            return 401, "invalid signature", {}
        token, secret = secrets.token_hex(16), secrets.token_hex(16)
        with self.lock:
            self.request_tokens[token] = {"secret": secret, "callback": params["oauth_callback"]}
        return 200, urlencode({"oauth_token": token, "oauth_token_secret": secret,
                               "oauth_callback_confirmed": "true"}), {}

    def _authorize(self, query: dict[str, str]) -> tuple[int, Any, dict[str, str]]:
        with self.lock:
            pending = self.request_tokens.get(query.get("oauth_token", ""))
            if pending is None or query.get("scope") != "read,write" or not query.get("expiration"):
                return 400, "bad authorization request", {}
            verifier = secrets.token_hex(16)
            self.verifiers[query["oauth_token"]] = {"verifier": verifier, "username": query.get("username", "taco")}
        callback = pending["callback"]
        glue = "&" if "?" in callback else "?"
        target = f"{callback}{glue}{urlencode({'oauth_token': query['oauth_token'], 'oauth_verifier': verifier})}"
        return 302, None, {"location": target}

    def _access_token(self, url: str, header: str) -> tuple[int, Any, dict[str, str]]:
        with self.lock:
            token = _oauth_params(header).get("oauth_token", "")
            pending = self.request_tokens.pop(token, None)
            approved = self.verifiers.pop(token, None)
            params = _signed("POST", url, header, pending["secret"]) if pending else None
            if params is None or approved is None or params.get("oauth_verifier") != approved["verifier"]:
                return 401, "invalid verifier", {}
            access = secrets.token_hex(32)
            self.tokens[access] = approved["username"]
        return 200, urlencode({"oauth_token": access, "oauth_token_secret": secrets.token_hex(16)}), {}

    def _member(self, header: str) -> str | None:
        params = _oauth_params(header)
        if params.get("oauth_consumer_key") != API_KEY:
            return None
        with self.lock:
            return self.tokens.get(params.get("oauth_token", ""))

    # ------------------------------------------------------------ REST
    def _rest(self, method: str, path: str, query: dict[str, str], member: str) -> tuple[int, Any, dict[str, str]]:
        with self.lock:
            if method == "GET" and path == "/1/members/me":
                return 200, {"id": f"{abs(hash(member)) % 16**24:024x}", "username": member, "fullName": member}, {}
            if method == "GET" and path == "/1/members/me/boards":
                boards = sorted({c["idBoard"] for c in self.cards.values()})
                return 200, [{"id": board, "name": f"Board {board[-4:]}", "closed": False} for board in boards], {}
            if method == "GET" and (found := BOARD_CARDS.match(path)):
                return 200, [dict(c) for c in self.cards.values() if c["idBoard"] == found.group(1)], {}
            if method == "DELETE" and path.startswith("/1/tokens/"):
                token = path.removeprefix("/1/tokens/")
                if self.tokens.pop(token, None) is None:
                    return 401, "invalid token", {}
                self.revoked.append(member)
                return 200, {"_value": None}, {}
            found = CARD_ID.match(path)
            current = self.cards.get(found.group(1)) if found else None
            if current is None:
                return 404, "The requested resource was not found.", {}
            if method == "GET":
                return 200, dict(current), {}
            if method == "PUT":
                if query.get("dueComplete") == "true":
                    current["dueComplete"] = True
                    self.completed.append(current["id"])
                if query.get("idList"):
                    current["idList"] = query["idList"]
                current["dateLastActivity"] = now_iso()
                return 200, dict(current), {}
        return 404, "The requested resource was not found.", {}

    def _control_cards(self, body: dict[str, Any]) -> tuple[int, Any, dict[str, str]]:
        with self.lock:
            for found in body["cards"]:
                self.cards[found["id"]] = found
        return 200, {"ok": True}, {}
