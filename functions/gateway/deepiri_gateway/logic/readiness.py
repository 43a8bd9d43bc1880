"""Readiness: the service is ready when every table, queue and the bus it depends on answers.

Admins also see each dead-letter queue's depth: a message there is an event nobody handled.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

from deepiri_common.problems import ServiceUnavailable
from deepiri_gateway.models.health import (
    AdminReadiness,
    DeadLetterDepth,
    DependencyCheck,
    DependencyDown,
    Kind,
    Readiness,
)

Probe = Callable[[Kind, str], None]
"""Raises ``DependencyDown`` when the named dependency cannot be reached."""
DepthProbe = Callable[[str], int]
"""A queue's depth by URL; raises ``DependencyDown`` when it cannot be read."""


def check_readiness(probe: Probe, dependencies: Iterable[tuple[Kind, str]]) -> Readiness:
    """Probe every dependency; answer ``Readiness`` or raise 503 naming each one that is down."""
    checks = [_check(probe, kind, name) for kind, name in dependencies]
    down = [check for check in checks if not check.ok]
    if down:
        names = ", ".join(f"{check.kind} {check.name}" for check in down)
        raise ServiceUnavailable(f"unreachable: {names}", checks=[c.model_dump() for c in checks])
    return Readiness(checks=checks)


def _check(probe: Probe, kind: Kind, name: str) -> DependencyCheck:
    try:
        probe(kind, name)
    except DependencyDown as error:
        return DependencyCheck(name=name, kind=kind, ok=False, detail=str(error))
    return DependencyCheck(name=name, kind=kind, ok=True)


def admin_readiness(ready: Readiness, depth: DepthProbe, dead_letter_queues: Iterable[str]) -> AdminReadiness:
    """``ready`` with the depth of every dead-letter queue (None with the reason when one cannot be read)."""
    depths = []
    for url in dead_letter_queues:
        name = url.rstrip("/").rsplit("/", 1)[-1]
        try:
            depths.append(DeadLetterDepth(queue=name, depth=depth(url)))
        except DependencyDown as error:
            depths.append(DeadLetterDepth(queue=name, depth=None, detail=str(error)))
    return AdminReadiness(checks=ready.checks, deadLetters=depths)
