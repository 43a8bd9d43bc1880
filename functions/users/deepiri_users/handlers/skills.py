"""Skill tree route: GET /api/users/me/skills."""

from __future__ import annotations

from functools import cache
from typing import Any

from deepiri_common import aws
from deepiri_common.api import api_handler, create_resolver
from deepiri_common.identity import current_caller
from deepiri_common.routes import Routes
from deepiri_common.settings import load_settings
from deepiri_users.dal.skills import SkillRepository
from deepiri_users.logic.skills import describe_skills
from deepiri_users.models.skills import SkillTree
from deepiri_users.settings import UsersSettings

app = create_resolver()
routes = Routes(app)


@cache
def repository() -> SkillRepository:
    return SkillRepository(load_settings(UsersSettings).users_table, aws.client("dynamodb"))


@routes.get("/api/users/me/skills", scope="profile:read")
def get_skills() -> SkillTree:
    """Your skill tree: 22 skills with XP, level and progress."""
    return describe_skills(repository(), current_caller(app).user_id)



handler: Any = api_handler(app)
