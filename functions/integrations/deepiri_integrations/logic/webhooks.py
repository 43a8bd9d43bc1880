"""Inbound webhooks, verified by the provider's own scheme on the raw body before anything reads it.

GitHub signs each delivery with ``X-Hub-Signature-256: sha256=<hex HMAC-SHA256 of the raw body with the
webhook secret>``; the comparison is constant-time, and a missing or wrong signature is refused (401)
and never processed. Each delivery id (``X-GitHub-Delivery``) is remembered for a week: a replay is
acknowledged and ignored. An ``issues`` delivery imports the issue for each assignee who connected
GitHub (their chosen sources apply), through the same once-per-version record as the sync, so a
webhook and a sync never import one change twice. The answer is immediate: the imports go out through
the outbox, and no provider is called.
"""

from __future__ import annotations

import hashlib
import hmac
from datetime import datetime
from typing import Any

from deepiri_common.problems import Unauthorized
from deepiri_integrations.logic import mapping
from deepiri_integrations.logic.connections import Integrations
from deepiri_integrations.logic.sync import publish
from deepiri_integrations.models.connections import WebhookReceipt


def github_signature(secret: str, body: bytes) -> str:
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def verify_github(secret: str, body: bytes, signature: str | None) -> None:
    """Unauthorized unless ``signature`` is the body's HMAC-SHA256 under ``secret`` (constant-time)."""
    if not secret or not signature or not hmac.compare_digest(github_signature(secret, body), signature):
        raise Unauthorized("the webhook signature does not match")


def github_delivery(ctx: Integrations, body: bytes, *, signature: str | None, delivery: str | None,
                    event_name: str | None, now: datetime) -> WebhookReceipt:
    verify_github(ctx.secrets.githubWebhookSecret, body, signature)
    if not delivery:
        raise Unauthorized("a signed delivery carries X-GitHub-Delivery")
    if ctx.repository.delivery_seen("github", delivery):
        return WebhookReceipt(outcome="duplicate", items=0)
    payload = mapping.json_object(body)
    # An event we do not handle reads no key of the payload (not even ""). No event is named "" nor "XXXX":
    # neither is a key of _ISSUE_KEY, so that mutant is equivalent.
    key = _ISSUE_KEY.get(event_name or "")
    # The key is None for such an event, and a JSON object has no None key: reading it anyway is equivalent.
    raw = payload.get(key) if key else None
    queued = 0
    if isinstance(raw, dict):
        if event_name == "pull_request":
            raw = {**raw, "pull_request": {}, "repository": payload.get("repository")}
        elif "repository" not in raw and isinstance(payload.get("repository"), dict):
            raw = {**raw, "repository": payload["repository"]}
        queued = _import(ctx, raw)
    # Remembered after the imports: a delivery that failed half-way is redelivered and finished (the
    # imports are once per version), and one that succeeded is never done twice.
    ctx.repository.remember_delivery("github", delivery, now)
    return WebhookReceipt(outcome="queued" if queued else "ignored", items=queued)


_ISSUE_KEY = {"issues": "issue", "pull_request": "pull_request"}


def _import(ctx: Integrations, raw: dict[str, Any]) -> int:
    item = mapping.github_issue(raw)
    if item is None:
        return 0
    queued = 0
    for login in item.assignees:
        user_id = ctx.repository.account_user("github", login)
        connection = ctx.repository.connection(user_id, "github") if user_id else None
        if connection is None or not mapping.wanted(item, connection.sources):
            continue
        queued += publish(ctx, connection.userId, "github", item)
    return queued
