"""The Tasks and Projects screens in a real headless Chromium, against the shared e2e stack.

A user creates a project, invites a friend (who accepts through the API) and changes the friend's role, adds
tasks on the board and from the Tasks screen, filters and searches the list, opens a task, comments with an
@mention, starts and stops the timer, makes it depend on another task (shown blocked) and attaches a file
through the presigned upload. On the board a card is dragged across columns, a forbidden move made from the
keyboard is refused with the server's reason, and a move made on a card that changed through the API
meanwhile shows the conflict with both versions and is re-applied. Every screen is scanned with axe-core
(no serious or critical violation) and photographed at phone and desktop sizes.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date
from typing import Any

import requests
from playwright.sync_api import FilePayload, Locator, Page, expect

from tests.e2e.conftest import Account, Stack, wait_for
from tests.e2e.webapp_support import (
    SCREENSHOTS,
    SIZES,
    Guard,
    app_page,
    chromium,
    scan_and_photograph,
    sign_in,
    warm_up,
)

FRIEND = "Web-Tasks-Friend"  # the display name the account fixture registers for "web-tasks-friend"
TASK_READS = [("GET", "/api/tasks"), ("GET", "/api/projects"), ("GET", "/api/projects/invitations")]


def call(stack: Stack, account: Account, method: str, path: str, **kwargs: Any) -> requests.Response:
    headers = {"Authorization": f"Bearer {account.token}"}
    return requests.request(method, f"{stack.urls.rest}{path}", headers=headers, timeout=60, **kwargs)


def warm_tasks(stack: Stack, account: Account) -> None:
    """The tasks service's first reads, once, so the browser meets warm functions."""
    for method, path in TASK_READS:
        wait_for(lambda method=method, path=path: call(stack, account, method, path).status_code == 200,
                 seconds=180, every=1)


def card(page: Page, title: str) -> Locator:
    return page.get_by_test_id("card").filter(has=page.get_by_role("link", name=title, exact=True))


def column(page: Page, status: str) -> Locator:
    return page.get_by_test_id(f"column-{status}")


def drag(page: Page, source: Locator, target: Locator) -> None:
    """Drag ``source`` onto ``target`` with the mouse, at the source's height (columns span the board's
    height), so nothing scrolls between pressing and releasing (Playwright's drag_to scrolls each into view,
    and a scroll after the press makes Chromium drag whatever card is then under the pointer)."""
    source.scroll_into_view_if_needed()
    start, end = source.bounding_box(), target.bounding_box()
    assert start is not None and end is not None
    y = start["y"] + 5  # the card's own top edge, not its link or its "Move to" control
    page.mouse.move(start["x"] + start["width"] / 2, y)
    page.mouse.down()
    page.mouse.move(end["x"] + end["width"] / 2, y, steps=5)
    page.mouse.up()


def photograph(page: Page, screens: dict[str, str], size: str) -> dict[str, list[dict[str, Any]]]:
    """Open each screen (name → hash route), wait until nothing is loading, scan and photograph it."""
    found: dict[str, list[dict[str, Any]]] = {}
    for name, route in screens.items():
        page.goto(page.url.split("#")[0] + route)
        expect(page.get_by_role("heading", level=1)).to_be_visible()
        expect(page.locator("main")).not_to_contain_text("Loading")
        found[f"{name}-{size}"] = scan_and_photograph(page, name, size)
    return found


