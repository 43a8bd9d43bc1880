"""Project use cases that refuse, with the exact detail a client reads."""

from __future__ import annotations

import pytest

from deepiri_common.problems import Forbidden, NotFound
from deepiri_tasks.logic import projects as p
from tests.unit.tasks_projects.fakes import launch_project


@pytest.mark.parametrize("archived", [True, False])
def test_given_a_member_archiving_or_unarchiving_then_403_names_the_role_and_the_action(archived: bool) -> None:
    store, repo = launch_project(mia="member", vic="viewer")

    for user, role in (("mia", "member"), ("vic", "viewer")):
        with pytest.raises(Forbidden) as refused:
            p.set_archived(repo, user, "P1", archived)
        assert refused.value.detail == f"your role ({role}) may not archive the project"
    assert store.projects["P1"].archived is False and store.events == []


def test_given_a_project_gone_between_the_role_check_and_the_read_then_404_names_the_project() -> None:
    store, repo = launch_project(mia="member")
    store.projects.pop("P1")  # the membership item is still there for a moment: a concurrent delete

    with pytest.raises(NotFound) as missing:
        p.get_project(repo, "mia", "P1")
    assert missing.value.detail == "no such project"
