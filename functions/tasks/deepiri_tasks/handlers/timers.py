"""Time-tracking routes:

    POST /api/tasks/{id}/timer/start   one running timer per user (starting another books the first)
    POST /api/tasks/{id}/timer/stop    books the interval into the task's actualMinutes
    GET  /api/tasks/{id}/time          intervals and total
"""

from __future__ import annotations

from deepiri_common.api import api_handler, create_resolver
from deepiri_common.clock import utc_now
from deepiri_common.identity import caller_id
from deepiri_common.routes import Routes
from deepiri_tasks import wiring
from deepiri_tasks.handlers.params import READ, WRITE, TaskId
from deepiri_tasks.logic import timers
from deepiri_tasks.models.timers import TimeInterval, TimeReport, TimerStarted

app = create_resolver()
routes = Routes(app)


@routes.post("/api/tasks/<id>/timer/start", scope=WRITE)
def start_timer(id: TaskId) -> TimerStarted:
    """Start your timer on a task (one running timer per user)."""
    return timers.start_timer(wiring.task_facts(), wiring.project_repository(), wiring.timer_repository(),
                              wiring.task_repository(),
                              user_id=caller_id(app), task_id=id, now=utc_now())


@routes.post("/api/tasks/<id>/timer/stop", scope=WRITE)
def stop_timer(id: TaskId) -> TimeInterval:
    """Stop your timer; its minutes add to the task."""
    return timers.stop_timer(wiring.task_facts(), wiring.project_repository(), wiring.timer_repository(),
                             wiring.task_repository(),
                             user_id=caller_id(app), task_id=id, now=utc_now())


@routes.get("/api/tasks/<id>/time", scope=READ)
def time_report(id: TaskId) -> TimeReport:
    """Time spent on the task, per user."""
    return timers.time_report(wiring.task_facts(), wiring.project_repository(), wiring.timer_repository(),
                              user_id=caller_id(app), task_id=id)


handler = api_handler(app)
