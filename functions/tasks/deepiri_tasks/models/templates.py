"""Project templates: a reusable list of tasks with due dates relative to the project's start."""

from __future__ import annotations

from datetime import date

from pydantic import BaseModel, ConfigDict, Field

from deepiri_tasks.models.tasks import Category, Difficulty, Priority

MAX_TEMPLATE_TASKS = 90  # bounds the transactions one instantiation runs (see logic.templates)


class TemplateTask(BaseModel):
    """One task of a template; ``dueOffsetDays`` counts from the project's start, ``dependsOn`` holds
    indexes into the template's task list."""

    model_config = ConfigDict(defer_build=True)

    title: str = Field(min_length=1, max_length=500)
    description: str = ""
    priority: Priority = "medium"
    difficulty: Difficulty = "medium"
    category: Category = "manual"
    tags: list[str] = Field(default_factory=list)
    estimateMinutes: int | None = None
    dueOffsetDays: int | None = None
    dependsOn: list[int] = Field(default_factory=list)


class TemplateDependency(BaseModel):
    """A dependency between two template tasks (by index), of the graph's ``type``."""

    model_config = ConfigDict(defer_build=True)

    task: int
    dependsOn: int
    type: str


class ProjectTemplate(BaseModel):
    model_config = ConfigDict(defer_build=True)

    id: str
    name: str
    ownerId: str | None = None
    builtin: bool = False
    createdAt: str | None = None
    tasks: list[TemplateTask]
    dependencies: list[TemplateDependency] = Field(default_factory=list)


class TemplateSummary(BaseModel):
    model_config = ConfigDict(defer_build=True)

    id: str
    name: str
    builtin: bool
    taskCount: int
    createdAt: str | None = None


class TemplateList(BaseModel):
    model_config = ConfigDict(defer_build=True)

    items: list[TemplateSummary]


class TemplateSave(BaseModel):
    """Body of ``POST /api/projects/{id}/template``."""

    model_config = ConfigDict(defer_build=True, extra="forbid")

    name: str = Field(min_length=1, max_length=200)


class FromTemplate(BaseModel):
    """Body of ``POST /api/projects/from-template``."""

    model_config = ConfigDict(defer_build=True, extra="forbid")

    templateId: str = Field(min_length=1, max_length=64)
    name: str = Field(min_length=1, max_length=200)
    startDate: date
