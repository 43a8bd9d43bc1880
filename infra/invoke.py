"""Invoke one deployed function with a sample event; print its result and its log lines.

    python -m infra.invoke <LogicalId> events/<file>.json

The Docker-free counterpart of `sam local invoke`: it runs the function as deployed on the emulator.
"""

from __future__ import annotations

import argparse
import base64
import json
import sys
from pathlib import Path

import boto3

from infra.cli import run
from infra.config import REGION, activate, default_target
from infra.stack import function_name


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("function", help="logical id in template.yaml, e.g. GatewayFunction")
    parser.add_argument("event", help="a JSON event file, e.g. events/gateway-health.json, or - for stdin")
    args = parser.parse_args()
    target = activate(default_target())
    name = function_name(target, args.function)
    payload = sys.stdin.buffer.read() if args.event == "-" else Path(args.event).read_bytes()
    json.loads(payload)  # fail early, and clearly, on a malformed sample
    client = boto3.client("lambda", endpoint_url=target.endpoint, region_name=REGION)
    response = client.invoke(FunctionName=name, Payload=payload, LogType="Tail")
    result = response["Payload"].read().decode()
    print(f"--- {args.function} ({name}) status {response['StatusCode']}"
          + (f" error {response['FunctionError']}" if "FunctionError" in response else ""))
    print("--- result")
    try:
        print(json.dumps(json.loads(result), indent=2))
    except json.JSONDecodeError:
        print(result)
    print("--- log")
    print(base64.b64decode(response.get("LogResult", "")).decode(errors="replace").rstrip())
    if "FunctionError" in response:
        raise SystemExit(1)


if __name__ == "__main__":
    run(main)
