"""State survives a restart of the emulator (`make down && make up` keeps every record).

Runs last in the session (marker ``restarts_emulator``): it restarts the emulator the others share.
"""

from __future__ import annotations

import pytest

from infra import emulator
from infra.urls import discover


@pytest.mark.restarts_emulator
def test_given_stored_data_when_the_emulator_restarts_then_the_data_and_the_apis_are_still_there(
    stack, api, account
) -> None:
    token = account("restart").token
    put = api("PUT", "/api/realtime/presence", token=token, json={"status": "away", "message": "lunch"})
    assert put.status_code == 200, put.text

    emulator.stop(stack.target)
    emulator.start(stack.target)

    assert discover(stack.target) == stack.urls  # same API ids: clients keep their URLs
    after = api("GET", "/api/realtime/me", token=token)
    assert after.status_code == 200, after.text
    assert after.json()["presence"] == put.json()
