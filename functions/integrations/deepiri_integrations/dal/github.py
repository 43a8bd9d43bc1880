"""GitHub's OAuth endpoints and REST API, as the integration uses them (documented at docs.github.com):
authorize with PKCE, exchange and refresh (``/login/oauth/access_token``), the signed-in user
(``GET /user``), issues and pull requests assigned to them (``GET /issues?filter=assigned``, with
``since`` and ``If-None-Match``), closing an issue (``PATCH /repos/{owner}/{repo}/issues/{n}``), reading and
adding its comments (``GET``/``POST /repos/{owner}/{repo}/issues/{n}/comments``) and
revoking the grant (``DELETE /applications/{client_id}/grant``)."""

from __future__ import annotations

import base64
import urllib.parse
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from deepiri_integrations.dal.http import Refused, call
from deepiri_integrations.models.connections import Tokens

SCOPES = ("repo", "read:user")
MAX_PAGES = 10  # 1,000 items per run at most; the next run continues from its cursor


@dataclass(frozen=True)
class IssuePage:
    """What one sync read: the raw issues (oldest change first), the first page's ETag, and 304."""

    issues: list[dict[str, Any]]
    etag: str | None
    not_modified: bool


class GitHub:
    def __init__(self, web_url: str, api_url: str, client_id: str, client_secret: str, timeout: float) -> None:
        self._web = web_url.rstrip("/")
        self._api = api_url.rstrip("/")
        self._client_id = client_id
        self._client_secret = client_secret
        self._timeout = timeout

    @property
    def configured(self) -> bool:
        return bool(self._client_id)

    @property
    def scopes(self) -> tuple[str, ...]:
        return SCOPES

    def authorize_url(self, redirect_uri: str, state: str, challenge: str) -> str:
        query = urllib.parse.urlencode({
            "client_id": self._client_id, "redirect_uri": redirect_uri, "scope": " ".join(SCOPES), "state": state,
            "code_challenge": challenge, "code_challenge_method": "S256", "allow_signup": "false"})
        return f"{self._web}/login/oauth/authorize?{query}"

    def exchange(self, code: str, verifier: str, redirect_uri: str) -> Tokens:
        return self._token({"grant_type": "authorization_code", "code": code, "code_verifier": verifier,
                            "redirect_uri": redirect_uri})

    def refresh(self, refresh_token: str) -> Tokens:
        return self._token({"grant_type": "refresh_token", "refresh_token": refresh_token})

    def _token(self, form: dict[str, str]) -> Tokens:
        reply = call("POST", f"{self._web}/login/oauth/access_token", timeout=self._timeout,
                     form={"client_id": self._client_id, "client_secret": self._client_secret, **form})
        body = reply.body if isinstance(reply.body, dict) else {}
        if "access_token" not in body:  # GitHub answers 200 with {"error": ...} for a bad code
            raise Refused(400, f"GitHub refused the grant: {str(body.get('error') or 'no access token')[:80]}")
        return Tokens(accessToken=str(body["access_token"]), refreshToken=body.get("refresh_token") or None,
                      expiresIn=int(body["expires_in"]) if str(body.get("expires_in") or "").isdigit() else None,
                      scopes=[s for s in str(body.get("scope") or "").replace(" ", ",").split(",") if s])

    def login(self, access_token: str) -> str:
        reply = call("GET", f"{self._api}/user", headers=self._auth(access_token), timeout=self._timeout)
        login = reply.body.get("login") if isinstance(reply.body, dict) else None
        if not isinstance(login, str) or not login:
            raise Refused(502, "GitHub did not say who the user is")
        return login

    def assigned_issues(self, access_token: str, since: datetime | None, etag: str | None) -> IssuePage:
        query = {"filter": "assigned", "state": "all", "sort": "updated", "direction": "asc", "per_page": "100"}
        if since is not None:
            query["since"] = since.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")  # GitHub's form
        url: str | None = f"{self._api}/issues?{urllib.parse.urlencode(query)}"
        issues: list[dict[str, Any]] = []
        first_etag: str | None = None
        for page in range(MAX_PAGES):
            if url is None:
                break
            headers = self._auth(access_token)
            if page == 0 and etag:
                headers["If-None-Match"] = etag
            reply = call("GET", url, headers=headers, timeout=self._timeout)
            if page == 0:
                if reply.status == 304:
                    return IssuePage(issues=[], etag=etag, not_modified=True)
                first_etag = reply.headers.get("etag")
            issues.extend(item for item in (reply.body or []) if isinstance(item, dict))
            url = _next_link(reply.headers.get("link", ""), self._api)
        return IssuePage(issues=issues, etag=first_etag, not_modified=False)

    def close_issue(self, access_token: str, repository: str, number: int) -> None:
        call("PATCH", f"{self._api}/repos/{repository}/issues/{number}", headers=self._auth(access_token),
             json_body={"state": "closed", "state_reason": "completed"}, timeout=self._timeout)

    def comments(self, access_token: str, repository: str, number: int) -> list[str]:
        """The bodies of the issue's latest comments (one page of 100, newest last)."""
        reply = call("GET", f"{self._api}/repos/{repository}/issues/{number}/comments?per_page=100",
                     headers=self._auth(access_token), timeout=self._timeout)
        return [str(c.get("body") or "") for c in reply.body or [] if isinstance(c, dict)]

    def comment(self, access_token: str, repository: str, number: int, body: str) -> None:
        call("POST", f"{self._api}/repos/{repository}/issues/{number}/comments", headers=self._auth(access_token),
             json_body={"body": body}, timeout=self._timeout)

    def revoke(self, access_token: str) -> None:
        basic = base64.b64encode(f"{self._client_id}:{self._client_secret}".encode()).decode()
        call("DELETE", f"{self._api}/applications/{urllib.parse.quote(self._client_id)}/grant",
             headers={"Authorization": f"Basic {basic}"}, json_body={"access_token": access_token},
             timeout=self._timeout)

    @staticmethod
    def _auth(access_token: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {access_token}", "Accept": "application/vnd.github+json",
                "X-GitHub-Api-Version": "2022-11-28"}


def _next_link(link: str, api: str) -> str | None:
    """The ``rel="next"`` URL of a Link header, only when it stays on the configured API host."""
    for part in link.split(","):
        section = part.split(";")
        if len(section) > 1 and 'rel="next"' in section[1]:
            url = section[0].strip().strip("<>")
            return url if url.startswith(api + "/") else None
    return None
