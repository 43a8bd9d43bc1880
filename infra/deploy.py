"""Build template.yaml with the SAM CLI and deploy it to a target (the emulator, a LocalStack or AWS).

    python -m infra.deploy            build and deploy to the default target, then print the URLs
    python -m infra.deploy --up       the same, starting the embedded emulator first (make up)
"""

from __future__ import annotations

import argparse
import hashlib
import os
import sys
from collections.abc import Mapping
from pathlib import Path

import boto3
from botocore.exceptions import ClientError

from infra import emulator, urls, webapp
from infra.cli import run as run_tool
from infra.cli import unreachable
from infra.config import (
    ARTIFACTS_BUCKET,
    BUILD_DIR,
    LOCAL,
    REGION,
    ROOT,
    TEMPLATE,
    Target,
    activate,
    default_target,
)
from infra.steps import run, step


def sam_env(target: Target) -> dict[str, str]:
    """The SAM CLI's environment: the project's virtualenv first on PATH (its python3.11 builds)."""
    venv_bin = str(Path(sys.executable).parent)
    return {**os.environ, **target.aws_env(), "PATH": f"{venv_bin}{os.pathsep}{os.environ.get('PATH', '')}"}


BUILD_INPUTS = (TEMPLATE, ROOT / "stacks", ROOT / "functions", ROOT / "layers")
BUILD_STAMP = BUILD_DIR / ".inputs.sha256"


def inputs_digest() -> str:
    """A digest of everything ``sam build`` reads: the template and every function's and layer's files."""
    digest = hashlib.sha256()
    files = sorted(
        path for root in BUILD_INPUTS for path in ([root] if root.is_file() else root.rglob("*"))
        if path.is_file() and "__pycache__" not in path.parts and path.suffix != ".pyc"
    )
    for path in files:
        digest.update(str(path.relative_to(ROOT)).encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()


def build(target: Target) -> str:
    """``sam build``, cached; skipped when no input changed since the last build. Says which it did."""
    digest = inputs_digest()
    if (BUILD_DIR / "template.yaml").exists() and BUILD_STAMP.exists() and BUILD_STAMP.read_text() == digest:
        return "sources unchanged since the last build: nothing rebuilt"
    BUILD_STAMP.unlink(missing_ok=True)
    output = run([_sam(), "build", "--cached", "--parallel", "--template-file", str(TEMPLATE),
                  "--build-dir", str(BUILD_DIR)], env=sam_env(target), log=LOCAL / "logs" / "sam-build.log")
    BUILD_STAMP.write_text(digest)
    reused = output.count("Manifest is not changed")
    return f"built (dependencies reused for {reused} unit(s)); log in {LOCAL / 'logs' / 'sam-build.log'}"


def ensure_bucket(target: Target) -> None:
    """The artifacts bucket `sam deploy` uploads to must exist on the target."""
    s3 = boto3.client("s3", endpoint_url=target.endpoint, region_name=REGION)
    try:
        s3.head_bucket(Bucket=ARTIFACTS_BUCKET)
    except ClientError:
        s3.create_bucket(Bucket=ARTIFACTS_BUCKET)


def deploy(target: Target, parameters: Mapping[str, str] | None = None) -> str:
    """``sam deploy`` of the built template: only resources whose code or definition changed are updated.

    Returns what the deploy changed, read from the SAM CLI's own output.
    """
    overrides = [f"Stage={target.stage}", f"LocalEndpoint={target.endpoint}",
                 *(f"{name}={value}" for name, value in (parameters or {}).items())]
    log = LOCAL / "logs" / f"sam-deploy-{target.stack_name}-{target.port}.log"
    output = run([_sam(), "deploy", "--template-file", str(BUILD_DIR / "template.yaml"),
         "--stack-name", target.stack_name, "--s3-bucket", ARTIFACTS_BUCKET, "--region", REGION,
         "--capabilities", "CAPABILITY_IAM", "CAPABILITY_AUTO_EXPAND",
         "--no-confirm-changeset", "--no-fail-on-empty-changeset", "--no-progressbar",
         "--parameter-overrides", *overrides], env=sam_env(target), log=log)
    return deploy_summary(output) + f"; log in {log}"


def deploy_summary(output: str) -> str:
    """What ``sam deploy`` did, from its changeset as it prints it: nothing, or how many resources it added,
    changed and removed."""
    if "No changes to deploy" in output:
        return "no changes: the stack is up to date"
    changes = {"Add": 0, "Modify": 0, "Delete": 0}
    for line in output.splitlines():
        words = line.split()
        if words and words[0] in ("+", "*", "-"):  # the changeset's marks before Add, Modify, Delete
            words = words[1:]
        if len(words) >= 3 and words[0] in changes and words[1][:1].isupper():
            changes[words[0]] += 1
    return f"{changes['Add']} added, {changes['Modify']} modified, {changes['Delete']} deleted"


def build_and_deploy(target: Target, parameters: Mapping[str, str] | None = None) -> None:
    """The whole path from source to a running stack on ``target`` (``parameters``: template overrides)."""
    with step("sam build (cached)"):
        print(f"    {build(target)}", flush=True)
    with step("artifacts bucket"):
        ensure_bucket(target)
    with step(f"sam deploy stack {target.stack_name}"):
        print(f"    {deploy(target, parameters)}", flush=True)
    with step("web app: npm ci, typed client, tsc, vite build (cached)"):
        print(f"    {webapp.build()}", flush=True)
    with step("web app: publish with its config.json"):
        found = urls.discover(target)
        print(f"    {webapp.publish(target, found.web_bucket, found.rest, found.websocket)} files to "
              f"{found.web_bucket}", flush=True)


def _sam() -> str:
    return str(Path(sys.executable).parent / "sam")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--up", action="store_true", help="start the embedded emulator first")
    args = parser.parse_args()
    os.chdir(ROOT)
    target = activate(default_target())  # decided from the environment as given, before activating it
    if args.up and target.embedded:
        with step(f"start emulator on {target.endpoint}"):
            emulator.start(target)
    elif not emulator.answers(target):
        raise unreachable(target)
    build_and_deploy(target)
    urls.show(target)


if __name__ == "__main__":
    run_tool(main)
