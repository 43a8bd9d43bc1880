"""Dead letters a person can see and send back: list every DLQ's messages, redrive one DLQ to its source.

    python -m infra.dlq list                     (make dlq)
    python -m infra.dlq redrive <dlq name>       (make redrive QUEUE=...)

A stage's dead-letter queues are its queues named ``deepiri-<stage>-*-dlq``. A message's reason is the
``deadLetterReason`` attribute a consumer sets when it dead-letters bad data at once; EventBridge's
``ERROR_CODE`` / ``ERROR_MESSAGE`` for an event a rule could not deliver; otherwise the record failed on
every one of its receives (a transient error that outlasted ``maxReceiveCount``) or came from a stream.
Listing leaves the messages where they are. Redriving moves each message back to the queue it came from
(the ``sourceQueueArn`` attribute, EventBridge's ``TARGET_ARN``, or the one queue whose redrive policy
names this DLQ) with receive → send → delete, since the emulator has no ``StartMessageMoveTask``; a
message with no queue to go back to (a failed stream batch) stays, and is reported.
"""

from __future__ import annotations

import argparse
import json
import time
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import boto3

from infra.cli import run
from infra.config import REGION, Target, activate, default_target

REASON_ATTRIBUTE = "deadLetterReason"  # as deepiri_common.consumers sets it
SOURCE_ATTRIBUTE = "sourceQueueArn"
LIST_LIMIT = 100  # messages shown per queue
REDRIVE_LIMIT = 1000  # messages moved per run
PEEK_SECONDS = 30  # a listed message is hidden this long at most, then made visible again at once


@dataclass(frozen=True)
class DeadLetterQueue:
    name: str
    url: str
    arn: str
    depth: int
    sources: tuple[str, ...]  # URLs of the queues whose redrive policy names this one


@dataclass(frozen=True)
class DeadLetter:
    message_id: str
    event_type: str
    event_id: str
    reason: str
    age_seconds: float
    sent_at: float  # epoch seconds when it entered this queue (SQS SentTimestamp)
    source_arn: str | None
    body: str
    receipt_handle: str


def _name(arn_or_url: str) -> str:
    return arn_or_url.rstrip("/").replace(":", "/").rsplit("/", 1)[-1]


def dead_letter_queues(sqs: Any, stage: str) -> list[DeadLetterQueue]:
    """The stage's dead-letter queues, with their depth and the queues that feed them."""
    urls = sqs.list_queues(QueueNamePrefix=f"deepiri-{stage}-").get("QueueUrls", [])
    attributes = {url: sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["All"])["Attributes"] for url in urls}
    found = []
    for url in sorted(urls):
        if not _name(url).endswith("-dlq"):
            continue
        arn = attributes[url]["QueueArn"]
        sources = tuple(
            other for other, attrs in attributes.items()
            if json.loads(attrs.get("RedrivePolicy") or "{}").get("deadLetterTargetArn") == arn
        )
        depth = int(attributes[url]["ApproximateNumberOfMessages"])
        found.append(DeadLetterQueue(_name(url), url, arn, depth, sources))
    return found


def _string(attributes: dict[str, Any], name: str) -> str | None:
    value = attributes.get(name, {}).get("StringValue")
    return str(value) if value is not None else None


def describe(message: dict[str, Any], now: float) -> DeadLetter:
    """What a dead-lettered message is (event type and id when it is a bus event), why, and how old."""
    attributes = message.get("MessageAttributes", {})
    system = message.get("Attributes", {})
    try:
        body = json.loads(message["Body"])
    except ValueError:
        body = None
    event_type, event_id = "?", "?"
    if isinstance(body, dict) and isinstance(body.get("detail"), dict):
        event_type = str(body.get("detail-type", "?"))
        event_id = str(body["detail"].get("id", "?"))
    elif isinstance(body, dict) and "requestContext" in body:  # a stream batch that failed every retry
        event_type = "stream batch"
    event_type = _string(attributes, "eventType") or event_type
    event_id = _string(attributes, "eventId") or event_id
    reason = _string(attributes, REASON_ATTRIBUTE)
    if reason is None and _string(attributes, "ERROR_CODE"):
        reason = f"EventBridge could not deliver: {_string(attributes, 'ERROR_CODE')} " \
                 f"{_string(attributes, 'ERROR_MESSAGE') or ''}".strip()
    if reason is None and isinstance(body, dict) and "requestContext" in body:
        context = body.get("requestContext", {})
        reason = f"stream batch failed: {context.get('condition', '?')} ({context.get('functionArn', '?')})"
    if reason is None:
        reason = f"failed on every receive (transient errors; received {system.get('ApproximateReceiveCount', '?')} " \
                 "times here)"
    sent = int(system.get("SentTimestamp", now * 1000)) / 1000
    source = _string(attributes, SOURCE_ATTRIBUTE) or _string(attributes, "TARGET_ARN") \
        or system.get("DeadLetterQueueSourceArn")
    return DeadLetter(message["MessageId"], event_type, event_id, reason, max(0.0, now - sent), sent, source,
                      message["Body"], message["ReceiptHandle"])


