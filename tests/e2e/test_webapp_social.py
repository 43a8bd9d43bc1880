"""The web app's social side in a real headless Chromium: two browser contexts, a user and a friend.

They become friends through the Friends screen (one looks the other up by the friend code their screen
shows; the request arrives and is accepted); the user turns a task into a quiz challenge, starts it (a
countdown runs), answers the quiz (checked on the server) and sees the result with the XP earned, and ticks
the milestones of a checklist challenge; the user invites the friend to a duel and the friend's Duels
screen receives the invitation live (no reload), the friend accepts, and the user's page follows the
friend's steps live over the WebSocket to the winner. Settings change and persist across a reload. Each of
these screens is scanned with axe-core (no serious or critical violation) and photographed at phone and
desktop sizes into SCREENSHOTS; no request leaves this machine and the page's CSP is never violated.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import requests
from playwright.sync_api import Page, expect

from tests.e2e.conftest import PASSWORD, Account, Stack, wait_for
from tests.e2e.webapp_support import (
    LIVE_SECONDS,
    SCREENSHOTS,
    SIZES,
    Guard,
    app_page,
    chromium,
    scan_and_photograph,
    sign_in,
    warm_up,
)

# The reads these screens make beyond the first screens' own (warmed once, so the test meets warm functions).
SOCIAL_READS = (("GET", "/api/users/me"), ("GET", "/api/users/me/friends"), ("GET", "/api/challenges/duels"),
                ("GET", "/api/tasks"), ("GET", "/api/notifications/preferences"), ("GET", "/api/users/me/preferences"),
                ("GET", "/api/gamification/ledger"))
OPTIONS = ["A", "B", "C", "D"]  # the fake model's quiz: question n's right answer is option n % 4
MARK = "window.__sameDocument"
DUELS = "/api/challenges/duels"  # set on a page and read back: still there means the page was never reloaded


def warm_login(stack: Stack, email: str) -> None:
    """Sign in once through the API (bounded retries): the form then meets a warm login function, not a
    cold start that outlasts its timeout on a busy machine."""
    wait_for(lambda: requests.post(f"{stack.urls.rest}/api/auth/login", json={"email": email, "password": PASSWORD},
                                   timeout=120).status_code == 200, seconds=180, every=1)


def go(page: Page, route: str, heading: str | re.Pattern[str]) -> None:
    page.goto(page.url.split("#")[0] + f"#/{route}")
    expect(page.get_by_role("heading", name=heading, level=1)).to_be_visible()


def make_task(stack: Stack, token: str, title: str, description: str = "") -> str:
    made = requests.post(f"{stack.urls.rest}/api/tasks", json={"title": title, "description": description},
                         headers={"Authorization": f"Bearer {token}"}, timeout=30)
    assert made.status_code == 201, made.text
    task_id: str = made.json()["id"]
    return task_id


def befriend(user: Page, rival: Page) -> None:
    """The user looks the rival up by the code the rival's screen shows and asks; the rival accepts."""
    go(rival, "friends", "Friends")
    code = rival.get_by_test_id("friend-code")
    expect(code).not_to_have_text("…")
    go(user, "friends", "Friends")
    user.get_by_label("Their friend code").fill(code.inner_text())
    user.get_by_role("button", name="Look up").click()
    expect(user.get_by_test_id("found")).to_contain_text("Webrival")
    user.get_by_role("button", name="Send a friend request").click()
    expect(user.get_by_test_id("outgoing")).to_contain_text("Webrival")
    # The rival's screen reads its lists again when the request's notification frame arrives
    request = rival.get_by_test_id("incoming").filter(has_text="Webduellist")
    expect(request).to_be_visible(timeout=LIVE_SECONDS)
    request.get_by_role("button", name="Accept").click()
    expect(rival.get_by_test_id("friend").filter(has_text="Webduellist")).to_be_visible()


