"""One sync run of one connection: what changed at the provider since the last run (GitHub: the items
assigned to the user, with ``since`` and the ETag of the last answer, so an unchanged account costs one
304; Trello: cards whose ``dateLastActivity`` is at or after the cursor; Notion: pages by
``last_edited_time``; Google Calendar: :mod:`logic.calendar_sync`), each new or changed item published as
IntegrationItemImported once, and IntegrationSynced for the run.

Nothing is lost when a run stops early: the cursor moves only past what was recorded. A 429 (or GitHub's
secondary limit, a 403 with ``Retry-After`` or no requests left) delays this connection until then;
transient failures are retried within the run (:mod:`logic.backoff`), and a run whose last attempt failed
counts towards the provider's circuit breaker, which, open, delays every connection of that provider.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from deepiri_common.events import DomainEvent
from deepiri_common.observability import logger
from deepiri_integrations.dal.http import RateLimited, Refused, Unavailable
from deepiri_integrations.logic import backoff, breaker, calendar_sync, mapping, notion, trello
from deepiri_integrations.logic.connections import NAMES, Integrations, fresh_access, own
from deepiri_integrations.logic.fetched import Fetched
from deepiri_integrations.models.connections import (
    FetchedChanges,
    ImportedItem,
    IntegrationSync,
    Provider,
    StoredConnection,
)
from deepiri_integrations.models.events import SERVICE, IntegrationSynced


def sync_user(ctx: Integrations, user_id: str, provider: Provider, now: datetime) -> IntegrationSync:
    return sync(ctx, own(ctx, user_id, provider), now)


def sync(ctx: Integrations, connection: StoredConnection, now: datetime) -> IntegrationSync:
    provider = connection.provider
    if connection.retryAfter is not None and now < connection.retryAfter:
        return IntegrationSync(provider=provider, outcome=_waiting(connection), imported=0, skipped=0,
                          retryAfter=connection.retryAfter)
    failures, open_until = ctx.repository.breaker(provider)
    name = NAMES.get(provider, provider)  # every Provider is named: the default's mutants are equivalent
    if breaker.is_open(open_until, now):
        _stopped(ctx, connection, now, status="unavailable", retry_after=open_until,
                 message=f"{name} is unavailable; the sync resumes by itself")
        return IntegrationSync(provider=provider, outcome="unavailable", imported=0, skipped=0, retryAfter=open_until)
    try:
        connection, access = fresh_access(ctx, connection, now)
        fetched = _fetch(ctx, connection, access, now)
    except RateLimited as limited:
        until = now + timedelta(seconds=limited.retry_after)
        _stopped(ctx, connection, now, status="rateLimited", retry_after=until,
                 message=f"{name}'s rate limit was reached; the sync resumes by itself")
        return IntegrationSync(provider=provider, outcome="rateLimited", imported=0, skipped=0, retryAfter=until)
    except Unavailable:
        failures, open_until = breaker.after_failure(failures, now, ctx.breaker_seconds)
        ctx.repository.save_breaker(provider, failures, open_until)
        _stopped(ctx, connection, now, status="unavailable", retry_after=open_until,
                 message=f"{name} did not answer; the next sync tries again")
        return IntegrationSync(provider=provider, outcome="unavailable", imported=0, skipped=0, retryAfter=open_until)
    except Refused as refused:
        message = (f"{name} no longer accepts this connection; disconnect and connect again"
                   if refused.status in (401, 403) else f"{name} refused the sync ({refused.status})")
        _stopped(ctx, connection, now, status="error", retry_after=None, message=message)
        return IntegrationSync(provider=provider, outcome="failed", imported=0, skipped=0)
    if failures:
        ctx.repository.save_breaker(provider, 0, None)
    imported, skipped = 0, 0
    for item in fetched.items:
        if item is not None and mapping.wanted(item, connection.sources) and publish(
                ctx, connection.userId, provider, item):
            imported += 1
        else:
            skipped += 1
    outcome = "unchanged" if fetched.notModified else "synced"
    event = _synced(connection, outcome, imported, skipped, now)
    ctx.repository.save(connection.model_copy(update={
        **fetched.cursor, "lastSyncAt": now, "status": "connected", "lastError": None,
        "retryAfter": None}), [event])
    logger.info("synced", extra={"provider": provider, "userId": connection.userId, "imported": imported,
                                 "skipped": skipped, "outcome": outcome})
    return IntegrationSync(provider=provider, outcome=outcome, imported=imported, skipped=skipped)


def _fetch(ctx: Integrations, connection: StoredConnection, access: str, now: datetime) -> FetchedChanges:
    """What changed at the provider since the connection's cursor (transient failures retried with backoff)."""
    if connection.provider == "google":
        return calendar_sync.fetch(ctx, connection, access, now)
    read = _READ[connection.provider]
    fetched = backoff.retrying(ctx.retry, lambda: read(ctx, connection, access))
    newest = max([item.updatedAt for item in fetched.items], default=None)
    # ``newest >= since`` picks the same instant when they are equal (equivalent).
    since = newest if connection.since is None or (newest is not None and newest > connection.since) \
        else connection.since
    return FetchedChanges(items=[*fetched.items, *([None] * fetched.unreadable)],
                          cursor={"since": since, "etag": fetched.etag}, notModified=fetched.not_modified)


