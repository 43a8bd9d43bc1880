"""Seed a demo workspace on the running stack and print how to sign in to it.

    python -m infra.demo            (make demo, after make up)

Two friends (the demo user and a friend) share a project; a month of tasks with timers and completions
lies behind them, ending in a running daily streak; today they finished two challenges and a duel. What
happens now goes through the public REST API. History in the past goes through the tasks service's
invoke-only seeding function (``deepiri-<stage>-tasks-seed``), which runs the same routes as the user at
a past instant, so the events carry that instant and engagement (XP, levels, streaks, badges, boards)
and analytics (daily rows, charts) agree with the tasks table.

Running it again changes nothing: each user, the friendship, the project, its membership, every task
(found by its title among the user's tasks tagged ``demo``), the challenges and the duel are looked up
before they are made. The demo password is a documented local-demo password, not a secret.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import boto3
import requests
from botocore.config import Config

from infra.cli import ToolError, run
from infra.config import REGION, Target, activate, default_target
from infra.urls import StackUrls, discover

DEMO_EMAIL = "demo@example.com"
FRIEND_EMAIL = "friend@example.com"
# A local demo account's password, documented in the README: it protects nothing but seeded data.
DEMO_PASSWORD = "deepiri-demo-2026"
PROJECT_NAME = "Website relaunch"
TAG = "demo"
DAYS = 30
# Days (back from today) with no activity, so the month shows a broken streak before the running one.
RESTS = frozenset({25, 21, 16, 12})
WAIT_SECONDS = 45
HTTP_TIMEOUT = 120
ATTEMPTS = 4


@dataclass(frozen=True)
class PlannedTask:
    """A task of the month: who, on which day back from today, what, and how the work went."""

    owner: str  # "demo" or "friend"
    days_ago: int
    hour: int
    title: str
    category: str
    difficulty: str = "medium"
    estimate: int = 60
    worked: int = 0  # minutes on the timer (0: no timer)
    done: bool = True
    in_project: bool = False


_THEMES: tuple[tuple[str, str], ...] = (
    ("Outline the landing page copy", "writing"), ("Fix the signup form validation", "code"),
    ("Review analytics for last week", "research"), ("Sketch the pricing page", "design"),
    ("Plan the sprint with the team", "meeting"), ("Write release notes", "writing"),
    ("Refactor the image pipeline", "code"), ("Interview two customers", "research"),
    ("Tidy the backlog", "admin"), ("Polish the onboarding emails", "writing"),
)


def plan() -> list[PlannedTask]:
    """The month, deterministic: one or two tasks a day for the demo user (none on the rest days), some in
    the shared project; the friend works in the project every few days; today's second task stays open."""
    planned: list[PlannedTask] = []
    for days_ago in range(DAYS - 1, -1, -1):
        if days_ago in RESTS:
            continue
        title, category = _THEMES[days_ago % len(_THEMES)]
        planned.append(PlannedTask("demo", days_ago, 9, f"{title} (day {DAYS - days_ago})", category,
                                   difficulty=("hard" if days_ago % 7 == 3 else "medium"),
                                   estimate=45 + 15 * (days_ago % 4), worked=40 + 10 * (days_ago % 5),
                                   in_project=days_ago % 3 == 0))
        if days_ago % 2 == 0:
            second, kind = _THEMES[(days_ago + 3) % len(_THEMES)]
            planned.append(PlannedTask("demo", days_ago, 14, f"{second} (day {DAYS - days_ago}, afternoon)", kind,
                                       difficulty="easy", estimate=30, worked=25 if days_ago % 4 == 0 else 0,
                                       done=days_ago != 0))
        if days_ago % 3 == 1:
            other, kind = _THEMES[(days_ago + 5) % len(_THEMES)]
            planned.append(PlannedTask("friend", days_ago, 11, f"{other} (friend, day {DAYS - days_ago})", kind,
                                       worked=35, in_project=True))
    return planned


