"""A process whose local time zone is not UTC, as a Lambda's never is but a developer's machine may be."""

from __future__ import annotations

import os
import time
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def host_zone(name: str) -> Iterator[None]:
    """Run the block with the process's local zone set to ``name`` (``TZ``), then put the previous one back."""
    before = os.environ.get("TZ")
    os.environ["TZ"] = name
    time.tzset()
    try:
        yield
    finally:
        if before is None:
            os.environ.pop("TZ", None)
        else:
            os.environ["TZ"] = before
        time.tzset()
