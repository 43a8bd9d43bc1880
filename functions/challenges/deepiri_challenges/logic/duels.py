"""Duels between friends: invite → accept (or decline, cancel, lapse) → progress → finished, once.

Only friends duel (the service's own copy of friendships): inviting anyone else is the same 404 as an
unknown user, so a duel reveals nobody's existence. Both sides get the same spec; each side's score is
its progress toward the spec's target, which never goes back. A duel finishes when both sides reach
the target (or, for ``first_to_finish``, when the first does), when its time runs out (the expiry job),
or when a side abandons (the other wins, ``forfeited``); the winner has the higher score, a tie is a
draw. Every move is conditioned on the version read, so a duel finishes, and is won, once.

A spec naming a task of the challenger's (read through the tasks API as the challenger) becomes a copy of
the challenge made from it: its title, its checklist's milestones (the target) and its time limit (the
duel's duration unless one is asked). The duel keeps that copy and not the task's id, so the opponent
sees the same challenge and never the task.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta

from deepiri_challenges.dal.challenges import ChallengeRepository, VersionConflict
from deepiri_challenges.dal.tasks import TaskView
from deepiri_challenges.logic import rules
from deepiri_challenges.models.challenges import Difficulty
from deepiri_challenges.models.duels import Duel, DuelCreate, DuelDefinition, DuelStatus, FinishReason, Template
from deepiri_challenges.models.events import SERVICE, DuelFinished, DuelInvited, DuelProgressed, DuelStarted
from deepiri_common.clock import parse_iso, to_iso
from deepiri_common.events import DomainEvent
from deepiri_common.ids import new_ulid
from deepiri_common.pagination import Page
from deepiri_common.problems import Conflict, NotFound, ValidationFailed

INVITE_HOURS = 24


def _duel(repository: ChallengeRepository, user_id: str, duel_id: str) -> Duel:
    duel = repository.duel(duel_id)
    if duel is None or user_id not in duel.participantIds:
        raise NotFound("no such duel")
    return duel


def _save(repository: ChallengeRepository, previous: Duel, updated: Duel, due_at: str | None,
          events: list[DomainEvent]) -> Duel:
    try:
        repository.save(repository.duel_writes(previous.version, updated, due_at), events)
    except VersionConflict:
        raise Conflict("the duel changed meanwhile; read it again") from None
    return updated


def view(repository: ChallengeRepository, user_id: str, duel_id: str) -> Duel:
    return _duel(repository, user_id, duel_id)


def listing(repository: ChallengeRepository, user_id: str, status: DuelStatus | None, limit: int,
            cursor: str | None) -> Page[Duel]:
    """The duels the user takes part in, newest first."""
    return repository.duels(user_id, status, limit, cursor)


TaskReader = Callable[[str], TaskView | None]


def _no_tasks(task_id: str) -> TaskView | None:
    return None


def from_task(task: TaskView, template: Template) -> DuelDefinition:
    """The challenge both sides get from a task: its checklist (the target) and time limit, by the rules."""
    difficulty: Difficulty = task.difficulty if task.difficulty in rules.BASE_POINTS else "medium"  # type: ignore[assignment]
    # A checklist's steps read neither the difficulty nor the estimate: mutants of those arguments are equivalent.
    steps = rules.milestones_for("checklist", task.description, difficulty, task.estimateMinutes)
    # The time limit treats every kind but streak, focus_sprint, quiz and puzzle alike: mutants of the kind
    # are equivalent.
    return DuelDefinition(template=template, title=f"Duel: {task.title}"[:200], target=len(steps),
                          milestones=steps, difficulty=difficulty,
                          timeLimitMinutes=rules.time_limit_minutes("checklist", difficulty, task.estimateMinutes))


def _definition(request: DuelCreate, read_task: TaskReader) -> tuple[DuelDefinition, int]:
    """The duel's challenge and duration: the template asked for, or a copy of one made from the task."""
    spec = request.spec
    if spec.taskId is None:
        if request.durationMinutes is None:
            raise ValidationFailed([{"field": "body.durationMinutes",
                                     "message": "required unless the spec is made from a task"}])
        return DuelDefinition(template=spec.template, title=spec.title, target=spec.target), request.durationMinutes
    if spec.template == "best_quiz_score":
        raise ValidationFailed([{"field": "body.spec.template",
                                 "message": "a challenge from a task is its checklist: most_milestones or "
                                            "first_to_finish"}])
    task = read_task(spec.taskId)
    if task is None:
        raise NotFound("no such task", field="spec.taskId")
    definition = from_task(task, spec.template)
    # A copy made from a task always has a time limit (5 minutes at least): the ``or 0`` is for mypy, and any
    # other default is equivalent.
    return definition, request.durationMinutes or int(definition.timeLimitMinutes or 0)


def invite(repository: ChallengeRepository, user_id: str, request: DuelCreate, now: datetime, *,
           read_task: TaskReader = _no_tasks) -> Duel:
    """Invite a friend; a spec naming a task is made from the caller's task (``read_task``, as the caller)."""
    if request.opponentId == user_id:
        raise ValidationFailed([{"field": "body.opponentId", "message": "must be someone else"}])
    if not repository.are_friends(user_id, request.opponentId):
        raise NotFound("no such friend", field="opponentId")
    definition, minutes = _definition(request, read_task)
    expires = now + timedelta(hours=INVITE_HOURS)
    duel = Duel(id=new_ulid(), challengerId=user_id, opponentId=request.opponentId,
                participantIds=[user_id, request.opponentId], category=request.category, spec=definition,
                durationMinutes=minutes, status="invited", createdAt=to_iso(now),
                inviteExpiresAt=to_iso(expires), version=0)
    created = duel.model_copy(update={"version": 1})
    event = DomainEvent.new(SERVICE, "DuelInvited", DuelInvited(
        duelId=duel.id, challengerId=user_id, opponentId=request.opponentId, participantIds=duel.participantIds,
        expiresAt=expires), actor=user_id)
    return _save(repository, duel, created, created.inviteExpiresAt, [event])


