"""The integrations table's stream → the bus: publishes the outbox items written with each change."""

from __future__ import annotations

from typing import Any

from deepiri_common import aws
from deepiri_common.events import EventBridgePublisher
from deepiri_common.outbox import make_outbox_forwarder
from deepiri_integrations import wiring


def _publisher() -> EventBridgePublisher:
    return EventBridgePublisher(wiring.settings().event_bus_name, aws.client("events"))


handler: Any = make_outbox_forwarder(_publisher)