def streak_days() -> int:
    """How many days the running streak covers at the end of the plan (today included)."""
    return min(RESTS)


@dataclass(frozen=True)
class Moment:
    """When a planned task is created, its timer runs and it is completed."""

    created: datetime
    started: datetime
    stopped: datetime
    completed: datetime


def moments(task: PlannedTask, now: datetime) -> Moment:
    """The task's instants on its day (UTC), moved back together when they would be later than ``now``."""
    day = (now - timedelta(days=task.days_ago)).replace(hour=task.hour, minute=0, second=0, microsecond=0)
    started = day + timedelta(minutes=10)
    stopped = started + timedelta(minutes=task.worked)
    completed = stopped + timedelta(minutes=5)
    late = completed - (now - timedelta(minutes=1))
    shift = late if late > timedelta(0) else timedelta(0)
    return Moment(day - shift, started - shift, stopped - shift, completed - shift)


@dataclass
class Person:
    email: str
    name: str
    user_id: str = ""
    token: str = ""


@dataclass
class Demo:
    """The seeding run: the REST API, the seeding function, and what was made or found."""

    urls: StackUrls
    seed_function: str
    invoke: Callable[..., Any]
    now: datetime = field(default_factory=lambda: datetime.now(UTC))
    made: dict[str, int] = field(default_factory=dict)

    def call(self, method: str, path: str, person: Person | None = None, body: Any = None,
             query: dict[str, str] | None = None) -> tuple[int, Any]:
        headers = {"Authorization": f"Bearer {person.token}"} if person else {}
        # Reads and sign-ins are safe to repeat: on a loaded machine a cold function may time out once.
        attempts = ATTEMPTS if method == "GET" or path.startswith("/api/auth/") else 1
        for attempt in range(1, attempts + 1):
            try:
                response = requests.request(method, f"{self.urls.rest}{path}", headers=headers, json=body,
                                            params=query, timeout=HTTP_TIMEOUT)
            except requests.Timeout:
                if attempt == attempts:
                    raise
                continue
            if response.status_code not in (502, 503, 504) or attempt == attempts:
                break
            time.sleep(attempt)
        return response.status_code, (response.json() if response.content else None)

    def as_of(self, person: Person, at: datetime, method: str, path: str, body: Any = None) -> tuple[int, Any]:
        """Make a tasks API request as ``person`` at the past instant ``at`` through the seeding function."""
        step = {"userId": person.user_id, "at": at.isoformat(), "method": method, "path": path, "body": body}
        answer = self.invoke(FunctionName=self.seed_function, Payload=json.dumps(step).encode())
        if answer.get("FunctionError"):
            raise ToolError(f"the seeding function failed on {method} {path}", "see `make logs FN=TasksSeedFunction`")
        result = json.loads(answer["Payload"].read())
        return int(result["statusCode"]), result.get("body")

    def count(self, what: str) -> None:
        self.made[what] = self.made.get(what, 0) + 1


def _expect(status: int, body: Any, *allowed: int, doing: str) -> Any:
    if status not in allowed:
        raise ToolError(f"{doing} answered {status}: {json.dumps(body)[:300]}",
                        "check the stack with `make up`, then run `make demo` again")
    return body


def _retry(attempt: Callable[[], tuple[int, Any]], done: Callable[[int], bool], seconds: float = WAIT_SECONDS
           ) -> tuple[int, Any]:
    """Repeat ``attempt`` until ``done(status)`` or the time is up (another service catching up on events)."""
    deadline = time.monotonic() + seconds
    status, body = attempt()
    while not done(status) and time.monotonic() < deadline:
        time.sleep(0.5)
        status, body = attempt()
    return status, body


