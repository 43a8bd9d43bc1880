"""The README's commands run as a person types them: `make` in a subprocess, on a port and state of their own."""

from __future__ import annotations

import os
import subprocess
from collections.abc import Callable, Mapping

import pytest

from infra.config import ROOT

MAKE_SECONDS = 900


def clean_environment(**overrides: str) -> dict[str, str]:
    """The user's shell as it would be: none of this test process's AWS or virtualenv settings."""
    env = {key: value for key, value in os.environ.items()
           if not key.startswith(("AWS_", "DEEPIRI_", "PYTEST_", "POWERTOOLS_")) and key not in (
               "VIRTUAL_ENV", "PYTHONPATH", "STAGE", "VERBOSE")}
    return {**env, **overrides}


@pytest.fixture
def make() -> Callable[..., subprocess.CompletedProcess[str]]:
    """Run ``make <args>`` in the repository with the given environment; capture what it prints."""

    def _make(*args: str, env: Mapping[str, str], timeout: float = MAKE_SECONDS) -> subprocess.CompletedProcess[str]:
        return subprocess.run(["make", *args], cwd=ROOT, env=dict(env), text=True, capture_output=True,
                              stdin=subprocess.DEVNULL, timeout=timeout, check=False)

    return _make


def plain_failure(result: subprocess.CompletedProcess[str]) -> str:
    """Assert the command failed without a traceback; return what it said on stderr."""
    assert result.returncode != 0, result.stdout
    assert "Traceback" not in result.stdout + result.stderr, result.stderr
    said = [line for line in result.stderr.splitlines() if line.startswith(("error:", "  next:"))]
    assert len(said) == 2, result.stderr
    return result.stderr
