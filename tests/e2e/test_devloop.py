"""The developer loop against the deployed stack: `make invoke` runs a function with a sample event."""

from __future__ import annotations

import os
import subprocess
import sys

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
