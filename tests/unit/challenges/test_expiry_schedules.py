"""Exact-time expiry: starting a challenge schedules its expiry at its deadline, ending it first forgets the
schedule, and the schedule's run expires that one challenge only if it is still open and due."""

from __future__ import annotations

import json
import random
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

import boto3
import pytest
from moto import mock_aws

from deepiri_challenges.dal.schedules import SchedulerExpirySchedules, at_expression, schedule_name
from deepiri_challenges.logic import expiry, generation, lifecycle
from deepiri_challenges.models.challenges import (
    ChallengeSubmission,
    ChallengeVersionCheck,
    GenerateRequest,
    StoredChallenge,
)
from deepiri_common.identity import Caller
from tests.support import template
from tests.unit.challenges.conftest import MemoryDrafts, MemoryTasks, RecordingRepository

NOW = datetime(2026, 11, 30, 9, 0, tzinfo=UTC)
ALICE = Caller(user_id="alice")


@dataclass
class MemorySchedules:
    """The one-off schedules as the service sees them: armed deadlines by challenge, and those disarmed."""

    armed: dict[str, tuple[str, datetime]] = field(default_factory=dict)
    disarmed: list[str] = field(default_factory=list)

    def arm(self, user_id: str, challenge_id: str, deadline: datetime) -> bool:
        self.armed[challenge_id] = (user_id, deadline)
        return True

    def disarm(self, challenge_id: str) -> None:
        self.disarmed.append(challenge_id)


def _made(repository: RecordingRepository, kind: str = "checklist") -> StoredChallenge:
    tasks = MemoryTasks()
    task = tasks.add("alice", description="- draft\n- review", estimateMinutes=30, difficulty="easy")
    tools = generation.Generation(repository, tasks, MemoryDrafts(), random.Random(3))  # type: ignore[arg-type]
    return generation.generate(tools, ALICE, GenerateRequest(taskId=task.id, type=kind), NOW)


def _started(repository: RecordingRepository, schedules: MemorySchedules, kind: str = "checklist") -> str:
    challenge = _made(repository, kind)
    lifecycle.start(repository, "alice", challenge.id, ChallengeVersionCheck(), NOW, schedules=schedules)
    return challenge.id


def test_given_a_start_then_its_expiry_is_scheduled_at_the_deadline(repository: RecordingRepository) -> None:
    schedules = MemorySchedules()
    challenge_id = _started(repository, schedules)
    # 30 minutes estimated, easy: 38 minutes from the start.
    assert schedules.armed == {challenge_id: ("alice", NOW + timedelta(minutes=38))}
    assert schedules.disarmed == []


def test_given_a_start_refused_then_nothing_is_scheduled(repository: RecordingRepository) -> None:
    schedules = MemorySchedules()
    challenge_id = _started(repository, schedules)
    schedules.armed.clear()
    with pytest.raises(Exception, match="cannot do that"):
        lifecycle.start(repository, "alice", challenge_id, ChallengeVersionCheck(), NOW, schedules=schedules)
    assert schedules.armed == {}


def test_given_a_completion_then_its_schedule_is_forgotten(repository: RecordingRepository) -> None:
    schedules = MemorySchedules()
    challenge_id = _started(repository, schedules)
    lifecycle.complete(repository, MemoryTasks(), ALICE, challenge_id, request=ChallengeSubmission(),  # type: ignore[arg-type]
                       now=NOW + timedelta(minutes=5), schedules=schedules)
    assert schedules.disarmed == [challenge_id]


def test_given_an_abandon_then_only_a_started_ones_schedule_is_forgotten(repository: RecordingRepository) -> None:
    schedules = MemorySchedules()
    started = _started(repository, schedules)
    lifecycle.abandon(repository, "alice", started, ChallengeVersionCheck(), NOW, schedules=schedules)
    never_started = _made(repository)
    lifecycle.abandon(repository, "alice", never_started.id, ChallengeVersionCheck(), NOW, schedules=schedules)
    assert schedules.disarmed == [started]


