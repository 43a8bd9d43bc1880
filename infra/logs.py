"""Show a deployed function's recent log lines.

    python -m infra.logs <LogicalId> [--minutes 30]
"""

from __future__ import annotations

import argparse
import time

import boto3

from infra.cli import run
from infra.config import REGION, activate, default_target
from infra.stack import function_name


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("function", help="logical id in template.yaml, e.g. GatewayFunction")
    parser.add_argument("--minutes", type=int, default=30)
    args = parser.parse_args()
    target = activate(default_target())
    name = function_name(target, args.function)
    logs = boto3.client("logs", endpoint_url=target.endpoint, region_name=REGION)
    since = int((time.time() - args.minutes * 60) * 1000)
    group = f"/aws/lambda/{name}"
    try:
        pages = logs.get_paginator("filter_log_events").paginate(logGroupName=group, startTime=since)
        events = [event for page in pages for event in page.get("events", [])]
    except logs.exceptions.ResourceNotFoundException:
        events = []
    if not events:
        print(f"no log lines for {name} in the last {args.minutes} minutes")
    for event in events:
        stamp = time.strftime("%H:%M:%S", time.gmtime(event["timestamp"] / 1000))
        print(f"{stamp} {event['message'].rstrip()}")


if __name__ == "__main__":
    run(main)
