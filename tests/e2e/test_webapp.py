"""The web app in a real headless Chromium (Debian's, driven by Playwright), against the shared e2e stack.

A new user signs up, adds a task by typing a sentence (the parsed draft is shown and confirmed), completes
it with one click, sees the XP toast arrive over the WebSocket and the level bar move; the connection is
dropped and held down while XP is earned elsewhere, and the reconnected app catches up; every screen is
scanned with axe-core (no serious or critical violation) and photographed at phone and desktop sizes into
``.local/screenshots/web`` (SCREENSHOTS). The page runs under its own Content-Security-Policy; a violation
fails the test. Every request off this machine is refused.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any
from urllib.parse import urlsplit

import requests
from playwright.sync_api import ConsoleMessage, Page, Request, Route, expect, sync_playwright

from deepiri_common.ids import new_ulid
from tests.e2e.conftest import PASSWORD, Account, Stack, wait_for
from tests.e2e.webapp_support import (
    AXE,
    LIVE_SECONDS,
    SCREENSHOTS,
    SIZES,
    SocketSwitch,
    axe_violations,
    chromium_path,
    warm_up,
)

SCREENS = {"today": "Today", "progress": "Progress", "leaderboards": "Leaderboards", "challenges": "Challenges",
           "insights": "Insights"}


def visit_every_screen(page: Page, size: str) -> dict[str, list[dict[str, Any]]]:
    """Open each screen, wait for its heading, scan it and photograph it; returns the violations per screen."""
    violations: dict[str, list[dict[str, Any]]] = {}
    for route, heading in SCREENS.items():
        page.goto(page.url.split("#")[0] + f"#/{route}")
        expect(page.get_by_role("heading", name=heading, level=1)).to_be_visible()
        expect(page.locator("main")).not_to_contain_text("Loading")
        violations[route] = axe_violations(page)
        page.screenshot(path=str(SCREENSHOTS / f"{route}-{size}.png"), full_page=True)
    return violations


def complete_elsewhere(stack: Stack, email: str) -> int:
    """Sign in through the API (another session), add and complete a task; wait until the XP is awarded and
    return the user's total XP."""
    rest = stack.urls.rest
    login = requests.post(f"{rest}/api/auth/login", json={"email": email, "password": PASSWORD}, timeout=30)
    assert login.status_code == 200, login.text
    headers = {"Authorization": f"Bearer {login.json()['accessToken']}"}
    before = requests.get(f"{rest}/api/gamification/me", headers=headers, timeout=30).json()["xp"]
    task = requests.post(f"{rest}/api/tasks", json={"title": "done while offline"}, headers=headers, timeout=30)
    assert task.status_code == 201, task.text
    done = requests.post(f"{rest}/api/tasks/{task.json()['id']}/complete", json={}, headers=headers, timeout=30)
    assert done.status_code == 200, done.text
    total: int = wait_for(lambda: (xp := requests.get(f"{rest}/api/gamification/me", headers=headers,
                                                      timeout=30).json()["xp"]) > before and xp, seconds=45)
    return total


def completion_counted(page: Page, attempts: int = 10) -> bool:
    """Reload Insights (bounded) until its Completed figure is at least one."""
    completed = page.locator(".stat").filter(has=page.get_by_role("heading", name="Completed")).locator("p")
    for _ in range(attempts):
        expect(completed).to_be_visible()
        if int(completed.inner_text()) >= 1:
            return True
        page.wait_for_timeout(2_000)
        page.reload()
    return False


