"""A small OpenAI-compatible chat-completions server on 127.0.0.1 for the e2e suite.

MiniStack forwards Bedrock Converse to it when ``MINISTACK_BEDROCK_PROXY_URL`` is set at emulator start.
It answers every request that offers a tool with a tool call: the task is classified by the repository's
local model (a stand-in for a real model's judgement), so the provider's plumbing is what is tested.
Scenarios are chosen by a marker in the task text:

- ``[canned]``: the server fails (500), so MiniStack answers with its canned text (no tool call);
- ``[malformed]``: a tool call whose arguments do not fit the schema (a category that does not exist);
- ``[broken-json]``: a tool call whose arguments are not JSON;
- ``[short]`` (quiz drafts): one question fewer than asked;
- ``[malformed]`` in a task title (prioritise): reasons for one task fewer than given.

Parse (``record_task_draft``) answers the repository's own parser's draft, read in the timezone and at the
local time the prompt states. Chat (the ``list_tasks`` family of tools) acts as a scripted model that reads
only the person's last message to choose a tool (what is due / next → ``list_tasks``, "add a task" →
``create_task``, "challenge" → ``list_tasks`` then ``make_challenge`` on the task sharing most words, "how am
I doing" → ``get_progress``) and, once tool results are in, answers text made from them; with
``[malformed-tool]`` in the message it calls ``create_task`` with an input that does not validate.
"""

from __future__ import annotations

import json
import threading
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from zoneinfo import ZoneInfo

from deepiri_ai.logic import drafts
from deepiri_ai.logic.classifier import local_model


def _answer(payload: dict[str, Any]) -> tuple[int, dict[str, Any]]:
    text = " ".join(str(message.get("content") or "") for message in payload.get("messages", [])
                    if message.get("role") == "user")
    if "[canned]" in text:
        return 500, {"error": "scripted failure"}
    tools = payload.get("tools") or []
    if not tools:
        return 200, {"choices": [{"message": {"role": "assistant", "content": "no tool offered"}}]}
    name = tools[0]["function"]["name"]
    if name == "record_quiz":
        return 200, _tool_call(name, json.dumps(_quiz(text)))
    if name == "record_task_draft":
        return 200, _tool_call(name, json.dumps(_draft(text)))
    if name == "record_reasons":
        return 200, _tool_call(name, json.dumps(_reasons(text)))
    if name == "list_tasks":
        return 200, _chat(payload.get("messages", []))
    prediction = local_model().predict(text)
    arguments: Any = {"category": prediction.category, "difficulty": prediction.difficulty,
                      "estimateMinutes": prediction.estimate_minutes, "confidence": 0.77}
    if "[malformed]" in text:
        arguments["category"] = "world-domination"
    return 200, _tool_call(name, "{not json" if "[broken-json]" in text else json.dumps(arguments))


def _quiz(text: str) -> dict[str, Any]:
    """As many questions as the prompt asks for ("Write 3 quiz questions"); one fewer with ``[short]``."""
    wanted = int(text.split("Write ", 1)[1].split(" ", 1)[0]) if "Write " in text else 3
    count = wanted - 1 if "[short]" in text else wanted
    return {"questions": [{"question": f"Question {n + 1} about the task?", "options": ["A", "B", "C", "D"],
                           "correctAnswer": n % 4, "points": 10} for n in range(count)]}


def _draft(text: str) -> dict[str, Any]:
    """The local parser's draft of the prompt's line, its due time as a wall time in the prompt's zone."""
    head, line = text.split("\nLine: ", 1)
    local_now = datetime.fromisoformat(head.split("Now (local): ", 1)[1].split(" ", 1)[0])
    zone = head.split("timezone: ", 1)[1].strip()
    now = local_now.replace(tzinfo=ZoneInfo(zone)).astimezone(UTC)
    draft = drafts.parse(line, now, zone, local_model())
    due = draft.due_at.astimezone(ZoneInfo(zone)).replace(tzinfo=None).isoformat() if draft.due_at else None
    return {"title": draft.title, "dueLocal": due, "priority": draft.priority, "category": draft.category,
            "difficulty": draft.difficulty, "tags": list(draft.tags), "estimateMinutes": draft.estimate_minutes,
            "recurrence": draft.recurrence}