def accept(repository: ChallengeRepository, user_id: str, duel_id: str, now: datetime) -> Duel:
    duel = _answerable(repository, user_id, duel_id, now)
    ends = now + timedelta(minutes=duel.durationMinutes)
    updated = duel.model_copy(update={"status": "active", "startedAt": to_iso(now), "endsAt": to_iso(ends),
                                      "scores": dict.fromkeys(duel.participantIds, 0), "version": duel.version + 1})
    event = DomainEvent.new(SERVICE, "DuelStarted", DuelStarted(
        duelId=duel.id, participantIds=duel.participantIds, startedAt=now, endsAt=ends), actor=user_id)
    return _save(repository, duel, updated, updated.endsAt, [event])


def decline(repository: ChallengeRepository, user_id: str, duel_id: str, now: datetime) -> Duel:
    duel = _answerable(repository, user_id, duel_id, now)
    return _save(repository, duel, duel.model_copy(update={"status": "declined", "version": duel.version + 1}),
                 None, [])


def _answerable(repository: ChallengeRepository, user_id: str, duel_id: str, now: datetime) -> Duel:
    duel = _duel(repository, user_id, duel_id)
    if user_id != duel.opponentId:
        raise Conflict("only the invited friend answers an invitation")
    if duel.status != "invited" or parse_iso(duel.inviteExpiresAt) <= now:
        raise Conflict(f"the duel is {'lapsed' if duel.status == 'invited' else duel.status}")
    return duel


def cancel(repository: ChallengeRepository, user_id: str, duel_id: str) -> Duel:
    duel = _duel(repository, user_id, duel_id)
    if user_id != duel.challengerId or duel.status != "invited":
        raise Conflict("only the challenger cancels, and only before the invitation is answered")
    return _save(repository, duel, duel.model_copy(update={"status": "cancelled", "version": duel.version + 1}),
                 None, [])


def progress(repository: ChallengeRepository, user_id: str, duel_id: str, value: int, now: datetime) -> Duel:
    """Record a side's progress (capped at the target; it never goes back) and finish the duel when due."""
    duel = _duel(repository, user_id, duel_id)
    if duel.status != "active":
        raise Conflict(f"the duel is {duel.status}")
    if duel.endsAt and parse_iso(duel.endsAt) <= now:
        raise Conflict("the duel's time is up")
    # Accepting gives every participant a score, so the default of ``get`` is never read (its mutants are
    # equivalent).
    before = duel.scores.get(user_id, 0)
    score = min(max(before, value), duel.spec.target)
    if score == before:
        return duel
    scores = {**duel.scores, user_id: score}
    completed = dict(duel.completedAt)
    if score >= duel.spec.target:
        completed[user_id] = to_iso(now)
    moved = duel.model_copy(update={"scores": scores, "completedAt": completed})
    events = [DomainEvent.new(SERVICE, "DuelProgressed", DuelProgressed(
        duelId=duel.id, participantIds=duel.participantIds, userId=user_id, scores=scores), actor=user_id)]
    first_home = duel.spec.template == "first_to_finish" and user_id in completed
    if first_home or len(completed) == len(duel.participantIds):
        # A side first home has the highest score (the other, at the target too, would have finished the duel),
        # so ``rules.winner`` names it as well: always asking it is equivalent.
        winner = user_id if first_home else rules.winner(scores)
        return _finish(repository, duel, moved, winner, reason="completed", now=now, events=events, actor=user_id)
    return _save(repository, duel, moved.model_copy(update={"version": duel.version + 1}), duel.endsAt, events)


def abandon(repository: ChallengeRepository, user_id: str, duel_id: str, now: datetime) -> Duel:
    """Conceding an active duel: the other side wins."""
    duel = _duel(repository, user_id, duel_id)
    if duel.status != "active":
        raise Conflict(f"the duel is {duel.status}")
    other = next(p for p in duel.participantIds if p != user_id)
    return _finish(repository, duel, duel, other, reason="forfeited", now=now, events=[], actor=user_id)


def expire(repository: ChallengeRepository, duel: Duel, at: datetime) -> bool:
    """An active duel whose time is up finishes by score; an unanswered invitation lapses."""
    try:
        if duel.status == "active" and duel.endsAt and parse_iso(duel.endsAt) <= at:
            _finish(repository, duel, duel, rules.winner(duel.scores), reason="expired", now=at, events=[],
                    actor="system")
            return True
        if duel.status == "invited" and parse_iso(duel.inviteExpiresAt) <= at:
            _save(repository, duel, duel.model_copy(update={"status": "lapsed", "version": duel.version + 1}), None, [])
            return True
    except Conflict:
        return False
    return False


def _finish(repository: ChallengeRepository, duel: Duel, moved: Duel, winner: str | None, *, reason: FinishReason,
            now: datetime, events: list[DomainEvent], actor: str) -> Duel:
    finished = moved.model_copy(update={"status": "finished", "winnerId": winner, "reason": reason,
                                        "finishedAt": to_iso(now), "version": duel.version + 1})
    events = [*events, DomainEvent.new(SERVICE, "DuelFinished", DuelFinished(
        duelId=duel.id, category=duel.category, participantIds=duel.participantIds, winnerId=winner,
        scores=finished.scores, reason=reason), actor=actor)]
    return _save(repository, duel, finished, None, events)
