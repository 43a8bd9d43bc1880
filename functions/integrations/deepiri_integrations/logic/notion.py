"""Notion: database pages in, completions out, and Notion's webhooks.

- Mapping: the page's title property, its status (the ``status`` or ``select`` property the user named,
  ``Status`` unless they chose another; done when it is the option they named, ``Done`` unless chosen), its
  first ``date`` property → due (a date without a time is due at 00:00 UTC of that day), its first
  ``multi_select`` → tags, ``url`` → the link back. ``last_edited_time`` is its version (last writer by that
  timestamp; Notion rounds it to the minute).
- Sync: the chosen databases (none chosen: every database shared with the integration, found by search),
  pages with ``last_edited_time`` on or after the connection's cursor, paged by ``start_cursor``; an import
  is recorded once per version, so nothing is imported twice.
- Webhooks: the subscription's one-time verification request carries ``verification_token``; it is kept
  sealed by KMS (the first one only: a later request never replaces it). Every event after it carries
  ``X-Notion-Signature: sha256=<hex HMAC-SHA256(verification_token, raw body)>``, compared in constant time;
  the event id is the delivery id (a replay is ignored); the page is read back by the consumer
  (IntegrationChangeNotified queued through the outbox) for the user who connected that workspace.
- Write-back: completing an imported task sets the page's status property to the done option; skipped when
  the page was edited at Notion after the completion. Notion's timestamp of that edit is recorded, so the
  sync reading it back imports nothing: no loop.
"""

from __future__ import annotations

import hashlib
import hmac
from datetime import UTC, datetime
from typing import Any

from pydantic import ValidationError

from deepiri_common.clock import parse_iso
from deepiri_common.events import DomainEvent
from deepiri_common.problems import Unauthorized
from deepiri_integrations.logic import mapping
from deepiri_integrations.logic.connections import Integrations
from deepiri_integrations.logic.fetched import Fetched
from deepiri_integrations.models.connections import (
    ImportedItem,
    IntegrationSources,
    StoredConnection,
    Tokens,
    WebhookReceipt,
)
from deepiri_integrations.models.events import SERVICE, IntegrationChangeNotified

# The webhook key is sealed like a token, under an encryption context of its own.
KEY_OWNER = "webhook"
PAGE_EVENTS = frozenset({"page.created", "page.properties_updated", "page.content_updated", "page.undeleted",
                         "page.moved"})
STATUS_KINDS = ("status", "select")


def compact(notion_id: Any) -> str:
    """A Notion id without its dashes (Notion accepts and answers both forms)."""
    return str(notion_id or "").replace("-", "").lower()


def _when(value: Any) -> datetime | None:
    if not isinstance(value, str) or not value:
        return None
    try:
        if len(value) == 10:  # a date without a time
            return datetime.fromisoformat(value).replace(tzinfo=UTC)
        return parse_iso(value)
    except ValueError:
        return None


def _first(properties: dict[str, Any], kind: str) -> Any:
    for prop in properties.values():
        if isinstance(prop, dict) and prop.get("type") == kind and prop.get(kind) is not None:
            return prop[kind]
    return None


# ---------------------------------------------------------------- mapping (pure)
def status_of(properties: dict[str, Any], sources: IntegrationSources) -> tuple[str | None, str | None]:
    """The kind (``status`` or ``select``) of the user's status property and its option's name."""
    prop = properties.get(sources.statusProperty)
    if not isinstance(prop, dict) or prop.get("type") not in STATUS_KINDS:
        return None, None
    kind = str(prop["type"])
    value = prop.get(kind)
    return kind, (str(value["name"]) if isinstance(value, dict) and value.get("name") else None)


def page_item(raw: dict[str, Any], sources: IntegrationSources) -> ImportedItem | None:
    """The item of one database page; None when the JSON lacks its id or its last edit."""
    page_id, updated = raw.get("id"), _when(raw.get("last_edited_time"))
    properties = mapping.object_at(raw, "properties")
    if not isinstance(page_id, str) or not page_id or updated is None:
        return None
    title = "".join(str(part.get("plain_text") or "") for part in _first(properties, "title") or []
                    if isinstance(part, dict))
    _, status = status_of(properties, sources)
    date = _first(properties, "date")
    tags = [option.get("name") for option in _first(properties, "multi_select") or [] if isinstance(option, dict)]
    parent = mapping.object_at(raw, "parent")
    try:
        return ImportedItem(
            externalRef=page_id, title=mapping.clean_title(title) or page_id, description=None,
            dueAt=_when(date.get("start")) if isinstance(date, dict) else None,
            status="done" if status is not None and status.lower() == sources.doneStatus.lower() else "todo",
            url=raw["url"] if isinstance(raw.get("url"), str) else None, tags=mapping.tags(tags),
            updatedAt=updated, repository=str(parent.get("database_id") or ""), assignees=[], pullRequest=False)
    except ValidationError:
        return None


