"""The developer loop against the deployed stack: `make invoke` runs a function with a sample event."""

from __future__ import annotations

import io
import os
import subprocess
import sys
import zipfile

from infra.config import ROOT


def test_given_a_sample_event_when_invoking_the_health_function_then_result_and_logs_are_printed(stack) -> None:
    env = {**os.environ, "DEEPIRI_PORT": str(stack.target.port), "STAGE": stack.target.stage}
    env.pop("AWS_ENDPOINT_URL", None)
    result = subprocess.run([sys.executable, "-m", "infra.invoke", "GatewayFunction", "events/gateway-health.json"],
                            cwd=ROOT, env=env, capture_output=True, text=True, timeout=120, check=False)
    assert result.returncode == 0, result.stdout + result.stderr
    assert '"statusCode": 200' in result.stdout
    assert "--- log" in result.stdout
    log = result.stdout.split("--- log", 1)[1]
    assert '"level"' in log  # the function's structured JSON log lines


def _zip(source: str) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("probe.py", source)
    return buffer.getvalue()


def test_given_a_function_importing_what_it_does_not_ship_when_invoked_then_it_fails_as_on_aws(stack) -> None:
    # Lambda workers run on the isolated runtime interpreter (boto3 only), not the emulator's own
    # environment, which has pydantic installed: a missing dependency must fail locally too.
    client = stack.client("lambda")
    outcomes = {}
    for name, source in {"ships-nothing": "import pydantic\ndef handler(e, c):\n    return 1\n",
                         "uses-boto3": "import boto3\ndef handler(e, c):\n    return boto3.__name__\n"}.items():
        function = f"deepiri-e2e-probe-{name}"
        client.create_function(FunctionName=function, Runtime="python3.11", Handler="probe.handler",
                               Role="arn:aws:iam::000000000000:role/probe", Code={"ZipFile": _zip(source)})
        response = client.invoke(FunctionName=function, Payload=b"{}")
        outcomes[name] = (response.get("FunctionError"), response["Payload"].read().decode())
        client.delete_function(FunctionName=function)
    assert outcomes["ships-nothing"][0] is not None and "pydantic" in outcomes["ships-nothing"][1]
    assert outcomes["uses-boto3"] == (None, '"boto3"')
