"""What an admin sees of readiness: the dependency checks, and each dead-letter queue by name with its depth,
or no depth and the reason when the queue cannot be read."""

from __future__ import annotations

from deepiri_gateway.logic.readiness import admin_readiness
from deepiri_gateway.models.health import DependencyCheck, DependencyDown, Readiness

QUEUES = "https://sqs.us-east-1.amazonaws.com/123456789012"


def test_given_dead_letter_queues_then_each_is_named_with_its_depth_or_why_it_is_unknown() -> None:
    ready = Readiness(checks=[DependencyCheck(name="deepiri-dev-tasks", kind="table", ok=True)])
    depths = {f"{QUEUES}/deepiri-dev-tasks-dlq": 3, f"{QUEUES}/deepiri-dev-users-dlq/": 0}

    def depth(url: str) -> int:
        if url not in depths:
            raise DependencyDown("AccessDenied")
        return depths[url]

    answer = admin_readiness(ready, depth, [*depths, f"{QUEUES}/deepiri-dev-realtime-dlq"])

    assert answer.status == "ready"
    assert answer.checks == ready.checks
    assert [d.model_dump() for d in answer.deadLetters] == [
        {"queue": "deepiri-dev-tasks-dlq", "depth": 3, "detail": None},
        {"queue": "deepiri-dev-users-dlq", "depth": 0, "detail": None},
        {"queue": "deepiri-dev-realtime-dlq", "depth": None, "detail": "AccessDenied"},
    ]


def test_given_no_dead_letter_queue_then_the_admin_sees_the_checks_only() -> None:
    ready = Readiness(checks=[])

    assert admin_readiness(ready, lambda url: 1, []).deadLetters == []
