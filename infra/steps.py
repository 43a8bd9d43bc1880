"""Named, timed steps: every routine action says what it is doing and how long it took."""

from __future__ import annotations

import subprocess
import time
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from pathlib import Path

from infra.cli import ToolError


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


def run(cmd: Sequence[str], *, env: Mapping[str, str] | None = None, log: Path | None = None) -> str:
    """Run a command and return its output.

    With ``log`` the output is captured into that file (and returned); on failure the error names the
    command's own cause line and the log's path. Without it the output streams to the terminal.
    """
    capture = log is not None
    result = subprocess.run(
        list(cmd), env=dict(env) if env is not None else None, text=True,
        stdout=subprocess.PIPE if capture else None, stderr=subprocess.STDOUT if capture else None, check=False,
    )
    output = result.stdout or ""
    if log is not None:
        log.parent.mkdir(parents=True, exist_ok=True)
        log.write_text(output)
    if result.returncode != 0:
        name = " ".join(Path(cmd[0]).name.split() + list(cmd[1:2]))
        where = f"its output is in {log}" if log is not None else "its output is above"
        raise ToolError(f"{name} failed (exit {result.returncode}): {cause_line(output)}",
                        f"{where}; fix the cause and run the same make target again")
    return output


def cause_line(output: str) -> str:
    """The line of a tool's output that most likely names why it failed (its last error line)."""
    lines = [line.strip() for line in output.splitlines() if line.strip()]
    for line in reversed(lines):
        if "error" in line.lower() or "failed" in line.lower():
            return line[:300]
    return lines[-1][:300] if lines else "it printed nothing"
