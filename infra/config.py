"""Where the local stack lives and how to reach it: one place for paths, ports and AWS settings."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

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

    @property
    def stack_name(self) -> str:
        return f"deepiri-{self.stage}"

    @property
    def port(self) -> int:
        return int(self.endpoint.rsplit(":", 1)[1].split("/", 1)[0])

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


def default_target() -> Target:
    """The developer's stack: AWS_ENDPOINT_URL if set (a LocalStack), else the embedded emulator."""
    port = int(os.environ.get("DEEPIRI_PORT", "4566"))
    endpoint = os.environ.get("AWS_ENDPOINT_URL") or f"http://127.0.0.1:{port}"
    stage = os.environ.get("STAGE", "dev")
    return Target(endpoint=endpoint, stage=stage, state_dir=LOCAL / "state" / str(port))


def is_embedded() -> bool:
    """Whether the target is the emulator this project starts: yes unless AWS_ENDPOINT_URL names another."""
    return not os.environ.get("AWS_ENDPOINT_URL")


def activate(target: Target) -> Target:
    """Point this process's boto3 clients (and the tools it starts) at ``target``."""
    os.environ.update(target.aws_env())
    return target