def sign_in(demo: Demo, person: Person) -> None:
    """Log in, or register first when the account does not exist yet."""
    credentials = {"email": person.email, "password": DEMO_PASSWORD}
    status, body = demo.call("POST", "/api/auth/login", body=credentials)
    if status == 401:
        status, body = demo.call("POST", "/api/auth/register", body={**credentials, "displayName": person.name})
        if status == 201:
            demo.count("users")
            person.user_id, person.token = body["user"]["userId"], body["tokens"]["accessToken"]
            return
        if status != 409:  # 409: registered by an earlier attempt whose answer timed out
            _expect(status, body, 201, doing=f"registering {person.email}")
        status, body = demo.call("POST", "/api/auth/login", body=credentials)
    _expect(status, body, 200, doing=f"signing in {person.email} (an account of that email with another "
                                     "password is not the demo's)")
    person.token = body["accessToken"]
    status, me = demo.call("GET", "/api/users/me", person)
    person.user_id = _expect(status, me, 200, doing="reading the profile")["userId"]


def befriend(demo: Demo, me: Person, friend: Person) -> None:
    status, body = demo.call("GET", "/api/users/me/friends", me)
    friends = _expect(status, body, 200, doing="listing friends")
    if any(friend.user_id in json.dumps(item) for item in friends.get("items", [])):
        return
    status, body = demo.call("POST", "/api/users/me/friends/requests", me, {"userId": friend.user_id})
    _expect(status, body, 200, 201, 202, 409, doing="asking for friendship")
    status, body = demo.call("POST", f"/api/users/me/friends/requests/{me.user_id}/accept", friend)
    _expect(status, body, 200, 204, doing="accepting the friendship")
    demo.count("friendships")


def shared_project(demo: Demo, owner: Person, member: Person) -> str:
    """The shared project (made a month ago when missing), with ``member`` in it."""
    status, body = demo.call("GET", "/api/projects", owner, query={"limit": "100"})
    found = [p for p in _expect(status, body, 200, doing="listing projects")["items"] if p["name"] == PROJECT_NAME]
    started = demo.now - timedelta(days=DAYS, hours=-8)
    if found:
        project_id = str(found[0]["id"])
    else:
        status, body = demo.as_of(owner, started, "POST", "/api/projects",
                                  {"name": PROJECT_NAME, "description": "Relaunch of the marketing site"})
        project_id = str(_expect(status, body, 201, doing="creating the project")["id"])
        demo.count("projects")
    status, body = demo.call("GET", f"/api/projects/{project_id}/members", owner)
    if member.user_id in json.dumps(_expect(status, body, 200, doing="listing members")):
        return project_id
    # The tasks service learns of a new user from an event: an invitation may wait for it.
    status, body = _retry(lambda: demo.as_of(owner, started + timedelta(minutes=5), "POST",
                                             f"/api/projects/{project_id}/invitations", {"userId": member.user_id}),
                          lambda s: s in (200, 201, 409))
    _expect(status, body, 200, 201, 409, doing="inviting the friend")
    status, body = demo.as_of(member, started + timedelta(hours=2), "POST",
                              f"/api/projects/{project_id}/invitations/accept")
    _expect(status, body, 200, 204, doing="accepting the invitation")
    demo.count("memberships")
    return project_id


def tagged_tasks(demo: Demo, person: Person, project_id: str | None = None) -> dict[str, dict[str, Any]]:
    """The person's tasks tagged ``demo``, by title: their own, and theirs in the project (a list is either)."""
    found: dict[str, dict[str, Any]] = {}
    scopes: list[dict[str, str]] = [{}, *([{"projectId": project_id}] if project_id else [])]
    for scope in scopes:
        query = {"tag": TAG, "limit": "100", **scope}
        for _ in range(20):  # at most 2,000 tasks: far more than the plan makes
            status, body = demo.call("GET", "/api/tasks", person, query=query)
            page = _expect(status, body, 200, doing="listing tasks")
            found.update({item["title"]: item for item in page["items"] if item["ownerId"] == person.user_id})
            if not page.get("nextCursor"):
                break
            query = {**query, "cursor": page["nextCursor"]}
    return found


