"""Instants a client sends are UTC, millisecond-precise, and between 1970 and 2999."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from pydantic import BaseModel, ValidationError

from deepiri_common.clock import RANGE_MESSAGE, Instant, within_range


class Due(BaseModel):
    at: Instant


@pytest.mark.parametrize("text", ["1970-01-01T00:00:00Z", "2999-12-31T23:59:59.999Z", "2030-06-01T12:00:00+14:00"])
def test_given_an_instant_inside_the_range_then_it_is_kept_in_utc(text: str) -> None:
    assert Due.model_validate({"at": text}).at.tzinfo == UTC


@pytest.mark.parametrize("text", ["1969-12-31T23:59:59.999Z", "2999-12-31T23:59:59.999001Z", "3000-01-01T00:00:00Z",
                                  "9999-12-31T23:59:59Z",
                                  "0001-01-01T00:00:00+14:00", "9999-12-31T23:59:59-14:00", "0001-01-01T00:00:00Z"])
def test_given_an_instant_outside_the_range_then_the_error_names_the_range(text: str) -> None:
    with pytest.raises(ValidationError) as caught:
        Due.model_validate({"at": text})
    assert RANGE_MESSAGE in str(caught.value)
    assert RANGE_MESSAGE == "must be between 1970-01-01T00:00:00Z and 2999-12-31T23:59:59.999Z"


def test_given_microseconds_then_they_are_cut_to_milliseconds() -> None:
    assert within_range(datetime(2030, 1, 1, 0, 0, 0, 123_999, tzinfo=UTC)).microsecond == 123_000
