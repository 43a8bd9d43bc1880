"""The scopes a third-party (OAuth) client may ask for, and how scope strings are read.

A scope string is space-separated (RFC 6749 §3.3). Every scope must be one of :data:`SCOPES`;
``offline_access`` asks for a refresh token and grants no API access by itself. Routes enforce scopes
with ``deepiri_common.identity.require_scope``; first-party tokens carry no scope and are not limited.
"""

from __future__ import annotations

from collections.abc import Iterable

from deepiri_users.logic.oauth_errors import InvalidScope

OFFLINE_ACCESS = "offline_access"

SCOPES: dict[str, str] = {
    "profile:read": "Read your profile",
    "profile:write": "Change your profile",
    "tasks:read": "Read your tasks and projects",
    "tasks:write": "Create and change your tasks and projects",
    "challenges:read": "Read your challenges",
    "gamification:read": "Read your XP, levels, badges and streaks",
    "analytics:read": "Read your productivity analytics",
    "notifications:read": "Read your notifications",
    "webhooks:manage": "Subscribe URLs to your events (outgoing webhooks), list their deliveries",
    OFFLINE_ACCESS: "Stay connected when you are away (refresh tokens)",
}

MAX_SCOPE_LENGTH = 1000


def parse_scope(text: str | None) -> frozenset[str]:
    """The scopes in a space-separated scope string; ``InvalidScope`` naming any unknown one."""
    if text is not None and len(text) > MAX_SCOPE_LENGTH:
        raise InvalidScope("scope is too long")
    requested = frozenset((text or "").split())
    return validate_scopes(requested)


def validate_scopes(scopes: Iterable[str]) -> frozenset[str]:
    """``scopes`` as a set, or ``InvalidScope`` naming the ones that are not in :data:`SCOPES`."""
    wanted = frozenset(scopes)
    unknown = sorted(wanted - SCOPES.keys())
    if unknown:
        raise InvalidScope(f"unknown scope(s): {' '.join(unknown)[:200]}")
    return wanted


def require_within(requested: frozenset[str], allowed: frozenset[str], what: str = "the client") -> None:
    """``InvalidScope`` unless every requested scope is among ``allowed``."""
    extra = sorted(requested - allowed)
    if extra:
        raise InvalidScope(f"scope(s) not allowed for {what}: {' '.join(extra)}")


def format_scope(scopes: Iterable[str]) -> str:
    """The canonical scope string: sorted, space-separated."""
    return " ".join(sorted(scopes))

