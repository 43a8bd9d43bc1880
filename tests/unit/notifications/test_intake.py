"""Which notifications an event makes, and for whom."""

from __future__ import annotations

import pytest

from deepiri_notifications.logic.intake import drafts
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
    UserDeletedData,
)

NAMES = {"ada": "Ada", "bob": "Bob"}.get
APP = "https://app.example"


def test_given_a_comment_mentioning_people_then_each_other_person_gets_one_mention_naming_the_author() -> None:
    data = TaskCommentedData(taskId="t1", commentId="c1", authorId="ada", mentionedUserIds=["bob", "ada", "bob", "cy"],
                             projectId=None)
    made = drafts("TaskCommented", data, NAMES, APP)
    assert [(d.recipient, d.kind, d.title) for d in made] == [("bob", "mention", "Ada mentioned you"),
                                                             ("cy", "mention", "Ada mentioned you")]
    assert made[0].link == "/tasks/t1#comment-c1"


def test_given_an_unknown_author_then_the_mention_says_someone() -> None:
    data = TaskCommentedData(taskId="t1", commentId="c1", authorId="zed", mentionedUserIds=["bob"], projectId="p")
    assert drafts("TaskCommented", data, NAMES, APP)[0].title == "Someone mentioned you"


def test_given_a_password_reset_then_the_link_with_its_token_is_only_in_the_secret_link() -> None:
    data = SecurityMailData(userId="u1", email="u1@example.com", token="a+b/c", expiresAt="2026-11-30T12:00:00Z")
    [draft] = drafts("PasswordResetRequested", data, NAMES, APP)
    assert draft.kind == "passwordReset" and draft.email == "u1@example.com"
    assert draft.secretLink == "https://app.example/reset-password?token=a%2Bb%2Fc"
    assert draft.link is None and "a+b/c" not in (draft.body or "") + draft.title
    [verify] = drafts("EmailVerificationRequested", data, NAMES, APP)
    assert verify.kind == "emailVerification" and verify.secretLink.startswith(APP + "/verify-email?token=")


def test_given_due_soon_and_overdue_then_the_kind_follows_the_detail_type() -> None:
    data = TaskReminderData(taskId="t1", userId="u1", dueAt="2026-11-30T12:00:00Z", title="Call the printer")
    assert drafts("TaskDueSoon", data, NAMES, APP)[0].kind == "taskDueSoon"
    assert drafts("TaskOverdue", data, NAMES, APP)[0].kind == "taskOverdue"


def test_given_a_finished_duel_then_each_participant_learns_their_own_result() -> None:
    made = drafts("DuelFinished", DuelFinishedData(duelId="d1", participantIds=["ada", "bob"], winnerId="bob"),
                  NAMES, APP)
    assert [(d.recipient, d.title) for d in made] == [("ada", "You lost your duel"), ("bob", "You won your duel")]


def test_given_an_accepted_friendship_then_the_requester_is_told_who_accepted() -> None:
    [draft] = drafts("FriendshipAccepted", FriendshipAcceptedData(requesterId="ada", addresseeId="bob"), NAMES, APP)
    assert (draft.recipient, draft.title) == ("ada", "Bob accepted your friend request")


def test_given_an_event_that_notifies_nobody_then_no_draft() -> None:
    assert drafts("UserDeleted", UserDeletedData(userId="u1"), NAMES, APP) == []


