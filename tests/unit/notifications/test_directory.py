"""What the service knows about people: the contact UserRegistered announces, names for titles, and
forgetting a deleted user with their devices' endpoints."""

from __future__ import annotations

from deepiri_notifications.logic import devices, directory
from deepiri_notifications.logic.creation import create
from deepiri_notifications.logic.intake import Draft
from deepiri_notifications.models.preferences import Contact, DeviceRegistration
from tests.unit.notifications.fakes import FakePusher, FakeQueue, FakeStore

NOW = "2026-11-30T10:00:00.000Z"


def test_given_a_registered_user_then_their_contact_and_name_are_known() -> None:
    store = FakeStore()

    directory.remember(store, "bob", "bob@example.com", "Bob")

    assert store.contact("bob") == Contact(email="bob@example.com", displayName="Bob")
    assert directory.display_name(store, "bob") == "Bob" and directory.display_name(store, "ada") is None


def test_given_a_deleted_user_then_everything_about_them_and_their_endpoints_goes_and_others_stay() -> None:
    store, pusher = FakeStore(), FakePusher(platforms=("fcm",))
    for user in ("bob", "ada"):
        directory.remember(store, user, f"{user}@example.com", user.title())
        create(store, FakeQueue(), "E1", Draft(user, "mention", "Hi", None, None), NOW)
        devices.register(store, pusher, user, DeviceRegistration(platform="fcm", token=f"token-of-{user}"), NOW)
    devices.register(store, FakePusher(), "bob", DeviceRegistration(platform="apns", token="apns-token-01"), NOW)

    gone = directory.forget(store, pusher, "bob")

    assert gone == 4  # the notification, the contact, two devices
    assert pusher.removed == ["arn:aws:sns:us-east-1:123456789012:endpoint/fcm/-bob"]
    assert store.devices("bob") == [] and store.contact("bob") == Contact()
    assert store.page("bob", False, 10, None).items == []
    assert directory.display_name(store, "ada") == "Ada" and len(store.devices("ada")) == 1