def _reasons(text: str) -> dict[str, Any]:
    """A reason per task from the facts it was given ("model: " first, so a test can tell who wrote it)."""
    tasks = json.loads(text.split("(JSON data):\n", 1)[1])
    entries = [{"id": task["id"], "reasons": [f"model: {fact}" for fact in task["facts"][:5]]} for task in tasks]
    return {"tasks": entries[:-1] if any("[malformed]" in task["title"] for task in tasks) else entries}


def _chat(messages: list[dict[str, Any]]) -> dict[str, Any]:
    """One turn of the scripted assistant (see the module)."""
    last = max(index for index, message in enumerate(messages) if message.get("role") == "user")
    said = str(messages[last].get("content") or "").lower()
    results = [json.loads(message.get("content") or "{}") for message in messages[last + 1:]
               if message.get("role") == "tool"]
    if "[malformed-tool]" in said:
        return _tool_call("create_task", json.dumps({"title": "", "priority": "cosmic"}))
    if not results:
        return _first_tool(said)
    if "challenge" in said and "challenge" not in results[-1] and "refused" not in results[-1]:
        listed = results[-1].get("tasks") or []
        if listed:
            words = set(said.split())
            task = max(listed, key=lambda task: len(words & set(task["title"].lower().split())))
            kind = next((kind for kind in ("checklist", "quiz", "streak", "puzzle") if kind in said), None)
            return _tool_call("make_challenge", json.dumps({"taskId": task["id"], "type": kind}))
    return _text(_summary(results[-1]))


def _first_tool(said: str) -> dict[str, Any]:
    if "add a task" in said or "remind me" in said:
        line = said.split(":", 1)[1] if ":" in said else said.split("remind me to", 1)[-1]
        draft = drafts.parse(line.strip(), datetime.now(UTC), "UTC", local_model())
        arguments: dict[str, Any] = {"title": draft.title, "priority": draft.priority, "tags": list(draft.tags)}
        if draft.due_at:
            arguments["dueAt"] = draft.due_at.isoformat()
        return _tool_call("create_task", json.dumps(arguments))
    if "challenge" in said:
        return _tool_call("list_tasks", json.dumps({"view": "all"}))
    if "due" in said or "deadline" in said:
        return _tool_call("list_tasks", json.dumps({"view": "due"}))
    if "next" in said or "first" in said:
        return _tool_call("list_tasks", json.dumps({"view": "next"}))
    if "how am i doing" in said:
        return _tool_call("get_progress", "{}")
    return _text("I can help with your own tasks, challenges and progress.")


def _summary(result: dict[str, Any]) -> str:
    if "created" in result:
        return f"Added \"{result['created']['title']}\" for you."
    if "challenge" in result:
        return f"Made a {result['challenge']['type']} challenge: {result['challenge']['title']}."
    if "refused" in result:
        return f"The challenge was refused: {result['detail']}."
    if "tasks" in result:
        titles = [task["title"] for task in result["tasks"]]
        return "Your tasks: " + "; ".join(titles) if titles else "You have nothing open there."
    return f"You have {result.get('open')} open tasks and are level {result.get('level')}."


def _text(content: str) -> dict[str, Any]:
    return {"choices": [{"message": {"role": "assistant", "content": content}, "finish_reason": "stop"}],
            "usage": {"prompt_tokens": 200, "completion_tokens": 40, "total_tokens": 240}}


def _tool_call(name: str, arguments: str) -> dict[str, Any]:
    message = {"role": "assistant", "content": None,
               "tool_calls": [{"id": "call_1", "type": "function", "function": {"name": name, "arguments": arguments}}]}
    return {"choices": [{"message": message, "finish_reason": "tool_calls"}],
            "usage": {"prompt_tokens": 90, "completion_tokens": 30, "total_tokens": 120}}


class _Handler(BaseHTTPRequestHandler):
    def do_POST(self) -> None:
        length = int(self.headers.get("content-length") or 0)
        status, body = _answer(json.loads(self.rfile.read(length) or b"{}"))
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("content-type", "application/json")
        self.send_header("content-length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, format: str, *args: Any) -> None:
        return


class FakeOpenAI:
    """The server, started on a free port of 127.0.0.1 in a daemon thread."""

    def __init__(self) -> None:
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self._server.server_address[1]}"

    def start(self) -> FakeOpenAI:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()
