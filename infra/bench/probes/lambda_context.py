"""A stand-in for the Lambda context object a handler receives, for probes that call handlers."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class LambdaContext:
    """The attributes Powertools reads from a Lambda context."""

    function_name: str = "bench"
    function_version: str = "$LATEST"
    memory_limit_in_mb: int = 512
    aws_request_id: str = "bench"
    invoked_function_arn: str = "arn:aws:lambda:us-east-1:000000000000:function:bench"
    log_group_name: str = "/aws/lambda/bench"
    log_stream_name: str = "bench"

    def get_remaining_time_in_millis(self) -> int:
        return 10_000
