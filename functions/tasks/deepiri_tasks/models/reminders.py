"""Reminder events of the tasks service."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel

Kind = Literal["DUESOON", "OVERDUE"]


class TaskReminderData(BaseModel):
    """``TaskDueSoon`` and ``TaskOverdue``: ``userId`` is the task's owner."""

    taskId: str
    userId: str
    dueAt: str
    title: str


class ReminderRun(BaseModel):
    """What one run of the reminder job did."""

    checked: int
    dueSoon: int
    overdue: int
