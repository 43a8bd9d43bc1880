"""Delivering one notification on one channel (a message of the delivery queue), and recording every attempt.

- A channel no longer ``pending`` (delivered, held or queued for the digest by an earlier copy of the
  message) is left alone, so a message delivered twice sends once.
- During the user's quiet hours a push, or an email that is not security mail, is recorded as ``held``
  (with the local end of the quiet hours as its reason) and the release job queues it again then.
- Email goes to the address the event named (security mail) or the user's known address; none known →
  ``skipped``. Push goes to each registered device's SNS endpoint; no platform application on this stage,
  or no device → ``skipped``; an endpoint SNS reports disabled is removed with the device.
- A provider refusal is recorded as ``failed`` with its code; any other error is raised, so the message is
  retried and, after five receives, kept in the delivery queue's DLQ.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from deepiri_common.clock import to_iso
from deepiri_notifications.logic.catalogue import may_be_held, render_email
from deepiri_notifications.logic.schedule import quiet_until
from deepiri_notifications.models.notifications import (
    ChannelState,
    Delivery,
    DeliveryRequest,
    SendChannel,
    StoredNotification,
)
from deepiri_notifications.models.preferences import Contact, NotificationPreferences, StoredDevice


class Store(Protocol):
    def get(self, user_id: str, notification_id: str) -> StoredNotification | None: ...
    def preferences(self, user_id: str) -> tuple[NotificationPreferences, object]: ...
    def contact(self, user_id: str) -> Contact: ...
    def devices(self, user_id: str) -> list[StoredDevice]: ...
    def delete_device(self, user_id: str, device_id: str) -> StoredDevice | None: ...
    def record(self, user_id: str, notification_id: str, channel: SendChannel, deliveries: list[Delivery], *,
               state: ChannelState, expected: ChannelState) -> bool: ...
    def hold(self, user_id: str, notification_id: str, channel: SendChannel, delivery: Delivery,
             release_at: datetime) -> bool: ...


class Mailer(Protocol):
    def send(self, to: str, subject: str, text: str) -> str: ...


class Pusher(Protocol):
    def configured(self, platform: str) -> bool: ...
    def publish(self, endpoint_arn: str, title: str, body: str | None, data: dict[str, str]) -> str: ...
    def unregister(self, endpoint_arn: str) -> None: ...


@dataclass(frozen=True)
class Channels:
    mailer: Mailer
    pusher: Pusher
    refused: type[Exception]  # the providers' refusal (``dal.channels.ChannelRefused``)
    app_url: str


def deliver(store: Store, channels: Channels, request: DeliveryRequest, now: datetime) -> str:
    """Deliver ``request`` now; what happened (``sent``, ``held``, ``skipped``, ``failed``, or ``ignored``)."""
    notification = store.get(request.userId, request.notificationId)
    if notification is None or notification.channels.get(request.channel) != "pending":
        return "ignored"
    at = to_iso(now)
    preferences, _ = store.preferences(request.userId)
    if may_be_held(notification.kind, request.channel):
        until = quiet_until(now, preferences.timezone, preferences.quietHours)
        if until is not None:
            held = Delivery(channel=request.channel, status="held", at=at,
                            reason=f"quiet hours until {to_iso(until)}")
            return "held" if store.hold(request.userId, notification.id, request.channel, held, until) else "ignored"
    if request.channel == "email":
        deliveries = [_email(store, channels, request, notification, at)]
    else:
        deliveries = _push(store, channels, request.userId, notification, at)
    store.record(request.userId, notification.id, request.channel, deliveries, state="done", expected="pending")
    return _overall(deliveries)


def _overall(deliveries: Sequence[Delivery]) -> str:
    """``sent`` when any device (or the one email) got it, else what the last attempt came to."""
    return "sent" if any(d.status == "sent" for d in deliveries) else deliveries[-1].status


def _email(store: Store, channels: Channels, request: DeliveryRequest, notification: StoredNotification,
           at: str) -> Delivery:
    address = request.email or store.contact(request.userId).email
    if not address:
        return Delivery(channel="email", status="skipped", at=at, reason="no email address known for this user")
    link = request.secretLink or (channels.app_url + notification.link if notification.link else None)
    subject, text = render_email(notification.kind, notification.title, notification.body, link)
    try:
        channels.mailer.send(address, subject, text)
    except channels.refused as refused:
        return Delivery(channel="email", status="failed", at=at, reason=f"SES refused: {refused}")
    return Delivery(channel="email", status="sent", at=at)


def _push(store: Store, channels: Channels, user_id: str, notification: StoredNotification,
          at: str) -> list[Delivery]:
    devices = store.devices(user_id)
    if not devices:
        return [Delivery(channel="push", status="skipped", at=at, reason="no registered device")]
    results: list[Delivery] = []
    for device in devices:
        if not device.endpointArn or not channels.pusher.configured(device.platform):
            results.append(Delivery(channel="push", status="skipped", at=at, reason=(
                f"device {device.id}: no SNS platform application for {device.platform} on this stage")))
            continue
        data = {"notificationId": notification.id, "kind": notification.kind, "link": notification.link or ""}
        try:
            channels.pusher.publish(device.endpointArn, notification.title, notification.body, data)
        except channels.refused as refused:
            reason = f"device {device.id}: SNS refused: {refused}"
            if getattr(refused, "disabled", False):  # a default of None reads the same, falsy (equivalent)
                store.delete_device(user_id, device.id)
                channels.pusher.unregister(device.endpointArn)
                reason += " (endpoint disabled: device removed)"
            results.append(Delivery(channel="push", status="failed", at=at, reason=reason))
            continue
        results.append(Delivery(channel="push", status="sent", at=at, reason=f"device {device.id}"))
    return results
