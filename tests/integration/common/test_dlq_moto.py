"""`make dlq` / `make redrive` against moto: the template's queues, a consumer's dead letters, a redrive."""

from __future__ import annotations

import json
import time

import boto3
import pytest

from deepiri_common.consumers import SqsDeadLetters, SqsRecord
from deepiri_common.events import DomainEvent, parse_bus_event
from infra import dlq
from tests.support import flows, template


@pytest.fixture
def queues(aws) -> dict[str, str]:
    created = template.create("UsersEvents.DeadLetterQueue", "EventsDeadLetterQueue", "TasksEvents.DeadLetterQueue")
    sqs = boto3.client("sqs", region_name=template.REGION)
    dlq_arn = sqs.get_queue_attributes(QueueUrl=created["UsersEvents.DeadLetterQueue"],
                                       AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    # The source queue with its redrive policy, as the template declares it (moto needs the ARN resolved).
    props = template.resource("UsersEvents.Queue")["Properties"]
    created["UsersEvents.Queue"] = sqs.create_queue(QueueName=template.physical_name("UsersEvents.Queue"), Attributes={
        "RedrivePolicy": json.dumps({"deadLetterTargetArn": dlq_arn,
                                     "maxReceiveCount": props["RedrivePolicy"]["maxReceiveCount"]})})["QueueUrl"]
    return created


def _dead_letter(queues: dict[str, str], reason: str) -> DomainEvent:
    """A TaskCompleted the users consumer dead-lettered, as SqsDeadLetters sends it."""
    sqs = boto3.client("sqs", region_name=template.REGION)
    event = DomainEvent.new("tasks", "TaskCompleted", {"taskId": "t1"}, actor="alice")
    (record,) = flows.sqs_of_events(event)["Records"]
    source_arn = sqs.get_queue_attributes(QueueUrl=queues["UsersEvents.Queue"],
                                          AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    record["eventSourceARN"] = source_arn
    SqsDeadLetters(queues["UsersEvents.DeadLetterQueue"], sqs).send(
        SqsRecord.of(record), reason, parse_bus_event(json.loads(record["body"])))
    return event


def test_given_the_stages_queues_then_each_dlq_is_found_with_its_depth_and_source(queues) -> None:
    _dead_letter(queues, "bad data")
    sqs = boto3.client("sqs", region_name=template.REGION)

    found = {q.name: q for q in dlq.dead_letter_queues(sqs, template.STAGE)}

    assert set(found) == {"deepiri-test-users-events-dlq", "deepiri-test-events-dlq", "deepiri-test-tasks-events-dlq"}
    assert found["deepiri-test-users-events-dlq"].depth == 1
    assert found["deepiri-test-users-events-dlq"].sources == (queues["UsersEvents.Queue"],)
    assert found["deepiri-test-events-dlq"].sources == ()


def test_given_a_dead_letter_when_listed_then_type_id_reason_and_age_show_and_it_stays(queues) -> None:
    event = _dead_letter(queues, "TaskCompleted rejected by TaskCompletedData: data.userId: Field required")
    sqs = boto3.client("sqs", region_name=template.REGION)

    listing = list(dlq.lines(sqs, template.STAGE))
    again = list(dlq.lines(sqs, template.STAGE))

    (row,) = [line for line in listing if event.id in line]
    assert "TaskCompleted" in row and "data.userId: Field required" in row and "age" in row
    assert "deepiri-test-users-events-dlq: 1 message(s) (from deepiri-test-users-events)" in listing
    assert [line for line in again if event.id in line] == [row]  # listing leaves the message there


def test_given_dead_letters_when_redriven_then_they_are_back_on_the_source_queue_and_gone_from_the_dlq(
    queues,
) -> None:
    first, second = _dead_letter(queues, "one"), _dead_letter(queues, "two")
    sqs = boto3.client("sqs", region_name=template.REGION)
    (users_dlq,) = [q for q in dlq.dead_letter_queues(sqs, template.STAGE) if q.name == "deepiri-test-users-events-dlq"]

    moved, left = dlq.redrive(sqs, users_dlq)

    assert sorted(letter.event_id for letter in moved) == sorted([first.id, second.id]) and left == []
    back = sqs.receive_message(QueueUrl=queues["UsersEvents.Queue"], MaxNumberOfMessages=10)["Messages"]
    assert sorted(json.loads(m["Body"])["detail"]["id"] for m in back) == sorted([first.id, second.id])
    assert sqs.receive_message(QueueUrl=queues["UsersEvents.DeadLetterQueue"]).get("Messages", []) == []


def test_given_a_failed_stream_batch_when_redriven_then_it_is_left_in_place_and_reported(queues) -> None:
    sqs = boto3.client("sqs", region_name=template.REGION)
    failure = {"requestContext": {"condition": "RetryAttemptsExhausted", "functionArn": "arn:outbox"},
               "DDBStreamBatchInfo": {"batchSize": 1}}
    sqs.send_message(QueueUrl=queues["TasksEvents.DeadLetterQueue"], MessageBody=json.dumps(failure))
    (tasks_dlq,) = [q for q in dlq.dead_letter_queues(sqs, template.STAGE) if q.name == "deepiri-test-tasks-events-dlq"]

    moved, left = dlq.redrive(sqs, tasks_dlq)

    assert moved == [] and [letter.event_type for letter in left] == ["stream batch"]
    assert "RetryAttemptsExhausted" in left[0].reason
    assert len(sqs.receive_message(QueueUrl=queues["TasksEvents.DeadLetterQueue"])["Messages"]) == 1


def test_given_a_message_dead_lettered_again_during_the_redrive_then_it_stays_for_the_next_look(
    queues, monkeypatch,
) -> None:
    # Given the redrive started before the message entered the DLQ (as when a consumer rejects it again)
    _dead_letter(queues, "still rejected")
    sqs = boto3.client("sqs", region_name=template.REGION)
    (users_dlq,) = [q for q in dlq.dead_letter_queues(sqs, template.STAGE) if q.name == "deepiri-test-users-events-dlq"]
    started = time.time() - 3600
    monkeypatch.setattr(dlq.time, "time", lambda: started)

    moved, left = dlq.redrive(sqs, users_dlq)

    assert moved == [] and left == []
    assert sqs.receive_message(QueueUrl=queues["UsersEvents.Queue"]).get("Messages", []) == []
    assert len(sqs.receive_message(QueueUrl=queues["UsersEvents.DeadLetterQueue"])["Messages"]) == 1
