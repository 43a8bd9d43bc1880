"""The realtime functions' collaborators, built once per process on first use (never at import)."""

from __future__ import annotations

from datetime import timedelta
from functools import cache

from deepiri_common import aws
from deepiri_common.settings import load_settings
from deepiri_realtime.dal.connections import ConnectionRepository
from deepiri_realtime.dal.presence import PresenceRepository
from deepiri_realtime.dal.push import ConnectionPusher
from deepiri_realtime.settings import RealtimeSettings


@cache
def connections() -> ConnectionRepository:
    settings = load_settings(RealtimeSettings)
    return ConnectionRepository(settings.connections_table, timedelta(seconds=settings.connection_ttl_seconds))


@cache
def pusher() -> ConnectionPusher:
    settings = load_settings(RealtimeSettings)
    return ConnectionPusher(aws.client("apigatewaymanagementapi", endpoint_url=settings.ws_management_endpoint))


@cache
def presence() -> PresenceRepository:
    return PresenceRepository(load_settings(RealtimeSettings).connections_table, aws.client("dynamodb"))
