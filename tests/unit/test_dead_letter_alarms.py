"""Every dead-letter queue the stack deploys has a CloudWatch alarm that fires on its first message."""

from __future__ import annotations

from typing import Any

from infra.template import Intrinsics, load_template

CONSUMING = {"UsersEvents": "users", "TasksEvents": "tasks", "RealtimeEvents": "realtime",
             "EngagementEvents": "engagement", "AiEvents": "ai",
             "ChallengesEvents": "challenges",
             "AnalyticsEvents": "analytics", "IntegrationsEvents": "integrations",
             "WebhooksEvents": "webhooks"}


def _templates() -> dict[str, Intrinsics]:
    """The stack's template and each nested application's, by the path prefix of their resources."""
    root = Intrinsics(stage="qa")
    found = {"": root}
    for name, resource in load_template()["Resources"].items():
        if resource["Type"] == "AWS::Serverless::Application":
            found[f"{name}."] = root.nested(name)
    return found


def _dead_letter_queues_and_watched(resources: dict[str, Any], owner: Intrinsics) -> tuple[set[str], set[str]]:
    queues = {name for name, r in resources.items()
              if r["Type"] == "AWS::SQS::Queue" and owner.physical_name(name).endswith("-dlq")}
    watched = {
        alarm["Properties"]["Dimensions"][0]["Value"]["Fn::GetAtt"][0]
        for alarm in resources.values() if alarm["Type"] == "AWS::CloudWatch::Alarm"
        and alarm["Properties"]["MetricName"] == "ApproximateNumberOfMessagesVisible"
        and alarm["Properties"]["ComparisonOperator"] == "GreaterThanThreshold"
        and alarm["Properties"]["Threshold"] == 0
    }
    return queues, watched


def test_given_each_dead_letter_queue_then_one_alarm_watches_its_visible_messages() -> None:
    queues: set[str] = set()
    for prefix, owner in _templates().items():
        mine, watched = _dead_letter_queues_and_watched(dict(owner.template["Resources"]), owner)
        assert watched == mine, prefix
        queues |= {prefix + name for name in mine}

    assert queues == {"EventsDeadLetterQueue", "UsersEvents.DeadLetterQueue", "TasksEvents.DeadLetterQueue",
                      "RealtimeEvents.DeadLetterQueue", "EngagementEvents.DeadLetterQueue",
                      "NotificationsEvents.DeadLetterQueue", "NotificationsDeliveryDeadLetterQueue",
                      "AiEvents.DeadLetterQueue", "ChallengesEvents.DeadLetterQueue",
                      "AnalyticsEvents.DeadLetterQueue", "IntegrationsEvents.DeadLetterQueue",
                      "WebhooksEvents.DeadLetterQueue",
                      "WebhooksDeliveryDeadLetterQueue"}


def test_given_each_consuming_service_then_its_queues_and_alarm_are_named_after_it() -> None:
    templates = _templates()
    for application, service in CONSUMING.items():
        owner = templates[f"{application}."]
        assert owner.physical_name("Queue") == f"deepiri-qa-{service}-events"
        assert owner.physical_name("DeadLetterQueue") == f"deepiri-qa-{service}-events-dlq"
        assert owner.physical_name("Rule") == f"deepiri-qa-{service}-events"
        assert owner.text(owner.template["Resources"]["DeadLetterAlarm"]["Properties"]["AlarmName"]) == (
            f"deepiri-qa-{service}-events-dlq-not-empty")
