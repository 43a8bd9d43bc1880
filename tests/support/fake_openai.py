"""A small OpenAI-compatible chat-completions server on 127.0.0.1 for the e2e suite.

MiniStack forwards Bedrock Converse to it when ``MINISTACK_BEDROCK_PROXY_URL`` is set at emulator start.
It answers every request that offers a tool with a tool call: the task is classified by the repository's
local model (a stand-in for a real model's judgement), so the provider's plumbing is what is tested.
Scenarios are chosen by a marker in the task text:

- ``[canned]``: the server fails (500), so MiniStack answers with its canned text (no tool call);
- ``[malformed]``: a tool call whose arguments do not fit the schema (a category that does not exist);
- ``[broken-json]``: a tool call whose arguments are not JSON;
- ``[short]`` (quiz drafts): one question fewer than asked.
"""

from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

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
