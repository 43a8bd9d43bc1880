"""`make up` from nothing, again, `make down`, `make up` with the state kept: the newcomer's path.

The stack here has its own emulator on a free port, its own state folder and its own stage, so
nothing is shared with the e2e stack or with a developer's running `make up`.
"""

from __future__ import annotations

import re
import shutil
import subprocess
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
import requests

from deepiri_common.ids import new_ulid
from infra import emulator
from infra.config import LOCAL
from tests.commands.conftest import clean_environment, plain_failure

STAGE = "newcomer"
REST_URL = re.compile(r"REST API\s+(http://\S+)")
APP_URL = re.compile(r"Web app\s+(http://\S+)")
Make = Callable[..., subprocess.CompletedProcess[str]]


@pytest.fixture
def newcomer_env(tmp_path: Path, make: Make) -> Iterator[dict[str, str]]:
    port = emulator.free_port()
    env = clean_environment(DEEPIRI_PORT=str(port), DEEPIRI_STATE_DIR=str(tmp_path / "state"), STAGE=STAGE)
    try:
        yield env
    finally:
        make("down", env=env, timeout=120)
        (LOCAL / f"urls-{STAGE}.json").unlink(missing_ok=True)
        shutil.rmtree(tmp_path / "state", ignore_errors=True)


def rest_url(result: subprocess.CompletedProcess[str]) -> str:
    found = REST_URL.search(result.stdout)
    assert found, f"make up printed no REST URL:\n{result.stdout}\n{result.stderr}"
    return found.group(1)


def succeeded(result: subprocess.CompletedProcess[str]) -> subprocess.CompletedProcess[str]:
    assert result.returncode == 0, f"exit {result.returncode}\n{result.stdout}\n{result.stderr}"
    return result


def test_given_nothing_running_when_a_newcomer_runs_make_up_twice_down_and_up_then_the_stack_answers_and_keeps_state(
        make: Make, newcomer_env: dict[str, str]) -> None:
    state_dir = Path(newcomer_env["DEEPIRI_STATE_DIR"])
    port = int(newcomer_env["DEEPIRI_PORT"])

    # When: the first `make up` on a port where nothing runs
    first = succeeded(make("up", env=newcomer_env))
    # Then: it started the emulator itself and its printed REST URL answers
    assert "emulator pid" in first.stdout
    assert requests.get(f"{rest_url(first)}/health", timeout=30).status_code == 200
    # And the web app's URL comes first among the URLs and serves the page
    app = APP_URL.search(first.stdout)
    assert app and app.start() < first.stdout.index("REST API"), first.stdout
    assert "<title>Deepiri</title>" in requests.get(app.group(1), timeout=30).text

    # When: `make up` again with nothing changed
    second = succeeded(make("up", env=newcomer_env))
    # Then: the tools' own output says nothing was started, rebuilt or redeployed
    assert "emulator already running" in second.stdout
    assert "nothing rebuilt" in second.stdout
    assert second.stdout.count("nothing rebuilt") == 2  # the functions' sam build and the web app's vite build
    assert "no changes: the stack is up to date" in second.stdout
    assert requests.get(f"{rest_url(second)}/health", timeout=30).status_code == 200

    # When: a deploy fails (CloudFormation refuses the stack name of this stage)
    refused = make("up", env={**newcomer_env, "STAGE": "Not_valid"})
    # Then: two plain lines name the cause and the deploy log, and the running stack is untouched
    said = plain_failure(refused)
    assert "sam deploy failed" in said and "ValidationError" in said
    assert f"sam-deploy-deepiri-Not_valid-{port}.log" in said
    assert requests.get(f"{rest_url(second)}/health", timeout=30).status_code == 200

    # Given: a record written through the API before a restart
    email = f"newcomer-{new_ulid().lower()}@example.com"
    credentials = {"email": email, "password": "correct horse battery staple"}
    registered = requests.post(f"{rest_url(second)}/api/auth/register", timeout=30,
                               json={**credentials, "displayName": "Newcomer"})
    assert registered.status_code == 201, registered.text

    # When: `make down`
    succeeded(make("down", env=newcomer_env, timeout=120))
    # Then: the emulator is gone and its state folder stays
    assert not emulator.port_in_use(port)
    assert state_dir.is_dir() and any(state_dir.iterdir())

    # When: `make up` once more
    third = succeeded(make("up", env=newcomer_env))
    # Then: the account registered before the restart can sign in
    login = requests.post(f"{rest_url(third)}/api/auth/login", timeout=30, json=credentials)
    assert login.status_code == 200, login.text
    me = requests.get(f"{rest_url(third)}/api/users/me", timeout=30,
                      headers={"Authorization": f"Bearer {login.json()['accessToken']}"})
    assert me.status_code == 200 and me.json()["email"] == email
