"""The local assistant: a documented set of intents, answered from the caller's own data only.

Intents (the last user message decides; the words are matched, never followed):

- ``due``: "what is due", "deadlines", "due today/this week": open tasks due within 7 days or overdue;
- ``next``: "what should I do next", "prioritise", "focus": the top three of the prioritised list, with reasons;
- ``progress``: "how am I doing", "my progress/stats/level/xp/streak": level, XP and streak from the
  engagement service and the open and overdue task counts;
- ``add_task``: "add a task ...", "remind me to ...", "new task: ...": the rest of the message is parsed into
  a draft (classifier and date grammar) and created through the tasks API as the caller;
- ``make_challenge``: "make/create a challenge (from ...)", "challenge me (with a quiz)": the open task the
  message names (most title words in common), else the first of the prioritised list, is made into a
  challenge through the challenges service's ``POST /api/challenges/generate`` as the caller; a type
  named in the message (quiz, puzzle, pomodoro or focus sprint, checklist, streak, timed) is asked for,
  otherwise the caller's bandit chooses;
- anything else: what it can do, and that it cannot answer other questions.

Every read and write goes through the owning service's API function as the caller, so nothing another
user owns can reach the reply.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Protocol

from deepiri_ai.logic import drafts, prioritize
from deepiri_ai.logic.classifier import LocalModel
from deepiri_ai.models.chat import ChatReply, ChatRequest, Intent
from deepiri_ai.models.prioritize import OpenTask

_INTENTS: list[tuple[Intent, re.Pattern[str]]] = [
    ("add_task", re.compile(r"^\s*(?:please\s+)?(?:add|create|new)\s+(?:a\s+)?(?:task|todo|to-do)\b[:\s-]*|"
                            r"^\s*(?:please\s+)?remind\s+me\s+to\b\s*", re.IGNORECASE)),
    ("make_challenge", re.compile(r"\b(?:make|create|generate|start)\b.*\bchallenge\b|\bchallenge\s+me\b",
                                  re.IGNORECASE)),
    ("progress", re.compile(r"\bhow\s+am\s+i\s+doing\b|\bmy\s+(?:progress|stats|level|xp|streak)\b",
                            re.IGNORECASE)),
    ("next", re.compile(r"\b(?:what|which)\b.*\b(?:next|first|now)\b|\bprioriti[sz]e\b|\bfocus\s+on\b",
                        re.IGNORECASE)),
    ("due", re.compile(r"\bdue\b|\bdeadlines?\b|\boverdue\b", re.IGNORECASE)),
]
HELP = ("I can tell you what is due, what to do next, how you are doing, add a task (\"add a task: call the "
        "bank tomorrow 9am\") and make a challenge from one of your tasks (\"make a quiz challenge from the "
        "report\"). I cannot answer other questions, and I only ever read your own tasks and progress.")
_CHALLENGE_TYPES: list[tuple[str, re.Pattern[str]]] = [
    ("quiz", re.compile(r"\bquiz\b", re.IGNORECASE)),
    ("puzzle", re.compile(r"\bpuzzle\b", re.IGNORECASE)),
    ("focus_sprint", re.compile(r"\bpomodoro|\bfocus\s+sprint\b|\bsprint\b", re.IGNORECASE)),
    ("checklist", re.compile(r"\bchecklist\b|\bmilestones?\b", re.IGNORECASE)),
    ("streak", re.compile(r"\bstreak\b", re.IGNORECASE)),
    ("timed_completion", re.compile(r"\btimed\b|\bagainst\s+the\s+clock\b", re.IGNORECASE)),
]
# Words of a request that say nothing about which task is meant.
_FILLER = frozenset({
    "a", "an", "the", "my", "me", "from", "for", "of", "on", "to", "with", "please", "make", "create", "generate",
    "start", "challenge", "challenges", "quiz", "puzzle", "pomodoro", "focus", "sprint", "checklist", "streak",
    "timed", "task", "it", "this", "that", "and", "i", "can", "you"})


class TaskReader(Protocol):
    def open_tasks(self, caller: Any, correlation_id: str | None = None) -> tuple[list[OpenTask], bool]: ...


@dataclass(frozen=True)
class ChatTools:
    """What the assistant may use, each acting as the caller."""

    tasks: TaskReader
    create_task: Callable[[dict[str, Any]], dict[str, Any]]
    # (taskId, type or None) -> the challenges service's status and body (201 challenge, 404, 409 problem)
    make_challenge: Callable[[str, str | None], tuple[int, dict[str, Any]]]
    progress: Callable[[], dict[str, Any] | None]
    model: LocalModel
    zone: str


def intent_of(text: str) -> tuple[Intent, str]:
    """The intent of a message and, for ``add_task``, the rest of it (the task's own words)."""
    for intent, pattern in _INTENTS:
        match = pattern.search(text)
        if match:
            return intent, (text[match.end():].strip() if intent == "add_task" else "")
    return "unknown", ""


def answer(request: ChatRequest, tools: ChatTools, caller: Any, now: datetime) -> ChatReply:
    """The reply to the last user message of ``request``."""
    said = [message.content for message in request.messages if message.role == "user"]
    if not said:
        return ChatReply(reply=HELP, intent="unknown")
    last = said[-1]
    intent, rest = intent_of(last)
    if intent == "add_task":
        return _add_task(rest, tools, now)
    if intent == "unknown":
        return ChatReply(reply=HELP, intent=intent)
    tasks, _ = tools.tasks.open_tasks(caller)
    if intent == "make_challenge":
        return _make_challenge(last, tasks, tools, now)
    return _due(tasks, now) if intent == "due" else _next(tasks, now) if intent == "next" else _progress(
        tasks, tools.progress(), now)


def _when(due: datetime, now: datetime) -> str:
    moment = f"{due:%a %d %b %H:%M} UTC"
    return f"overdue since {moment}" if due < now else f"due {moment}"


def _due(tasks: list[OpenTask], now: datetime) -> ChatReply:
    horizon = now + timedelta(days=7)
    soon = sorted(((task, task.dueAt) for task in tasks if task.dueAt is not None and task.dueAt <= horizon),
                  key=lambda pair: pair[1])
    if not soon:
        return ChatReply(reply="Nothing of yours is due in the next 7 days.", intent="due", data={"tasks": []})
    lines = [f"- {task.title} ({_when(due, now)})" for task, due in soon[:10]]
    return ChatReply(reply=f"{len(soon)} of your tasks are due within 7 days or overdue:\n" + "\n".join(lines),
                     intent="due", data={"tasks": [task.id for task, _ in soon]})


def _next(tasks: list[OpenTask], now: datetime) -> ChatReply:
    ranked = prioritize.rank(tasks, now).tasks[:3]
    if not ranked:
        return ChatReply(reply="You have no open tasks: add one, or enjoy the break.", intent="next")
    lines = [f"{task.rank}. {task.title}: {', '.join(task.reasons)}" for task in ranked]
    return ChatReply(reply="Do these first:\n" + "\n".join(lines), intent="next",
                     data={"tasks": [task.id for task in ranked]})


def _progress(tasks: list[OpenTask], progress: dict[str, Any] | None, now: datetime) -> ChatReply:
    overdue = sum(1 for task in tasks if task.dueAt is not None and task.dueAt < now)
    parts = [f"You have {len(tasks)} open task{'' if len(tasks) == 1 else 's'}, {overdue} overdue."]
    if progress:
        streak = (progress.get("streaks") or {}).get("days", 0)
        parts.append(f"You are level {progress.get('level')} with {progress.get('xp')} XP and a {streak}-day streak.")
    else:
        parts.append("I could not read your level and XP just now.")
    return ChatReply(reply=" ".join(parts), intent="progress",
                     data={"open": len(tasks), "overdue": overdue, "progress": progress or {}})


def _add_task(rest: str, tools: ChatTools, now: datetime) -> ChatReply:
    if not rest:
        return ChatReply(reply="Tell me the task, e.g. \"add a task: call the bank tomorrow 9am\".", intent="add_task")
    draft = drafts.parse(rest[:1_000], now, tools.zone, tools.model)
    body: dict[str, Any] = {"title": draft.title, "priority": draft.priority, "category": draft.category,
                            "difficulty": draft.difficulty, "tags": list(draft.tags),
                            "estimateMinutes": draft.estimate_minutes}
    if draft.due_at is not None:
        body["dueAt"] = draft.due_at.isoformat().replace("+00:00", "Z")
    created = tools.create_task(body)
    due = f", due {draft.due_at:%a %d %b %H:%M} UTC" if draft.due_at else ""
    return ChatReply(reply=f"Added \"{draft.title}\" ({draft.category}, {draft.priority} priority{due}).",
                     intent="add_task", data={"task": created})


def challenge_type_of(text: str) -> str | None:
    """The challenge type a request names, or None (the caller's bandit then chooses)."""
    return next((kind for kind, pattern in _CHALLENGE_TYPES if pattern.search(text)), None)


def task_named(text: str, tasks: list[OpenTask], now: datetime) -> OpenTask | None:
    """The open task whose title shares the most words with ``text`` (ties: the earlier in priority order);
    the first of the prioritised list when none shares a word; None without open tasks."""
    ranked = prioritize.rank(tasks, now).tasks
    if not ranked:
        return None
    by_id = {task.id: task for task in tasks}
    words = _words(text) - _FILLER
    best = max(ranked, key=lambda task: (len(words & _words(task.title)), -task.rank))
    return by_id[best.id]


def _words(text: str) -> set[str]:
    return set(re.findall(r"[a-z0-9]+", text.lower()))


def _make_challenge(text: str, tasks: list[OpenTask], tools: ChatTools, now: datetime) -> ChatReply:
    task = task_named(text, tasks, now)
    if task is None:
        return ChatReply(reply="You have no open tasks to make a challenge from: add one first.",
                         intent="make_challenge")
    status, body = tools.make_challenge(task.id, challenge_type_of(text))
    if status != 201:
        detail = body.get("detail") or body.get("title") or "it was refused"
        return ChatReply(reply=f"I could not make a challenge from \"{task.title}\": {detail}.",
                         intent="make_challenge", data={"taskId": task.id, "status": status})
    kind = str(body.get("type") or "new").replace("_", " ")
    return ChatReply(reply=(f"Made a {kind} challenge from \"{task.title}\": {body.get('title')}, "
                            f"{body.get('pointsReward')} points, {body.get('timeLimitMinutes')} min. "
                            "Start it when you are ready."),
                     intent="make_challenge", data={"challenge": body})