def _receive(sqs: Any, url: str, visibility: int) -> list[dict[str, Any]]:
    response = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10, VisibilityTimeout=visibility,
                                   WaitTimeSeconds=0, MessageAttributeNames=["All"], AttributeNames=["All"])
    return list(response.get("Messages", []))


def peek(sqs: Any, queue: DeadLetterQueue, limit: int = LIST_LIMIT) -> list[DeadLetter]:
    """Up to ``limit`` messages of ``queue``, left in it (visible again as soon as they are read)."""
    seen: dict[str, DeadLetter] = {}
    handles: list[str] = []
    now = time.time()
    for _ in range(limit // 10 + 1):
        batch = _receive(sqs, queue.url, PEEK_SECONDS)
        fresh = [m for m in batch if m["MessageId"] not in seen]
        if not fresh:
            break
        for message in fresh:
            seen[message["MessageId"]] = describe(message, now)
            handles.append(message["ReceiptHandle"])
        if len(seen) >= limit:
            break
    for handle in handles:
        sqs.change_message_visibility(QueueUrl=queue.url, ReceiptHandle=handle, VisibilityTimeout=0)
    return list(seen.values())[:limit]


def _source_url(sqs: Any, queue: DeadLetterQueue, letter: DeadLetter) -> str | None:
    if letter.source_arn and letter.source_arn.startswith("arn:aws:sqs:"):
        return str(sqs.get_queue_url(QueueName=_name(letter.source_arn))["QueueUrl"])
    if letter.event_type == "stream batch":
        return None
    return queue.sources[0] if len(queue.sources) == 1 else None


def redrive(sqs: Any, queue: DeadLetterQueue, limit: int = REDRIVE_LIMIT) -> tuple[list[DeadLetter], list[DeadLetter]]:
    """Move ``queue``'s messages back to their source queues; returns (moved, left in the DLQ).

    Only messages that were in the DLQ when the redrive started move: one that a consumer dead-letters
    again meanwhile (still rejected) stays for the next look, instead of going round in circles.
    """
    started = time.time()
    moved: list[DeadLetter] = []
    left: dict[str, DeadLetter] = {}
    later: dict[str, DeadLetter] = {}
    while len(moved) + len(left) < limit:
        batch = [describe(m, time.time()) for m in _receive(sqs, queue.url, PEEK_SECONDS)]
        batch = [letter for letter in batch if letter.message_id not in left and letter.message_id not in later]
        if not batch:
            break
        for letter in batch:
            target = None if letter.sent_at >= started else _source_url(sqs, queue, letter)
            if target is None:
                (later if letter.sent_at >= started else left)[letter.message_id] = letter
                continue
            sqs.send_message(QueueUrl=target, MessageBody=letter.body)
            sqs.delete_message(QueueUrl=queue.url, ReceiptHandle=letter.receipt_handle)
            moved.append(letter)
    for letter in [*left.values(), *later.values()]:
        sqs.change_message_visibility(QueueUrl=queue.url, ReceiptHandle=letter.receipt_handle, VisibilityTimeout=0)
    return moved, list(left.values())


def _age(seconds: float) -> str:
    for unit, size in (("d", 86400), ("h", 3600), ("m", 60)):
        if seconds >= size:
            return f"{seconds / size:.1f}{unit}"
    return f"{seconds:.0f}s"


def lines(sqs: Any, stage: str) -> Iterator[str]:
    """The listing ``make dlq`` prints."""
    queues = dead_letter_queues(sqs, stage)
    if not queues:
        yield f"no dead-letter queues for stage {stage} (is the stack deployed?)"
    for queue in queues:
        fed_by = ", ".join(_name(url) for url in queue.sources) or "EventBridge rules / streams"
        yield f"{queue.name}: {queue.depth} message(s) (from {fed_by})"
        for letter in peek(sqs, queue):
            yield f"  {letter.event_type:<24} {letter.event_id:<28} age {_age(letter.age_seconds):>6}  {letter.reason}"


def _queue(sqs: Any, stage: str, name: str) -> DeadLetterQueue:
    for queue in dead_letter_queues(sqs, stage):
        if name in (queue.name, queue.url, queue.arn):
            return queue
    raise SystemExit(f"{name} is not a dead-letter queue of stage {stage}; `make dlq` lists them")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    commands = parser.add_subparsers(dest="command", required=True)
    commands.add_parser("list", help="every dead-letter queue's messages")
    redrive_parser = commands.add_parser("redrive", help="move a dead-letter queue's messages back")
    redrive_parser.add_argument("queue", help="the dead-letter queue's name (or URL)")
    args = parser.parse_args()
    target: Target = activate(default_target())
    sqs = boto3.client("sqs", endpoint_url=target.endpoint, region_name=REGION)
    if args.command == "list":
        for line in lines(sqs, target.stage):
            print(line)
        return
    queue = _queue(sqs, target.stage, args.queue)
    moved, left = redrive(sqs, queue)
    print(f"{queue.name}: moved {len(moved)} message(s) back to their queue")
    for letter in left:
        print(f"  left (no queue to return it to): {letter.event_type} {letter.event_id}: {letter.reason}")


if __name__ == "__main__":
    run(main)
