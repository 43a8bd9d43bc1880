"""Where the local stack lives and how to reach it: one place for paths, ports and AWS settings."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parents[1]
LOCAL = ROOT / ".local"
EMULATOR_PYTHON = LOCAL / "emulator" / "bin" / "python"
RUNTIME_PYTHON = LOCAL / "runtime" / "bin" / "python"
TEMPLATE = ROOT / "template.yaml"
BUILD_DIR = ROOT / ".aws-sam" / "build"
ARTIFACTS_BUCKET = "deepiri-artifacts"
REGION = "us-east-1"


@dataclass(frozen=True)
class Target:
    """One deployment of the stack: an emulator on a port (or an external endpoint) and a stage."""

    endpoint: str
    stage: str
    state_dir: Path
    # Whether this project starts and stops the emulator behind ``endpoint`` (no AWS_ENDPOINT_URL given).
    embedded: bool = True

    @property
    def stack_name(self) -> str:
        return f"deepiri-{self.stage}"

    @property
    def port(self) -> int:
        parts = urlsplit(self.endpoint)
        return parts.port or (443 if parts.scheme == "https" else 80)

    def aws_env(self) -> dict[str, str]:
        """Environment for boto3 and the SAM CLI talking to this target (dummy credentials locally)."""
        env = {
            "AWS_ENDPOINT_URL": self.endpoint,
            "AWS_DEFAULT_REGION": REGION,
            "AWS_REGION": REGION,
            "AWS_ACCESS_KEY_ID": os.environ.get("AWS_ACCESS_KEY_ID", "test"),
            "AWS_SECRET_ACCESS_KEY": os.environ.get("AWS_SECRET_ACCESS_KEY", "test"),
            "SAM_CLI_TELEMETRY": "0",
        }
        return env


def default_target(environ: Mapping[str, str] | None = None) -> Target:
    """The developer's stack, read from the environment as the user gave it (before ``activate``).

    AWS_ENDPOINT_URL names an external endpoint (a LocalStack); without it the target is the embedded
    emulator on DEEPIRI_PORT (4566), keeping its state in DEEPIRI_STATE_DIR (.local/state/<port>).
    """
    env = os.environ if environ is None else environ
    try:
        port = int(env.get("DEEPIRI_PORT", "4566"))
    except ValueError:
        raise SystemExit(f"DEEPIRI_PORT={env['DEEPIRI_PORT']!r} is not a port number; set one, e.g. 4566") from None
    external = env.get("AWS_ENDPOINT_URL", "").strip()
    endpoint = external or f"http://127.0.0.1:{port}"
    state_dir = Path(env["DEEPIRI_STATE_DIR"]) if env.get("DEEPIRI_STATE_DIR") else LOCAL / "state" / str(port)
    return Target(endpoint=endpoint, stage=env.get("STAGE", "dev"), state_dir=state_dir, embedded=not external)


def activate(target: Target) -> Target:
    """Point this process's boto3 clients (and the tools it starts) at ``target``."""
    os.environ.update(target.aws_env())
    return target
