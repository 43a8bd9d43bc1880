"""Notifications REST routes under /api/notifications: the history, read marks, preferences and devices."""

from __future__ import annotations

from typing import Annotated, Any

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.openapi.params import Path, Query

from deepiri_common.api import api_handler, create_resolver
from deepiri_common.clock import to_iso, utc_now
from deepiri_common.identity import current_caller
from deepiri_common.pagination import Page
from deepiri_common.params import Cursor, Limit, no_content
from deepiri_common.routes import Routes
from deepiri_notifications import wiring
from deepiri_notifications.logic import devices, inbox, settings
from deepiri_notifications.models.notifications import NOTIFICATION_ID_PATTERN, Notification, ReadAll, UnreadCount
from deepiri_notifications.models.preferences import (
    DEVICE_ID_PATTERN,
    Device,
    DeviceRegistration,
    NotificationPreferences,
)

app = create_resolver()
routes = Routes(app)

NotificationId = Annotated[str, Path(pattern=NOTIFICATION_ID_PATTERN)]
DeviceId = Annotated[str, Path(pattern=DEVICE_ID_PATTERN)]


def _me() -> str:
    return current_caller(app).user_id


@routes.get("/api/notifications")
def list_notifications(
    unread: Annotated[bool, Query(description="only the notifications not read yet")] = False,
    limit: Limit = 20,
    cursor: Cursor = None,
) -> Page[Notification]:
    """The caller's notifications, newest first, each with its delivery attempts."""
    return inbox.history(wiring.notification_repository(), _me(), unread, limit, cursor)


@routes.get("/api/notifications/unread-count")
def unread_count() -> UnreadCount:
    """How many of the caller's notifications are unread."""
    return inbox.unread_count(wiring.notification_repository(), _me())


@routes.post("/api/notifications/read-all")
def read_all() -> ReadAll:
    """Mark every unread notification of the caller read."""
    return inbox.mark_all_read(wiring.notification_repository(), _me(), to_iso(utc_now()))


@routes.get("/api/notifications/preferences")
def get_preferences() -> NotificationPreferences:
    """The caller's preferences: channels of every kind, quiet hours, digest, timezone."""
    return settings.read(wiring.notification_repository(), _me())


@routes.put("/api/notifications/preferences")
def put_preferences(body: NotificationPreferences) -> NotificationPreferences:
    """Replace the caller's preferences (kinds not named take their defaults)."""
    return settings.replace(wiring.notification_repository(), _me(), body, to_iso(utc_now()))


@routes.get("/api/notifications/devices")
def list_devices() -> list[Device]:
    """The caller's registered push devices."""
    return devices.listed(wiring.notification_repository(), _me())


@routes.post("/api/notifications/devices", status=201)
def register_device(body: DeviceRegistration) -> Response[Device]:
    """Register a device's push token (an SNS platform endpoint where this stage has a platform application)."""
    device = devices.register(wiring.notification_repository(), wiring.pusher(), _me(), body, to_iso(utc_now()))
    return Response(status_code=201, body=device, content_type="application/json")


@routes.delete("/api/notifications/devices/<id>")
def delete_device(id: DeviceId) -> Response[None]:
    """Unregister a push device."""
    devices.unregister(wiring.notification_repository(), wiring.pusher(), _me(), id)
    return no_content()


@routes.post("/api/notifications/<id>/read")
def read_one(id: NotificationId) -> Notification:
    """Mark one notification read."""
    return inbox.mark_read(wiring.notification_repository(), _me(), id, to_iso(utc_now()))


@routes.delete("/api/notifications/<id>")
def delete_notification(id: NotificationId) -> Response[None]:
    """Delete one notification."""
    inbox.delete(wiring.notification_repository(), _me(), id)
    return no_content()


handler: Any = api_handler(app)
