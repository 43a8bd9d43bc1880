"""What the service keeps about people: the address and name UserRegistered announces, and forgetting
everything about a user on UserDeleted (notifications, preferences, contact, devices and their SNS
endpoints)."""

from __future__ import annotations

from typing import Protocol

from deepiri_notifications.models.preferences import Contact, StoredDevice


class Store(Protocol):
    def contact(self, user_id: str) -> Contact: ...
    def save_contact(self, user_id: str, contact: Contact) -> None: ...
    def devices(self, user_id: str) -> list[StoredDevice]: ...
    def purge(self, user_id: str) -> int: ...


class Endpoints(Protocol):
    def unregister(self, endpoint_arn: str) -> None: ...


def remember(store: Store, user_id: str, email: str, display_name: str) -> None:
    store.save_contact(user_id, Contact(email=email, displayName=display_name))


def display_name(store: Store, user_id: str) -> str | None:
    return store.contact(user_id).displayName


def forget(store: Store, endpoints: Endpoints, user_id: str) -> int:
    """Delete everything about the user; how many items there were."""
    for device in store.devices(user_id):
        if device.endpointArn:
            endpoints.unregister(device.endpointArn)
    return store.purge(user_id)
