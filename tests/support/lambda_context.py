"""A stand-in for the context object the Lambda runtime passes to a handler."""

from __future__ import annotations

from aws_lambda_powertools.utilities.typing import LambdaContext

from deepiri_common.ids import new_ulid


class FakeLambdaContext(LambdaContext):
    """Powertools' typed context, filled with what a real invocation would carry."""

    def __init__(self, function_name: str = "deepiri-test-function", remaining_ms: int = 30_000) -> None:
        self._function_name = function_name
        self._function_version = "$LATEST"
        self._invoked_function_arn = f"arn:aws:lambda:us-east-1:123456789012:function:{function_name}"
        self._memory_limit_in_mb = 256
        self._aws_request_id = new_ulid()
        self._log_group_name = f"/aws/lambda/{function_name}"
        self._log_stream_name = "2026/01/01/[$LATEST]0123456789abcdef"
        self._remaining_ms = remaining_ms

    def get_remaining_time_in_millis(self) -> int:  # type: ignore[override]
        """What the runtime reports; fixed, so tests do not depend on the clock."""
        return self._remaining_ms