def test_given_a_project_when_its_owner_plans_on_the_board_then_moves_follow_the_server_and_conflicts_are_kept(
    stack: Stack, account: Callable[[str], Account], tasks_directory: Callable[..., None]
) -> None:
    owner, friend = account("web-tasks-owner"), account("web-tasks-friend")
    warm_up(stack, owner.token)
    warm_tasks(stack, owner)
    tasks_directory(owner.id, friend.id)
    expect.set_options(timeout=30_000)
    guard = Guard()
    with chromium() as browser:
        page = app_page(browser, stack, guard)
        sign_in(page, stack, owner.email)
        base = page.url.split("#")[0]

        # Given a new project, created from the Projects screen
        page.get_by_role("link", name="Projects").click()
        expect(page.get_by_role("heading", name="Projects", level=1)).to_be_visible()
        page.get_by_label("Project name").fill("Website relaunch")
        page.get_by_role("button", name="Create project").click()
        expect(page.get_by_role("heading", name="Website relaunch", level=1)).to_be_visible()
        project_id = page.url.rsplit("/", 1)[-1]

        # And a friend invited from the members panel, who accepts, and whose role the owner changes
        page.get_by_label("User id").fill(friend.id)
        page.get_by_role("form", name="Invite a member").get_by_role("combobox", name="As").select_option("member")
        page.get_by_role("button", name="Invite").click()
        expect(page.get_by_test_id("toasts")).to_contain_text(f"Invited {friend.id}")
        accepted = call(stack, friend, "POST", f"/api/projects/{project_id}/invitations/accept")
        assert accepted.status_code == 200, accepted.text
        page.reload()
        friend_row = page.get_by_test_id("member").filter(has_text=friend.id)
        expect(friend_row).to_be_visible()
        expect(friend_row).to_contain_text(FRIEND)  # the display name from the public profile
        friend_row.get_by_role("combobox", name=f"Role of {FRIEND}").select_option("admin")
        friend_row.get_by_role("button", name="Change role").click()
        expect(page.get_by_test_id("toasts")).to_contain_text(f"{FRIEND} is now admin")
        members = call(stack, owner, "GET", f"/api/projects/{project_id}/members").json()["items"]
        assert {m["userId"]: m["role"] for m in members} == {owner.id: "owner", friend.id: "admin"}

        # And three tasks added on the board, all in To do
        for title in ("Draft copy", "Design hero", "Ship it"):
            page.get_by_label("Task title").fill(title)
            page.get_by_role("button", name="Add to board").click()
            expect(card(page, title)).to_be_visible()
        expect(column(page, "todo").get_by_test_id("card")).to_have_count(3)

        # When a fourth is added from the Tasks screen, in the project, tagged and due today
        page.goto(base + "#/tasks")
        page.get_by_label("New task title").fill("Write the launch post")
        page.get_by_label("In project").select_option(label="Website relaunch")
        page.get_by_label("Tags, comma separated").fill("blog, launch")
        page.get_by_label("Due on").fill(date.today().isoformat())
        page.get_by_role("button", name="Add task").click()
        rows = page.get_by_test_id("task-row")
        expect(rows.filter(has_text="Write the launch post")).to_be_visible()

        # Then the list filters by project, search, tag, due date and status
        filters = page.get_by_role("search", name="Filter tasks")
        expect(filters.get_by_role("combobox", name="Project")).to_have_value(project_id)  # the new task's scope
        expect(rows).to_have_count(4)
        filters.get_by_role("searchbox", name="Search").fill("launch")
        expect(rows).to_have_count(1)
        expect(rows.first).to_contain_text("Write the launch post")
        filters.get_by_role("searchbox", name="Search").fill("")
        expect(rows).to_have_count(4)
        filters.get_by_role("textbox", name="Tag").fill("blog")
        expect(rows).to_have_count(1)
        filters.get_by_role("textbox", name="Tag").fill("")
        expect(rows).to_have_count(4)
        filters.get_by_role("combobox", name="Due").select_option("today")
        expect(rows).to_have_count(1)
        filters.get_by_role("combobox", name="Due").select_option("")
        expect(rows).to_have_count(4)
        filters.get_by_role("combobox", name="Status").select_option("in_progress")
        expect(page.get_by_text("No task matches.")).to_be_visible()
        page.get_by_role("button", name="Clear filters").click()

        # When the task is opened: a comment mentioning the friend, the timer, a dependency, a file
        page.get_by_role("link", name="Write the launch post").click()
        expect(page.get_by_role("heading", name="Write the launch post", level=1)).to_be_visible()
        task_id = page.url.rsplit("/", 1)[-1]
        page.get_by_role("paragraph").filter(has_text="Mention a member").get_by_role("button", name=FRIEND).click()
        expect(page.get_by_role("textbox", name=re.compile("^Comment"))).to_have_value(f"@{friend.id} ")
        page.get_by_role("textbox", name=re.compile("^Comment")).press_sequentially("please review")
        page.get_by_role("button", name="Post comment").click()
        comment = page.get_by_test_id("comment")
        expect(comment).to_contain_text("please review")
        expect(comment).to_contain_text(f"mentions {FRIEND}")
        comments = call(stack, owner, "GET", f"/api/tasks/{task_id}/comments").json()["items"]
        assert [c["mentionedUserIds"] for c in comments] == [[friend.id]]

        page.get_by_role("button", name="Start timer").click()
        expect(page.get_by_test_id("timer-state")).to_contain_text("Running since")
        assert call(stack, owner, "GET", f"/api/tasks/{task_id}/time").json()["running"]["taskId"] == task_id
        page.get_by_role("button", name="Stop timer").click()
        expect(page.get_by_test_id("timer-state")).to_contain_text("Not running")
        assert call(stack, owner, "GET", f"/api/tasks/{task_id}/time").json()["running"] is None

        page.get_by_label("This task depends on").select_option(label="Draft copy")
        page.get_by_role("button", name="Add dependency").click()
        expect(page.get_by_test_id("blocked-state")).to_have_text("Blocked by 1 open task: Draft copy")

        page.get_by_label(re.compile("^Attach a file")).set_input_files(
            files=[FilePayload(name="brief.txt", mimeType="text/plain", buffer=b"launch brief\n")])
        expect(page.get_by_test_id("attachment")).to_contain_text("brief.txt")

        # When the task changes through the API while its title is edited here, saving shows both versions
        seen = call(stack, owner, "GET", f"/api/tasks/{task_id}").json()["version"]
        elsewhere = call(stack, owner, "PATCH", f"/api/tasks/{task_id}",
                         json={"description": "Changed elsewhere", "version": seen})
        assert elsewhere.status_code == 200, elsewhere.text
        page.get_by_role("textbox", name="Title").fill("Write the launch post, final")
        page.get_by_role("button", name="Save changes").click()
        edit_conflict = page.get_by_test_id("edit-conflict")
        expect(edit_conflict).to_contain_text(f"you read version {seen}; it is now version {seen + 1}")
        title_row = edit_conflict.get_by_role("row", name=re.compile("^Title"))
        expect(title_row).to_contain_text("Write the launch post, final")
        expect(title_row.get_by_role("cell").nth(1)).to_have_text("Write the launch post")
        expect(edit_conflict.get_by_role("row", name=re.compile("^Description"))).to_contain_text("Changed elsewhere")
        # And saving the edit over the current version keeps both changes
        page.get_by_role("button", name="Save mine over it").click()
        expect(page.get_by_role("heading", name="Write the launch post, final", level=1)).to_be_visible()
        kept = call(stack, owner, "GET", f"/api/tasks/{task_id}").json()
        assert (kept["title"], kept["description"]) == ("Write the launch post, final", "Changed elsewhere")

        # When a card is dragged from To do to In progress on the board
        page.get_by_role("link", name="Project board").click()
        expect(page.get_by_role("heading", name="Website relaunch", level=1)).to_be_visible()
        drag(page, card(page, "Draft copy"), column(page, "in_progress"))
        # Then the server moved it and the card shows in its new column
        expect(column(page, "in_progress").get_by_role("link", name="Draft copy")).to_be_visible()
        statuses = {t["title"]: t["status"] for t in call(
            stack, owner, "GET", "/api/tasks", params={"projectId": project_id, "limit": 100}).json()["items"]}
        assert statuses["Draft copy"] == "in_progress"

        # When a forbidden move is made from the keyboard (To do straight to Done)
        hero = card(page, "Design hero")
        hero.get_by_label("Move to").select_option("done")
        hero.get_by_role("button", name="Move").focus()
        page.keyboard.press("Enter")
        # Then it is refused with the server's reason and the card stays
        expect(page.get_by_test_id("move-refused")).to_contain_text("a todo task cannot become done; allowed:")
        expect(column(page, "todo").get_by_role("link", name="Design hero")).to_be_visible()

        # When "Ship it" is renamed through the API while the board still shows version 1, then moved
        ship_id = card(page, "Ship it").get_attribute("data-task-id")
        renamed = call(stack, owner, "PATCH", f"/api/tasks/{ship_id}",
                       json={"title": "Ship it on Friday", "version": 1})
        assert renamed.status_code == 200, renamed.text
        drag(page, card(page, "Ship it"), column(page, "in_progress"))
        # Then the conflict is shown with both values, and nothing moved
        conflict = page.get_by_test_id("move-conflict")
        expect(conflict).to_contain_text("you saw version 1; it is now version 2")
        expect(conflict.get_by_role("row", name=re.compile("Title"))).to_contain_text("Ship it")
        expect(conflict.get_by_role("row", name=re.compile("Title"))).to_contain_text("Ship it on Friday")
        assert call(stack, owner, "GET", f"/api/tasks/{ship_id}").json()["status"] == "todo"
        # And re-applying the move lands it on the current version
        conflict.get_by_role("button", name="Re-apply my move").click()
        expect(column(page, "in_progress").get_by_role("link", name="Ship it on Friday")).to_be_visible()
        shipped = call(stack, owner, "GET", f"/api/tasks/{ship_id}").json()
        assert (shipped["title"], shipped["status"], shipped["version"]) == ("Ship it on Friday", "in_progress", 3)

        screens = {"tasks": "#/tasks", "task-detail": f"#/tasks/{task_id}", "projects": "#/projects",
                   "board": f"#/projects/{project_id}"}
        violations = photograph(page, screens, "desktop")
        page.set_viewport_size(SIZES["phone"])
        violations |= photograph(page, screens, "phone")

    assert guard.refused == []
    assert guard.policy_errors == []
    assert {name: found for name, found in violations.items() if found} == {}
    assert {f"{name}-{size}.png" for name in screens for size in SIZES} <= {p.name for p in SCREENSHOTS.glob("*.png")}
