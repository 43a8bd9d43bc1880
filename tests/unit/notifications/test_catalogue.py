"""What each kind is: its default channels, whether it waits for the digest or may be held by quiet hours, and
the emails the person reads."""

from __future__ import annotations

import pytest

from deepiri_notifications.logic.catalogue import (
    CATALOGUE,
    channels_for,
    effective_preferences,
    goes_to_digest,
    may_be_held,
    render_digest,
    render_email,
)
from deepiri_notifications.models.notifications import KINDS
from deepiri_notifications.models.preferences import Channels, Digest, NotificationPreferences

SIGN_OFF = "\n\n-- \nDeepiri. Change what you receive in Settings > Notifications."


def test_given_no_choice_then_each_kind_has_its_default_channels() -> None:
    defaults = NotificationPreferences()

    chosen = {kind: channels_for(kind, defaults) for kind in KINDS}

    assert chosen["friendRequested"] == Channels(email=False)
    assert chosen["streakBroken"] == chosen["challengeExpired"] == Channels(push=False)
    assert chosen["passwordReset"] == chosen["emailVerification"] == Channels(push=False)
    assert {kind for kind, channels in chosen.items() if channels == Channels()} == set(KINDS) - {
        "friendRequested", "streakBroken", "challengeExpired", "passwordReset", "emailVerification"}


def test_given_a_choice_then_it_replaces_the_defaults_of_that_kind_only() -> None:
    mine = NotificationPreferences(kinds={"mention": Channels(email=False, push=False),
                                          "friendRequested": Channels()})

    assert channels_for("mention", mine) == Channels(email=False, push=False)
    assert channels_for("friendRequested", mine) == Channels()
    assert channels_for("taskDueSoon", mine) == Channels()


def test_given_effective_preferences_then_every_kind_is_spelled_out_and_the_rest_kept() -> None:
    mine = NotificationPreferences(timezone="Asia/Tokyo", kinds={"mention": Channels(push=False)},
                                   digest=Digest(enabled=False, hour=6))

    shown = effective_preferences(mine)

    assert set(shown.kinds) == set(KINDS) and shown.kinds["mention"] == Channels(push=False)
    assert shown.kinds["streakBroken"] == Channels(push=False)
    assert (shown.timezone, shown.digest) == ("Asia/Tokyo", Digest(enabled=False, hour=6))
    assert mine.kinds == {"mention": Channels(push=False)}  # the stored choice is not changed


def test_given_the_digest_on_then_only_low_priority_kinds_wait_for_it() -> None:
    on, off = NotificationPreferences(), NotificationPreferences(digest=Digest(enabled=False))

    assert [kind for kind in sorted(KINDS) if goes_to_digest(kind, on)] == sorted([
        "memberAdded", "friendshipAccepted", "levelUp", "badgeEarned", "streakBroken", "duelFinished",
        "challengeExpired"])
    assert [kind for kind in sorted(KINDS) if goes_to_digest(kind, off)] == []


@pytest.mark.parametrize("kind", sorted(KINDS))
def test_given_quiet_hours_then_everything_may_be_held_but_security_email(kind: str) -> None:
    security = CATALOGUE[kind].priority == "security"  # type: ignore[index]

    assert may_be_held(kind, "push") is True  # type: ignore[arg-type]
    assert may_be_held(kind, "email") is (not security)  # type: ignore[arg-type]


def test_given_a_notification_then_its_email_fills_the_kinds_template() -> None:
    subject, text = render_email("taskDueSoon", "Call the printer", "is due tomorrow", "https://app/tasks/t1")

    assert subject == "Due soon: Call the printer"
    assert text == "is due tomorrow\n\nOpen the task: https://app/tasks/t1" + SIGN_OFF


def test_given_no_body_or_link_then_the_email_uses_the_title_and_the_public_site() -> None:
    subject, text = render_email("badgeEarned", "Badge earned: Early bird", None, None)

    assert subject == "Badge earned: Early bird"
    assert text == "Badge earned: Early bird\n\nhttps://deepiri.dev" + SIGN_OFF


def test_given_a_password_reset_then_its_email_carries_the_link_and_no_settings_footer() -> None:
    subject, text = render_email("passwordReset", "A password reset was requested", "ignored body",
                                 "https://app/reset-password?token=t")

    assert subject == "Reset your Deepiri password"
    assert "Choose a new password here: https://app/reset-password?token=t\n" in text
    assert "ignored body" not in text and text.endswith("\n\n-- \nDeepiri")


def test_given_digest_items_then_one_line_each_with_body_and_link_when_they_add_something() -> None:
    subject, text = render_digest([("Level 2!", "You reached a new level.", "https://app/progress"),
                                   ("Badge earned", None, None),
                                   ("Same", "Same", "https://app/x")])

    assert subject == "Your Deepiri day: 3 update(s)"
    assert text == ("Since your last digest:\n\n"
                    "- Level 2!: You reached a new level.\n  https://app/progress\n"
                    "- Badge earned\n"
                    "- Same\n  https://app/x" + SIGN_OFF)
