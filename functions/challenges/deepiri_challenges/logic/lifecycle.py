"""A challenge's life: generated → active (start) → completed | failed | expired | abandoned (or cancelled
when its task is deleted), every move conditioned on the version read, with its event in the same write.

Completing is a conditional move from ``active``: a second completion finds ``completed`` and is a 409,
so ChallengeCompleted is published (and paid) once. A quiz or puzzle is completed by submitting answers,
checked here: a failed submission with attempts left keeps it active and reveals only the points; the
correct answers are shown once the challenge has ended.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from deepiri_challenges.dal.challenges import ChallengeRepository, VersionConflict
from deepiri_challenges.dal.schedules import ExpirySchedules
from deepiri_challenges.dal.tasks import TasksApi
from deepiri_challenges.logic import rules
from deepiri_challenges.models.challenges import (
    Challenge,
    ChallengeSubmission,
    ChallengeVersionCheck,
    MilestoneCheck,
    QuizResult,
    Stats,
    Status,
    StoredChallenge,
    StoredQuestion,
)
from deepiri_challenges.models.events import (
    SERVICE,
    ChallengeCompleted,
    ChallengeExpired,
    ChallengeFailed,
    ChallengeStarted,
    FailReason,
)
from deepiri_common.clock import parse_iso, to_iso
from deepiri_common.events import DomainEvent
from deepiri_common.identity import Caller
from deepiri_common.observability import logger
from deepiri_common.pagination import Page
from deepiri_common.problems import Conflict, NotFound, PreconditionFailed, ValidationFailed


def own(repository: ChallengeRepository, user_id: str, challenge_id: str) -> StoredChallenge:
    """The caller's challenge; 404 for anyone else's, so existence never leaks."""
    challenge = repository.challenge(user_id, challenge_id)
    if challenge is None:
        raise NotFound("no such challenge")
    return challenge


def _check(challenge: StoredChallenge, request: ChallengeVersionCheck, *statuses: Status) -> None:
    if request.version is not None and request.version != challenge.version:
        raise PreconditionFailed(f"the challenge is at version {challenge.version}", version=challenge.version)
    if challenge.status not in statuses:
        raise Conflict(f"a {challenge.status} challenge cannot do that", status=challenge.status)


def _save(repository: ChallengeRepository, previous: StoredChallenge, updated: StoredChallenge, due_at: str | None,
          events: list[DomainEvent], *, extra: list[dict[str, Any]] | None = None) -> StoredChallenge:
    try:
        repository.save(repository.challenge_writes(previous.version, updated, due_at) + (extra or []), events)
    except VersionConflict:
        raise Conflict("the challenge changed meanwhile; read it again") from None
    return updated


def start(repository: ChallengeRepository, user_id: str, challenge_id: str, request: ChallengeVersionCheck,
          now: datetime, *, schedules: ExpirySchedules | None = None) -> Challenge:
    """Start a generated challenge; with ``schedules``, a one-off schedule expires it at its deadline."""
    challenge = own(repository, user_id, challenge_id)
    _check(challenge, request, "generated")
    expires = to_iso(now + timedelta(minutes=challenge.timeLimitMinutes))
    updated = challenge.model_copy(update={"status": "active", "startedAt": to_iso(now), "expiresAt": expires,
                                           "version": challenge.version + 1})
    event = DomainEvent.new(SERVICE, "ChallengeStarted", ChallengeStarted(
        challengeId=challenge.id, userId=user_id, taskId=challenge.taskId, type=challenge.type,
        startedAt=now, expiresAt=parse_iso(expires)), actor=user_id)
    started = _save(repository, challenge, updated, expires, [event]).public()
    if schedules is not None:
        schedules.arm(user_id, challenge_id, parse_iso(expires))
    return started


def _disarm(schedules: ExpirySchedules | None, challenge: StoredChallenge) -> None:
    """An active challenge that ended before its deadline no longer needs its schedule."""
    if schedules is not None and challenge.status == "active":
        schedules.disarm(challenge.id)


def check_milestone(repository: ChallengeRepository, user_id: str, challenge_id: str, *, milestone: int,
                    request: MilestoneCheck, now: datetime) -> Challenge:
    challenge = own(repository, user_id, challenge_id)
    _check(challenge, request, "active")
    if milestone >= len(challenge.milestones):
        raise NotFound("no such milestone")
    milestones = [m.model_copy(update={"done": request.done, "doneAt": to_iso(now) if request.done else None})
                  if m.id == milestone else m for m in challenge.milestones]
    updated = challenge.model_copy(update={"milestones": milestones, "version": challenge.version + 1})
    return _save(repository, challenge, updated, challenge.expiresAt, []).public()


def complete(repository: ChallengeRepository, tasks: TasksApi, caller: Caller, challenge_id: str, *,
             request: ChallengeSubmission, now: datetime, schedules: ExpirySchedules | None = None) -> Challenge:
    """Finish an active challenge: its score, ChallengeCompleted once, and its task when asked at generation."""
    user_id = caller.user_id
    challenge = own(repository, user_id, challenge_id)
    _check(challenge, request, "active")
    if challenge.expiresAt and parse_iso(challenge.expiresAt) <= now:
        raise Conflict("the challenge ran out of time", status="expired")
    quiz: QuizResult | None = None
    if challenge.answers:
        if request.answers is None:
            raise ValidationFailed([{"field": "body.answers", "message": "a quiz is completed with its answers"}])
        quiz = rules.quiz_result(_stored(challenge), request.answers)
        if not quiz.passed:
            failed = _failed_attempt(repository, challenge, quiz, now)
            if failed.status != "active":
                _disarm(schedules, challenge)
            return failed
    started = parse_iso(challenge.startedAt or challenge.createdAt)
    used = (now - started).total_seconds() / 60
    done = sum(m.done for m in challenge.milestones)
    share = quiz.points / quiz.maxPoints if quiz else None
    score = rules.score(used, challenge.timeLimitMinutes, done, len(challenge.milestones), share)
    updated = challenge.model_copy(update={"status": "completed", "endedAt": to_iso(now), "score": score,
                                           "quizResult": quiz, "attemptsUsed": challenge.attemptsUsed + bool(quiz),
                                           "version": challenge.version + 1})
    event = DomainEvent.new(SERVICE, "ChallengeCompleted", ChallengeCompleted(
        challengeId=challenge.id, userId=user_id, pointsReward=challenge.pointsReward,
        bonusMultiplier=challenge.bonusMultiplier, taskId=challenge.taskId, difficulty=challenge.difficulty,
        completedAt=now, type=challenge.type, score=score), actor=user_id)
    _save(repository, challenge, updated, None, [event],
          extra=repository.outcome_writes(challenge, "completed", challenge.pointsReward))
    _disarm(schedules, challenge)
    if challenge.completesTask and challenge.taskId:
        updated = updated.model_copy(update={"taskCompleted": _complete_task(tasks, caller, challenge.taskId)})
    return updated.public()


def _stored(challenge: StoredChallenge) -> list[StoredQuestion]:
    # A quiz is generated with one answer per question, so ``strict`` never fires (strict=False is equivalent).
    return [StoredQuestion(**q.model_dump(), correctAnswer=a) for q, a in zip(challenge.questions, challenge.answers,
                                                                             strict=True)]


def _failed_attempt(repository: ChallengeRepository, challenge: StoredChallenge, quiz: QuizResult,
                    now: datetime) -> Challenge:
    used = challenge.attemptsUsed + 1
    if used < challenge.attempts:
        # Attempts left: the points only, never which answers were right.
        withheld = QuizResult(correct=[], correctAnswers=[], points=quiz.points, maxPoints=quiz.maxPoints,
                              passed=False)
        updated = challenge.model_copy(update={"attemptsUsed": used, "quizResult": withheld,
                                               "version": challenge.version + 1})
        return _save(repository, challenge, updated, challenge.expiresAt, []).public()
    updated = challenge.model_copy(update={"status": "failed", "attemptsUsed": used, "quizResult": quiz,
                                           "endedAt": to_iso(now), "score": 0, "version": challenge.version + 1})
    return _end(repository, challenge, updated, outcome="failed", reason="attempts_exhausted", now=now).public()


def _end(repository: ChallengeRepository, challenge: StoredChallenge, updated: StoredChallenge, *, outcome: str,
         reason: FailReason, now: datetime) -> StoredChallenge:
    event = DomainEvent.new(SERVICE, "ChallengeFailed", ChallengeFailed(
        challengeId=challenge.id, userId=challenge.userId, taskId=challenge.taskId, type=challenge.type,
        reason=reason, failedAt=now), actor=challenge.userId)
    return _save(repository, challenge, updated, None, [event], extra=repository.outcome_writes(challenge, outcome, 0))


def _complete_task(tasks: TasksApi, caller: Caller, task_id: str) -> bool:
    task = tasks.task(caller, task_id)
    if task is None or task.status == "done":
        return task is not None
    status = tasks.complete(caller, task)
    if status != 200:
        logger.warning("the linked task was not completed", extra={"taskId": task_id, "status": status})
    return status == 200


def abandon(repository: ChallengeRepository, user_id: str, challenge_id: str, request: ChallengeVersionCheck,
            now: datetime, *, schedules: ExpirySchedules | None = None) -> Challenge:
    challenge = own(repository, user_id, challenge_id)
    _check(challenge, request, "generated", "active")
    updated = challenge.model_copy(update={"status": "abandoned", "endedAt": to_iso(now), "score": 0,
                                           "version": challenge.version + 1})
    abandoned = _end(repository, challenge, updated, outcome="abandoned", reason="abandoned", now=now).public()
    _disarm(schedules, challenge)
    return abandoned


def expire(repository: ChallengeRepository, challenge: StoredChallenge, at: datetime) -> bool:
    """Fail an overdue open challenge with ChallengeExpired; whether it was (a moved one is left alone)."""
    if challenge.status not in ("generated", "active") or not challenge.expiresAt:
        return False
    if parse_iso(challenge.expiresAt) > at:
        return False
    updated = challenge.model_copy(update={"status": "expired", "endedAt": to_iso(at), "score": 0,
                                           "version": challenge.version + 1})
    event = DomainEvent.new(SERVICE, "ChallengeExpired", ChallengeExpired(
        challengeId=challenge.id, userId=challenge.userId, taskId=challenge.taskId), actor="system")
    try:
        repository.save(repository.challenge_writes(challenge.version, updated, None)
                        + repository.outcome_writes(challenge, "expired", 0), [event])
    except VersionConflict:
        return False
    return True


def cancel_for_task(repository: ChallengeRepository, user_id: str, task_id: str, at: datetime) -> int:
    """Cancel the user's generated or active challenges made from a deleted task; how many."""
    cancelled = 0
    for challenge in repository.open_challenges(user_id):
        if challenge.taskId != task_id:
            continue
        updated = challenge.model_copy(update={"status": "cancelled", "endedAt": to_iso(at),
                                               "version": challenge.version + 1})
        try:
            repository.save(repository.challenge_writes(challenge.version, updated, None)
                            + repository.counter_writes(user_id, challenge.type, "cancelled"))
        except VersionConflict:
            continue
        cancelled += 1
    return cancelled


def listing(repository: ChallengeRepository, user_id: str, status: Status | None, limit: int,
            cursor: str | None) -> Page[Challenge]:
    page = repository.challenges(user_id, status, limit, cursor)
    return Page(items=[c.public() for c in page.items], nextCursor=page.next_cursor)


def history(repository: ChallengeRepository, user_id: str, limit: int, cursor: str | None) -> Page[Challenge]:
    page = repository.history(user_id, limit, cursor)
    return Page(items=[c.public() for c in page.items], nextCursor=page.next_cursor)


def stats(repository: ChallengeRepository, user_id: str) -> Stats:
    by_type = repository.stats(user_id)
    decided = sum(t.completed + t.failed + t.expired + t.abandoned for t in by_type)
    completed = sum(t.completed for t in by_type)
    return Stats(total=sum(t.generated for t in by_type), completed=completed,
                 successRate=round(completed / decided, 3) if decided else None, byType=by_type)