def xp_of(demo: Demo, person: Person) -> int:
    status, body = demo.call("GET", "/api/gamification/me", person)
    return int(_expect(status, body, 200, doing="reading XP")["xp"])


def wait_for_xp_above(demo: Demo, person: Person, xp: int) -> None:
    """Wait (bounded) until engagement has counted an award beyond ``xp``."""
    deadline = time.monotonic() + WAIT_SECONDS
    while xp_of(demo, person) <= xp and time.monotonic() < deadline:
        time.sleep(0.3)


def month(demo: Demo, people: dict[str, Person], project_id: str) -> None:
    """Every planned task, in time order; after each of the demo user's completions, wait until engagement
    has counted it, so the streak sees the days in the order they happened."""
    existing = {owner: tagged_tasks(demo, person, project_id) for owner, person in people.items()}
    for task in sorted(plan(), key=lambda t: moments(t, demo.now).created):
        person, when = people[task.owner], moments(task, demo.now)
        found = existing[task.owner].get(task.title)
        if found is None:
            body = {"title": task.title, "category": task.category, "difficulty": task.difficulty,
                    "estimateMinutes": task.estimate, "tags": [TAG],
                    "dueAt": (when.created + timedelta(days=1)).isoformat().replace("+00:00", "Z"),
                    **({"projectId": project_id} if task.in_project else {})}
            status, made = demo.as_of(person, when.created, "POST", "/api/tasks", body)
            found = _expect(status, made, 201, doing=f"creating {task.title!r}")
            demo.count("tasks")
        if found["status"] == "done" or (not task.done and (found.get("actualMinutes") or not task.worked)):
            continue
        if task.worked and not found.get("actualMinutes"):
            path = f"/api/tasks/{found['id']}/timer"
            _expect(*demo.as_of(person, when.started, "POST", f"{path}/start"), 200, doing="starting a timer")
            _expect(*demo.as_of(person, when.stopped, "POST", f"{path}/stop"), 200, doing="stopping a timer")
            demo.count("timers")
        if task.done:
            before = xp_of(demo, person) if task.owner == "demo" else 0
            status, body = demo.as_of(person, when.completed, "POST", f"/api/tasks/{found['id']}/complete", {})
            _expect(status, body, 200, doing=f"completing {task.title!r}")
            demo.count("completions")
            if task.owner == "demo":
                wait_for_xp_above(demo, person, before)


def challenges(demo: Demo, me: Person) -> None:
    """Two challenges finished today, each made from a task of its own (public API)."""
    existing = tagged_tasks(demo, me)
    specs = (("Challenge: ship the hero section", "- draft\n- review\n- publish", "checklist"),
             ("Challenge: inbox zero", "", "custom"))
    for title, description, kind in specs:
        if title in existing:
            continue
        status, task = demo.call("POST", "/api/tasks", me, {"title": title, "description": description,
                                                            "tags": [TAG], "category": "admin"})
        task = _expect(status, task, 201, doing="creating a challenge's task")
        status, challenge = demo.call("POST", "/api/challenges/generate", me,
                                      {"taskId": task["id"], "type": kind, "completesTask": True})
        challenge = _expect(status, challenge, 201, doing="generating a challenge")
        _expect(*demo.call("POST", f"/api/challenges/{challenge['id']}/start", me, {}), 200,
                doing="starting the challenge")
        for index, _ in enumerate(challenge.get("milestones") or []):
            _expect(*demo.call("POST", f"/api/challenges/{challenge['id']}/milestones/{index}", me, {}), 200,
                    doing="checking a milestone")
        before = xp_of(demo, me)
        _expect(*demo.call("POST", f"/api/challenges/{challenge['id']}/complete", me, {}), 200,
                doing="completing the challenge")
        wait_for_xp_above(demo, me, before)
        demo.count("challenges")


