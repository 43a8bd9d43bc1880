"""The integrations table's stream → the bus: publishes the outbox items written with each change."""

from __future__ import annotations

from typing import Any

from deepiri_common import aws
from deepiri_common.events import EventBridgePublisher
from deepiri_common.outbox import make_outbox_forwarder
from deepiri_common.settings import CommonSettings, load_settings


def _publisher() -> EventBridgePublisher:
    # The forwarder needs only the bus: the service's own settings (its key, its secret) are not its business.
    return EventBridgePublisher(load_settings(CommonSettings).event_bus_name, aws.client("events"))


handler: Any = make_outbox_forwarder(_publisher)
