"""Skill tree route: GET /api/users/me/skills."""

from __future__ import annotations

from typing import Any

from deepiri_common.api import api_handler, create_resolver
from deepiri_common.identity import current_caller
from deepiri_common.routes import Routes
from deepiri_users import wiring
from deepiri_users.logic.skills import describe_skills
from deepiri_users.models.skills import SkillTree

app = create_resolver()
routes = Routes(app)


@routes.get("/api/users/me/skills", scope="profile:read")
def get_skills() -> SkillTree:
    """Your skill tree: 22 skills with XP, level and progress."""
    return describe_skills(wiring.skill_repository(), current_caller(app).user_id)


handler: Any = api_handler(app)
