"""The task status machine.

``todo → in_progress → review → done``; any open state (todo, in_progress, review, blocked) may go to
``blocked`` or ``cancelled``; ``blocked`` returns to ``todo`` or ``in_progress``. A done (or cancelled)
task leaves its state only through ``POST /reopen``, which brings it back to ``todo``. An illegal move
is a 409 naming the allowed ones. Before anything becomes done, a :class:`BlockerCheck` (the
dependencies part of the service) may name open blockers, which also refuses with 409.
"""

from __future__ import annotations

from typing import Protocol

from deepiri_common.problems import Conflict

OPEN_STATUSES = ("todo", "in_progress", "review", "blocked")
REOPENABLE = ("done", "cancelled")

# done and cancelled move on only by reopening; their empty rows say so, though a status missing from the
# table reads as () all the same (dropping either row is equivalent).
_FORWARD: dict[str, tuple[str, ...]] = {
    "todo": ("in_progress",),
    "in_progress": ("review",),
    "review": ("done",),
    "blocked": ("todo", "in_progress"),
    "done": (),
    "cancelled": (),
}


class BlockerCheck(Protocol):
    """What the status machine asks before a task may become done."""

    def open_blockers(self, task_id: str) -> list[str]:
        """Ids of unfinished tasks that ``task_id`` waits for."""
        ...


class NoBlockers:
    """The default :class:`BlockerCheck`: nothing ever blocks."""

    def open_blockers(self, task_id: str) -> list[str]:
        return []


def allowed_transitions(status: str) -> list[str]:
    """The statuses a task in ``status`` may move to with a status change (reopen excluded)."""
    allowed = list(_FORWARD.get(status, ()))
    if status in OPEN_STATUSES:
        allowed += [target for target in ("blocked", "cancelled") if target != status]
    return allowed


def check_transition(current: str, target: str) -> None:
    """Raise ``Conflict`` naming the allowed statuses unless ``current → target`` is legal."""
    allowed = allowed_transitions(current)
    if target in allowed:
        return
    hint = ", ".join(allowed) if allowed else "none (reopen it first)" if current in REOPENABLE else "none"
    raise Conflict(
        f"a {current} task cannot become {target}; allowed: {hint}",
        currentStatus=current, allowedStatuses=allowed,
    )


def check_no_open_blockers(blockers: BlockerCheck, task_id: str) -> None:
    """Raise ``Conflict`` naming the tasks that still block ``task_id`` from becoming done."""
    open_ids = blockers.open_blockers(task_id)
    if open_ids:
        raise Conflict(f"blocked by open tasks: {', '.join(open_ids)}", openBlockers=open_ids)


def check_reopen(current: str) -> None:
    """Only a done (or cancelled) task can be reopened."""
    if current not in REOPENABLE:
        raise Conflict(f"only a done or cancelled task can be reopened; this one is {current}",
                       currentStatus=current)
