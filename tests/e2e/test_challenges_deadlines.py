"""Exact-time expiry on the deployed stack: starting a challenge makes its EventBridge Scheduler one-off
schedule, completing one deletes it, and the emulator's Scheduler fires it at the deadline so the challenge
expires on time with the five-minute safety-net rule switched off meanwhile (this test waits: about 5.5 min,
the shortest time limit being 5 minutes)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import datetime, timedelta

import pytest
from botocore.exceptions import ClientError

from deepiri_challenges.dal.schedules import at_expression, schedule_name
from tests.e2e.conftest import wait_for

GROUP = "deepiri-e2e-challenges"
EXPIRY_JOB = "deepiri-e2e-challenges-expiry-job"


@pytest.fixture
def safety_net_off(stack) -> Iterator[None]:
    """The expiry job's five-minute rule disabled while the test waits, so only the one-off schedule can fire."""
    events, job = stack.client("events"), stack.client("lambda").get_function(FunctionName=EXPIRY_JOB)
    rules = events.list_rule_names_by_target(TargetArn=job["Configuration"]["FunctionArn"])["RuleNames"]
    assert rules, "the expiry job has its five-minute rule"
    for rule in rules:
        events.disable_rule(Name=rule)
    try:
        yield
    finally:
        for rule in rules:
            events.enable_rule(Name=rule)


def _started(api, token: str) -> dict:
    task = api("POST", "/api/tasks", token=token, json={"title": "Tidy the inbox", "estimateMinutes": 1})
    assert task.status_code == 201, task.text
    made = api("POST", "/api/challenges/generate", token=token, json={"taskId": task.json()["id"],
                                                                       "type": "timed_completion"})
    assert made.status_code == 201, made.text
    started = api("POST", f"/api/challenges/{made.json()['id']}/start", token=token, json={})
    assert started.status_code == 200, started.text
    return dict(started.json())


def test_given_a_started_challenge_then_its_own_schedule_expires_it_at_the_deadline(
        stack, account, api, bus_tap, safety_net_off) -> None:
    received = bus_tap("ChallengeExpired")
    user = account("deadline")
    scheduler = stack.client("scheduler")
    challenge = _started(api, user.token)
    deadline = datetime.fromisoformat(challenge["expiresAt"])
    assert challenge["timeLimitMinutes"] == 5
    made = scheduler.get_schedule(Name=schedule_name(challenge["id"]), GroupName=GROUP)
    assert made["ScheduleExpression"] == at_expression(deadline)
    assert made["Target"]["Arn"].endswith(f":function:{EXPIRY_JOB}")
    assert json.loads(made["Target"]["Input"]) == {"userId": user.id, "challengeId": challenge["id"]}

    # A challenge completed before its deadline leaves no schedule behind.
    done = _started(api, user.token)
    assert api("POST", f"/api/challenges/{done['id']}/complete", token=user.token, json={}).status_code == 200
    with pytest.raises(ClientError, match="ResourceNotFound"):
        scheduler.get_schedule(Name=schedule_name(done["id"]), GroupName=GROUP)

    def expired() -> dict | None:
        now = api("GET", f"/api/challenges/{challenge['id']}", token=user.token).json()
        return now if now["status"] == "expired" else None

    seconds_left = (deadline - datetime.now(deadline.tzinfo)).total_seconds()
    assert expired() is None
    ended = wait_for(expired, seconds=seconds_left + 60, every=2)
    # The emulator's Scheduler looks every 10 s: the challenge ends within seconds of its deadline, not minutes.
    assert deadline <= datetime.fromisoformat(ended["endedAt"]) <= deadline + timedelta(seconds=40)
    wait_for(lambda: [e for e in received() if e["detail"]["data"]["challengeId"] == challenge["id"]], seconds=30)
    with pytest.raises(ClientError, match="ResourceNotFound"):  # fired once, then deleted itself
        scheduler.get_schedule(Name=schedule_name(challenge["id"]), GroupName=GROUP)
    assert api("GET", f"/api/challenges/{done['id']}", token=user.token).json()["status"] == "completed"
