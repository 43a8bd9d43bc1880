"""A task draft from one line of plain language: "write the Q3 report by next Friday 5pm, high priority #work".

The due date comes from :mod:`deepiri_ai.logic.dates` in the user's timezone; priority, tags, an explicit
estimate and a recurrence from the small grammar below; category and (when none is written) the estimate
from the classifier. What is left once those phrases are taken out is the title. The text is data: it
is cut into fields, never followed.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime

from deepiri_ai.logic.classifier import LocalModel
from deepiri_ai.logic.dates import find_due

_PRIORITY_WORDS = re.compile(
    r"(?:,\s*)?\b(?:(urgent|high|medium|normal|low)[\s-]+prio(?:rity)?|prio(?:rity)?\s*[:=]?\s*(urgent|high|medium|normal|low)"
    r"|(asap|urgent(?:ly)?)|(p[1-4]))\b|(!{2,3})(?=\s|$)")
_P_LEVELS = {"p1": "urgent", "p2": "high", "p3": "medium", "p4": "low", "!!!": "urgent", "!!": "high",
             "normal": "medium", "asap": "urgent", "urgently": "urgent"}
_TAG = re.compile(r"(?<![\w&])#([A-Za-z][\w-]{0,49})")
_ESTIMATE = re.compile(r"\(?\b(?:for|takes?|~|about|approx\.?)?\s*~?(\d{1,3}(?:\.\d)?)\s*"
                       r"(h|hrs?|hours?|m|mins?|minutes?)\b\)?")
_RECURRENCE: list[tuple[re.Pattern[str], str]] = [
    (re.compile(r"\b(?:every\s+weekday|each\s+weekday|on\s+weekdays)\b"), "FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR"),
    (re.compile(r"\b(?:every\s+day|each\s+day|daily)\b"), "FREQ=DAILY"),
    (re.compile(r"\bevery\s+(mon|tue|wed|thu|fri|sat|sun)(?!th)[a-z]*\b"), "FREQ=WEEKLY;BYDAY={day}"),  # not "month"
    (re.compile(r"\bevery\s+(\d{1,2})\s+(day|week|month)s\b"), "FREQ={unit};INTERVAL={n}"),
    (re.compile(r"\b(?:every\s+week|each\s+week|weekly)\b"), "FREQ=WEEKLY"),
    (re.compile(r"\b(?:every\s+month|each\s+month|monthly)\b"), "FREQ=MONTHLY"),
    (re.compile(r"\b(?:every\s+year|each\s+year|yearly|annually)\b"), "FREQ=YEARLY"),
]
_UNITS = {"day": "DAILY", "week": "WEEKLY", "month": "MONTHLY"}
MAX_TAGS = 20  # as many as a task holds


@dataclass(frozen=True)
class Draft:
    title: str
    due_at: datetime | None
    priority: str
    category: str
    difficulty: str
    tags: tuple[str, ...]
    estimate_minutes: int
    recurrence: str | None


def parse(text: str, now: datetime, zone: str, model: LocalModel) -> Draft:
    """The task draft ``text`` describes, its due time read in ``zone`` at ``now``."""
    spans: list[tuple[int, int]] = []
    lowered = text.lower()
    recurrence = _recurrence(lowered, spans)
    found = find_due(_blank(text, spans), now, zone)
    if found:
        spans.extend(found.spans)
    priority = _priority(_blank(lowered, spans), spans)
    tags = tuple(dict.fromkeys(match.group(1).lower() for match in _TAG.finditer(text)))[:MAX_TAGS]
    spans.extend(match.span() for match in _TAG.finditer(text))
    estimate = _estimate(_blank(lowered, spans), spans)
    title = _title(text, spans) or text.strip()[:500]
    prediction = model.predict(title)
    return Draft(title=title, due_at=found.due_at if found else None, priority=priority,
                 category=prediction.category, difficulty=prediction.difficulty, tags=tags,
                 estimate_minutes=estimate or prediction.estimate_minutes, recurrence=recurrence)


def _blank(text: str, spans: list[tuple[int, int]]) -> str:
    """``text`` with the spans already taken replaced by spaces (positions unchanged)."""
    chars = list(text)
    for start, end in spans:
        chars[start:end] = " " * (end - start)
    return "".join(chars)


def _priority(text: str, spans: list[tuple[int, int]]) -> str:
    match = _PRIORITY_WORDS.search(text)
    if not match:
        return "medium"
    spans.append(match.span())
    word = next(group for group in match.groups() if group)
    return _P_LEVELS.get(word, word)


def _recurrence(text: str, spans: list[tuple[int, int]]) -> str | None:
    for pattern, rule in _RECURRENCE:
        match = pattern.search(text)
        if not match:
            continue
        spans.append(match.span())
        if "{day}" in rule:
            return rule.format(day=match.group(1)[:2].upper())
        if "{unit}" in rule:
            return rule.format(unit=_UNITS[match.group(2)], n=int(match.group(1)))
        return rule
    return None


def _estimate(text: str, spans: list[tuple[int, int]]) -> int | None:
    match = _ESTIMATE.search(text)
    if not match:
        return None
    spans.append(match.span())
    amount = float(match.group(1))
    minutes = amount * 60 if match.group(2).startswith("h") else amount
    return max(1, round(minutes))  # at most 999.9 hours (59,994 minutes): well under a task's 1,000,000


def _title(text: str, spans: list[tuple[int, int]]) -> str:
    """What is left of ``text`` once the recognised phrases are taken out, tidied."""
    left = _blank(text, spans)
    left = re.sub(r"\s+", " ", left)
    left = re.sub(r"\s+([,.;:!?])", r"\1", left)
    # a dangling connector in any case ("BY"); the words written in capitals would match alike (equivalent)
    left = re.sub(r"(?:[\s,;:-]+(?:by|due|on|at|before|and|,))+\s*$", "", left.strip(), flags=re.IGNORECASE)
    return left.strip(" ,;:-")[:500]
