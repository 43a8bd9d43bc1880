"""Challenges REST routes under /api/challenges: generate from a task, the lifecycle, history and stats, duels."""

from __future__ import annotations

from typing import Annotated, Any

from aws_lambda_powertools.event_handler.openapi.params import Path, Query

from deepiri_challenges import wiring
from deepiri_challenges.logic import duels, generation, lifecycle
from deepiri_challenges.models.challenges import (
    Challenge,
    ChallengeSubmission,
    ChallengeVersionCheck,
    GenerateRequest,
    MilestoneCheck,
    Stats,
    Status,
)
from deepiri_challenges.models.duels import Duel, DuelCreate, DuelProgressReport, DuelStatus
from deepiri_common.api import api_handler, create_resolver
from deepiri_common.clock import utc_now
from deepiri_common.identity import current_caller
from deepiri_common.pagination import Page
from deepiri_common.params import Cursor, Limit
from deepiri_common.routes import Routes

app = create_resolver()
routes = Routes(app)

MilestoneIndex = Annotated[int, Path(ge=0, le=99, description="the milestone's position, from 0")]


def _user() -> str:
    return current_caller(app).user_id


@routes.post("/api/challenges/generate", status=201, problems=(404, 409))
def generate_challenge(body: GenerateRequest) -> Challenge:
    """Make a challenge from one of the caller's tasks (type and difficulty chosen when not given)."""
    return generation.generate(wiring.generation(), current_caller(app), body, utc_now()).public()


@routes.get("/api/challenges")
def list_challenges(
    status: Annotated[Status | None, Query(description="only challenges in this state")] = None,
    limit: Limit = 20,
    cursor: Cursor = None,
) -> Page[Challenge]:
    """The caller's challenges, newest first."""
    return lifecycle.listing(wiring.challenge_repository(), _user(), status, limit, cursor)


@routes.get("/api/challenges/history")
def challenge_history(limit: Limit = 20, cursor: Cursor = None) -> Page[Challenge]:
    """The caller's ended challenges, latest first."""
    return lifecycle.history(wiring.challenge_repository(), _user(), limit, cursor)


@routes.get("/api/challenges/stats")
def challenge_stats() -> Stats:
    """The caller's challenges counted by type and outcome, with the points earned."""
    return lifecycle.stats(wiring.challenge_repository(), _user())


@routes.get("/api/challenges/duels")
def list_duels(
    status: Annotated[DuelStatus | None, Query(description="only duels in this state")] = None,
    limit: Limit = 20,
    cursor: Cursor = None,
) -> Page[Duel]:
    """The duels the caller takes part in, newest first."""
    return duels.listing(wiring.challenge_repository(), _user(), status, limit, cursor)


@routes.get("/api/challenges/<id>")
def get_challenge(id: str) -> Challenge:
    """One of the caller's challenges (404 for anyone else's); a quiz's answers only once it ended."""
    return lifecycle.own(wiring.challenge_repository(), _user(), id).public()


@routes.post("/api/challenges/<id>/start", problems=(409, 412))
def start_challenge(id: str, body: ChallengeVersionCheck) -> Challenge:
    """Start a generated challenge: its time limit runs from now."""
    return lifecycle.start(wiring.challenge_repository(), _user(), id, body, utc_now(),
                           schedules=wiring.expiry_schedules())


@routes.post("/api/challenges/<id>/milestones/<milestone>", problems=(409, 412))
def check_milestone(id: str, milestone: MilestoneIndex, body: MilestoneCheck) -> Challenge:
    """Check a milestone of an active challenge off (or back on)."""
    return lifecycle.check_milestone(wiring.challenge_repository(), _user(), id, milestone=milestone, request=body,
                                     now=utc_now())


@routes.post("/api/challenges/<id>/complete", problems=(409, 412))
def complete_challenge(id: str, body: ChallengeSubmission) -> Challenge:
    """Finish an active challenge (a quiz: with its answers); paid once, a second time is 409."""
    return lifecycle.complete(wiring.challenge_repository(), wiring.tasks_api(), current_caller(app), id,
                              request=body, now=utc_now(), schedules=wiring.expiry_schedules())


@routes.post("/api/challenges/<id>/abandon", problems=(409, 412))
def abandon_challenge(id: str, body: ChallengeVersionCheck) -> Challenge:
    """Give up a generated or active challenge."""
    return lifecycle.abandon(wiring.challenge_repository(), _user(), id, body, utc_now(),
                             schedules=wiring.expiry_schedules())


@routes.post("/api/challenges/duels", status=201, problems=(404,))
def create_duel(body: DuelCreate) -> Duel:
    """Invite a friend to a duel (anyone who is not the caller's friend: 404); its challenge is a template's,
    or made from one of the caller's tasks (the friend gets a copy of it, never the task)."""
    return duels.invite(wiring.challenge_repository(), _user(), body, utc_now(),
                        read_task=wiring.task_reader(current_caller(app)))


@routes.get("/api/challenges/duels/<id>")
def get_duel(id: str) -> Duel:
    """A duel the caller takes part in (anyone else: 404)."""
    return duels.view(wiring.challenge_repository(), _user(), id)


@routes.post("/api/challenges/duels/<id>/accept", problems=(409,))
def accept_duel(id: str) -> Duel:
    """The invited friend accepts: the duel starts now."""
    return duels.accept(wiring.challenge_repository(), _user(), id, utc_now())


@routes.post("/api/challenges/duels/<id>/decline", problems=(409,))
def decline_duel(id: str) -> Duel:
    """The invited friend declines."""
    return duels.decline(wiring.challenge_repository(), _user(), id, utc_now())


@routes.post("/api/challenges/duels/<id>/cancel", problems=(409,))
def cancel_duel(id: str) -> Duel:
    """The challenger withdraws an unanswered invitation."""
    return duels.cancel(wiring.challenge_repository(), _user(), id)


@routes.post("/api/challenges/duels/<id>/progress", problems=(409,))
def report_duel_progress(id: str, body: DuelProgressReport) -> Duel:
    """Report the caller's progress in an active duel (it never goes back)."""
    return duels.progress(wiring.challenge_repository(), _user(), id, body.progress, utc_now())


@routes.post("/api/challenges/duels/<id>/abandon", problems=(409,))
def abandon_duel(id: str) -> Duel:
    """Concede an active duel: the other side wins."""
    return duels.abandon(wiring.challenge_repository(), _user(), id, utc_now())


handler: Any = api_handler(app)
