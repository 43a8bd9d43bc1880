"""Dead letters on the deployed stack: a task without a due date earns skill XP; an event the consumer
rejects is dead-lettered at once with its reason, listed by `make dlq`'s functions, and redriven by
`make redrive`'s once the consumer accepts it."""

from __future__ import annotations

import io
import time
import zipfile
from collections.abc import Callable
from typing import Any

import requests

from deepiri_common.clock import to_iso, utc_now
from deepiri_common.events import DomainEvent
from deepiri_common.ids import new_ulid
from infra import dlq
from tests.e2e.conftest import STAGE, wait_for

CONSUMER = f"deepiri-{STAGE}-users-skills-consumer"
MODEL = "deepiri_users/models/skills.py"
STALE_BYTECODE = "deepiri_users/models/__pycache__/skills."
FIXED_FIELD = "onTime: bool | None = None"
OLD_FIELD = "onTime: bool = False"  # the model that dead-lettered every task without a due date


def _coding_xp(api: Callable[..., requests.Response], token: str) -> int:
    tree = api("GET", "/api/users/me/skills", token=token).json()
    return int(next(skill["xp"] for skill in tree["skills"] if skill["skill"] == "coding"))


def test_given_a_task_without_a_due_date_when_completed_then_skill_xp_is_credited(api, account) -> None:
    user = account("no-due-date")
    created = api("POST", "/api/tasks", token=user.token, json={"title": "Refactor", "category": "code",
                                                                "difficulty": "hard"})
    assert created.status_code == 201, created.text
    completed = api("POST", f"/api/tasks/{created.json()['id']}/complete", token=user.token, json={})
    assert completed.status_code == 200, completed.text
    assert completed.json()["onTime"] is None  # what TaskCompleted carried

    assert wait_for(lambda: _coding_xp(api, user.token), seconds=60) > 0


def _code(lambda_client: Any) -> bytes:
    location = lambda_client.get_function(FunctionName=CONSUMER)["Code"]["Location"]
    response = requests.get(location.replace("//localhost:", "//127.0.0.1:"), timeout=30)
    response.raise_for_status()
    return response.content


def _with_old_model(code: bytes) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(code)) as source, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for item in source.infolist():
            if item.filename.startswith(STALE_BYTECODE):
                continue  # the build ships bytecode that Python trusts without checking the source
            content = source.read(item)
            if item.filename == MODEL:
                text = content.decode()
                assert FIXED_FIELD in text
                content = text.replace(FIXED_FIELD, OLD_FIELD).encode()
            target.writestr(item, content)
    return out.getvalue()


def _deploy(lambda_client: Any, code: bytes) -> None:
    lambda_client.update_function_code(FunctionName=CONSUMER, ZipFile=code)
    deadline = time.monotonic() + 60
    while lambda_client.get_function_configuration(FunctionName=CONSUMER).get("LastUpdateStatus") not in (
            None, "Successful"):
        assert time.monotonic() < deadline, "the consumer's code update did not finish"
        time.sleep(0.5)


def _listed(sqs: Any, event_id: str) -> dlq.DeadLetter | None:
    for queue in dlq.dead_letter_queues(sqs, STAGE):
        for letter in dlq.peek(sqs, queue):
            if letter.event_id == event_id:
                return letter
    return None


def test_given_a_consumer_rejecting_an_event_then_it_is_dead_lettered_listed_and_redriven_after_the_fix(
    stack, api, account, publish,
) -> None:
    lambda_client, sqs = stack.client("lambda"), stack.client("sqs")
    user = account("dead-letter")
    data = {"taskId": new_ulid(), "userId": user.id, "actorId": user.id, "projectId": None, "category": "code",
            "difficulty": "hard", "priority": "high", "efficiency": None, "onTime": None, "estimateMinutes": None,
            "actualMinutes": 0, "firstCompletion": True, "completedAt": to_iso(utc_now())}
    event = DomainEvent.new("tasks", "TaskCompleted", data, actor=user.id)
    fixed = _code(lambda_client)
    # Given the consumer as it was before the fix (onTime modelled as a plain boolean)
    _deploy(lambda_client, _with_old_model(fixed))
    try:
        publish(event)
        # Then the event is dead-lettered at once (not after five receives), saying why
        letter = wait_for(lambda: _listed(sqs, event.id), seconds=60)
    finally:
        _deploy(lambda_client, fixed)
    assert letter.event_type == "TaskCompleted"
    assert letter.reason.startswith("TaskCompleted rejected by TaskCompletedData: data.onTime: Input should be")
    assert letter.age_seconds < 120
    assert any(event.id in line and "data.onTime" in line for line in dlq.lines(sqs, STAGE))
    assert _coding_xp(api, user.token) == 0

    # When the fixed consumer is back and the users DLQ is redriven
    (users_dlq,) = [q for q in dlq.dead_letter_queues(sqs, STAGE) if q.name == f"deepiri-{STAGE}-users-events-dlq"]
    moved, _ = dlq.redrive(sqs, users_dlq)
    assert event.id in [m.event_id for m in moved]

    # Then the event is handled: XP credited, and it is no longer dead
    assert wait_for(lambda: _coding_xp(api, user.token), seconds=60) > 0
    assert _listed(sqs, event.id) is None
