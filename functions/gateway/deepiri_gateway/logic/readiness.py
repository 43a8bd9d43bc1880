"""Readiness: the service is ready when every table, queue and the bus it depends on answers.

Anyone may ask (``/health/ready``) and learns only up or down per kind of dependency: table names,
queue URLs and the probes' error messages describe the infrastructure, so they go to the log and to
admins (``/api/admin/readiness``), who also see each dead-letter queue's depth: a message there is an
event nobody handled.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

from deepiri_common.observability import logger
from deepiri_common.problems import ServiceUnavailable
from deepiri_gateway.models.health import (
    AdminReadiness,
    DeadLetterDepth,
    DependencyCheck,
    DependencyDown,
    DependencyState,
    Kind,
    Readiness,
)

Probe = Callable[[Kind, str], None]
"""Raises ``DependencyDown`` when the named dependency cannot be reached."""
DepthProbe = Callable[[str], int]
"""A queue's depth by URL; raises ``DependencyDown`` when it cannot be read."""


def probe_all(probe: Probe, dependencies: Iterable[tuple[Kind, str]]) -> list[DependencyCheck]:
    """Probe every dependency once, in order; a dependency that is down is logged with its name and reason."""
    checks = [_check(probe, kind, name) for kind, name in dependencies]
    for check in checks:
        if not check.ok:
            logger.warning("dependency down", extra={"kind": check.kind, "dependency": check.name,
                                                     "reason": check.detail})
    return checks


def check_readiness(checks: list[DependencyCheck]) -> Readiness:
    """The open answer: ``Readiness`` with up / down per dependency, or 503 saying only how many are down."""
    states = [DependencyState(kind=c.kind, status="up" if c.ok else "down") for c in checks]
    down = sum(not c.ok for c in checks)
    if down:
        raise ServiceUnavailable(f"{down} of {len(checks)} dependencies are down",
                                 dependencies=[s.model_dump() for s in states])
    return Readiness(dependencies=states)


def _check(probe: Probe, kind: Kind, name: str) -> DependencyCheck:
    try:
        probe(kind, name)
    except DependencyDown as error:
        return DependencyCheck(name=name, kind=kind, ok=False, detail=str(error))
    return DependencyCheck(name=name, kind=kind, ok=True)


def admin_readiness(checks: list[DependencyCheck], depth: DepthProbe,
                    dead_letter_queues: Iterable[str]) -> AdminReadiness:
    """Every check by name with the depth of every dead-letter queue (None with the reason when one
    cannot be read); 503 naming each dependency that is down."""
    down = [check for check in checks if not check.ok]
    if down:
        names = ", ".join(f"{check.kind} {check.name}" for check in down)
        raise ServiceUnavailable(f"unreachable: {names}", checks=[c.model_dump() for c in checks])
    depths = []
    for url in dead_letter_queues:
        # Only the last part is kept: splitting at every "/" or at the last two is equivalent.
        name = url.rstrip("/").rsplit("/", 1)[-1]
        try:
            depths.append(DeadLetterDepth(queue=name, depth=depth(url)))
        except DependencyDown as error:
            depths.append(DeadLetterDepth(queue=name, depth=None, detail=str(error)))
    return AdminReadiness(checks=checks, deadLetters=depths)
