"""How the boards table lays out a board so that top-N and a rank cost the same at any number of users.

Order: :func:`order_key` encodes a board's order (higher score, then earlier ``achievedAt``, then user id)
as a string that sorts ascending, which is what the ``byScore`` index sorts by. Entries are spread over
``SHARDS`` index partitions by user (write sharding); top-N reads N from each and merges them.

Rank without counting the users above (that is O(rank)): each board keeps counters of how many entries
hold each score, at three levels of ``BASE``-wide buckets (``top`` = v // BASE², ``mid`` = v // BASE,
``low`` = v, with v = score + ``OFFSET``). A user's rank is 1 + the counts of the higher ``top`` buckets
+ the higher ``mid`` buckets inside their ``top`` + the higher scores inside their ``mid`` + the users
with the same score who reached it earlier. Each level is one counter item per shard (at most ``BASE``
numbers below the top level), so a rank costs a fixed number of small reads whatever the number of users.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

SHARDS = 4  # write shards of the board index: top-N reads SHARDS queries and merges them
BASE = 128  # counter bucket width at each level
OFFSET = 2 ** 40  # scores may be negative (a week's XP after a reversal): counters count score + OFFSET
ORDER_CEILING = 10 ** 15  # |score| stays below this
WEEKS_KEPT = 8  # a weekly board's items expire this many weeks after its week ended


def order_key(score: int, achieved_at: str, user_id: str) -> str:
    """A string that sorts ascending in board order: higher score, then earlier ``achieved_at``, then id."""
    return f"{ORDER_CEILING - score:016d}#{achieved_at}#{user_id}"


def score_prefix(score: int) -> str:
    """The start of every order key of ``score``."""
    return f"{ORDER_CEILING - score:016d}#"


def week_expiry(period: str) -> int | None:
    """When a weekly board's items may go (epoch seconds): ``WEEKS_KEPT`` weeks after its week ended."""
    if not period.count("-W"):
        return None
    monday = datetime.strptime(f"{period}-1", "%G-W%V-%u").replace(tzinfo=UTC)
    return int((monday + timedelta(weeks=1 + WEEKS_KEPT)).timestamp())


def shard_of(user_id: str) -> int:
    """The write shard of a user's entries (stable, evenly spread)."""
    return int(hashlib.sha256(user_id.encode()).hexdigest()[:8], 16) % SHARDS


@dataclass(frozen=True)
class Buckets:
    """The counter buckets of one score at each level."""

    top: int
    mid: int
    low: int


def buckets(score: int) -> Buckets:
    value = score + OFFSET
    return Buckets(top=value // BASE ** 2, mid=value // BASE, low=value)


def counter_deltas(before: int | None, after: int | None) -> dict[tuple[str, str], int]:
    """How a move from score ``before`` to ``after`` (None: absent) changes the counters:
    (counter item, bucket attribute) → +n / -n; nothing when the score did not move."""
    deltas: dict[tuple[str, str], int] = {}
    for score, sign in ((before, -1), (after, +1)):
        if score is None:
            continue
        for item, attribute in counter_cells(score):
            deltas[(item, attribute)] = deltas.get((item, attribute), 0) + sign
    return {cell: delta for cell, delta in deltas.items() if delta}


def counter_cells(score: int) -> list[tuple[str, str]]:
    """The (counter item, bucket attribute) cells that count ``score``."""
    b = buckets(score)
    return [("TOP", f"c{b.top}"), (f"MID#{b.top}", f"c{b.mid}"), (f"LOW#{b.mid}", f"c{b.low}")]


def counter_items(score: int) -> list[str]:
    """The counter items a rank of ``score`` reads (one per level)."""
    return [item for item, _ in counter_cells(score)]


def higher_count(score: int, counters: Mapping[str, Iterable[Mapping[str, int]]]) -> int:
    """How many entries have a higher score than ``score``, from the counter items of its buckets
    (``counters``: item name → that item's attributes in every shard)."""
    b = buckets(score)
    total = 0
    for item, mine in (("TOP", b.top), (f"MID#{b.top}", b.mid), (f"LOW#{b.mid}", b.low)):
        for shard in counters.get(item, ()):
            total += sum(int(count) for name, count in shard.items()
                         if name.startswith("c") and int(name[1:]) > mine)
    return total
