"""The status machine's refusals as a client reads them: the 409's message, hint and fields."""

from __future__ import annotations

import pytest

from deepiri_common.problems import Conflict
from deepiri_tasks.logic.status import (
    OPEN_STATUSES,
    REOPENABLE,
    NoBlockers,
    check_no_open_blockers,
    check_reopen,
    check_transition,
)
from tests.unit.tasks.fakes import Blockers


def test_given_the_status_sets_then_open_and_reopenable_split_every_status() -> None:
    assert set(OPEN_STATUSES) == {"todo", "in_progress", "review", "blocked"}
    assert set(REOPENABLE) == {"done", "cancelled"}


@pytest.mark.parametrize(("current", "target", "detail", "allowed"), [
    ("todo", "done", "a todo task cannot become done; allowed: in_progress, blocked, cancelled",
     ["in_progress", "blocked", "cancelled"]),
    ("blocked", "review", "a blocked task cannot become review; allowed: todo, in_progress, cancelled",
     ["todo", "in_progress", "cancelled"]),
    ("done", "in_progress", "a done task cannot become in_progress; allowed: none (reopen it first)", []),
    ("cancelled", "todo", "a cancelled task cannot become todo; allowed: none (reopen it first)", []),
    ("archived", "todo", "a archived task cannot become todo; allowed: none", []),
])
def test_given_an_illegal_move_then_409_says_what_is_allowed_and_carries_the_current_status(
    current: str, target: str, detail: str, allowed: list[str]
) -> None:
    with pytest.raises(Conflict) as refused:
        check_transition(current, target)

    assert refused.value.detail == detail
    assert refused.value.extensions == {"currentStatus": current, "allowedStatuses": allowed}


@pytest.mark.parametrize("status", ["done", "cancelled"])
def test_given_a_closed_task_when_reopened_then_it_is_allowed(status: str) -> None:
    check_reopen(status)


@pytest.mark.parametrize("status", ["todo", "in_progress", "review", "blocked"])
def test_given_an_open_task_when_reopened_then_409_carries_its_status(status: str) -> None:
    with pytest.raises(Conflict) as refused:
        check_reopen(status)

    assert refused.value.extensions == {"currentStatus": status}
    assert refused.value.detail == f"only a done or cancelled task can be reopened; this one is {status}"


def test_given_open_blockers_of_the_asked_task_then_409_lists_them_in_message_and_field() -> None:
    blockers = Blockers({"T1": ["A", "B"], "T2": ["C"]})

    with pytest.raises(Conflict) as refused:
        check_no_open_blockers(blockers, "T1")

    assert refused.value.detail == "blocked by open tasks: A, B"
    assert refused.value.extensions == {"openBlockers": ["A", "B"]}
    # A task nobody blocks passes, whatever other tasks wait for
    check_no_open_blockers(blockers, "T3")
    check_no_open_blockers(NoBlockers(), "T1")