# Every kind as the person reads it: recipient, kind, title, body and link of each draft (one table, so a
# changed word or a wrong recipient in any builder shows here).
EVERY_EVENT = {
    "TaskDueSoon": (TaskReminderData(taskId="t1", userId="bob", dueAt="2026-11-30T12:00:00Z", title="Call"),
                    [("bob", "taskDueSoon", "Call", "is due 2026-11-30T12:00:00Z", "/tasks/t1")]),
    "TaskOverdue": (TaskReminderData(taskId="t1", userId="bob", dueAt="2026-11-30T12:00:00Z", title="Call"),
                    [("bob", "taskOverdue", "Call", "was due 2026-11-30T12:00:00Z", "/tasks/t1")]),
    "TaskCommented": (TaskCommentedData(taskId="t1", commentId="c1", authorId="ada", mentionedUserIds=["bob"],
                                        projectId="p1"),
                      [("bob", "mention", "Ada mentioned you", "in a comment on a task", "/tasks/t1#comment-c1")]),
    "MemberAdded": (MemberAddedData(projectId="p1", userId="bob", role="editor"),
                    [("bob", "memberAdded", "You were added to a project", "Your role: editor", "/projects/p1")]),
    "FriendRequested": (FriendRequestedData(requesterId="ada", addresseeId="bob"),
                        [("bob", "friendRequested", "Ada wants to be friends", None, "/friends/requests")]),
    "FriendshipAccepted": (FriendshipAcceptedData(requesterId="ada", addresseeId="bob"),
                           [("ada", "friendshipAccepted", "Bob accepted your friend request", None, "/friends")]),
    "LevelUp": (LevelUpData(userId="bob", level=7),
                [("bob", "levelUp", "Level 7!", "You reached a new level.", "/progress")]),
    "BadgeEarned": (BadgeEarnedData(userId="bob", badgeId="b1", name="Early bird"),
                    [("bob", "badgeEarned", "Badge earned: Early bird", None, "/badges/b1")]),
    "StreakAtRisk": (StreakAtRiskData(userId="bob", days=12, day="2026-11-30"),
                     [("bob", "streakAtRisk", "Your 12-day streak is at risk",
                       "Finish a task before your day ends to keep it.", "/progress")]),
    "StreakBroken": (StreakBrokenData(userId="bob", length=9),
                     [("bob", "streakBroken", "Your 9-day streak ended", "Start a new one today.", "/progress")]),
    "DuelInvited": (DuelInvitedData(duelId="d1", challengerId="ada", opponentId="bob"),
                    [("bob", "duelInvited", "Ada challenged you to a duel", None, "/duels/d1")]),
    "DuelFinished": (DuelFinishedData(duelId="d1", participantIds=["ada", "bob", "ada"], winnerId=None),
                     [("ada", "duelFinished", "Your duel ended in a draw", None, "/duels/d1"),
                      ("bob", "duelFinished", "Your duel ended in a draw", None, "/duels/d1")]),
    "ChallengeExpired": (ChallengeExpiredData(challengeId="c1", userId="bob"),
                         [("bob", "challengeExpired", "A challenge expired", None, "/challenges/c1")]),
}


@pytest.mark.parametrize("detail_type", sorted(EVERY_EVENT))
def test_given_each_event_then_its_drafts_say_what_happened_to_whom(detail_type: str) -> None:
    data, expected = EVERY_EVENT[detail_type]

    made = drafts(detail_type, data, NAMES, APP)

    assert [(d.recipient, d.kind, d.title, d.body, d.link) for d in made] == expected
    assert all(d.email is None and d.secretLink is None for d in made)


def test_given_unknown_people_then_requests_and_invitations_name_someone() -> None:
    nobody = {}.get
    [request] = drafts("FriendRequested", FriendRequestedData(requesterId="zed", addresseeId="bob"), nobody, APP)
    [accepted] = drafts("FriendshipAccepted", FriendshipAcceptedData(requesterId="bob", addresseeId="zed"), nobody, APP)
    [invited] = drafts("DuelInvited", DuelInvitedData(duelId="d1", challengerId="zed", opponentId="bob"), nobody, APP)

    assert [request.title, accepted.title, invited.title] == [
        "Someone wants to be friends", "Someone accepted your friend request", "Someone challenged you to a duel"]


def test_given_an_email_verification_then_its_texts_and_link_are_the_verification_ones() -> None:
    data = SecurityMailData(userId="u1", email="u1@example.com", token="t/1", expiresAt="2026-11-30T12:00:00Z")

    [draft] = drafts("EmailVerificationRequested", data, NAMES, APP)

    assert (draft.recipient, draft.kind, draft.title, draft.body, draft.link, draft.email, draft.secretLink) == (
        "u1", "emailVerification", "Confirm your email address", "We emailed you a link to confirm your address.",
        None, "u1@example.com", "https://app.example/verify-email?token=t%2F1")


def test_given_a_password_reset_then_its_texts_say_what_happened() -> None:
    data = SecurityMailData(userId="u1", email="u1@example.com", token="t1", expiresAt="2026-11-30T12:00:00Z")

    [draft] = drafts("PasswordResetRequested", data, NAMES, APP)

    assert (draft.recipient, draft.title, draft.body) == (
        "u1", "A password reset was requested",
        "We emailed a reset link to your address. If it was not you, your password is unchanged.")
