"""Start and stop the embedded emulator (MiniStack) bound to 127.0.0.1, with state kept on disk.

    python -m infra.emulator start|stop|status
"""

from __future__ import annotations

import argparse
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

from infra.cli import ToolError, run
from infra.config import EMULATOR_PYTHON, LOCAL, ROOT, RUNTIME_PYTHON, Target, activate, default_target
from infra.steps import step

STARTUP_SECONDS = 60
SHUTDOWN_SECONDS = 30


def pid_file(target: Target) -> Path:
    return LOCAL / f"emulator-{target.port}.pid"


def log_file(target: Target) -> Path:
    return LOCAL / "logs" / f"emulator-{target.port}.log"


def scratch_dir(target: Target) -> Path:
    """The emulator's temporary folder (its ``TMPDIR``): each Lambda worker unpacks its function and
    layer there (about 90 MB), and an emulator that is killed leaves them behind, so the folder is
    emptied when the emulator starts and removed when it stops."""
    return LOCAL / "tmp" / str(target.port)


def is_healthy(target: Target) -> bool:
    """Whether the emulator answers its health endpoint."""
    try:
        with urllib.request.urlopen(f"{target.endpoint}/_ministack/health", timeout=2) as response:  # noqa: S310
            return bool(response.status == 200)
    except (urllib.error.URLError, OSError):
        return False


def running_pid(target: Target) -> int | None:
    """The pid of the emulator this project started on the target's port, if it is still alive."""
    path = pid_file(target)
    if not path.exists():
        return None
    pid = int(path.read_text().strip())
    if not _alive(pid):
        path.unlink(missing_ok=True)
        return None
    return pid


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def answers(target: Target) -> bool:
    """Whether anything accepts connections at the target's endpoint (the emulator, or an external one)."""
    host = urllib.parse.urlsplit(target.endpoint).hostname or "127.0.0.1"
    try:
        with socket.create_connection((host, target.port), timeout=2):
            return True
    except OSError:
        return False


def port_in_use(port: int) -> bool:
    """Whether something accepts TCP connections on 127.0.0.1:``port``."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.settimeout(1)
        return probe.connect_ex(("127.0.0.1", port)) == 0


def start(target: Target) -> None:
    """Start the emulator in the background unless it already runs; wait until it is healthy."""
    if running_pid(target) and is_healthy(target):
        print(f"    emulator already running on {target.endpoint}")
        return
    if port_in_use(target.port):
        raise ToolError(f"port {target.port} is in use by another program, not this project's emulator",
                        f"stop that program, or use another port: DEEPIRI_PORT={target.port + 1} make up")
    target.state_dir.mkdir(parents=True, exist_ok=True)
    log_file(target).parent.mkdir(parents=True, exist_ok=True)
    shutil.rmtree(scratch_dir(target), ignore_errors=True)  # a killed emulator's unpacked workers
    scratch_dir(target).mkdir(parents=True)
    env = {
        **os.environ,
        "GATEWAY_PORT": str(target.port),
        "BIND_HOST": "127.0.0.1",
        "PERSIST_STATE": "1",
        "STATE_DIR": str(target.state_dir),
        "LOG_LEVEL": "INFO",
        "SFTP_ENABLED": "0",
        "TMPDIR": str(scratch_dir(target)),
        # A burst queues for a free warm worker instead of spawning one per concurrent invocation
        # (infra/ministack_launcher.py says why). Two per function keep a 2-core machine responsive; a
        # request that waits 10 s for its turn gets a 429, well inside API Gateway's 29 s.
        "DEEPIRI_LAMBDA_WORKERS_PER_FUNCTION": os.environ.get("DEEPIRI_LAMBDA_WORKERS_PER_FUNCTION", "2"),
        "DEEPIRI_LAMBDA_QUEUE_SECONDS": os.environ.get("DEEPIRI_LAMBDA_QUEUE_SECONDS", "10"),
        # Lambda workers inherit this environment: keep the project's tooling out of it.
        "PYTHONPATH": "",
    }
    for leaked in ("VIRTUAL_ENV", "AWS_ENDPOINT_URL", "PYTHONHOME"):
        env.pop(leaked, None)
    with log_file(target).open("ab") as log:
        process = subprocess.Popen(
            [str(EMULATOR_PYTHON), str(ROOT / "infra" / "ministack_launcher.py"), str(RUNTIME_PYTHON)],
            env=env, stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
            cwd=str(target.state_dir), start_new_session=True,
        )
    pid_file(target).write_text(str(process.pid))
    deadline = time.monotonic() + STARTUP_SECONDS
    while not is_healthy(target):
        if process.poll() is not None or time.monotonic() > deadline:
            pid_file(target).unlink(missing_ok=True)
            raise ToolError(f"the emulator did not start on port {target.port}: {_last_line(log_file(target))}",
                            f"read its log: {log_file(target)}")
        time.sleep(0.2)
    print(f"    emulator pid {process.pid} on {target.endpoint}, state in {target.state_dir}")


def stop(target: Target) -> None:
    """Stop the emulator gracefully (SIGTERM) so it writes its state to disk, then wait for it."""
    pid = running_pid(target)
    if pid is None:
        print(f"    no emulator running on port {target.port}")
        return
    os.killpg(pid, signal.SIGTERM)
    deadline = time.monotonic() + SHUTDOWN_SECONDS
    while time.monotonic() < deadline:
        if not _alive(pid):
            break
        time.sleep(0.2)
    else:
        os.killpg(pid, signal.SIGKILL)
        print("    emulator did not stop in time; killed (state may be stale)")
    pid_file(target).unlink(missing_ok=True)
    shutil.rmtree(scratch_dir(target), ignore_errors=True)
    print(f"    emulator on port {target.port} stopped; state kept in {target.state_dir}")


def _last_line(log: Path) -> str:
    lines = [line for line in log.read_text(errors="replace").splitlines() if line.strip()] if log.exists() else []
    return lines[-1].strip()[:200] if lines else "it wrote nothing"


def _alive(pid: int) -> bool:
    """Whether ``pid`` still runs; reaps it first when this process started it (no zombie counts)."""
    try:
        reaped, _ = os.waitpid(pid, os.WNOHANG)
        if reaped == pid:
            return False
    except ChildProcessError:
        pass  # not our child: `make down` from another shell
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("action", choices=["start", "stop", "status"])
    args = parser.parse_args()
    target = activate(default_target())
    if not target.embedded:
        raise ToolError(f"AWS_ENDPOINT_URL={target.endpoint} names an external endpoint; this project "
                        "starts and stops only its embedded emulator",
                        "unset AWS_ENDPOINT_URL, or manage that endpoint yourself")
    if args.action == "start":
        with step(f"start emulator on {target.endpoint}"):
            start(target)
    elif args.action == "stop":
        with step(f"stop emulator on port {target.port}"):
            stop(target)
    else:
        state = "running" if running_pid(target) and is_healthy(target) else "stopped"
        print(f"emulator on {target.endpoint}: {state}")
        sys.exit(0 if state == "running" else 1)


if __name__ == "__main__":
    run(main)
