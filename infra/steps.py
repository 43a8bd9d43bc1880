"""Named, timed steps: every routine action says what it is doing and how long it took."""

from __future__ import annotations

import subprocess
import sys
import time
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager


@contextmanager
def step(name: str) -> Iterator[None]:
    """Print ``name``, run the block, then print its elapsed time (or that it failed)."""
    started = time.monotonic()
    print(f"==> {name}", flush=True)
    try:
        yield
    except BaseException:
        print(f"<== {name}: failed after {time.monotonic() - started:.1f}s", flush=True)
        raise
    print(f"<== {name}: {time.monotonic() - started:.1f}s", flush=True)


def run(cmd: Sequence[str], *, env: Mapping[str, str] | None = None, quiet: bool = False) -> str:
    """Run a command; stream its output unless ``quiet``; raise SystemExit with its output on failure."""
    result = subprocess.run(
        list(cmd), env=dict(env) if env is not None else None, text=True,
        stdout=subprocess.PIPE if quiet else None, stderr=subprocess.STDOUT if quiet else None, check=False,
    )
    if result.returncode != 0:
        if quiet and result.stdout:
            sys.stderr.write(result.stdout)
        raise SystemExit(f"command failed ({result.returncode}): {' '.join(cmd)}")
    return result.stdout or ""
