"""Which notifications an event makes, and for whom."""

from __future__ import annotations

from deepiri_notifications.logic.intake import drafts
from deepiri_notifications.models.events import (
    DuelFinishedData,
    FriendshipAcceptedData,
    SecurityMailData,
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
