"""Reminder events of the tasks service."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict

Kind = Literal["DUESOON", "OVERDUE"]


class TaskReminderData(BaseModel):
    """``TaskDueSoon`` and ``TaskOverdue``: ``userId`` is the task's owner."""

    model_config = ConfigDict(defer_build=True)

    taskId: str
    userId: str
    dueAt: str
    title: str


class ReminderRun(BaseModel):
    """What one run of the reminder job did."""

    model_config = ConfigDict(defer_build=True)

    checked: int
    dueSoon: int
    overdue: int
