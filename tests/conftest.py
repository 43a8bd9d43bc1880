"""Settings and fixtures every test layer shares."""

import io
import os
from collections.abc import Iterator

import pytest

# No tracing daemon is ever contacted from a test process.
os.environ.setdefault("POWERTOOLS_TRACE_DISABLED", "true")
os.environ.setdefault("POWERTOOLS_METRICS_NAMESPACE", "Deepiri")


@pytest.fixture
def log_output() -> Iterator[io.StringIO]:
    """What the shared logger writes during the test, through its real (redacting) formatter."""
    from deepiri_common.observability import logger  # noqa: PLC0415 - after the environment above

    buffer = io.StringIO()
    handler = logger.registered_handler
    assert hasattr(handler, "setStream")
    previous = handler.setStream(buffer)
    yield buffer
    handler.setStream(previous)