def duel(demo: Demo, me: Person, friend: Person) -> None:
    """One finished duel, which the demo user wins (public API)."""
    status, body = demo.call("GET", "/api/challenges/duels", me, query={"limit": "100"})
    if any(d["status"] == "finished" for d in _expect(status, body, 200, doing="listing duels")["items"]):
        return
    offer = {"opponentId": friend.user_id, "category": "writing", "durationMinutes": 30,
             "spec": {"template": "first_to_finish", "target": 3}}
    # The challenges service learns of the friendship from an event: the offer may wait for it.
    status, made = _retry(lambda: demo.call("POST", "/api/challenges/duels", me, offer), lambda s: s == 201)
    made = _expect(status, made, 201, doing="offering a duel")
    _expect(*demo.call("POST", f"/api/challenges/duels/{made['id']}/accept", friend), 200, doing="accepting the duel")
    _expect(*demo.call("POST", f"/api/challenges/duels/{made['id']}/progress", friend, {"progress": 1}), 200,
            doing="the friend's progress")
    before = xp_of(demo, me)
    status, body = demo.call("POST", f"/api/challenges/duels/{made['id']}/progress", me, {"progress": 3})
    _expect(status, body, 200, doing="winning the duel")
    wait_for_xp_above(demo, me, before)  # so the figures printed are the final ones
    demo.count("duels")


def summary(demo: Demo, me: Person) -> dict[str, Any]:
    """What the demo user sees once engagement has caught up (waits, bounded, for the streak)."""
    def profile() -> tuple[int, Any]:
        status, body = demo.call("GET", "/api/gamification/me", me)
        ready = status == 200 and _streak(body) >= streak_days() - 1
        return (200 if ready else 0), body

    _, body = _retry(profile, lambda s: s == 200)
    status, badges = demo.call("GET", "/api/gamification/badges", me)
    tiers = [tier for badge in _expect(status, badges, 200, doing="reading badges")["items"]
             for tier in badge["tiers"] if tier.get("earnedAt")]
    return {"xp": body.get("xp"), "level": body.get("level"), "streak": _streak(body), "badges": len(tiers)}


def _streak(profile: dict[str, Any]) -> int:
    return int((profile.get("streaks") or {}).get("days", 0))


def seed(target: Target) -> tuple[Demo, dict[str, Any]]:
    """Seed the workspace on ``target`` (idempotent) and answer the run with what the demo user sees."""
    urls = discover(target)
    client = boto3.client("lambda", endpoint_url=target.endpoint or None, region_name=REGION,
                          config=Config(read_timeout=HTTP_TIMEOUT, retries={"max_attempts": 1}))
    demo = Demo(urls=urls, seed_function=f"deepiri-{target.stage}-tasks-seed", invoke=client.invoke)
    me, friend = Person(DEMO_EMAIL, "Demo"), Person(FRIEND_EMAIL, "Friend")
    for person in (me, friend):
        sign_in(demo, person)
    befriend(demo, me, friend)
    project_id = shared_project(demo, me, friend)
    month(demo, {"demo": me, "friend": friend}, project_id)
    challenges(demo, me)
    duel(demo, me, friend)
    return demo, summary(demo, me)


def _lines(demo: Demo, seen: dict[str, Any]) -> Iterator[str]:
    made = ", ".join(f"{n} {what}" for what, n in sorted(demo.made.items())) or "nothing: it was there already"
    yield ""
    yield f"  Demo workspace ready ({made})."
    yield f"  App        {demo.urls.app}"
    yield f"  REST API   {demo.urls.rest}"
    yield f"  Sign in    {DEMO_EMAIL} / {DEMO_PASSWORD}   (friend: {FRIEND_EMAIL}, same password)"
    yield f"  Now        level {seen['level']}, {seen['xp']} XP, a {seen['streak']}-day streak, {seen['badges']} badges"
    yield ""


def main() -> None:
    target = activate(default_target())
    demo, seen = seed(target)
    print("\n".join(_lines(demo, seen)))


if __name__ == "__main__":
    run(main)
