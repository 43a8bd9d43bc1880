"""Readiness: the service is ready when every table, queue and the bus it depends on answers."""

from __future__ import annotations

from collections.abc import Callable, Iterable

from deepiri_common.problems import ServiceUnavailable
from deepiri_gateway.models.health import DependencyCheck, DependencyDown, Kind, Readiness

Probe = Callable[[Kind, str], None]
"""Raises ``DependencyDown`` when the named dependency cannot be reached."""


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
