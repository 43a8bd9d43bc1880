"""Timers in the tasks table:

    USER#<userId> / TIMER          the user's running timer (at most one: conditional writes)
    TASK#<taskId> / TIME#<ulid>    a booked interval ({userId, startedAt, stoppedAt, minutes})

Booking an interval deletes (or replaces) the running timer on the condition that it is still the
one read, stores the interval and puts its ``TimerStopped`` event in the outbox, in one transaction;
the minutes go to the task through the core's ``TaskRepository.add_actual_minutes`` (history entry and
TaskUpdated with it).
"""

from __future__ import annotations

from typing import Any

from deepiri_common.events import DomainEvent
from deepiri_common.outbox import outbox_put
from deepiri_common.pagination import query_all
from deepiri_tasks.dal.graph import plain, task_key, transact
from deepiri_tasks.models.timers import RunningTimer, TimeInterval


def _timer_key(user_id: str) -> dict[str, Any]:
    return {"pk": {"S": f"USER#{user_id}"}, "sk": {"S": "TIMER"}}


class TimerRepository:
    def __init__(self, table_name: str, client: Any) -> None:
        self._table, self._client = table_name, client

    def running(self, user_id: str) -> RunningTimer | None:
        item = self._client.get_item(TableName=self._table, Key=_timer_key(user_id), ConsistentRead=True).get("Item")
        if item is None:
            return None
        values = plain(item)
        return RunningTimer(userId=user_id, taskId=values["taskId"], intervalId=values["intervalId"],
                            startedAt=values["startedAt"])

    def start(self, timer: RunningTimer) -> bool:
        return transact(self._client, [{"Put": {
            "TableName": self._table, "Item": self._timer_item(timer),
            "ConditionExpression": "attribute_not_exists(pk)",
        }}]) is None

    def book(self, stopped: RunningTimer, interval: TimeInterval, announce: DomainEvent,
             then_start: RunningTimer | None = None) -> bool:
        still_running = {
            "ConditionExpression": "intervalId = :interval",
            "ExpressionAttributeValues": {":interval": {"S": stopped.intervalId}},
        }
        if then_start is None:
            timer_write = {"Delete": {"TableName": self._table, "Key": _timer_key(stopped.userId), **still_running}}
        else:
            timer_write = {"Put": {"TableName": self._table, "Item": self._timer_item(then_start), **still_running}}
        items: list[dict[str, Any]] = [timer_write, {"Put": {
            "TableName": self._table, "Item": self._interval_item(interval),
            "ConditionExpression": "attribute_not_exists(pk)",
        }}, outbox_put(self._table, announce)]
        return transact(self._client, items) is None

    def intervals(self, task_id: str) -> list[TimeInterval]:
        items = query_all(self._client, TableName=self._table,
                          KeyConditionExpression="pk = :pk AND begins_with(sk, :prefix)",
                          ExpressionAttributeValues={":pk": {"S": f"TASK#{task_id}"}, ":prefix": {"S": "TIME#"}})
        return [_interval(plain(i)) for i in items]

    def _timer_item(self, timer: RunningTimer) -> dict[str, Any]:
        return {**_timer_key(timer.userId), "kind": {"S": "timer"}, "taskId": {"S": timer.taskId},
                "intervalId": {"S": timer.intervalId}, "startedAt": {"S": timer.startedAt}}

    def _interval_item(self, interval: TimeInterval) -> dict[str, Any]:
        return {**task_key(interval.taskId, f"TIME#{interval.id}"), "kind": {"S": "time"},
                "intervalId": {"S": interval.id}, "taskId": {"S": interval.taskId}, "userId": {"S": interval.userId},
                "startedAt": {"S": interval.startedAt}, "stoppedAt": {"S": interval.stoppedAt},
                "minutes": {"N": str(interval.minutes)}}


def _interval(item: dict[str, Any]) -> TimeInterval:
    return TimeInterval(id=item["intervalId"], taskId=item["taskId"], userId=item["userId"],
                        startedAt=item["startedAt"], stoppedAt=item["stoppedAt"], minutes=int(item["minutes"]))
