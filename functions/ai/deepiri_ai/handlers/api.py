"""AI REST routes under /api/agent: classify a task, parse a line into a task draft."""

from __future__ import annotations

from typing import Any

from deepiri_ai import wiring
from deepiri_ai.logic import agent, engine
from deepiri_ai.models.agent import Classification, ClassifyRequest, ParseRequest, TaskDraft
from deepiri_ai.models.prioritize import Prioritized
from deepiri_common.api import api_handler, create_resolver
from deepiri_common.clock import utc_now
from deepiri_common.identity import current_caller
from deepiri_common.routes import Routes

app = create_resolver()
routes = Routes(app)


@routes.post("/api/agent/classify", problems=(429,))
def classify(body: ClassifyRequest) -> Classification:
    """Category, difficulty and estimate of a task from its title and description (title ≤ 500, description ≤ 5,000)."""
    return engine.classify(wiring.providers(), current_caller(app).user_id, body, utc_now())


@routes.post("/api/agent/parse")
def parse(body: ParseRequest) -> TaskDraft:
    """A task draft from one line of plain language, its due time in the caller's timezone (text ≤ 1,000)."""
    return agent.parse(wiring.model(), wiring.profile_repository(), current_caller(app).user_id, body.text,
                       utc_now())


@routes.post("/api/agent/prioritize", problems=(502,))
def prioritize() -> Prioritized:
    """Your open tasks in the order to do them, each with its reasons (due date, priority, blockers, estimate)."""
    return agent.prioritized(wiring.tasks_api(), current_caller(app), utc_now(),
                             app.current_event.request_context.request_id)


handler: Any = api_handler(app)
