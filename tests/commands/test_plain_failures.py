"""Every way a newcomer's `make` can fail prints one or two plain lines naming the cause and the next step."""

from __future__ import annotations

import socket
import subprocess
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from infra import emulator
from tests.commands.conftest import clean_environment, plain_failure

Make = Callable[..., subprocess.CompletedProcess[str]]


@pytest.fixture
def nothing_running() -> dict[str, str]:
    return clean_environment(DEEPIRI_PORT=str(emulator.free_port()), STAGE="newcomer")


@pytest.fixture
def taken_port() -> Iterator[int]:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as squatter:
        squatter.bind(("127.0.0.1", 0))
        squatter.listen()
        yield int(squatter.getsockname()[1])


def test_given_no_emulator_when_a_tool_needs_the_stack_then_it_says_to_run_make_up(
        make: Make, nothing_running: dict[str, str]) -> None:
    said = plain_failure(make("logs", "FN=GatewayFunction", env=nothing_running, timeout=120))

    assert f"does not answer on http://127.0.0.1:{nothing_running['DEEPIRI_PORT']}" in said
    assert "run `make up`" in said


def test_given_an_aws_endpoint_url_that_does_not_answer_when_make_up_then_it_names_it_before_building(
        make: Make, nothing_running: dict[str, str]) -> None:
    endpoint = f"http://127.0.0.1:{emulator.free_port()}"

    result = make("up", env={**nothing_running, "AWS_ENDPOINT_URL": endpoint}, timeout=120)

    said = plain_failure(result)
    assert f"AWS_ENDPOINT_URL={endpoint} does not answer" in said
    assert "unset AWS_ENDPOINT_URL" in said
    assert "sam build" not in result.stdout  # it stopped before any work


def test_given_the_port_taken_by_another_program_when_make_up_then_it_says_so_and_how_to_choose_another(
        make: Make, nothing_running: dict[str, str], taken_port: int) -> None:
    result = make("up", env={**nothing_running, "DEEPIRI_PORT": str(taken_port)}, timeout=120)

    said = plain_failure(result)
    assert f"port {taken_port} is in use by another program" in said
    assert f"DEEPIRI_PORT={taken_port + 1} make up" in said


def test_given_no_python_3_11_when_an_environment_is_created_then_make_says_what_to_install(
        make: Make, nothing_running: dict[str, str], tmp_path: Path) -> None:
    venv = tmp_path / "venv"

    result = make(f"VENV={venv}", "PYTHON=python3.11-not-installed", f"{venv}/.installed", env=nothing_running,
                  timeout=60)

    said = plain_failure(result)
    assert "python3.11-not-installed was not found" in said
    assert "apt-get install python3.11" in said
    assert not venv.exists()


def test_given_verbose_when_a_tool_fails_then_the_traceback_is_shown_too(
        make: Make, nothing_running: dict[str, str]) -> None:
    result = make("logs", "FN=GatewayFunction", env={**nothing_running, "VERBOSE": "1"}, timeout=120)

    assert result.returncode != 0
    assert "Traceback" in result.stderr
    assert "run `make up`" in result.stderr
