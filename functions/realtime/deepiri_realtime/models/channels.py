"""Channels a connection may subscribe to: ``<kind>:<id>``.

``user:<id>`` carries what is about one person, ``project:<id>`` a project's task changes,
``challenge:<id>`` and ``duel:<id>`` a contest's progress, ``room:<id>`` a collaboration room's state.
"""

from __future__ import annotations

import re
from typing import Annotated, Literal

from pydantic import StringConstraints

ChannelKind = Literal["user", "project", "challenge", "duel", "room"]
KINDS: tuple[ChannelKind, ...] = ("user", "project", "challenge", "duel", "room")

# An id is what the services issue (ULIDs) or a safe token; nothing that could split a key.
CHANNEL_PATTERN = r"^(user|project|challenge|duel|room):[A-Za-z0-9_-]{1,64}$"
ChannelName = Annotated[str, StringConstraints(pattern=CHANNEL_PATTERN, max_length=72)]
_CHANNEL = re.compile(CHANNEL_PATTERN)


def parse_channel(name: str) -> tuple[ChannelKind, str]:
    """Split a channel name into its kind and id; ``ValueError`` when it is not a channel name."""
    if not _CHANNEL.match(name):
        raise ValueError(f"not a channel name: {name!r}")
    kind, _, ident = name.partition(":")
    return kind, ident  # type: ignore[return-value]


def is_channel(name: str) -> bool:
    return bool(_CHANNEL.match(name))


def user_channel(user_id: str) -> str:
    return f"user:{user_id}"
