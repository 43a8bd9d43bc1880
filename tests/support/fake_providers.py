"""A fake GitHub on 127.0.0.1 for the e2e and integration suites: its OAuth endpoints and the slice of its
REST API the integrations service uses, answering with JSON shaped like GitHub's public documentation
(docs.github.com: "Authorizing OAuth apps", "Refreshing user access tokens", "List issues assigned to
the authenticated user", "Update an issue", "Delete an app authorization").

- ``GET /login/oauth/authorize``: redirects (302) to ``redirect_uri`` with a code and the state. Which
  GitHub user signs in is chosen by the extra query parameter ``login`` (tests add it to the URL).
- ``POST /login/oauth/access_token``: the code (once, with the PKCE verifier matching the S256 challenge
  and the same redirect_uri) or a refresh token for new tokens; a refresh retires the old ones.
- ``GET /user``; ``GET /issues`` (assigned to the token's user, ``since``, ``per_page`` with a ``Link``
  header, an ``ETag`` and 304 for ``If-None-Match``); ``PATCH /repos/{owner}/{repo}/issues/{n}``;
  ``DELETE /applications/{client_id}/grant``.
- ``GET``/``POST /repos/{owner}/{repo}/issues/{n}/comments``.
- Google (OAuth and Calendar): :mod:`tests.support.fake_google`, served by the same server.
- Test controls under ``/_control``: ``POST /_control/issues`` (add or change issues), ``POST
  /_control/fail`` (the next ``times`` requests under ``path`` answer ``status``, with ``retryAfter`` and
  any other ``headers``, e.g. GitHub's secondary limit: 403 with ``x-ratelimit-remaining: 0``),
  ``POST /_control/config`` (``expiresIn`` of the tokens it issues), ``GET /_control/state``.

Trello (``/1/...``, ``/_control/trello/...``) and Notion (``/v1/...``, ``/_control/notion/...``) are served by
tests/support/fake_trello.py and fake_notion.py on the same server: each answers the requests it owns first.
"""

from __future__ import annotations

import base64
import hashlib
import json
import secrets
import threading
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlencode, urlparse

from tests.support import fake_google
from tests.support.fake_notion import FakeNotion
from tests.support.fake_trello import FakeTrello

CLIENT_ID = "Iv1.deepiri-e2e"
CLIENT_SECRET = "fake-client-secret"
WEBHOOK_SECRET = "fake-webhook-secret"


def now_iso() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def issue(repository: str, number: int, title: str, *, assignee: str, state: str = "open",
          labels: tuple[str, ...] = (), body: str | None = None, updated_at: str | None = None,
          due_on: str | None = None, pull_request: bool = False) -> dict[str, Any]:
    """An issue as ``GET /issues`` returns it (the documented fields the integration reads, and a few more)."""
    owner = repository.split("/", 1)[0]
    api = f"https://api.github.com/repos/{repository}"
    found: dict[str, Any] = {
        "id": abs(hash((repository, number))) % 10**9, "node_id": f"I_kw{number}", "url": f"{api}/issues/{number}",
        "repository_url": api, "html_url": f"https://github.com/{repository}/issues/{number}",
        "number": number, "state": state, "state_reason": None, "title": title, "body": body,
        "user": {"login": owner, "id": 1, "type": "User"},
        "labels": [{"id": n, "name": name, "color": "f29513", "default": False} for n, name in enumerate(labels)],
        "assignee": {"login": assignee, "id": 2, "type": "User"},
        "assignees": [{"login": assignee, "id": 2, "type": "User"}],
        "milestone": {"number": 1, "title": "v1", "state": "open", "due_on": due_on} if due_on else None,
        "locked": False, "comments": 0, "closed_at": None, "created_at": "2026-11-01T09:00:00Z",
        "updated_at": updated_at or now_iso(), "author_association": "OWNER",
        "repository": {"id": 1296269, "name": repository.split("/", 1)[1], "full_name": repository,
                       "owner": {"login": owner, "id": 1}, "private": False},
    }
    if pull_request:
        found["pull_request"] = {"url": f"{api}/pulls/{number}", "html_url": f"https://github.com/{repository}/pull/{number}"}
    return found


