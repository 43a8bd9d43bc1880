"""Project templates through their use cases: saving a project's tasks as offsets, listing, finding,
and instantiating into whole transactions (the task writes are the core's own ``change_items``)."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, date, datetime
from typing import Any, cast

import pytest

from deepiri_common.problems import NotFound, ValidationFailed
from deepiri_tasks.dal.projects import ProjectRepository
from deepiri_tasks.dal.tasks import TaskRepository
from deepiri_tasks.dal.templates import TemplateRepository
from deepiri_tasks.logic import templates as tp
from deepiri_tasks.models.projects import Project
from deepiri_tasks.models.tasks import Task
from deepiri_tasks.models.templates import FromTemplate, ProjectTemplate, TemplateSave, TemplateTask
from tests.support.host_zone import host_zone
from tests.unit.tasks_projects.fakes import MemoryProjects

STAMP = "2026-03-01T12:00:00.000Z"
T0 = datetime(2026, 3, 1, tzinfo=UTC)


class Templates:
    def __init__(self, tasks: list[Task] | None = None, edges: list[tuple[str, str, str]] | None = None) -> None:
        self.saved: dict[str, ProjectTemplate] = {}
        self.tasks, self.edges = tasks or [], edges or []

    def save(self, template: ProjectTemplate) -> None:
        self.saved[template.id] = template

    def template(self, template_id: str) -> ProjectTemplate | None:
        return self.saved.get(template_id)

    def templates_of(self, user_id: str) -> list[ProjectTemplate]:
        return [t for t in self.saved.values() if t.ownerId == user_id]

    def project_tasks(self, project_id: str) -> list[Task]:
        assert project_id == "P1"
        return self.tasks

    def dependencies(self, task_ids: Iterable[str]) -> list[tuple[str, str, str]]:
        ids = set(task_ids)
        return [e for e in self.edges if e[0] in ids]

    def dependency_writes(self, edge: tuple[str, str, str], created_at: str) -> list[dict[str, Any]]:
        return [{"Put": {"edge": edge, "at": created_at}}]


class RecordingClient:
    def __init__(self) -> None:
        self.transactions: list[list[dict[str, Any]]] = []

    def transact_write_items(self, TransactItems: list[dict[str, Any]]) -> dict[str, Any]:
        self.transactions.append(TransactItems)
        return {}


def _task(task_id: str, due: datetime | None, **fields: object) -> Task:
    return Task.model_validate({"id": task_id, "ownerId": "ola", "projectId": "P1", "title": task_id, "dueAt": due,
                                "createdAt": T0, "updatedAt": T0, **fields})


def _projects(start: date | None = None) -> MemoryProjects:
    store = MemoryProjects()
    store.add(Project(id="P1", name="Launch", ownerId="ola", version=1, createdAt=STAMP, updatedAt=STAMP,
                      startDate=start), vic="viewer")
    return store


def test_given_a_project_when_saved_as_a_template_then_tasks_become_offsets_and_edges_indexes() -> None:
    tasks = [_task("A", T0.replace(day=3), priority="high", tags=["x"], estimateMinutes=30, category="code",
                   difficulty="hard", description="d"), _task("B", None), _task("C", T0.replace(day=10))]
    templates = Templates(tasks, [("C", "A", "blocks"), ("B", "OUT", "related")])

    saved = tp.save_template(cast(ProjectRepository, _projects()), cast(TemplateRepository, templates), "vic", "P1",
                             TemplateSave(name="My launch"))

    assert templates.saved[saved.id] == saved
    assert (saved.name, saved.ownerId, saved.builtin) == ("My launch", "vic", False)
    assert saved.createdAt is not None and saved.createdAt[:4] >= "2026"
    assert [(t.title, t.dueOffsetDays) for t in saved.tasks] == [("A", 0), ("B", None), ("C", 7)]
    first = saved.tasks[0]
    assert (first.description, first.priority, first.difficulty, first.category, first.tags,
            first.estimateMinutes) == ("d", "high", "hard", "code", ["x"], 30)
    assert [(d.task, d.dependsOn, d.type) for d in saved.dependencies] == [(2, 0, "blocks")]


def test_given_a_project_start_date_then_offsets_count_from_it() -> None:
    templates = Templates([_task("A", T0.replace(day=3))])

    saved = tp.save_template(cast(ProjectRepository, _projects(date(2026, 2, 28))),
                             cast(TemplateRepository, templates), "ola", "P1", TemplateSave(name="t"))

    assert saved.tasks[0].dueOffsetDays == 3


def test_given_too_many_tasks_or_no_project_then_saving_is_refused() -> None:
    assert tp.MAX_TEMPLATE_TASKS == 90
    many = Templates([_task(f"T{n}", None) for n in range(91)])
    with pytest.raises(ValidationFailed) as refused:
        tp.save_template(cast(ProjectRepository, _projects()), cast(TemplateRepository, many), "ola", "P1",
                         TemplateSave(name="t"))
    assert refused.value.errors == [{"field": "project", "message": "at most 90 tasks"}]
    exactly = Templates([_task(f"T{n}", None) for n in range(90)])
    assert len(tp.save_template(cast(ProjectRepository, _projects()), cast(TemplateRepository, exactly), "ola",
                                "P1", TemplateSave(name="t")).tasks) == 90

    store = _projects()
    del store.projects["P1"]
    with pytest.raises(NotFound) as missing:
        tp.save_template(cast(ProjectRepository, store), cast(TemplateRepository, Templates()), "ola", "P1",
                         TemplateSave(name="t"))
    assert missing.value.detail == "no such project"


def test_given_saved_templates_then_each_user_lists_the_builtins_and_their_own() -> None:
    templates = Templates()
    mine = ProjectTemplate(id="MINE", name="Mine", ownerId="ada", createdAt=STAMP, tasks=[TemplateTask(title="x")])
    templates.save(mine)
    templates.save(ProjectTemplate(id="THEIRS", name="T", ownerId="zoe", tasks=[]))

    listed = tp.list_templates(cast(TemplateRepository, templates), "ada").items

    assert [(s.id, s.builtin, s.taskCount) for s in listed] == [
        ("sprint", True, 9), ("study-plan", True, 8), ("writing-project", True, 5), ("MINE", False, 1)]
    assert listed[-1].createdAt == STAMP and listed[-1].name == "Mine"
    assert tp.find_template(cast(TemplateRepository, templates), "ada", "MINE") == mine
    assert tp.find_template(cast(TemplateRepository, templates), "zoe", "sprint").builtin
    for user, template_id in (("ada", "THEIRS"), ("ada", "NOPE")):
        with pytest.raises(NotFound) as missing:
            tp.find_template(cast(TemplateRepository, templates), user, template_id)
        assert missing.value.detail == "no such template"


def test_given_a_builtin_template_when_instantiated_then_one_transaction_creates_the_project_and_tasks() -> None:
    store, client = _projects(), RecordingClient()

    project = tp.instantiate(cast(ProjectRepository, store), cast(TemplateRepository, Templates()),
                             TaskRepository("tasks", client), "ada",
                             FromTemplate(templateId="writing-project", name="Novel", startDate=date(2026, 5, 1)))

    assert (project.name, project.ownerId, project.startDate) == ("Novel", "ada", date(2026, 5, 1))
    assert store.projects[project.id].name == "Novel" and client.transactions == []
    assert store.events[-1].detail_type == "ProjectCreated"


def test_given_a_large_template_then_its_tasks_spill_into_later_transactions_whole() -> None:
    big = ProjectTemplate(id="BIG", name="Big", ownerId="ada", tasks=[
        TemplateTask(title=f"step {n}", dueOffsetDays=n) for n in range(40)],
        dependencies=[])
    templates = Templates()
    templates.save(big)
    client = RecordingClient()
    extras: list[list[dict[str, Any]]] = []
    store = _projects()
    store.create = lambda project, event, extra=(): extras.append(list(extra))  # type: ignore[method-assign]

    project = tp.instantiate(cast(ProjectRepository, store), cast(TemplateRepository, templates),
                             TaskRepository("tasks", client), "ada",
                             FromTemplate(templateId="BIG", name="Big", startDate=date(2026, 5, 1)))

    batches = [extras[0], *client.transactions]
    assert len(batches) >= 2 and all(len(b) <= 100 for b in batches)
    assert len(extras[0]) <= 100 - 3  # room left for the project's own three writes
    task_puts = [i["Put"]["Item"] for b in batches for i in b
                 if "Put" in i and i["Put"]["Item"].get("sk", {}).get("S") == "TASK"]
    assert len(task_puts) == 40
    assert {i["projectId"]["S"] for i in task_puts} == {project.id}
    dues = sorted(i["dueAt"]["S"] for i in task_puts)
    assert dues[0] == "2026-05-01T00:00:00.000Z" and dues[-1] == "2026-06-09T00:00:00.000Z"
    outbox = [i for b in batches for i in b if "Put" in i and i["Put"]["Item"]["pk"]["S"].startswith("OUTBOX#")]
    assert len(outbox) == 40


def test_given_a_template_with_dependencies_then_edges_are_written_after_the_tasks() -> None:
    template = ProjectTemplate(id="TWO", name="Two", ownerId="ada", tasks=[TemplateTask(title="a"),
                                                                          TemplateTask(title="b")],
                               dependencies=[{"task": 1, "dependsOn": 0, "type": "blocks"}])  # type: ignore[list-item]
    templates = Templates()
    templates.save(template)
    extras: list[list[dict[str, Any]]] = []
    store = _projects()
    store.create = lambda project, event, extra=(): extras.append(list(extra))  # type: ignore[method-assign]

    tp.instantiate(cast(ProjectRepository, store), cast(TemplateRepository, templates),
                   TaskRepository("tasks", RecordingClient()), "ada",
                   FromTemplate(templateId="TWO", name="n", startDate=date(2026, 5, 1)))

    last = extras[0][-1]["Put"]
    assert last["edge"][2] == "blocks" and last["edge"][0] != last["edge"][1]
    task_items = [i["Put"]["Item"] for i in extras[0] if "Put" in i and "Item" in i["Put"]
                  and i["Put"]["Item"].get("sk", {}).get("S") == "TASK"]
    assert last["at"] == task_items[0]["createdAt"]["S"]
    versions = [i["Put"]["Item"] for i in extras[0] if "Put" in i and "Item" in i["Put"]
                and i["Put"]["Item"].get("kind", {}).get("S") == "version"]
    assert [(v["reason"]["S"], v["actor"]["S"]) for v in versions] == [("from template TWO", "ada")] * 2


def test_given_a_host_in_another_timezone_then_offsets_still_count_utc_days() -> None:
    with host_zone("Asia/Tokyo"):
        # 20:00 UTC on the 3rd is already the 4th in Tokyo; offsets are whole UTC days
        assert tp.due_offsets(None, [T0.replace(day=1), T0.replace(day=3, hour=20)]) == [0, 2]
