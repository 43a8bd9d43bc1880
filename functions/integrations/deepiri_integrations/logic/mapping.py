"""How a provider's item becomes what the tasks service imports, and whether the user chose to import it.

Pure: GitHub's issue JSON (``GET /issues``, the ``issues`` webhook's ``issue``) in, an ``ImportedItem``
out (Trello's cards and Notion's pages: logic/trello.py and logic/notion.py, with the cleaning here).
Titles and descriptions are cleaned of control and hidden characters (the tasks service refuses them) and
cut to its limits; labels become lower-case tags, at most 20.
"""

from __future__ import annotations

import json
import re
from typing import Any

from pydantic import ValidationError

from deepiri_common.clock import parse_iso
from deepiri_integrations.models.connections import ImportedItem, IntegrationSources
from deepiri_integrations.models.events import IntegrationItemImported

_HIDDEN = "\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u2069\ufeff"
_NOT_IN_TITLE = re.compile(f"[\x00-\x1f\x7f-\x9f{_HIDDEN}]+")
_NOT_IN_TEXT = re.compile(f"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f{_HIDDEN}]+")
MAX_TAGS, MAX_TAG_LENGTH, MAX_DESCRIPTION = 20, 50, 20_000
_REPOSITORY_URL = re.compile(r"/repos/([^/]+/[^/]+)$")


def github_issue(raw: dict[str, Any]) -> ImportedItem | None:
    """The item of one GitHub issue or pull request; None when the JSON lacks what identifies it."""
    repository = _repository(raw)
    number, updated = raw.get("number"), raw.get("updated_at")
    if repository is None or not isinstance(number, int) or not isinstance(updated, str):
        return None
    ref = f"{repository}#{number}"
    title = " ".join(_NOT_IN_TITLE.sub(" ", str(raw.get("title") or "")).split())[:500] or ref
    milestone = raw.get("milestone") if isinstance(raw.get("milestone"), dict) else {}
    try:
        return ImportedItem(
            externalRef=ref, title=title,
            description=_NOT_IN_TEXT.sub("", str(raw.get("body") or ""))[:MAX_DESCRIPTION] or None,
            dueAt=parse_iso(milestone["due_on"]) if milestone and milestone.get("due_on") else None,
            status="done" if raw.get("state") == "closed" else "todo",
            url=raw.get("html_url") if isinstance(raw.get("html_url"), str) else None,
            tags=_tags(raw.get("labels")), updatedAt=parse_iso(updated), repository=repository,
            assignees=[a["login"] for a in raw.get("assignees") or [] if isinstance(a, dict)
                       and isinstance(a.get("login"), str)],
            pullRequest="pull_request" in raw)
    except (ValidationError, ValueError, KeyError):
        return None


def clean_title(value: Any) -> str:
    """One line of visible text, at most 500 characters."""
    return " ".join(_NOT_IN_TITLE.sub(" ", str(value or "")).split())[:500]


def clean_description(value: Any) -> str | None:
    return _NOT_IN_TEXT.sub("", str(value or ""))[:MAX_DESCRIPTION] or None


def tags(labels: Any) -> list[str]:
    """Label names (or ``{"name": ...}`` objects) as lower-case tags, each once, at most 20."""
    return _tags(labels)


def json_object(body: bytes) -> dict[str, Any]:
    """A webhook's body as a JSON object; empty for anything else (the signature was checked before)."""
    try:
        parsed = json.loads(body)
    except ValueError:
        return {}
    return parsed if isinstance(parsed, dict) else {}


def object_at(raw: dict[str, Any], key: str) -> dict[str, Any]:
    """``raw[key]`` when it is a JSON object; empty otherwise."""
    value = raw.get(key)
    return value if isinstance(value, dict) else {}


def _repository(raw: dict[str, Any]) -> str | None:
    repository = raw.get("repository")
    if isinstance(repository, dict) and isinstance(repository.get("full_name"), str):
        return str(repository["full_name"])
    # Without a repository_url, "" and any other fallback without "/repos/" match nothing (mutants equivalent).
    found = _REPOSITORY_URL.search(str(raw.get("repository_url") or ""))
    return found.group(1) if found else None


def _tags(labels: Any) -> list[str]:
    tags: list[str] = []
    for label in labels if isinstance(labels, list) else []:
        name = label.get("name") if isinstance(label, dict) else label
        tag = " ".join(_NOT_IN_TITLE.sub(" ", str(name or "")).split()).lower()[:MAX_TAG_LENGTH]
        if tag and tag not in tags:
            tags.append(tag)
    return tags[:MAX_TAGS]


def wanted(item: ImportedItem, sources: IntegrationSources) -> bool:
    """Whether the user's chosen sources include ``item`` (empty lists: everything)."""
    if item.pullRequest and not sources.pullRequests:
        return False
    if sources.repositories and item.repository.lower() not in {r.lower() for r in sources.repositories}:
        return False
    return not sources.labels or bool({label.lower() for label in sources.labels} & set(item.tags))


def imported_event_data(user_id: str, provider: str, item: ImportedItem) -> IntegrationItemImported:
    return IntegrationItemImported(userId=user_id, provider=provider,
                                   externalRef=item.externalRef, title=item.title, description=item.description,
                                   dueAt=item.dueAt, status=item.status, url=item.url, tags=item.tags)
