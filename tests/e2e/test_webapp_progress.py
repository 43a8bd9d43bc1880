"""The web app's Progress, Leaderboards, Notifications and Assistant screens in Debian's Chromium, against the
shared e2e stack, with a real API behind every control.

A user who earned XP through the API (tasks completed, a duel won on the bus, a friend made) sees their
streak, wallet, ledger and badges and buys a streak freeze; finds their own rank on the all-time, weekly,
friends and ELO boards; sees their friend's presence change live; opens the notification list from the bell
and marks one read, then all (the bell's count follows); asks the assistant what to do next and is answered
with their open task. Each screen is scanned with axe-core (no serious or critical violation) and photographed
at desktop and phone sizes into ``.local/screenshots/web``; no request leaves this machine and the page's
Content-Security-Policy is never violated.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import requests
from playwright.sync_api import Page, expect
from websockets.sync.client import connect

from deepiri_common.events import DomainEvent
from deepiri_common.ids import new_ulid
from tests.e2e.conftest import Account, Stack, wait_for
from tests.e2e.webapp_support import (
    LIVE_SECONDS,
    SIZES,
    Guard,
    app_page,
    chromium,
    scan_and_photograph,
    sign_in,
    warm_up,
)

SCREENS = {"progress": "Progress", "leaderboards": "Leaderboards", "notifications": "Notifications",
           "chat": "Assistant"}
OPEN_TASK = "Draft the release notes for the mobile app"
FREEZE_PRICE = 50
TOTAL_XP = 3 * (80 + 5) + 25  # three urgent epic tasks and a duel won


def call(stack: Stack, method: str, path: str, token: str, **kwargs: Any) -> requests.Response:
    return requests.request(method, f"{stack.urls.rest}{path}", headers={"Authorization": f"Bearer {token}"},
                            timeout=60, **kwargs)


def earn_xp(stack: Stack, user: Account) -> None:
    """Complete three urgent epic tasks (over 250 XP: two levels, badges, enough coins for a freeze) and leave
    one task open for the assistant to name."""
    for index in range(3):
        task = call(stack, "POST", "/api/tasks", user.token,
                    json={"title": f"Ship milestone {index + 1}", "difficulty": "epic", "priority": "urgent"})
        assert task.status_code == 201, task.text
        done = call(stack, "POST", f"/api/tasks/{task.json()['id']}/complete", user.token, json={})
        assert done.status_code == 200, done.text
    assert call(stack, "POST", "/api/tasks", user.token, json={"title": OPEN_TASK}).status_code == 201


def befriend(stack: Stack, user: Account, friend: Account) -> None:
    asked = call(stack, "POST", "/api/users/me/friends/requests", user.token, json={"userId": friend.id})
    assert asked.status_code in (200, 201), asked.text
    accepted = call(stack, "POST", f"/api/users/me/friends/requests/{user.id}/accept", friend.token)
    assert accepted.status_code in (200, 204), accepted.text


def wallet(stack: Stack, user: Account) -> dict[str, Any]:
    answer: dict[str, Any] = call(stack, "GET", "/api/gamification/me", user.token).json()
    return answer


# What the four screens read, made once as the user before the browser opens: the browser then meets warm
# functions rather than a first cold start per concurrent read (tens of seconds each on a shared machine).
SCREEN_READS = ["/api/gamification/badges", "/api/gamification/rewards", "/api/gamification/ledger?limit=10",
                "/api/gamification/leaderboards/xp/me", "/api/gamification/leaderboards/elo-writing?limit=50",
                "/api/users/me/friends?limit=100", "/api/notifications?limit=30"]


def warm_screen_reads(stack: Stack, user: Account) -> None:
    for path in SCREEN_READS:
        wait_for(lambda path=path: call(stack, "GET", path, user.token).status_code == 200, seconds=180, every=1)
    presence = f"/api/realtime/presence?userIds={user.id}"
    wait_for(lambda: call(stack, "GET", presence, user.token).status_code == 200, seconds=180, every=1)


def unread_count(page: Page) -> int:
    label = page.get_by_test_id("bell").get_attribute("aria-label") or ""
    found = re.search(r"(\d+) unread", label)
    assert found, label
    return int(found.group(1))


def visit(page: Page, route: str) -> None:
    page.goto(page.url.split("#")[0] + f"#/{route}")
    expect(page.get_by_role("heading", name=SCREENS[route], level=1)).to_be_visible()
    expect(page.locator("main")).not_to_contain_text("Loading", timeout=60_000)


def scan_every_screen(page: Page, size: str) -> dict[str, list[dict[str, Any]]]:
    """The screen open now (the assistant, with its conversation) first, then the others."""
    violations = {"chat": scan_and_photograph(page, "chat", size)}
    for route in SCREENS.keys() - {"chat"}:
        visit(page, route)
        violations[route] = scan_and_photograph(page, route, size)
    page.get_by_role("link", name="Assistant").click()
    return violations


def test_given_a_user_with_xp_then_progress_boards_notifications_presence_and_the_assistant_work_in_the_browser(
    stack: Stack, account: Callable[[str], Account], publish: Callable[[DomainEvent], None]
) -> None:
    warm_up(stack, account("progress-warmup").token)
    expect.set_options(timeout=30_000)
    user, friend = account("progress-user"), account("progress-friend")
    # Given a user who earned XP, won a duel against a friend (as the challenges service announces it) and
    # whose friendship was accepted (a notification)
    befriend(stack, user, friend)
    earn_xp(stack, user)
    publish(DomainEvent.new("challenges", "DuelFinished", {
        "duelId": new_ulid(), "category": "writing", "participantIds": [user.id, friend.id],
        "winnerId": user.id, "scores": {user.id: 3, friend.id: 1}, "reason": "completed"}, actor="system"))
    # Every award is in (its badges' and levels' coins are written in the award's own transaction)
    wait_for(lambda: wallet(stack, user)["xp"] == TOTAL_XP, seconds=120)
    earned = wallet(stack, user)
    assert earned["balances"]["coins"] >= FREEZE_PRICE and earned["streaks"]["days"] == 1
    wait_for(lambda: call(stack, "GET", "/api/gamification/leaderboards/elo/me", user.token).json()["me"], seconds=90)
    wait_for(lambda: call(stack, "GET", "/api/notifications/unread-count", user.token).json()["unread"] >= 2,
             seconds=90)
    warm_screen_reads(stack, user)
    guard = Guard()

    with chromium() as browser:
        page = app_page(browser, stack, guard)
        sign_in(page, stack, user.email)

        # Then Progress shows the streak, the wallet, the ledger and the badges
        visit(page, "progress")
        expect(page.get_by_test_id("streak")).to_contain_text("1 day")
        coins = page.get_by_test_id("coins")
        expect(coins).to_have_text(str(earned["balances"]["coins"]))
        expect(page.get_by_test_id("badge").first).to_be_visible()
        expect(page.get_by_test_id("ledger")).to_contain_text("XP")
        # When they buy a streak freeze, then it is held and its coins are spent
        page.get_by_role("button", name=re.compile("Buy a streak freeze")).click()
        expect(page.get_by_test_id("freezes")).to_have_text("1 freeze")
        expect(coins).to_have_text(str(earned["balances"]["coins"] - FREEZE_PRICE))

        # Then each leaderboard shows their own rank
        visit(page, "leaderboards")
        for board in ("All time", "This week", "Friends", "ELO"):
            page.get_by_role("button", name=board, exact=True).click()
            expect(page.get_by_test_id("my-rank")).to_contain_text("Your rank: #")
            expect(page.get_by_test_id("my-row")).to_contain_text("You")
        page.get_by_label("Category").select_option("writing")
        expect(page.get_by_test_id("board")).to_contain_text("ELO rating in writing")
        expect(page.get_by_test_id("my-rank")).to_contain_text("1516 rating")

        # And their friend's presence changes live: online while their socket is open, then busy
        friend_row = page.get_by_test_id("friend").filter(has_text="Progress-Friend")
        expect(friend_row).to_have_attribute("data-status", "offline")
        with connect(f"{stack.urls.websocket}?token={friend.token}", open_timeout=120):
            expect(friend_row).to_have_attribute("data-status", "online", timeout=LIVE_SECONDS)
            busy = call(stack, "PUT", "/api/realtime/presence", friend.token, json={"status": "busy"})
            assert busy.status_code == 200, busy.text
            expect(friend_row).to_have_attribute("data-status", "busy", timeout=LIVE_SECONDS)

        # When they open the notification list from the bell and mark one read, then all
        page.get_by_test_id("bell").click()
        expect(page.get_by_role("heading", name="Notifications", level=1)).to_be_visible()
        unread = page.locator("[data-testid=notification][data-read=no]")
        expect(unread.first).to_be_visible()
        before = unread_count(page)
        assert before >= 2
        unread.first.get_by_role("button", name=re.compile("Mark read")).click()
        expect(page.get_by_test_id("bell")).to_have_attribute("aria-label", f"Notifications: {before - 1} unread")
        page.get_by_role("button", name="Mark all read").click()
        expect(page.get_by_test_id("bell")).to_have_attribute("aria-label", "Notifications: 0 unread")
        expect(unread).to_have_count(0)

        # When they ask the assistant what to do next, then it answers from their own tasks
        page.get_by_role("link", name="Assistant").click()
        page.get_by_label("Your question").fill("What should I do next?")
        page.get_by_role("button", name="Ask", exact=True).click()
        expect(page.get_by_test_id("message-assistant")).to_contain_text(OPEN_TASK, timeout=60_000)

        desktop = scan_every_screen(page, "desktop")
        page.set_viewport_size(SIZES["phone"])
        page.get_by_label("Your question").fill("How am I doing?")
        page.get_by_role("button", name="Ask", exact=True).click()
        expect(page.get_by_test_id("message-assistant")).to_contain_text("level", timeout=60_000)
        phone = scan_every_screen(page, "phone")

    assert guard.refused == []
    assert guard.policy_errors == []
    assert {f"{screen}-{size}": v for size, found in (("desktop", desktop), ("phone", phone))
            for screen, v in found.items() if v} == {}
