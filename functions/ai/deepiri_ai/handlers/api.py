"""AI REST routes under /api/agent: classify a task, parse a line into a task draft."""

from __future__ import annotations

from typing import Any

from deepiri_ai import wiring
from deepiri_ai.logic import agent, assistant, chat, engine
from deepiri_ai.logic.profiles import timezone_of
from deepiri_ai.models.agent import Classification, ClassifyRequest, ParseRequest, TaskDraft
from deepiri_ai.models.chat import ChatReply, ChatRequest
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


@routes.post("/api/agent/parse", problems=(429,))
def parse(body: ParseRequest) -> TaskDraft:
    """A task draft from one line of plain language, its due time in the caller's timezone (text ≤ 1,000)."""
    return agent.parse(wiring.providers(), wiring.profile_repository(), current_caller(app).user_id, body.text,
                       utc_now())


@routes.post("/api/agent/prioritize", problems=(429, 502))
def prioritize() -> Prioritized:
    """Your open tasks in the order to do them, each with its reasons (due date, priority, blockers, estimate)."""
    return agent.prioritized(wiring.providers(), wiring.tasks_api(), wiring.task_graph_api(), current_caller(app),
                             utc_now(), correlation_id=app.current_event.request_context.request_id)


@routes.post("/api/agent/chat", problems=(429, 502))
def chat_with_assistant(body: ChatRequest) -> ChatReply:
    """The assistant: what is due, what to do next, how you are doing, add a task, make a challenge; your data only."""
    caller, request_id = current_caller(app), app.current_event.request_context.request_id
    tools = chat.ChatTools(
        tasks=wiring.tasks_api(),
        create_task=lambda draft: wiring.tasks_api().create_task(caller, draft, request_id),
        progress=lambda: wiring.engagement_api().progress(caller, request_id),
        make_challenge=lambda task_id, kind: wiring.challenges_api().generate(caller, task_id, kind, request_id),
        model=wiring.model(), zone=timezone_of(wiring.profile_repository(), caller.user_id))
    return assistant.answer(wiring.providers(), body, tools, caller, utc_now())


handler: Any = api_handler(app)
