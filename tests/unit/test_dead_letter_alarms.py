"""Every dead-letter queue in the template has a CloudWatch alarm that fires on its first message."""

from __future__ import annotations

from infra.template import load_template


def test_given_each_dead_letter_queue_then_one_alarm_watches_its_visible_messages() -> None:
    resources = load_template()["Resources"]
    queues = {name for name, r in resources.items()
              if r["Type"] == "AWS::SQS::Queue" and str(r["Properties"]["QueueName"]["Fn::Sub"]).endswith("-dlq")}
    watched = {
        alarm["Properties"]["Dimensions"][0]["Value"]["Fn::GetAtt"][0]
        for alarm in resources.values() if alarm["Type"] == "AWS::CloudWatch::Alarm"
        and alarm["Properties"]["MetricName"] == "ApproximateNumberOfMessagesVisible"
        and alarm["Properties"]["ComparisonOperator"] == "GreaterThanThreshold"
        and alarm["Properties"]["Threshold"] == 0
    }
    assert queues == {"EventsDeadLetterQueue", "UsersSkillsDeadLetterQueue", "TasksDeadLetterQueue",
                      "RealtimeDeadLetterQueue"}
    assert watched == queues