def run_quiz(page: Page) -> None:
    """Make a quiz of a task, start it, answer every question right, and read the result."""
    go(page, "challenges", "Challenges")
    page.get_by_label("Task", exact=True).select_option(label="Learn the duel rules")
    page.get_by_label("Kind of challenge").select_option("quiz")
    page.get_by_role("button", name="Make the challenge").click()
    expect(page.get_by_role("heading", level=1)).not_to_have_text("Challenges")
    page.get_by_role("button", name="Start the challenge").click()
    expect(page.get_by_role("timer")).to_have_text(re.compile(r"^1[45]:\d\d$"))  # a quiz has 15 minutes
    questions = page.get_by_role("group", name=re.compile(r"^Question \d+ "))
    expect(questions.first).to_be_visible()
    submit = page.get_by_role("button", name="Submit answers")
    expect(submit).to_be_disabled()
    for n in range(questions.count()):
        page.get_by_role("group", name=re.compile(rf"^Question {n + 1} ")).get_by_role(
            "radio", name=OPTIONS[n % 4], exact=True).check()
    submit.click()
    result = page.get_by_test_id("result")
    expect(result).to_contain_text("Challenge completed")
    expect(result).to_contain_text("passed")
    expect(result).not_to_contain_text("wrong")
    expect(page.get_by_test_id("xp-earned")).to_have_text(re.compile(r"^\+\d+ XP earned$"), timeout=LIVE_SECONDS)


def run_checklist(page: Page) -> None:
    """Make a checklist of a task with three steps, start it, tick two milestones (saved on the server)."""
    go(page, "challenges", "Challenges")
    page.get_by_label("Task", exact=True).select_option(label="Ship the release")
    page.get_by_label("Kind of challenge").select_option("checklist")
    page.get_by_role("button", name="Make the challenge").click()
    page.get_by_role("button", name="Start the challenge").click()
    expect(page.get_by_role("timer")).to_be_visible()
    # click, not check: the box shows the server's answer, so it is ticked once the milestone is saved
    page.get_by_role("checkbox", name="write the notes").click()
    expect(page.get_by_role("group", name=re.compile("Milestones"))).to_contain_text("1 of 3 done")
    page.get_by_role("checkbox", name="tag the build").click()
    expect(page.get_by_role("group", name=re.compile("Milestones"))).to_contain_text("2 of 3 done")
    page.reload()
    expect(page.get_by_role("group", name=re.compile("Milestones"))).to_contain_text("2 of 3 done")
    expect(page.get_by_role("checkbox", name="tag the build")).to_be_checked()


def invite(user: Page) -> None:
    """Invite the friend to a first-to-finish duel of three steps. Duels learn of the new friendship through
    the bus, so an invitation sent too early is refused (404, shown); it is sent again, a bounded number of times."""
    go(user, "duels", "Duels")
    user.get_by_label("Friend", exact=True).select_option(label="Webrival")
    user.get_by_label("How to win").select_option("first_to_finish")
    user.get_by_label("Title").fill("Three quick steps")
    user.get_by_label("Steps", exact=True).fill("3")
    for _ in range(20):
        with user.expect_response(lambda r: r.request.method == "POST" and r.url.endswith(DUELS)) as sent:
            user.get_by_role("button", name="Send the invitation").click()
        if sent.value.status == 201:
            expect(user.get_by_text("Waiting for Webrival to accept")).to_be_visible()
            return
        assert sent.value.status == 404, sent.value.text()
        expect(user.get_by_role("alert")).to_contain_text("try again shortly")
        user.wait_for_timeout(3_000)
    raise AssertionError("the duel invitation was refused for a minute: the friendship never reached duels")


def duel(user: Page, rival: Page) -> None:
    go(rival, "duels", "Duels")
    rival.evaluate(f"{MARK} = true")
    invite(user)
    # The invitation reaches the rival's open Duels screen over the WebSocket, with no reload
    invitation = rival.get_by_test_id("duel-invitation").filter(has_text="Three quick steps")
    expect(invitation).to_be_visible(timeout=LIVE_SECONDS)
    assert rival.evaluate(MARK) is True
    user.evaluate(f"{MARK} = true")
    invitation.get_by_role("button", name="Accept").click()
    expect(rival.get_by_test_id("duel-status")).to_have_text("active")
    # The user's page learns that the duel started, and follows the friend's steps, live
    expect(user.get_by_test_id("duel-status")).to_have_text("active", timeout=LIVE_SECONDS)
    expect(user.get_by_role("timer")).to_be_visible()
    theirs = user.get_by_test_id("their-side").get_by_test_id("score")
    expect(theirs).to_have_text("0 / 3")
    rival.get_by_role("checkbox", name="Step 1").click()
    expect(theirs).to_have_text("1 / 3", timeout=LIVE_SECONDS)
    user.get_by_role("checkbox", name="Step 1").click()
    expect(rival.get_by_test_id("their-side").get_by_test_id("score")).to_have_text("1 / 3", timeout=LIVE_SECONDS)
    rival.get_by_role("checkbox", name="Step 2").click()
    expect(rival.get_by_test_id("my-side").get_by_test_id("score")).to_have_text("2 / 3")
    rival.get_by_role("checkbox", name="Step 3").click()
    expect(rival.get_by_test_id("duel-result")).to_have_text(re.compile("You won!"))
    expect(user.get_by_test_id("duel-result")).to_contain_text("Webrival won", timeout=LIVE_SECONDS)
    assert user.evaluate(MARK) is True