def in_sources(raw: dict[str, Any], sources: IntegrationSources) -> bool:
    """Whether the page belongs to a chosen database (none chosen: any database)."""
    parent = mapping.object_at(raw, "parent")
    if parent.get("type") != "database_id":
        return False
    return not sources.databases or compact(parent.get("database_id")) in {compact(d) for d in sources.databases}


# ---------------------------------------------------------------- sync
def fetch(ctx: Integrations, connection: StoredConnection, access: str) -> Fetched:
    """The pages edited since the connection's cursor in the chosen databases, oldest edit first."""
    databases = connection.sources.databases or ctx.notion.databases(access)
    items: list[ImportedItem] = []
    unreadable = 0
    for database in databases:
        for raw in ctx.notion.changed_pages(access, database, connection.since).pages:
            item = page_item(raw, connection.sources)
            if item is None:
                unreadable += 1
            else:
                items.append(item)
    items.sort(key=lambda item: item.updatedAt)
    return Fetched(items=items, unreadable=unreadable)


def read_page(ctx: Integrations, connection: StoredConnection, access: str, ref: str) -> ImportedItem | None:
    """The page ``ref`` as it is now, when it is in one of the user's chosen databases."""
    raw = ctx.notion.page(access, ref)
    return page_item(raw, connection.sources) if in_sources(raw, connection.sources) else None


# ---------------------------------------------------------------- webhooks
def signature(key: str, body: bytes) -> str:
    """``X-Notion-Signature``: ``sha256=`` and the hex HMAC-SHA256 of the raw body under the verification token."""
    return "sha256=" + hmac.new(key.encode(), body, hashlib.sha256).hexdigest()


def verify(key: str, body: bytes, given: str | None) -> None:
    """Unauthorized unless ``given`` is the body's signature under ``key`` (constant-time)."""
    if not key or not given or not hmac.compare_digest(signature(key, body), given):
        raise Unauthorized("the webhook signature does not match")


def delivery(ctx: Integrations, body: bytes, *, given: str | None, now: datetime) -> WebhookReceipt:
    """The verification request (its token kept sealed), or a verified event whose page is queued for a read."""
    payload = mapping.json_object(body)
    token = payload.get("verification_token")
    if given is None and set(payload) == {"verification_token"} and isinstance(token, str) and 0 < len(token) <= 200:
        sealed = ctx.vault.seal(Tokens(accessToken=token), KEY_OWNER, "notion")
        kept = ctx.provider_state.keep_webhook_key("notion", sealed)
        return WebhookReceipt(outcome="verification" if kept else "ignored", items=0)
    sealed_key = ctx.provider_state.webhook_key("notion")
    key = ctx.vault.open(sealed_key, KEY_OWNER, "notion").accessToken if sealed_key else ""
    verify(key, body, given)
    event_id, entity = payload.get("id"), payload.get("entity")
    if not isinstance(event_id, str) or not 0 < len(event_id) <= 100:
        return WebhookReceipt(outcome="ignored", items=0)
    page = entity.get("id") if isinstance(entity, dict) and entity.get("type") == "page" else None
    user = ctx.repository.account_user("notion", str(payload.get("workspace_id") or ""))
    events = []
    if user and isinstance(page, str) and 0 < len(page) <= 100 and payload.get("type") in PAGE_EVENTS:
        events.append(DomainEvent.new(SERVICE, "IntegrationChangeNotified",
                                      IntegrationChangeNotified(userId=user, provider="notion", ref=page), actor=user))
    if not ctx.provider_state.claim_delivery("notion", event_id, events, now):
        return WebhookReceipt(outcome="duplicate", items=0)
    return WebhookReceipt(outcome="queued" if events else "ignored", items=len(events))


# ---------------------------------------------------------------- write-back
def write_back(ctx: Integrations, connection: StoredConnection, access: str, ref: str,
               completed_at: datetime) -> str:
    """``closed``; ``superseded`` when the page was edited at Notion after the completion; ``skipped`` when
    the page has no status property of the name the user chose."""
    current = ctx.notion.page(access, ref)
    edited = _when(current.get("last_edited_time"))
    if edited is not None and edited > completed_at:
        return "superseded"
    properties = mapping.object_at(current, "properties")
    kind, _ = status_of(properties, connection.sources)
    if kind is None:
        return "skipped"
    sources = connection.sources
    done = ctx.notion.set_status(access, ref, sources.statusProperty, kind, sources.doneStatus)
    ctx.provider_state.record_echo(connection.userId, "notion", ref, _when(done.get("last_edited_time")))
    return "closed"
