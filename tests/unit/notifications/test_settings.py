"""Preferences and the timezone they follow: the users service owns the timezone; its announcements are kept
in event-time order, once each."""

from __future__ import annotations

import pytest

from deepiri_common.problems import ValidationFailed
from deepiri_notifications.logic.settings import read, replace, timezone_announced
from deepiri_notifications.models.preferences import Channels, NotificationPreferences, NotificationQuietHours
from tests.unit.notifications.fakes import FakeStore

EARLY, LATE = "2026-11-30T08:00:00.000Z", "2026-11-30T09:00:00.000Z"


def test_given_nothing_stored_then_the_defaults_with_every_kind_spelled_out() -> None:
    shown = read(FakeStore(), "ada")

    assert shown.timezone == "UTC" and shown.quietHours is None and shown.digest.enabled
    assert shown.kinds["mention"] == Channels(inApp=True, email=True, push=True)
    assert shown.kinds["friendRequested"].email is False


def test_given_a_settings_change_then_the_preferences_follow_its_timezone() -> None:
    store = FakeStore()

    assert timezone_announced(store, "ada", "Asia/Tokyo", EARLY, "E1") is True

    assert read(store, "ada").timezone == "Asia/Tokyo" and read(store, "bob").timezone == "UTC"


def test_given_an_older_announcement_arriving_late_then_the_newer_timezone_stays() -> None:
    store = FakeStore()
    timezone_announced(store, "ada", "Europe/Paris", LATE, "E2")

    kept = timezone_announced(store, "ada", "Asia/Tokyo", EARLY, "E1")

    assert kept is False and read(store, "ada").timezone == "Europe/Paris"


def test_given_the_same_announcement_twice_then_kept_once() -> None:
    store = FakeStore()

    first = timezone_announced(store, "ada", "Asia/Tokyo", EARLY, "E1")
    again = timezone_announced(store, "ada", "Asia/Tokyo", EARLY, "E1")

    assert (first, again) == (True, False) and read(store, "ada").timezone == "Asia/Tokyo"


def test_given_two_announcements_of_the_same_instant_then_the_later_event_id_wins() -> None:
    store = FakeStore()
    timezone_announced(store, "ada", "Europe/Paris", EARLY, "01B")

    assert timezone_announced(store, "ada", "Asia/Tokyo", EARLY, "01A") is False
    assert timezone_announced(store, "ada", "America/Lima", EARLY, "01C") is True
    assert read(store, "ada").timezone == "America/Lima"


def test_given_instants_written_with_an_offset_then_they_are_ordered_as_instants() -> None:
    store = FakeStore()
    timezone_announced(store, "ada", "Europe/Paris", "2026-11-30T09:30:00+01:00", "E1")  # 08:30 UTC

    assert timezone_announced(store, "ada", "Asia/Tokyo", "2026-11-30T08:45:00Z", "E0") is True
    assert read(store, "ada").timezone == "Asia/Tokyo"


def test_given_a_put_without_timezone_then_the_choices_are_kept_and_the_account_timezone_shown() -> None:
    store = FakeStore()
    timezone_announced(store, "ada", "Asia/Tokyo", EARLY, "E1")
    wanted = NotificationPreferences.model_validate(
        {"kinds": {"mention": {"inApp": True, "email": False, "push": True}},
         "quietHours": {"start": "22:00", "end": "07:00"}})

    answered = replace(store, "ada", wanted, LATE)  # the fake refuses a save without its time, as the table does

    assert answered == read(store, "ada")
    assert answered.timezone == "Asia/Tokyo" and answered.kinds["mention"].email is False
    assert answered.quietHours == NotificationQuietHours(start="22:00", end="07:00")
    assert answered.kinds["levelUp"] == Channels()  # a kind not named keeps its defaults


def test_given_a_put_repeating_the_account_timezone_then_accepted() -> None:
    store = FakeStore()
    timezone_announced(store, "ada", "Asia/Tokyo", EARLY, "E1")

    answered = replace(store, "ada", NotificationPreferences(timezone="Asia/Tokyo"), LATE)

    assert answered.timezone == "Asia/Tokyo"


def test_given_a_put_changing_the_timezone_then_422_naming_it_and_nothing_stored() -> None:
    store = FakeStore()
    timezone_announced(store, "ada", "Asia/Tokyo", EARLY, "E1")

    with pytest.raises(ValidationFailed) as refused:
        replace(store, "ada", NotificationPreferences(timezone="Europe/Paris", quietHours=None), LATE)

    assert refused.value.errors[0]["field"] == "body.timezone"
    assert "PATCH /api/users/me" in refused.value.errors[0]["message"]
    assert store.prefs == {} and read(store, "ada").timezone == "Asia/Tokyo"


def test_given_a_later_announcement_then_it_changes_the_timezone_of_stored_choices() -> None:
    store = FakeStore()
    replace(store, "ada", NotificationPreferences(quietHours=NotificationQuietHours(start="22:00", end="07:00")), EARLY)

    timezone_announced(store, "ada", "Europe/Paris", LATE, "E9")

    shown = read(store, "ada")
    assert shown.timezone == "Europe/Paris" and shown.quietHours is not None


def test_given_a_timezone_unknown_here_then_it_is_not_kept_and_the_known_one_stays() -> None:
    store = FakeStore()
    timezone_announced(store, "ada", "Europe/Paris", EARLY, "E1")

    assert timezone_announced(store, "ada", "Mars/Olympus", LATE, "E2") is False
    assert timezone_announced(store, "ada", "", LATE, "E3") is False
    assert read(store, "ada").timezone == "Europe/Paris"
