"""Trello: cards in, completions out, and Trello's webhooks.

- Mapping: a card's ``name``, ``desc``, ``due``, ``labels`` (their names, or their colours when unnamed) →
  tags, ``url`` → the link back; it is done when its due date is ticked complete (``dueComplete``) or it sits
  in the list the user named as done. ``dateLastActivity`` is its version (last writer by that timestamp).
- Sync: the chosen boards (none chosen: every open board), only cards in the chosen lists when some are;
  cards whose ``dateLastActivity`` is at or after the connection's cursor are offered for import, and an
  import is recorded once per version, so nothing is imported twice. The sync also remembers who reads each
  board, since Trello's webhooks name the board and not the user.
- Webhooks: ``X-Trello-Webhook`` is ``base64(HMAC-SHA1(app secret, raw body + callback URL))``, compared in
  constant time; the action's id is the delivery id (a replay is ignored); the answer is immediate, the
  card is read back by the consumer (IntegrationChangeNotified queued through the outbox).
- Write-back: completing an imported task ticks the card's due date complete and moves it to the done
  list when the user named one; skipped when the card changed at Trello after the completion (Trello was
  the last writer). Trello's timestamp of that change is recorded, so the sync reading it back imports
  nothing: no loop.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
from datetime import datetime
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
    WebhookReceipt,
)
from deepiri_integrations.models.events import SERVICE, IntegrationChangeNotified

_ID = frozenset("0123456789abcdef")


def _is_id(value: Any) -> bool:
    return isinstance(value, str) and len(value) == 24 and set(value) <= _ID


def _when(value: Any) -> datetime | None:
    try:
        return parse_iso(value) if isinstance(value, str) and value else None
    except ValueError:
        return None


# ---------------------------------------------------------------- mapping (pure)
def card_item(raw: dict[str, Any], done_list: str | None = None) -> ImportedItem | None:
    """The item of one Trello card; None when the JSON lacks its id or its last activity."""
    card_id, updated = raw.get("id"), _when(raw.get("dateLastActivity"))
    if not _is_id(card_id) or updated is None:
        return None
    labels = [label.get("name") or label.get("color") for label in raw.get("labels") or [] if isinstance(label, dict)]
    done = raw.get("dueComplete") is True or (done_list is not None and raw.get("idList") == done_list)
    try:
        return ImportedItem(externalRef=str(card_id), title=mapping.clean_title(raw.get("name")) or str(card_id),
                            description=mapping.clean_description(raw.get("desc")), dueAt=_when(raw.get("due")),
                            status="done" if done else "todo",
                            url=raw["url"] if isinstance(raw.get("url"), str) else None,
                            tags=mapping.tags(labels), updatedAt=updated, repository=str(raw.get("idBoard") or ""),
                            assignees=[], pullRequest=False)
    except ValidationError:
        return None


def in_sources(raw: dict[str, Any], sources: IntegrationSources) -> bool:
    """Whether the card is on a chosen board and in a chosen list (empty choices: any)."""
    if sources.boards and raw.get("idBoard") not in sources.boards:
        return False
    return not sources.lists or raw.get("idList") in sources.lists


# ---------------------------------------------------------------- sync
def fetch(ctx: Integrations, connection: StoredConnection, access: str) -> Fetched:
    """The cards changed since the connection's cursor on the chosen boards."""
    sources = connection.sources
    boards = sources.boards or ctx.trello.boards(access)
    items: list[ImportedItem] = []
    unreadable = 0
    for board in boards:
        ctx.provider_state.watch("trello", board, connection.userId)
        for raw in ctx.trello.cards(access, board):
            if not in_sources({**raw, "idBoard": raw.get("idBoard") or board}, sources):
                continue
            item = card_item(raw, sources.doneList)
            if item is None:
                unreadable += 1
            elif connection.since is None or item.updatedAt >= connection.since:
                items.append(item)
    items.sort(key=lambda item: item.updatedAt)
    return Fetched(items=items, unreadable=unreadable)


def read_card(ctx: Integrations, connection: StoredConnection, access: str, ref: str) -> ImportedItem | None:
    """The card ``ref`` as it is now, when it is in the user's chosen sources."""
    raw = ctx.trello.card(access, ref)
    if not in_sources(raw, connection.sources):
        return None
    return card_item(raw, connection.sources.doneList)


# ---------------------------------------------------------------- webhooks
def signature(secret: str, body: bytes, callback_url: str) -> str:
    """``X-Trello-Webhook``: base64 of the HMAC-SHA1 of the raw body followed by the callback URL."""
    return base64.b64encode(hmac.new(secret.encode(), body + callback_url.encode(), hashlib.sha1).digest()).decode()


def verify(secret: str, body: bytes, callback_url: str, given: str | None) -> None:
    """Unauthorized unless ``given`` is the delivery's signature for ``callback_url`` (constant-time)."""
    if not secret or not given or not hmac.compare_digest(signature(secret, body, callback_url), given):
        raise Unauthorized("the webhook signature does not match")


def delivery(ctx: Integrations, body: bytes, *, given: str | None, callback_url: str,
             now: datetime) -> WebhookReceipt:
    """Verify, then queue a read of the card for every user importing its board; a replay queues nothing."""
    verify(ctx.secrets.trelloApiSecret, body, callback_url, given)
    action = mapping.object_at(mapping.json_object(body), "action")
    data = mapping.object_at(action, "data")
    card_id, board_id = mapping.object_at(data, "card").get("id"), mapping.object_at(data, "board").get("id")
    if not _is_id(action.get("id")):
        return WebhookReceipt(outcome="ignored", items=0)  # nothing to remember it by; nothing to do either
    users = ctx.provider_state.watchers("trello", str(board_id)) if _is_id(card_id) and _is_id(board_id) else []
    events = [DomainEvent.new(SERVICE, "IntegrationChangeNotified",
                              IntegrationChangeNotified(userId=user, provider="trello", ref=str(card_id)), actor=user)
              for user in users]
    if not ctx.provider_state.claim_delivery("trello", str(action["id"]), events, now):
        return WebhookReceipt(outcome="duplicate", items=0)
    return WebhookReceipt(outcome="queued" if events else "ignored", items=len(events))


# ---------------------------------------------------------------- write-back
def write_back(ctx: Integrations, connection: StoredConnection, access: str, ref: str,
               completed_at: datetime) -> str:
    """``closed``, or ``superseded`` when the card changed at Trello after the task was completed."""
    current = ctx.trello.card(access, ref)
    changed = _when(current.get("dateLastActivity"))
    if changed is not None and changed > completed_at:
        return "superseded"
    done = ctx.trello.complete_card(access, ref, connection.sources.doneList)
    ctx.provider_state.record_echo(connection.userId, "trello", ref, _when(done.get("dateLastActivity")))
    return "closed"
