"""The tasks table's stream → the bus: publishes the outbox items written with state changes."""

from __future__ import annotations

from typing import Any

from deepiri_common import aws
from deepiri_common.events import EventBridgePublisher
from deepiri_common.outbox import make_outbox_forwarder
from deepiri_common.settings import load_settings
from deepiri_tasks.settings import TasksSettings


def _publisher() -> EventBridgePublisher:
    return EventBridgePublisher(load_settings(TasksSettings).event_bus_name, aws.client("events"))


handler: Any = make_outbox_forwarder(_publisher)