class _State:
    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.codes: dict[str, dict[str, str]] = {}
        self.tokens: dict[str, str] = {}  # access token -> login
        self.refresh: dict[str, str] = {}  # refresh token -> login
        self.issues: dict[str, dict[str, Any]] = {}  # "owner/repo#n" -> issue
        self.failures: list[dict[str, Any]] = []
        self.expires_in = 28800
        self.requests: dict[str, int] = {}
        self.refreshes = 0
        self.revoked: list[str] = []
        self.closed: list[str] = []
        self.comments: dict[str, list[dict[str, Any]]] = {}  # "owner/repo#n" -> comments


class _Handler(BaseHTTPRequestHandler):
    state: _State
    google: fake_google.GoogleState
    others: tuple[FakeTrello | FakeNotion, ...] = ()

    def _other(self, method: str) -> bool:
        """Whether another provider's fake answered the request."""
        return any(other.respond(self, method) for other in self.others)

    # ------------------------------------------------------------ plumbing
    def _send(self, status: int, body: Any = None, headers: dict[str, str] | None = None) -> None:
        data = b"" if body is None else json.dumps(body).encode()
        self.send_response(status)
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        if body is not None:
            self.send_header("content-type", "application/json; charset=utf-8")
        self.send_header("content-length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def _body(self) -> bytes:
        return self.rfile.read(int(self.headers.get("content-length") or 0))

    def _login(self) -> str | None:
        token = (self.headers.get("authorization") or "").removeprefix("Bearer ").strip()
        return self.state.tokens.get(token)

    def _injected(self, path: str) -> bool:
        """Answer with a scripted failure when one is pending for ``path``."""
        with self.state.lock:
            for failure in self.state.failures:
                if path.startswith(failure["path"]) and failure["times"] > 0:
                    failure["times"] -= 1
                    break
            else:
                return False
        headers = {"retry-after": str(failure["retryAfter"])} if failure.get("retryAfter") is not None else {}
        headers.update(failure.get("headers") or {})
        self._send(int(failure["status"]), {"message": "scripted failure"}, headers)
        return True

    def log_message(self, format: str, *args: Any) -> None:
        return

    # ------------------------------------------------------------ routes
    def do_GET(self) -> None:
        if self._other("GET"):
            return
        url = urlparse(self.path)
        query = {name: values[0] for name, values in parse_qs(url.query).items()}
        self._count(url.path)
        if fake_google.owns(url.path):
            return fake_google.serve(self, self.google, "GET", url.path, query, b"")
        if url.path == "/_control/state":
            self._control_state()
        elif self._injected(url.path):
            return
        elif url.path == "/login/oauth/authorize":
            self._authorize(query)
        elif url.path == "/user":
            login = self._login()
            self._send(200, {"login": login, "id": 2, "type": "User"}) if login else self._bad_credentials()
        elif url.path == "/issues":
            self._issues(query)
        elif url.path.endswith("/comments"):
            self._comments(url.path, None)
        else:
            self._send(404, {"message": "Not Found"})

    def do_POST(self) -> None:
        if self._other("POST"):
            return
        url = urlparse(self.path)
        self._count(url.path)
        raw = self._body()
        if fake_google.owns(url.path):
            query = {name: values[0] for name, values in parse_qs(url.query).items()}
            return fake_google.serve(self, self.google, "POST", url.path, query, raw)
        if url.path.startswith("/_control/"):
            self._control(url.path, json.loads(raw or b"{}"))
        elif self._injected(url.path):
            return
        elif url.path == "/login/oauth/access_token":
            self._token({name: values[0] for name, values in parse_qs(raw.decode()).items()})
        elif url.path.endswith("/comments"):
            self._comments(url.path, json.loads(raw or b"{}"))
        else:
            self._send(404, {"message": "Not Found"})

    def do_PATCH(self) -> None:
        if self._other("PATCH"):
            return
        url = urlparse(self.path)
        self._count(url.path)
        raw = self._body()
        if fake_google.owns(url.path):
            return fake_google.serve(self, self.google, "PATCH", url.path, {}, raw)
        body = json.loads(raw or b"{}")
        if self._injected(url.path):
            return
        login = self._login()
        parts = url.path.strip("/").split("/")
        if login is None:
            return self._bad_credentials()
        if len(parts) != 5 or parts[0] != "repos" or parts[3] != "issues":
            return self._send(404, {"message": "Not Found"})
        ref = f"{parts[1]}/{parts[2]}#{parts[4]}"
        with self.state.lock:
            found = self.state.issues.get(ref)
            if found is None:
                return self._send(404, {"message": "Not Found"})
            if body.get("state") in ("open", "closed"):
                found["state"] = body["state"]
                found["state_reason"] = body.get("state_reason")
                found["closed_at"] = now_iso() if body["state"] == "closed" else None
                if body["state"] == "closed":
                    self.state.closed.append(ref)
            found["updated_at"] = now_iso()
        self._send(200, found)

    def do_PUT(self) -> None:
        if not self._other("PUT"):
            self._send(404, {"message": "Not Found"})

    def do_DELETE(self) -> None:
        if self._other("DELETE"):
            return
        url = urlparse(self.path)
        self._count(url.path)
        body = json.loads(self._body() or b"{}")
        expected = "Basic " + base64.b64encode(f"{CLIENT_ID}:{CLIENT_SECRET}".encode()).decode()
        if url.path != f"/applications/{CLIENT_ID}/grant" or self.headers.get("authorization") != expected:
            return self._send(404, {"message": "Not Found"})
        with self.state.lock:
            login = self.state.tokens.pop(str(body.get("access_token")), None)
            if login is None:
                return self._send(422, {"message": "Validation Failed"})
            self.state.revoked.append(login)
            for token in [t for t, who in self.state.refresh.items() if who == login]:
                del self.state.refresh[token]
        self._send(204)

    # ------------------------------------------------------------ OAuth
    def _authorize(self, query: dict[str, str]) -> None:
        if query.get("client_id") != CLIENT_ID or query.get("code_challenge_method") != "S256":
            return self._send(400, {"message": "bad authorization request"})
        code = secrets.token_hex(10)
        with self.state.lock:
            self.state.codes[code] = {"login": query.get("login", "octocat"), "challenge": query["code_challenge"],
                                      "redirect_uri": query["redirect_uri"]}
        target = f"{query['redirect_uri']}?{urlencode({'code': code, 'state': query.get('state', '')})}"
        self._send(302, None, {"location": target})

    def _token(self, form: dict[str, str]) -> None:
        if form.get("client_id") != CLIENT_ID or form.get("client_secret") != CLIENT_SECRET:
            return self._send(200, {"error": "incorrect_client_credentials"})
        with self.state.lock:
            if form.get("grant_type") == "refresh_token":
                login = self.state.refresh.pop(form.get("refresh_token", ""), None)
                if login is None:
                    return self._send(200, {"error": "bad_refresh_token"})
                for token in [t for t, who in self.state.tokens.items() if who == login]:
                    del self.state.tokens[token]  # the old access token stops working
                self.state.refreshes += 1
            else:
                grant = self.state.codes.pop(form.get("code", ""), None)
                verifier = form.get("code_verifier", "")
                challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).decode().rstrip("=")
                redirect_uri = form.get("redirect_uri")
                if grant is None or grant["challenge"] != challenge or grant["redirect_uri"] != redirect_uri:
                    return self._send(200, {"error": "bad_verification_code",
                                            "error_description": "The code passed is incorrect or expired."})
                login = grant["login"]
            access, refresh = f"ghu_{secrets.token_hex(16)}", f"ghr_{secrets.token_hex(16)}"
            self.state.tokens[access] = login
            self.state.refresh[refresh] = login
            expires_in = self.state.expires_in
        self._send(200, {"access_token": access, "expires_in": expires_in, "refresh_token": refresh,
                         "refresh_token_expires_in": 15811200, "scope": "repo,read:user", "token_type": "bearer"})

    def _bad_credentials(self) -> None:
        self._send(401, {"message": "Bad credentials", "documentation_url": "https://docs.github.com/rest"})

    # ------------------------------------------------------------ issues
    def _issues(self, query: dict[str, str]) -> None:
        login = self._login()
        if login is None:
            return self._bad_credentials()
        since = query.get("since")
        with self.state.lock:
            mine = [dict(found) for found in self.state.issues.values()
                    if any(a["login"] == login for a in found["assignees"])
                    and (since is None or found["updated_at"] >= since)]
        mine.sort(key=lambda found: found["updated_at"])
        per_page, page = int(query.get("per_page", "30")), int(query.get("page", "1"))
        chunk = mine[(page - 1) * per_page:page * per_page]
        etag = 'W/"' + hashlib.sha256(json.dumps(chunk, sort_keys=True).encode()).hexdigest()[:32] + '"'
        if page == 1 and self.headers.get("if-none-match") == etag:
            return self._send(304, None, {"etag": etag})
        headers = {"etag": etag}
        if page * per_page < len(mine):
            host = self.headers.get("host")
            headers["link"] = f'<http://{host}/issues?{urlencode({**query, "page": str(page + 1)})}>; rel="next"'
        self._send(200, chunk, headers)

    def _comments(self, path: str, posted: dict[str, Any] | None) -> None:
        """``GET`` (``posted`` None) or ``POST /repos/{owner}/{repo}/issues/{n}/comments``."""
        parts = path.strip("/").split("/")
        if self._login() is None:
            return self._bad_credentials()
        if len(parts) != 6 or parts[0] != "repos" or parts[3] != "issues":
            return self._send(404, {"message": "Not Found"})
        ref = f"{parts[1]}/{parts[2]}#{parts[4]}"
        with self.state.lock:
            if ref not in self.state.issues:
                return self._send(404, {"message": "Not Found"})
            comments = self.state.comments.setdefault(ref, [])
            if posted is None:
                return self._send(200, list(comments))
            comment = {"id": len(comments) + 1, "body": str(posted.get("body") or ""), "created_at": now_iso()}
            comments.append(comment)
        return self._send(201, comment)

    # ------------------------------------------------------------ controls
    def _count(self, path: str) -> None:
        with self.state.lock:
            self.state.requests[path] = self.state.requests.get(path, 0) + 1

    def _control(self, path: str, body: dict[str, Any]) -> None:
        with self.state.lock:
            if path == "/_control/issues":
                for found in body["issues"]:
                    self.state.issues[f"{found['repository']['full_name']}#{found['number']}"] = found
            elif path == "/_control/fail":
                self.state.failures.append({"path": body["path"], "status": body["status"],
                                            "times": body.get("times", 1), "retryAfter": body.get("retryAfter"),
                                            "headers": body.get("headers")})
            elif path == "/_control/config":
                self.state.expires_in = int(body.get("expiresIn", self.state.expires_in))
        self._send(200, {"ok": True})

    def _control_state(self) -> None:
        with self.state.lock:
            self._send(200, {"issues": self.state.issues, "requests": self.state.requests,
                             "refreshes": self.state.refreshes, "revoked": self.state.revoked,
                             "closed": self.state.closed, "tokens": len(self.state.tokens),
                             "comments": self.state.comments})


class FakeProviders:
    """The server, started on a free port of 127.0.0.1 in a daemon thread."""

    def __init__(self) -> None:
        self.trello, self.notion = FakeTrello(), FakeNotion()
        handler = type("Handler", (_Handler,), {"state": _State(), "google": fake_google.GoogleState(),
                                                "others": (self.trello, self.notion)})
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self._server.server_address[1]}"

    def start(self) -> FakeProviders:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()