def change_settings(page: Page) -> None:
    go(page, "settings", "Settings")
    page.get_by_label("Timezone").select_option("Europe/Paris")
    page.get_by_label("My day starts at").select_option("6")
    page.get_by_role("radio", name=re.compile("^Friends:")).check()
    page.get_by_role("button", name="Save profile").click()
    profile = page.get_by_role("form", name="Profile")
    expect(profile.get_by_role("status")).to_have_text("Saved.")
    page.get_by_role("checkbox", name="A duel invitation: Email").uncheck()
    page.get_by_role("checkbox", name="Hold notifications during quiet hours").check()
    page.get_by_label("From").fill("21:30")
    page.get_by_role("button", name="Save notifications").click()
    expect(page.get_by_role("form", name="Notifications").get_by_role("status")).to_have_text("Saved.")

    page.reload()
    expect(page.get_by_role("heading", name="Settings", level=1)).to_be_visible()
    expect(page.get_by_label("Timezone")).to_have_value("Europe/Paris")
    expect(page.get_by_label("My day starts at")).to_have_value("6")
    expect(page.get_by_role("radio", name=re.compile("^Friends:"))).to_be_checked()
    expect(page.get_by_role("checkbox", name="A duel invitation: Email")).not_to_be_checked()
    expect(page.get_by_role("checkbox", name="A duel invitation: In the app")).to_be_checked()
    expect(page.get_by_label("From")).to_have_value("21:30")
    expect(page.get_by_role("group", name=re.compile("^Quiet hours"))).to_contain_text("Europe/Paris")


def scan_my_screens(page: Page, duel_route: str, challenge_route: str, size: str) -> dict[str, list[dict[str, Any]]]:
    page.set_viewport_size(SIZES[size])
    found: dict[str, list[dict[str, Any]]] = {}
    for name, route, heading in (("challenge-list", "challenges", "Challenges"),
                                 ("challenge-run", challenge_route, re.compile(".")), ("duels", "duels", "Duels"),
                                 ("duel", duel_route, "Three quick steps"), ("friends", "friends", "Friends"),
                                 ("settings", "settings", "Settings")):
        go(page, route, heading)
        expect(page.locator("main")).not_to_contain_text("Loading")
        found[f"{name}-{size}"] = scan_and_photograph(page, name, size)
    return found


def test_given_two_friends_then_a_challenge_runs_to_its_result_a_duel_is_followed_live_and_settings_persist(
    stack: Stack, account: Callable[[str], Account]
) -> None:
    warm_up(stack, account("web-social-warmup").token, SOCIAL_READS)
    expect.set_options(timeout=30_000)
    user, friend = account("webduellist"), account("webrival")
    make_task(stack, user.token, "Learn the duel rules")
    make_task(stack, user.token, "Ship the release", "- write the notes\n- tag the build\n- announce it")
    warm_login(stack, user.email)
    guard = Guard()
    with chromium() as browser:
        page, rival = app_page(browser, stack, guard), app_page(browser, stack, guard)
        sign_in(page, stack, user.email)
        sign_in(rival, stack, friend.email)
        for each in (page, rival):
            expect(each.get_by_test_id("live-state")).to_have_text("live", timeout=LIVE_SECONDS)

        befriend(page, rival)
        run_quiz(page)
        challenge_route = page.url.split("#/", 1)[1]
        run_checklist(page)
        duel(page, rival)
        duel_route = page.url.split("#/", 1)[1]
        change_settings(page)

        violations = {**scan_my_screens(page, duel_route, challenge_route, "desktop"),
                      **scan_my_screens(page, duel_route, challenge_route, "phone")}

    assert guard.refused == []
    assert guard.policy_errors == []
    assert {screen: v for screen, v in violations.items() if v} == {}
    screens = ("challenge-list", "challenge-run", "duels", "duel", "friends", "settings")
    expected = {f"{name}-{size}.png" for name in screens for size in SIZES}
    assert expected <= {p.name for p in SCREENSHOTS.glob("*.png")}
