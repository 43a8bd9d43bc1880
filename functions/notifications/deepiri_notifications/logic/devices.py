"""Push devices: registering a device token turns it into an SNS platform endpoint (when this stage has a
platform application for the device's platform), unregistering deletes both. A device's id is derived
from its token, so registering the same token again answers the same device."""

from __future__ import annotations

import hashlib
from typing import Protocol

from deepiri_common.problems import NotFound
from deepiri_notifications.models.preferences import Device, DeviceRegistration, StoredDevice


class Store(Protocol):
    def devices(self, user_id: str) -> list[StoredDevice]: ...
    def save_device(self, user_id: str, device: StoredDevice) -> None: ...
    def delete_device(self, user_id: str, device_id: str) -> StoredDevice | None: ...


class Endpoints(Protocol):
    def configured(self, platform: str) -> bool: ...
    def register(self, platform: str, token: str) -> str: ...
    def unregister(self, endpoint_arn: str) -> None: ...


def device_id(platform: str, token: str) -> str:
    return hashlib.sha256(f"{platform}:{token}".encode()).hexdigest()[:32]


def _public(device: StoredDevice) -> Device:
    return Device.model_validate(device.model_dump())  # Device has no endpointArn: validating leaves it out


def register(store: Store, endpoints: Endpoints, user_id: str, registration: DeviceRegistration, now: str) -> Device:
    """Register a device token (again: the same device, registered when it first was)."""
    identity = device_id(registration.platform, registration.token)
    known = next((device for device in store.devices(user_id) if device.id == identity), None)
    configured = endpoints.configured(registration.platform)
    arn = endpoints.register(registration.platform, registration.token) if configured else None
    device = StoredDevice(id=identity, platform=registration.platform, createdAt=known.createdAt if known else now,
                          push="ready" if configured else "unconfigured", endpointArn=arn)
    store.save_device(user_id, device)
    return _public(device)


def listed(store: Store, user_id: str) -> list[Device]:
    return [_public(device) for device in store.devices(user_id)]


def unregister(store: Store, endpoints: Endpoints, user_id: str, device: str) -> None:
    removed = store.delete_device(user_id, device)
    if removed is None:
        raise NotFound("no such device")
    if removed.endpointArn:
        endpoints.unregister(removed.endpointArn)
