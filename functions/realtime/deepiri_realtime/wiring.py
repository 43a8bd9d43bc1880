"""Every collaborator the realtime functions use, built once per process on first use (never at import).

Each factory is named for what it returns. Tests switch environments between cases with :func:`reset`.
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta
from functools import cache

from deepiri_common import aws
from deepiri_common.settings import load_settings
from deepiri_realtime.dal.connections import ConnectionRepository
from deepiri_realtime.dal.outbox import OutboxRepository
from deepiri_realtime.dal.presence import PresenceRepository
from deepiri_realtime.dal.push import ConnectionGone, ConnectionPusher
from deepiri_realtime.dal.rights import RightsRepository
from deepiri_realtime.dal.rooms import RoomRepository
from deepiri_realtime.dal.table import Table
from deepiri_realtime.logic.ports import Limits, Realtime
from deepiri_realtime.settings import RealtimeSettings


def settings() -> RealtimeSettings:
    return load_settings(RealtimeSettings)


@cache
def table() -> Table:
    return Table(settings().connections_table, aws.client("dynamodb"))


@cache
def connection_repository() -> ConnectionRepository:
    return ConnectionRepository(table(), timedelta(seconds=settings().connection_ttl_seconds))


@cache
def connection_pusher() -> ConnectionPusher:
    return ConnectionPusher(aws.client("apigatewaymanagementapi", endpoint_url=settings().ws_management_endpoint))


@cache
def presence_repository() -> PresenceRepository:
    return PresenceRepository(table())


@cache
def push_pool() -> ThreadPoolExecutor:
    """The bounded pool pushes run on (botocore clients are safe to share between threads)."""
    return ThreadPoolExecutor(max_workers=settings().push_workers, thread_name_prefix="push")


@cache
def realtime() -> Realtime:
    config = settings()
    return Realtime(
        connections=connection_repository(), presence=presence_repository(), rights=RightsRepository(table()),
        rooms=RoomRepository(table()), pusher=connection_pusher(), gone=ConnectionGone, pool=push_pool(),
        outbox=OutboxRepository(table()),
        limits=Limits(max_frame_bytes=config.max_frame_bytes, messages_per_minute=config.messages_per_minute),
    )


def reset() -> None:
    """Forget every collaborator (tests switch environments between cases)."""
    for cached in (table, connection_repository, connection_pusher, presence_repository, realtime):
        cached.cache_clear()
