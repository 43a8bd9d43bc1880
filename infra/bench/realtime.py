"""Realtime fan-out: from one event on the bus to the last of 200 subscribed WebSocket connections.

200 connections of one user (all subscribed to its ``user:<id>`` channel) are opened on the local stack;
after one unmeasured warm-up event, XpAwarded events about that user are put on the bus one at a time,
and each connection notes when the frame carrying the event's id arrives. The latency of an event is
from just before ``PutEvents`` to its last arrival (the whole path: bus → rule → queue → consumer →
parallel ``@connections`` pushes → the emulator's sockets); frames per second come from a burst of
events put at once. Bounded: fixed counts, a time-out per event, 127.0.0.1 only.
"""

from __future__ import annotations

import asyncio
import base64
import json
import time
from collections import defaultdict
from typing import Any

import boto3
from websockets.asyncio.client import ClientConnection, connect
from websockets.protocol import State

from deepiri_common.events import DomainEvent, EventBridgePublisher
from infra.bench import core, local
from infra.config import REGION, Target
from infra.urls import discover

CONNECTIONS = 200
SEQUENTIAL_EVENTS = 10
BURST_EVENTS = 5
OPENING_CONCURRENCY = 8
EVENT_TIMEOUT_SECONDS = 20.0  # well inside the presence sweep's 120 s heartbeat time-out


def subject(token: str) -> str:
    """The user id (``sub``) of an access token, read without verifying it (it is this run's own)."""
    payload = token.split(".")[1]
    return str(json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))["sub"])


def latencies_to_last(published: dict[str, float], arrivals: dict[str, list[float]], expected: int) -> list[float]:
    """Per event, ms from publishing to the ``expected``-th arrival; events that did not reach every
    connection are left out (the caller notes how many)."""
    return [(max(arrivals[event_id]) - started) * 1000 for event_id, started in published.items()
            if len(arrivals.get(event_id, [])) >= expected]


class _Listeners:
    """The open sockets and when each frame id reached each of them."""

    def __init__(self) -> None:
        self.sockets: list[ClientConnection] = []
        self.arrivals: dict[str, list[float]] = defaultdict(list)

    async def open(self, url: str, count: int) -> None:
        gate = asyncio.Semaphore(OPENING_CONCURRENCY)

        async def one() -> None:
            async with gate:
                # No keep-alive pings: on a loaded machine a late pong would close a socket mid-measure.
                self.sockets.append(await connect(url, open_timeout=core.COLD_REQUEST_TIMEOUT_SECONDS,
                                                  max_size=2**20, ping_interval=None))

        await asyncio.gather(*(one() for _ in range(count)))

    async def listen(self, socket: ClientConnection) -> None:
        async for message in socket:
            frame = json.loads(message)
            if frame.get("type") == "xp.awarded":
                self.arrivals[frame["id"]].append(time.perf_counter())

    def open_count(self) -> int:
        return sum(1 for socket in self.sockets if socket.state is State.OPEN)

    async def close(self) -> None:
        await asyncio.gather(*(socket.close() for socket in self.sockets), return_exceptions=True)


async def _wait_for_all(listeners: _Listeners, event_ids: list[str]) -> None:
    """Until every event reached every socket still open (bounded by the per-event time-out)."""
    deadline = time.monotonic() + EVENT_TIMEOUT_SECONDS
    while time.monotonic() < deadline and any(len(listeners.arrivals[e]) < listeners.open_count()
                                              for e in event_ids):
        await asyncio.sleep(0.01)


async def _measure(url: str, publisher: EventBridgePublisher, user_id: str) -> dict[str, Any]:
    listeners = _Listeners()
    try:
        await listeners.open(url, CONNECTIONS)
        readers = [asyncio.create_task(listeners.listen(socket)) for socket in listeners.sockets]
        await asyncio.sleep(2)  # every $connect has recorded its subscription
        warmup = DomainEvent.new("engagement", "XpAwarded", {"userId": user_id, "amount": 0}, actor="system")
        await asyncio.to_thread(publisher.publish, [warmup])  # the consumer's cold start is not measured
        await _wait_for_all(listeners, [warmup.id])
        published: dict[str, float] = {}
        for amount in range(SEQUENTIAL_EVENTS):
            event = DomainEvent.new("engagement", "XpAwarded", {"userId": user_id, "amount": amount + 1},
                                    actor="system")
            published[event.id] = time.perf_counter()
            await asyncio.to_thread(publisher.publish, [event])
            await _wait_for_all(listeners, [event.id])
        burst = [DomainEvent.new("engagement", "XpAwarded", {"userId": user_id, "amount": 1}, actor="system")
                 for _ in range(BURST_EVENTS)]
        burst_started = time.perf_counter()
        await asyncio.to_thread(publisher.publish, burst)
        await _wait_for_all(listeners, [e.id for e in burst])
        frames = sum(len(listeners.arrivals[e.id]) for e in burst)
        last = max((t for e in burst for t in listeners.arrivals[e.id]), default=burst_started)
        for reader in readers:
            reader.cancel()
        return {"opened": len(listeners.sockets), "still_open": listeners.open_count(), "published": published,
                "arrivals": dict(listeners.arrivals),
                "burst_frames": frames, "burst_seconds": last - burst_started}
    finally:
        await listeners.close()


def run(target: Target) -> core.Result:
    """p50/p95 of one event to the last of 200 subscribed connections, and frames per second in a burst."""
    result = core.Result(title=f"realtime: one event to the last of {CONNECTIONS} subscribed connections "
                               f"(1 warm-up, {SEQUENTIAL_EVENTS} events one at a time, then a burst of {BURST_EVENTS})",
                         columns=["p50", "p95"])
    rest = local.local_rest(target, result)
    if rest is None:
        return result
    user = local.bench_user(rest)
    url = f"{discover(target).websocket}?token={user.access_token}"
    publisher = EventBridgePublisher(f"deepiri-{target.stage}",
                                     boto3.client("events", endpoint_url=target.endpoint, region_name=REGION))
    figures = asyncio.run(_measure(url, publisher, subject(user.access_token)))
    if figures["opened"] < CONNECTIONS:
        raise core.BenchError(f"only {figures['opened']} of {CONNECTIONS} connections opened")
    if figures["still_open"] < CONNECTIONS:
        result.notes.append(f"{CONNECTIONS - figures['still_open']} connections closed during the run")
    latency = core.timed_figures(latencies_to_last(figures["published"], figures["arrivals"], figures["still_open"]))
    missed = SEQUENTIAL_EVENTS - int(latency["samples"] or 0)
    if missed:
        result.notes.append(f"{missed} of {SEQUENTIAL_EVENTS} events did not reach every connection within "
                            f"{EVENT_TIMEOUT_SECONDS:.0f}s")
    per_second = figures["burst_frames"] / figures["burst_seconds"] if figures["burst_seconds"] > 0 else None
    result.rows = [
        core.Row("event to last of 200 connections, ms", [latency["p50"], latency["p95"]]),
        core.Row(f"frames per second (burst: {figures['burst_frames']} frames)", [per_second, None]),
    ]
    result.data = {"connections": CONNECTIONS, "latency_to_last_ms": latency, "burst_frames": figures["burst_frames"],
                   "burst_seconds": figures["burst_seconds"], "frames_per_second": per_second}
    return result
