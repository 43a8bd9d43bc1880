"""Discover the deployed stack's URLs from its outputs and print them with a curl example.

    python -m infra.urls
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass

import boto3

from infra.cli import run
from infra.config import LOCAL, REGION, Target, activate, default_target


@dataclass(frozen=True)
class StackUrls:
    """How clients reach one deployed stack."""

    rest: str
    websocket: str
    docs: str
    endpoint: str
    stage: str
    app: str
    web_bucket: str


def discover(target: Target) -> StackUrls:
    """Read the stack outputs. Locally the emulator serves APIs under /_aws/execute-api/<id>/<stage>."""
    cloudformation = boto3.client("cloudformation", endpoint_url=target.endpoint, region_name=REGION)
    stack = cloudformation.describe_stacks(StackName=target.stack_name)["Stacks"][0]
    outputs = {o["OutputKey"]: o["OutputValue"] for o in stack.get("Outputs", [])}
    if target.endpoint:
        ws_endpoint = target.endpoint.replace("http://", "ws://").replace("https://", "wss://")
        rest = f"{target.endpoint}/_aws/execute-api/{outputs['RestApiId']}/{target.stage}"
        websocket = f"{ws_endpoint}/_aws/execute-api/{outputs['WebSocketApiId']}/{target.stage}"
    else:
        rest, websocket = outputs["RestApiUrl"], outputs["WebSocketUrl"]
    # Locally the emulator serves the web bucket's objects path-style (it has no CloudFront); the
    # template's output says so, from the LocalEndpoint it was given.
    return StackUrls(rest=rest, websocket=websocket, docs=f"{rest}/docs", endpoint=target.endpoint,
                     stage=target.stage, app=outputs["WebAppUrl"], web_bucket=outputs["WebAppBucketName"])


def show(target: Target) -> StackUrls:
    """Print the URLs and save them to .local/urls-<stage>.json for the other tools."""
    found = discover(target)
    LOCAL.mkdir(exist_ok=True)
    (LOCAL / f"urls-{target.stage}.json").write_text(json.dumps(asdict(found), indent=2))
    print(f"""
  Web app    {found.app}
  REST API   {found.rest}
  WebSocket  {found.websocket}?token=<access token>
  API docs   {found.docs}
  Emulator   {found.endpoint}

  try:  curl -s {found.rest}/health
""")
    return found


def main() -> None:
    show(activate(default_target()))


if __name__ == "__main__":
    run(main)