def test_given_a_quiz_then_only_the_last_failed_attempt_forgets_its_schedule(repository: RecordingRepository) -> None:
    schedules = MemorySchedules()
    challenge_id = _started(repository, schedules, kind="quiz")
    wrong = ChallengeSubmission(answers=[3, 3, 3])  # the correct answers are 0, 1, 2
    for attempt in range(2):
        after = lifecycle.complete(repository, MemoryTasks(), ALICE, challenge_id, request=wrong,  # type: ignore[arg-type]
                                   now=NOW + timedelta(minutes=attempt + 1), schedules=schedules)
        assert after.status == "active" and schedules.disarmed == []
    after = lifecycle.complete(repository, MemoryTasks(), ALICE, challenge_id, request=wrong,  # type: ignore[arg-type]
                               now=NOW + timedelta(minutes=3), schedules=schedules)
    assert after.status == "failed" and schedules.disarmed == [challenge_id]


def test_given_its_schedule_fires_then_that_challenge_expires_once(repository: RecordingRepository) -> None:
    schedules = MemorySchedules()
    due = _started(repository, schedules)
    other = _started(repository, schedules)
    deadline = schedules.armed[due][1]
    early = expiry.run_one(repository, "alice", due, deadline - timedelta(milliseconds=1))
    assert (early.visited, early.expired) == (1, 0)
    fired = expiry.run_one(repository, "alice", due, deadline)
    assert (fired.visited, fired.expired, fired.duelsEnded) == (1, 1, 0)
    stored, untouched = repository.challenge("alice", due), repository.challenge("alice", other)
    assert stored is not None and stored.status == "expired"
    assert untouched is not None and untouched.status == "active"  # the same deadline, not named: left to its own
    assert repository.kinds().count("ChallengeExpired") == 1
    again = expiry.run_one(repository, "alice", due, deadline + timedelta(minutes=1))
    assert (again.visited, again.expired) == (1, 0)
    # Someone else's id, or a purged challenge: nothing read, nothing ended.
    assert expiry.run_one(repository, "bob", other, deadline) == expiry.ExpiryReport()
    assert repository.kinds().count("ChallengeExpired") == 1


@pytest.mark.parametrize(("deadline", "expression"), [
    (datetime(2026, 11, 30, 9, 38, tzinfo=UTC), "at(2026-11-30T09:38:00)"),
    (datetime(2026, 11, 30, 9, 38, 0, 1000, tzinfo=UTC), "at(2026-11-30T09:38:01)"),  # never before the deadline
    (datetime(2026, 12, 31, 23, 59, 59, 500000, tzinfo=UTC), "at(2027-01-01T00:00:00)"),
])
def test_given_a_deadline_then_the_schedule_fires_at_the_second_after(deadline: datetime, expression: str) -> None:
    assert at_expression(deadline) == expression


def test_given_the_scheduler_then_one_schedule_per_challenge_invokes_the_job(monkeypatch: pytest.MonkeyPatch) -> None:
    template.fake_credentials(monkeypatch)
    with mock_aws():
        client = boto3.client("scheduler", region_name=template.REGION)
        client.create_schedule_group(Name="deepiri-test-challenges")
        job = "arn:aws:lambda:us-east-1:123456789012:function:expiry"
        role = "arn:aws:iam::123456789012:role/scheduler"
        schedules = SchedulerExpirySchedules(client, group="deepiri-test-challenges", target_arn=job, role_arn=role)
        assert schedules.arm("alice", "C1", datetime(2026, 11, 30, 9, 38, 0, 500, tzinfo=UTC)) is True
        made = client.get_schedule(Name=schedule_name("C1"), GroupName="deepiri-test-challenges")
        assert made["ScheduleExpression"] == "at(2026-11-30T09:38:01)"
        assert made["ActionAfterCompletion"] == "DELETE" and made["FlexibleTimeWindow"] == {"Mode": "OFF"}
        assert (made["Target"]["Arn"], made["Target"]["RoleArn"]) == (job, role)
        assert json.loads(made["Target"]["Input"]) == {"userId": "alice", "challengeId": "C1"}
        # The same challenge twice (a retried request) or an unknown group: no schedule, no error.
        assert schedules.arm("alice", "C1", NOW) is False
        assert SchedulerExpirySchedules(client, group="nope", target_arn=job, role_arn=role).arm("alice", "C2",
                                                                                               NOW) is False
        schedules.disarm("C1")
        schedules.disarm("C1")  # gone already (it fired): no error
        assert client.list_schedules(GroupName="deepiri-test-challenges")["Schedules"] == []