def test_given_a_new_user_when_they_add_a_task_by_sentence_and_complete_it_then_xp_arrives_live(
    stack: Stack, account: Callable[[str], Account]
) -> None:
    warm_up(stack, account("web-warmup").token)
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    expect.set_options(timeout=30_000)  # registration hashes a password; the machine is shared
    local = urlsplit(stack.urls.app).hostname
    refused: list[str] = []
    policy_errors: list[str] = []

    def only_this_machine(route: Route, request: Request) -> None:
        if urlsplit(request.url).hostname == local:
            route.continue_()
        else:
            refused.append(request.url)
            route.abort()

    def console(message: ConsoleMessage) -> None:
        if "Content Security Policy" in message.text:
            policy_errors.append(message.text)

    email = f"web-{new_ulid().lower()}@example.com"
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium_path(), headless=True, args=["--no-sandbox"])
        try:
            context = browser.new_context(viewport=SIZES["desktop"])
            context.add_init_script(path=str(AXE))  # through the browser, not the page: the page's CSP stays on
            page = context.new_page()
            page.route("**/*", only_this_machine)
            socket = SocketSwitch()
            page.route_web_socket(re.compile(r"/_aws/execute-api/"), socket.route)
            page.on("console", console)

            # Given a new user who signs up
            page.goto(stack.urls.app)
            page.screenshot(path=str(SCREENSHOTS / "signin-desktop.png"))
            signin_violations = axe_violations(page)
            page.set_viewport_size(SIZES["phone"])
            page.screenshot(path=str(SCREENSHOTS / "signin-phone.png"))
            signin_violations += axe_violations(page)
            page.set_viewport_size(SIZES["desktop"])
            page.get_by_role("button", name="Sign up").click()
            page.get_by_label("Display name").fill("Web Tester")
            page.get_by_label("Email").fill(email)
            page.get_by_label("Password").fill(PASSWORD)
            page.get_by_role("button", name="Create account").click()
            expect(page.get_by_role("heading", name="Today", level=1)).to_be_visible()
            expect(page.get_by_test_id("live-state")).to_have_text("live", timeout=LIVE_SECONDS)
            bar = page.get_by_test_id("xp-bar")
            expect(bar).to_have_attribute("data-xp", "0")

            # When they add a task by a sentence and confirm the draft
            page.get_by_label("Add a task in your own words").fill("write the Q3 report by Friday 5pm #work")
            page.get_by_role("button", name="Read it").click()
            draft = page.get_by_test_id("draft")
            expect(draft).to_contain_text("Q3 report")
            expect(draft).to_contain_text("work")
            page.get_by_role("button", name="Add task").click()
            task = page.get_by_test_id("task").filter(has_text="Q3 report")
            expect(task).to_be_visible()

            # And complete it with one click
            task.get_by_role("button", name="Complete").click()

            # Then the XP toast arrives over the WebSocket and the level bar moves
            expect(page.get_by_test_id("toasts")).to_contain_text("XP", timeout=LIVE_SECONDS)
            # and the badge's notification moves the unread count without showing the badge a second time
            unread = page.get_by_role("link", name=re.compile(r"^Notifications: [1-9]\d* unread$"))
            expect(unread).to_be_visible(timeout=LIVE_SECONDS)
            assert page.get_by_test_id("toasts").inner_text().count("Badge earned: First steps") <= 1
            expect(bar).not_to_have_attribute("data-xp", "0")
            earned = int(bar.get_attribute("data-xp") or "0")
            assert earned > 0

            # When the connection drops and stays down while a task is completed elsewhere (its XP frame
            # is lost), then the app reconnects with backoff and catches up: the bar shows the new XP
            socket.drop_and_block()
            expect(page.get_by_test_id("live-state")).not_to_have_text("live")
            total = complete_elsewhere(stack, email)
            assert total > earned
            socket.unblock()
            expect(page.get_by_test_id("live-state")).to_have_text("live", timeout=LIVE_SECONDS)
            expect(bar).to_have_attribute("data-xp", str(total))

            desktop = visit_every_screen(page, "desktop")
            # And Insights (the last screen visited) draws its charts and, once analytics has read the
            # event, counts the completion
            expect(page.locator(".chart canvas").first).to_be_visible()
            assert completion_counted(page), "Insights never showed the completed task"
            page.set_viewport_size(SIZES["phone"])
            phone = visit_every_screen(page, "phone")

            # And signing out brings the sign-in form back
            page.get_by_role("button", name="Sign out", exact=True).click()
            expect(page.get_by_role("form", name="Sign in")).to_be_visible()
        finally:
            browser.close()

    assert refused == []
    assert policy_errors == []
    assert signin_violations == []
    assert {screen: v for screen, v in {**desktop, **phone}.items() if v} == {}
    expected = {f"{screen}-{size}.png" for screen in [*SCREENS, "signin"] for size in SIZES}
    assert expected <= {p.name for p in SCREENSHOTS.glob("*.png")}


def test_given_the_deployed_app_then_its_page_carries_a_content_security_policy_naming_the_api(stack: Stack) -> None:
    page = requests.get(stack.urls.app, timeout=30)
    config = requests.get(stack.urls.app.rsplit("/", 1)[0] + "/config.json", timeout=30).json()

    assert page.status_code == 200
    assert page.headers["Content-Type"].startswith("text/html")
    assert "Content-Security-Policy" in page.text and "__CONNECT_SRC__" not in page.text
    assert f"connect-src 'self' {stack.urls.endpoint}" in page.text
    assert config == {"apiUrl": stack.urls.rest, "websocketUrl": stack.urls.websocket, "stage": stack.urls.stage}
