"""Push devices: a token becomes an SNS endpoint where the platform is configured; the same token is the same
device; unregistering deletes the endpoint too; the token and the endpoint never show."""

from __future__ import annotations

import pytest

from deepiri_common.problems import NotFound
from deepiri_notifications.logic import devices
from deepiri_notifications.models.preferences import Device, DeviceRegistration
from tests.unit.notifications.fakes import FakePusher, FakeStore

FIRST, LATER = "2026-11-30T10:00:00.000Z", "2026-12-01T10:00:00.000Z"
PHONE = DeviceRegistration(platform="fcm", token="fcm-token-0001")


def test_given_a_configured_platform_then_the_device_gets_an_endpoint_and_is_ready() -> None:
    store, pusher = FakeStore(), FakePusher(platforms=("fcm",))

    device = devices.register(store, pusher, "bob", PHONE, FIRST)

    assert type(device) is Device and device.model_dump() == {
        "id": devices.device_id("fcm", "fcm-token-0001"), "platform": "fcm", "createdAt": FIRST, "push": "ready"}
    [stored] = store.devices("bob")
    assert stored.endpointArn == "arn:aws:sns:us-east-1:123456789012:endpoint/fcm/0001"
    assert "endpointArn" not in device.model_dump()
    assert "endpointArn" not in devices.listed(store, "bob")[0].model_dump()


def test_given_a_platform_without_application_then_the_device_is_kept_unconfigured_without_endpoint() -> None:
    store = FakeStore()

    device = devices.register(store, FakePusher(platforms=("apns",)), "bob", PHONE, FIRST)

    assert device.push == "unconfigured" and store.devices("bob")[0].endpointArn is None


def test_given_the_same_token_again_then_the_same_device_registered_when_it_first_was() -> None:
    store, pusher = FakeStore(), FakePusher(platforms=("fcm",))
    first = devices.register(store, pusher, "bob", PHONE, FIRST)

    again = devices.register(store, pusher, "bob", PHONE, LATER)
    other = devices.register(store, pusher, "bob", DeviceRegistration(platform="apns", token="fcm-token-0001"), LATER)

    assert again == first and other.id != first.id and other.createdAt == LATER
    assert devices.listed(store, "bob") == [first, other]
    assert devices.register(store, pusher, "ada", PHONE, LATER).createdAt == LATER  # someone else's is their own


def test_given_device_ids_then_they_depend_on_platform_and_token_and_fit_the_route_pattern() -> None:
    ids = {devices.device_id(p, t) for p in ("fcm", "apns") for t in ("token-a", "token-b")}

    assert len(ids) == 4 and all(len(i) == 32 and set(i) <= set("0123456789abcdef") for i in ids)
    assert devices.device_id("fcm", "token-a") == devices.device_id("fcm", "token-a")


def test_given_a_device_when_unregistered_then_it_and_its_endpoint_are_deleted() -> None:
    store, pusher = FakeStore(), FakePusher(platforms=("fcm",))
    device = devices.register(store, pusher, "bob", PHONE, FIRST)

    devices.unregister(store, pusher, "bob", device.id)

    assert devices.listed(store, "bob") == []
    assert pusher.removed == ["arn:aws:sns:us-east-1:123456789012:endpoint/fcm/0001"]


def test_given_an_unconfigured_device_when_unregistered_then_no_endpoint_is_touched() -> None:
    store, pusher = FakeStore(), FakePusher()
    device = devices.register(store, pusher, "bob", PHONE, FIRST)

    devices.unregister(store, pusher, "bob", device.id)

    assert devices.listed(store, "bob") == [] and pusher.removed == []


def test_given_another_users_device_when_unregistering_then_not_found_and_it_stays() -> None:
    store, pusher = FakeStore(), FakePusher(platforms=("fcm",))
    device = devices.register(store, pusher, "bob", PHONE, FIRST)

    with pytest.raises(NotFound) as missing:
        devices.unregister(store, pusher, "ada", device.id)

    assert missing.value.detail == "no such device"

    assert devices.listed(store, "bob") == [device] and pusher.removed == []
