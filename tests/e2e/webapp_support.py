"""What every browser test of the web app shares: Debian's Chromium, the axe-core scan, screenshots at
phone and desktop sizes, a page that may reach only this machine and reports Content-Security-Policy
violations, a WebSocket switch to drop and refuse the live connection, and warm functions.

Each screen's own test file opens the app with ``app_page`` and signs in with ``sign_in`` (or signs up);
``scan_and_photograph`` scans a screen with axe-core and writes ``<name>-<size>.png`` to SCREENSHOTS.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
import requests
from playwright.sync_api import Browser, ConsoleMessage, Page, Request, Route, WebSocketRoute, expect, sync_playwright
from websockets.sync.client import connect

from infra.config import LOCAL, ROOT
from tests.e2e.conftest import PASSWORD, Stack, wait_for

SCREENSHOTS = LOCAL / "screenshots" / "web"
AXE = ROOT / "web" / "node_modules" / "axe-core" / "axe.min.js"
AXE_SCAN = Path(__file__).with_name("axe_scan.js")
SIZES = {"desktop": {"width": 1280, "height": 860}, "phone": {"width": 390, "height": 844}}
LIVE_SECONDS = 60_000  # the XP frame crosses bus → engagement → bus → realtime → socket on a loaded machine


def chromium_path() -> str:
    path = shutil.which("chromium")
    if path is None:
        pytest.skip("Debian's chromium is not installed and apt-get was unavailable to install it "
                    "(make e2e installs it: `make chromium`)")
    return path


def axe_violations(page: Page) -> list[dict[str, Any]]:
    """Serious and critical axe-core violations of the page as it is now (WCAG 2.1 A and AA rules)."""
    found: list[dict[str, Any]] = page.evaluate(AXE_SCAN.read_text())
    return found


class SocketSwitch:
    """Passes the page's WebSockets through to the stack, until told to drop the open one and refuse
    new ones (the page sees a lost connection and retries with backoff)."""

    def __init__(self) -> None:
        self.blocked = False
        self.open: list[WebSocketRoute] = []

    def route(self, socket: WebSocketRoute) -> None:
        if self.blocked:
            socket.close(code=1011, reason="blocked by the test")
            return
        socket.connect_to_server()
        self.open.append(socket)

    def drop_and_block(self) -> None:
        self.blocked = True
        for socket in self.open:
            socket.close(code=1006, reason="dropped by the test")
        self.open.clear()

    def unblock(self) -> None:
        self.blocked = False



# What the browser reads first: called once beforehand, so the test meets warm functions rather than their
# first cold starts (tens of seconds each on a shared machine when this file runs alone).
FIRST_READS = [("GET", "/api/gamification/me"), ("GET", "/api/notifications/unread-count"),
               ("POST", "/api/agent/prioritize"), ("GET", "/api/analytics/me/summary"),
               ("GET", "/api/challenges"), ("GET", "/api/gamification/leaderboards/weekly")]


def warm_up(stack: Stack, token: str, more: tuple[tuple[str, str], ...] = ()) -> None:
    """Open and close one WebSocket and make each of the first reads (and ``more``, a screen's own) once,
    as another user."""
    with connect(f"{stack.urls.websocket}?token={token}", open_timeout=120):
        pass
    headers = {"Authorization": f"Bearer {token}"}
    for method, path in [*FIRST_READS, *more]:
        # A cold start may outlast the function's own timeout (502) once; the next call finds it warm.
        wait_for(lambda method=method, path=path: requests.request(
            method, f"{stack.urls.rest}{path}", headers=headers, timeout=120).status_code == 200,
            seconds=180, every=1)


@dataclass
class Guard:
    """What a page did that it must not: requests off this machine, Content-Security-Policy violations."""

    refused: list[str] = field(default_factory=list)
    policy_errors: list[str] = field(default_factory=list)


@contextmanager
def chromium() -> Iterator[Browser]:
    """Debian's Chromium, headless, closed on the way out."""
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium_path(), headless=True, args=["--no-sandbox"])
        try:
            yield browser
        finally:
            browser.close()


def app_page(browser: Browser, stack: Stack, guard: Guard, size: str = "desktop") -> Page:
    """A new context and page on the app: axe-core injected through the browser (the page's CSP stays on),
    every request off this machine refused and recorded, CSP violations recorded."""
    local = urlsplit(stack.urls.app).hostname

    def only_this_machine(route: Route, request: Request) -> None:
        if urlsplit(request.url).hostname == local:
            route.continue_()
        else:
            guard.refused.append(request.url)
            route.abort()

    def console(message: ConsoleMessage) -> None:
        if "Content Security Policy" in message.text:
            guard.policy_errors.append(message.text)

    context = browser.new_context(viewport=SIZES[size])
    context.add_init_script(path=str(AXE))
    page = context.new_page()
    page.route("**/*", only_this_machine)
    page.on("console", console)
    return page


def sign_in(page: Page, stack: Stack, email: str, password: str = PASSWORD) -> None:
    """Open the app and sign in through its form; waits for the first screen."""
    page.goto(stack.urls.app)
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(password)
    page.get_by_role("form", name="Sign in").get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", name="Today", level=1)).to_be_visible()


def scan_and_photograph(page: Page, name: str, size: str) -> list[dict[str, Any]]:
    """axe-core's serious and critical violations of the page as it is now; a full-page screenshot
    ``<name>-<size>.png`` in SCREENSHOTS."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    found = axe_violations(page)
    page.screenshot(path=str(SCREENSHOTS / f"{name}-{size}.png"), full_page=True)
    return found
