"""A WebSocket frame gets the same bounded parse as a REST body: a JSON error frame, never exception text."""

from __future__ import annotations

import pytest

from deepiri_realtime.logic.sessions import parse
from deepiri_realtime.models.messages import Frame


@pytest.mark.parametrize(("frame", "detail"), [
    ("[" * 1000 + "]" * 1000, "nested deeper than 32 levels"),
    ('{"action": "ping", "requestId": ' + "9" * 5000 + "}", "longer than 40 characters"),
    ('{"action": "ping", "requestId": NaN}', "NaN is not a JSON number"),
])
def test_given_a_hostile_frame_then_a_400_error_frame_names_why(frame: str, detail: str) -> None:
    reply = parse(frame)

    assert isinstance(reply, Frame)
    assert (reply.type, reply.data["status"]) == ("error", 400)
    assert detail in reply.data["detail"]
    assert "recursion" not in reply.data["detail"]
