"""Build template.yaml with the SAM CLI and deploy it to a target (the emulator, a LocalStack or AWS).

    python -m infra.deploy            build and deploy to the default target, then print the URLs
    python -m infra.deploy --up       the same, starting the embedded emulator first (make up)
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Mapping
from pathlib import Path

import boto3
from botocore.exceptions import ClientError

from infra import emulator, urls
from infra.config import (
    ARTIFACTS_BUCKET,
    BUILD_DIR,
    REGION,
    ROOT,
    TEMPLATE,
    Target,
    activate,
    default_target,
    is_embedded,
)
from infra.steps import run, step


def sam_env(target: Target) -> dict[str, str]:
    """The SAM CLI's environment: the project's virtualenv first on PATH (its python3.11 builds)."""
    venv_bin = str(Path(sys.executable).parent)
    return {**os.environ, **target.aws_env(), "PATH": f"{venv_bin}{os.pathsep}{os.environ.get('PATH', '')}"}


def build(target: Target) -> None:
    """``sam build``, cached: unchanged functions and layers are not rebuilt."""
    run([_sam(), "build", "--cached", "--parallel", "--template-file", str(TEMPLATE),
         "--build-dir", str(BUILD_DIR)], env=sam_env(target), quiet=True)


def ensure_bucket(target: Target) -> None:
    """The artifacts bucket `sam deploy` uploads to must exist on the target."""
    s3 = boto3.client("s3", endpoint_url=target.endpoint, region_name=REGION)
    try:
        s3.head_bucket(Bucket=ARTIFACTS_BUCKET)
    except ClientError:
        s3.create_bucket(Bucket=ARTIFACTS_BUCKET)


def deploy(target: Target, parameters: Mapping[str, str] | None = None) -> None:
    """``sam deploy`` of the built template: only resources whose code or definition changed are updated."""
    overrides = [f"Stage={target.stage}", f"LocalEndpoint={target.endpoint}",
                 *(f"{name}={value}" for name, value in (parameters or {}).items())]
    run([_sam(), "deploy", "--template-file", str(BUILD_DIR / "template.yaml"),
         "--stack-name", target.stack_name, "--s3-bucket", ARTIFACTS_BUCKET, "--region", REGION,
         "--capabilities", "CAPABILITY_IAM", "CAPABILITY_AUTO_EXPAND",
         "--no-confirm-changeset", "--no-fail-on-empty-changeset", "--no-progressbar",
         "--parameter-overrides", *overrides], env=sam_env(target), quiet=True)


def build_and_deploy(target: Target, parameters: Mapping[str, str] | None = None) -> None:
    """The whole path from source to a running stack on ``target`` (``parameters``: template overrides)."""
    with step("sam build (cached)"):
        build(target)
    with step("artifacts bucket"):
        ensure_bucket(target)
    with step(f"sam deploy stack {target.stack_name}"):
        deploy(target, parameters)


def _sam() -> str:
    return str(Path(sys.executable).parent / "sam")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--up", action="store_true", help="start the embedded emulator first")
    args = parser.parse_args()
    os.chdir(ROOT)
    target = activate(default_target())
    if args.up and is_embedded():
        with step(f"start emulator on {target.endpoint}"):
            emulator.start(target)
    build_and_deploy(target)
    urls.show(target)


if __name__ == "__main__":
    main()