def _github_items(ctx: Integrations, connection: StoredConnection, access: str) -> Fetched:
    page = ctx.github.assigned_issues(access, connection.since, connection.etag)
    items = [mapping.github_issue(raw) for raw in page.issues]
    found = [item for item in items if item is not None]
    return Fetched(items=found, unreadable=len(items) - len(found), etag=page.etag, not_modified=page.not_modified)


_READ = {"github": _github_items, "trello": trello.fetch, "notion": notion.fetch}


def publish(ctx: Integrations, user_id: str, provider: Provider, item: ImportedItem) -> bool:
    """Record ``item`` and queue its IntegrationItemImported, unless this version was imported already."""
    data = mapping.imported_event_data(user_id, provider, item)
    event = DomainEvent.new(SERVICE, "IntegrationItemImported", data, actor=user_id)
    return ctx.repository.record_import(user_id, provider, item, event)


def _waiting(connection: StoredConnection) -> str:
    return "rateLimited" if connection.status == "rateLimited" else "unavailable"


def _stopped(ctx: Integrations, connection: StoredConnection, now: datetime, *, status: str,
             retry_after: datetime | None, message: str) -> None:
    """Record why the run stopped (what the user reads in the list) and IntegrationSynced."""
    event = _synced(connection, status if status != "error" else "failed", 0, 0, now)
    ctx.repository.save(connection.model_copy(update={"status": status, "lastError": message,
                                                       "retryAfter": retry_after}), [event])


def _synced(connection: StoredConnection, outcome: str, imported: int, skipped: int, now: datetime) -> DomainEvent:
    return DomainEvent.new(SERVICE, "IntegrationSynced", IntegrationSynced(
        userId=connection.userId, provider=connection.provider, outcome=outcome, imported=imported,
        skipped=skipped, syncedAt=now), actor=connection.userId)


def sync_everyone(ctx: Integrations, provider: Provider, now: datetime) -> dict[str, int]:
    """The scheduled run: every connection of ``provider``, each on its own (one failing never stops the rest)."""
    outcomes: dict[str, int] = {}
    for user_id in ctx.repository.connected_users(provider):
        connection = ctx.repository.connection(user_id, provider)
        if connection is None:
            continue
        try:
            outcome = sync(ctx, connection, now).outcome
        except Exception:  # noqa: BLE001 - one connection's surprise must not stop everyone else's sync
            logger.exception("sync failed", extra={"provider": provider, "userId": user_id})
            outcome = "failed"
        outcomes[outcome] = outcomes.get(outcome, 0) + 1
    return outcomes
