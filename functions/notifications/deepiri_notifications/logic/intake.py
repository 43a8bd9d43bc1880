"""From a domain event to the notifications it means: who receives what (a :class:`Draft` per recipient).

Pure: names come from the directory of contacts the caller passes (display names learnt from
UserRegistered); an unknown name reads "Someone". Links are paths of the web app (``/tasks/<id>``);
the email adds the app's base URL. Password-reset and verification links carry their token and exist
only in the draft's ``secretLink``, never in the stored notification.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

from pydantic import BaseModel

from deepiri_notifications.models.events import (
    BadgeEarnedData,
    ChallengeExpiredData,
    DuelFinishedData,
    DuelInvitedData,
    FriendRequestedData,
    FriendshipAcceptedData,
    LevelUpData,
    MemberAddedData,
    SecurityMailData,
    StreakAtRiskData,
    StreakBrokenData,
    TaskCommentedData,
    TaskReminderData,
)
from deepiri_notifications.models.notifications import Kind

Names = Callable[[str], str | None]
"""A user's display name, if known."""


@dataclass(frozen=True)
class Draft:
    recipient: str
    kind: Kind
    title: str
    body: str | None
    link: str | None
    email: str | None = None  # the address the event names (security mail), else the contact's
    secretLink: str | None = None


def _name(names: Names, user_id: str) -> str:
    return names(user_id) or "Someone"


def drafts(detail_type: str, data: BaseModel, names: Names, app_url: str) -> list[Draft]:
    """The notifications one event makes, one per recipient (never one for the event's own author)."""
    build = _BUILDERS.get(type(data))
    return [] if build is None else build(Event(detail_type, data, names, app_url))


@dataclass(frozen=True)
class Event:
    detail_type: str
    data: Any
    names: Names
    app_url: str


def _reminder(event: Event) -> list[Draft]:
    data: TaskReminderData = event.data
    if event.detail_type == "TaskOverdue":
        return [Draft(data.userId, "taskOverdue", data.title, f"was due {data.dueAt}", f"/tasks/{data.taskId}")]
    return [Draft(data.userId, "taskDueSoon", data.title, f"is due {data.dueAt}", f"/tasks/{data.taskId}")]


def _mention(event: Event) -> list[Draft]:
    data: TaskCommentedData = event.data
    author = _name(event.names, data.authorId)
    return [Draft(user, "mention", f"{author} mentioned you", "in a comment on a task",
                  f"/tasks/{data.taskId}#comment-{data.commentId}")
            for user in dict.fromkeys(data.mentionedUserIds) if user != data.authorId]


def _member(event: Event) -> list[Draft]:
    data: MemberAddedData = event.data
    return [Draft(data.userId, "memberAdded", "You were added to a project", f"Your role: {data.role}",
                  f"/projects/{data.projectId}")]


def _friend_requested(event: Event) -> list[Draft]:
    data: FriendRequestedData = event.data
    return [Draft(data.addresseeId, "friendRequested", f"{_name(event.names, data.requesterId)} wants to be friends",
                  None, "/friends/requests")]


def _friendship(event: Event) -> list[Draft]:
    data: FriendshipAcceptedData = event.data
    return [Draft(data.requesterId, "friendshipAccepted",
                  f"{_name(event.names, data.addresseeId)} accepted your friend request", None, "/friends")]


def _level(event: Event) -> list[Draft]:
    data: LevelUpData = event.data
    return [Draft(data.userId, "levelUp", f"Level {data.level}!", "You reached a new level.", "/progress")]


def _security(event: Event) -> list[Draft]:
    data: SecurityMailData = event.data
    # Nothing is safe: "/" and "+" are escaped too. Letters never are, so a safe set of letters ("XXXX") is
    # equivalent.
    token = quote(data.token, safe="")
    if event.detail_type == "PasswordResetRequested":
        return [Draft(data.userId, "passwordReset", "A password reset was requested",
                      "We emailed a reset link to your address. If it was not you, your password is unchanged.",
                      None, email=data.email, secretLink=f"{event.app_url}/reset-password?token={token}")]
    return [Draft(data.userId, "emailVerification", "Confirm your email address",
                  "We emailed you a link to confirm your address.", None,
                  email=data.email, secretLink=f"{event.app_url}/verify-email?token={token}")]


def _badge(event: Event) -> list[Draft]:
    data: BadgeEarnedData = event.data
    return [Draft(data.userId, "badgeEarned", f"Badge earned: {data.name}", None, f"/badges/{data.badgeId}")]


def _streak_at_risk(event: Event) -> list[Draft]:
    data: StreakAtRiskData = event.data
    return [Draft(data.userId, "streakAtRisk", f"Your {data.days}-day streak is at risk",
                  "Finish a task before your day ends to keep it.", "/progress")]


def _streak_broken(event: Event) -> list[Draft]:
    data: StreakBrokenData = event.data
    return [Draft(data.userId, "streakBroken", f"Your {data.length}-day streak ended", "Start a new one today.",
                  "/progress")]


def _duel_invited(event: Event) -> list[Draft]:
    data: DuelInvitedData = event.data
    return [Draft(data.opponentId, "duelInvited", f"{_name(event.names, data.challengerId)} challenged you to a duel",
                  None, f"/duels/{data.duelId}")]


def _duel_finished(event: Event) -> list[Draft]:
    data: DuelFinishedData = event.data
    return [Draft(user, "duelFinished", _duel_title(user, data.winnerId), None, f"/duels/{data.duelId}")
            for user in dict.fromkeys(data.participantIds)]


def _duel_title(user: str, winner: str | None) -> str:
    if winner is None:
        return "Your duel ended in a draw"
    return "You won your duel" if winner == user else "You lost your duel"


def _challenge_expired(event: Event) -> list[Draft]:
    data: ChallengeExpiredData = event.data
    return [Draft(data.userId, "challengeExpired", "A challenge expired", None, f"/challenges/{data.challengeId}")]


_BUILDERS: dict[type[BaseModel], Callable[[Event], list[Draft]]] = {
    TaskReminderData: _reminder,
    TaskCommentedData: _mention,
    MemberAddedData: _member,
    FriendRequestedData: _friend_requested,
    FriendshipAcceptedData: _friendship,
    LevelUpData: _level,
    SecurityMailData: _security,
    BadgeEarnedData: _badge,
    StreakAtRiskData: _streak_at_risk,
    StreakBrokenData: _streak_broken,
    DuelInvitedData: _duel_invited,
    DuelFinishedData: _duel_finished,
    ChallengeExpiredData: _challenge_expired,
}
