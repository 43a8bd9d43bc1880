"""Project templates: save a project's tasks as a template, list templates, instantiate one.

Due dates are stored as whole-day offsets from a base date: the project's ``startDate`` when it has
one, else the earliest due date among its tasks (so the first due task gets offset 0). Instantiating
puts each due task at ``startDate + offset`` at 00:00 UTC. Built-in templates live in code.

Instantiating creates each task as the core creates any task (``TaskRepository.change_items``): with
its index keys, search tokens, due-index pointer, version 1 and a TaskCreated in the outbox. Those
writes are packed, whole task by whole task and in template order, into transactions of at most 100
actions: the first also creates the project (so no task ever exists without its project), then the
dependency pairs come last. The built-in templates fit in one transaction, so they are all or
nothing. A larger template that fails part-way leaves the project with a prefix of its tasks, each
one complete (never half a task); every task Put is conditioned on ``attribute_not_exists`` and the
request answers an error. A retry is a new request and creates a new project, as creating a project
always does.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, date, datetime, time, timedelta

from deepiri_common.clock import to_iso, utc_now
from deepiri_common.ids import new_ulid
from deepiri_common.problems import NotFound, ValidationFailed
from deepiri_tasks.dal.projects import CREATE_ACTIONS, ProjectRepository
from deepiri_tasks.dal.tasks import TaskRepository
from deepiri_tasks.dal.templates import MAX_TRANSACTION_ACTIONS, TemplateRepository, in_transactions
from deepiri_tasks.logic import tasks_events, versions
from deepiri_tasks.logic.access import can_read
from deepiri_tasks.logic.projects import created_event, new_project, require_role
from deepiri_tasks.models.projects import Project, ProjectCreate
from deepiri_tasks.models.tasks import Task
from deepiri_tasks.models.templates import (
    MAX_TEMPLATE_TASKS,
    FromTemplate,
    ProjectTemplate,
    TemplateDependency,
    TemplateList,
    TemplateSave,
    TemplateSummary,
    TemplateTask,
)


def due_offsets(start: date | None, dues: Sequence[datetime | None]) -> list[int | None]:
    """Whole-day offsets of ``dues`` from ``start`` (or from the earliest due date when ``start`` is None)."""
    days = [due.astimezone(UTC).date() if due else None for due in dues]
    base = start or min((d for d in days if d is not None), default=None)
    return [None if d is None or base is None else (d - base).days for d in days]


def due_at(start: date, offset: int | None) -> datetime | None:
    """The due time of a task ``offset`` days after ``start`` (00:00 UTC), None without an offset."""
    return None if offset is None else datetime.combine(start + timedelta(days=offset), time.min, tzinfo=UTC)


# _t and _chain run once, at import, to build BUILTIN_TEMPLATES: a mutant of them is never switched on
# (mutation testing swaps functions after import), so they are left out; tests pin the built templates.
def _t(title: str, offset: int, category: str = "manual", **extra: object) -> TemplateTask:  # pragma: no mutate block
    return TemplateTask.model_validate({"title": title, "dueOffsetDays": offset, "category": category, **extra})


def _chain(tasks: list[TemplateTask]) -> list[TemplateDependency]:  # pragma: no mutate block
    return [TemplateDependency(task=i, dependsOn=i - 1, type="blocks") for i in range(1, len(tasks))]


_SPRINT = [_t("Sprint planning", 0, "meeting", estimateMinutes=90),
           *(_t(f"Development task {n}", 1 + 2 * n, "code", estimateMinutes=240) for n in range(1, 7)),
           _t("Sprint review", 13, "meeting", estimateMinutes=60),
           _t("Sprint retrospective", 13, "meeting", estimateMinutes=60)]
_STUDY = [_t("Collect material and set goals", 0, "study"),
          *(_t(f"Study session {n}", 2 * n, "study", estimateMinutes=90) for n in range(1, 6)),
          _t("Practice test", 12, "study", estimateMinutes=120),
          _t("Review weak spots", 13, "study", estimateMinutes=90)]
_WRITING = [_t("Outline", 0, "writing", estimateMinutes=60), _t("Research", 3, "research", estimateMinutes=180),
            _t("First draft", 10, "writing", estimateMinutes=480), _t("Revise", 14, "writing", estimateMinutes=240),
            _t("Proofread and publish", 17, "writing", estimateMinutes=90)]

BUILTIN_TEMPLATES: dict[str, ProjectTemplate] = {
    t.id: t for t in (
        ProjectTemplate(id="sprint", name="Two-week sprint", builtin=True, tasks=_SPRINT,
                        dependencies=[TemplateDependency(task=i, dependsOn=0, type="blocks") for i in range(1, 7)]
                        + [TemplateDependency(task=7, dependsOn=i, type="blocks") for i in range(1, 7)]
                        + [TemplateDependency(task=8, dependsOn=7, type="blocks")]),
        ProjectTemplate(id="study-plan", name="Study plan", builtin=True, tasks=_STUDY, dependencies=_chain(_STUDY)),
        ProjectTemplate(id="writing-project", name="Writing project", builtin=True, tasks=_WRITING,
                        dependencies=_chain(_WRITING)),
    )
}


def template_from_tasks(name: str, owner_id: str, start: date | None, tasks: Sequence[Task],
                        dependencies: Sequence[tuple[str, str, str]]) -> ProjectTemplate:
    """A template of ``tasks``; ``dependencies`` are (task id, depends-on id, type) among them."""
    offsets = due_offsets(start, [t.dueAt for t in tasks])
    index = {t.id: i for i, t in enumerate(tasks)}
    # one offset per task, by construction: ``strict`` is equivalent
    items = [TemplateTask(title=t.title, description=t.description, priority=t.priority, difficulty=t.difficulty,
                          category=t.category, tags=list(t.tags), estimateMinutes=t.estimateMinutes,
                          dueOffsetDays=offset) for t, offset in zip(tasks, offsets, strict=True)]
    edges = [TemplateDependency(task=index[a], dependsOn=index[b], type=kind)
             for a, b, kind in dependencies if a in index and b in index]
    return ProjectTemplate(id=new_ulid(), name=name, ownerId=owner_id, createdAt=to_iso(utc_now()),
                           tasks=items, dependencies=edges)


def save_template(projects: ProjectRepository, templates: TemplateRepository, user_id: str, project_id: str,
                  body: TemplateSave) -> ProjectTemplate:
    # can_read never refuses once require_role's 404 check passed: the text is never shown (equivalent)
    require_role(projects, project_id, user_id, can_read, "save a template")
    project = projects.project(project_id)
    if project is None:
        raise NotFound("no such project")
    tasks = templates.project_tasks(project_id)
    if len(tasks) > MAX_TEMPLATE_TASKS:
        raise ValidationFailed([{"field": "project", "message": f"at most {MAX_TEMPLATE_TASKS} tasks"}])
    template = template_from_tasks(body.name, user_id, project.startDate, tasks,
                                   templates.dependencies([t.id for t in tasks]))
    templates.save(template)
    return template


def list_templates(templates: TemplateRepository, user_id: str) -> TemplateList:
    mine = templates.templates_of(user_id)
    return TemplateList(items=[
        TemplateSummary(id=t.id, name=t.name, builtin=t.builtin, taskCount=len(t.tasks), createdAt=t.createdAt)
        for t in [*BUILTIN_TEMPLATES.values(), *mine]])


def find_template(templates: TemplateRepository, user_id: str, template_id: str) -> ProjectTemplate:
    template = BUILTIN_TEMPLATES.get(template_id) or templates.template(template_id)
    if template is None or not (template.builtin or template.ownerId == user_id):
        raise NotFound("no such template")
    return template


def instantiate(projects: ProjectRepository, templates: TemplateRepository, tasks: TaskRepository, user_id: str,
                body: FromTemplate) -> Project:
    """Create a project from a template, with its tasks due at ``startDate + offset`` (see the module doc)."""
    template = find_template(templates, user_id, body.templateId)
    project = new_project(ProjectCreate(name=body.name, startDate=body.startDate), user_id)
    ids = [new_ulid() for _ in template.tasks]
    # The two zipped lists have one item per template task, so ``strict`` is equivalent; Task ignores unknown
    # fields, so what model_dump excludes is equivalent too (the offsets are replaced by dueAt).
    created = [Task.model_validate({
        **t.model_dump(exclude={"dueOffsetDays", "dependsOn"}), "id": task_id, "ownerId": user_id,
        "projectId": project.id, "dueAt": due_at(body.startDate, t.dueOffsetDays),
        "createdAt": project.createdAt, "updatedAt": project.createdAt})
        for t, task_id in zip(template.tasks, ids, strict=True)]
    task_writes = [
        tasks.change_items(None, task, versions.record(None, task, user_id, f"from template {template.id}",
                                                       task.createdAt),
                           [tasks_events.created(task, user_id)])
        for task in created]
    edge_writes = [templates.dependency_writes((ids[d.task], ids[d.dependsOn], d.type), project.createdAt)
                   for d in template.dependencies]
    first, *rest = in_transactions([*task_writes, *edge_writes], first_room=MAX_TRANSACTION_ACTIONS - CREATE_ACTIONS)
    projects.create(project, created_event(project), extra=first)
    for batch in rest:
        tasks.transact(batch)
    return project
