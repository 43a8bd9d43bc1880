"""What each kind of notification is: its priority, its default channels, and its email template.

- *high* kinds are sent at once on every channel the user leaves on (held during quiet hours);
- *low* kinds go into the daily digest email when the user has the digest on (the default), and are sent
  one by one otherwise;
- *security* kinds (password reset, email verification) are always emailed, at once, even during quiet
  hours and whatever the preferences say: the person asked for that email.

An email template is a subject and a plain-text body with ``{title}``, ``{body}`` and ``{link}`` slots.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from deepiri_notifications.models.notifications import KINDS, Channel, Kind
from deepiri_notifications.models.preferences import Channels, NotificationPreferences

Priority = Literal["high", "low", "security"]


@dataclass(frozen=True)
class KindInfo:
    priority: Priority
    defaults: Channels
    subject: str
    text: str


_SIGN_OFF = "\n\n-- \nDeepiri. Change what you receive in Settings > Notifications."
_ALL = Channels()
_QUIET = Channels(push=False)
_NO_EMAIL = Channels(email=False)

CATALOGUE: dict[Kind, KindInfo] = {
    "taskDueSoon": KindInfo("high", _ALL, "Due soon: {title}", "{body}\n\nOpen the task: {link}" + _SIGN_OFF),
    "taskOverdue": KindInfo("high", _ALL, "Overdue: {title}", "{body}\n\nOpen the task: {link}" + _SIGN_OFF),
    "mention": KindInfo("high", _ALL, "{title}", "{body}\n\nSee the comment: {link}" + _SIGN_OFF),
    "memberAdded": KindInfo("low", _ALL, "{title}", "{body}\n\nOpen the project: {link}" + _SIGN_OFF),
    "friendRequested": KindInfo("high", _NO_EMAIL, "{title}", "{body}\n\nAnswer: {link}" + _SIGN_OFF),
    "friendshipAccepted": KindInfo("low", _ALL, "{title}", "{body}\n\n{link}" + _SIGN_OFF),
    "levelUp": KindInfo("low", _ALL, "{title}", "{body}\n\n{link}" + _SIGN_OFF),
    "badgeEarned": KindInfo("low", _ALL, "{title}", "{body}\n\n{link}" + _SIGN_OFF),
    "streakAtRisk": KindInfo("high", _ALL, "{title}", "{body}\n\n{link}" + _SIGN_OFF),
    "streakBroken": KindInfo("low", _QUIET, "{title}", "{body}\n\n{link}" + _SIGN_OFF),
    "duelInvited": KindInfo("high", _ALL, "{title}", "{body}\n\nAccept or decline: {link}" + _SIGN_OFF),
    "duelFinished": KindInfo("low", _ALL, "{title}", "{body}\n\n{link}" + _SIGN_OFF),
    "challengeExpired": KindInfo("low", _QUIET, "{title}", "{body}\n\n{link}" + _SIGN_OFF),
    "passwordReset": KindInfo(
        "security", Channels(push=False), "Reset your Deepiri password",
        "Someone (we hope you) asked to reset the password of this Deepiri account.\n\n"
        "Choose a new password here: {link}\n\nThe link works once and expires soon. If you did not ask, "
        "ignore this email: your password stays as it is.\n\n-- \nDeepiri"),
    "emailVerification": KindInfo(
        "security", Channels(push=False), "Confirm your email address for Deepiri",
        "Confirm that this address is yours: {link}\n\nThe link works once and expires soon. If you did "
        "not create a Deepiri account, ignore this email.\n\n-- \nDeepiri"),
}

DIGEST_SUBJECT = "Your Deepiri day: {count} update(s)"


def channels_for(kind: Kind, preferences: NotificationPreferences) -> Channels:
    """The channels the user leaves on for ``kind``: their choice, else the kind's defaults; email is always
    on for security kinds."""
    info = CATALOGUE[kind]
    chosen = preferences.kinds.get(kind, info.defaults)
    if info.priority == "security":
        return chosen.model_copy(update={"email": True})
    return chosen


def goes_to_digest(kind: Kind, preferences: NotificationPreferences) -> bool:
    """Whether the kind's email waits for the daily digest instead of going out at once."""
    return CATALOGUE[kind].priority == "low" and preferences.digest.enabled


def may_be_held(kind: Kind, channel: Channel) -> bool:
    """Quiet hours hold pushes and emails, except security email."""
    return not (channel == "email" and CATALOGUE[kind].priority == "security")


def effective_preferences(preferences: NotificationPreferences) -> NotificationPreferences:
    """``preferences`` with every kind spelled out (the defaults where the user chose nothing)."""
    kinds = {kind: channels_for(kind, preferences) for kind in KINDS}
    return preferences.model_copy(update={"kinds": kinds})


def render_email(kind: Kind, title: str, body: str | None, link: str | None) -> tuple[str, str]:
    """The subject and text of the email of one notification."""
    info = CATALOGUE[kind]
    slots = {"title": title, "body": body or title, "link": link or "https://deepiri.dev"}
    return info.subject.format(**slots), info.text.format(**slots)


def render_digest(items: list[tuple[str, str | None, str | None]]) -> tuple[str, str]:
    """The subject and text of a digest of ``(title, body, link)`` items, oldest first."""
    lines = [f"- {title}" + (f": {body}" if body and body != title else "") + (f"\n  {link}" if link else "")
             for title, body, link in items]
    return DIGEST_SUBJECT.format(count=len(items)), "Since your last digest:\n\n" + "\n".join(lines) + _SIGN_OFF
