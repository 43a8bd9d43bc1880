"""Start MiniStack in the foreground with Lambda workers on the isolated runtime interpreter.

Run by the emulator's own virtual environment. MiniStack starts Python Lambda workers with
``sys.executable``; pointing it at ``.local/runtime`` (a virtual environment holding only boto3, as
the AWS python3.11 runtime does) means a function sees only its package, its layers and boto3, so a
missing dependency fails locally exactly as it would on AWS. Stdlib only: this file runs outside
the project's development environment.

Bursts queue instead of spawning a worker per concurrent invocation. MiniStack (1.5.33) starts a new
worker process whenever every worker of a function is busy and never waits for one; on a 2-core
machine a burst of 16 clients right after start spawned dozens of cold workers at once (each extracts
its code and layer zips and imports its handler), starved the CPU, ran handlers into their timeout,
whose workers were then killed and spawned again: requests waited 30 s. With
``DEEPIRI_LAMBDA_WORKERS_PER_FUNCTION`` set, at most that many invocations of one function run at a
time and the others wait for a free (warm) worker, up to ``DEEPIRI_LAMBDA_QUEUE_SECONDS``, then get
Lambda's throttle (API Gateway answers 429); an authorizer waits up to 25 s, since API Gateway answers
a throttled authorizer with a 500. The hook is MiniStack's private ``_execute_function_dispatch``
(no public setting queues; ``ReservedConcurrentExecutions`` throttles at once, and its CloudFormation
ignores that property anyway), which is why ministack is pinned in requirements/emulator.txt.

A nested stack's update keeps the attributes of the resources it leaves unchanged. MiniStack (1.5.33)
updates a nested stack's resources through ``_update_resource`` without their previous attributes, so a
resource whose properties did not change comes back with none, and the first ``Fn::GetAtt`` on it (a
consumer application's dead-letter queue's ``QueueName``) fails the update and the whole stack: a
change to what a service consumes could be deployed only to a new stack. The hook hands the update the
attributes the stack holds for that resource, as the top-level stack update already does.
"""

import os
import sys
import threading
from typing import Any

# MiniStack runs an API Gateway authorizer's invocation on a thread of this name. A throttled authorizer
# is API Gateway's 500 (AUTHORIZER_FAILURE), never a 429, so an authorizer waits longer for its turn.
AUTHORIZER_THREAD = "ministack-apigw-authorizer"


def queue_invocations(per_function: int, wait_seconds: float, authorizer_wait_seconds: float = 25.0) -> None:
    """Let at most ``per_function`` invocations of each function run at once; others wait their turn.

    A turn not free after ``wait_seconds`` (``authorizer_wait_seconds`` for an authorizer, which must
    not be throttled) answers Lambda's throttle.
    """
    from ministack.services import lambda_svc  # noqa: PLC0415 - only once the interpreter is set up

    # MiniStack (pinned) has no public setting that queues invocations; see the module's docstring.
    dispatch = lambda_svc._execute_function_dispatch  # noqa: SLF001
    turns: dict[str, threading.BoundedSemaphore] = {}
    turns_lock = threading.Lock()

    def turn_of(name: str) -> threading.BoundedSemaphore:
        with turns_lock:
            return turns.setdefault(name, threading.BoundedSemaphore(per_function))

    def queued_dispatch(func: Any, config: dict[str, Any], event: Any, request_id: str, started: float) -> Any:
        name = str(config.get("FunctionName", "?"))
        turn = turn_of(name)
        patience = authorizer_wait_seconds if threading.current_thread().name == AUTHORIZER_THREAD else wait_seconds
        if not turn.acquire(timeout=patience):
            return lambda_svc._throttle_response(  # noqa: SLF001 - Lambda's own throttle answer
                reason_code="ReservedFunctionConcurrentInvocationLimitExceeded",
                msg=f"Rate Exceeded: {name} had no free worker for {patience:.0f} s",
            )
        try:
            return dispatch(func, config, event, request_id, started)
        finally:
            turn.release()

    lambda_svc._execute_function_dispatch = queued_dispatch  # noqa: SLF001


def keep_unchanged_attributes() -> None:
    """Give a nested stack's unchanged resource its recorded attributes (see the module's docstring)."""
    from ministack.services.cloudformation import _stacks, provisioners  # noqa: PLC0415

    # The nested stack's update calls this module-level function by name; there is no public hook.
    update = provisioners._update_resource  # noqa: SLF001

    def update_keeping(  # noqa: PLR0917 - MiniStack's own signature, called positionally
        resource_type: str, physical_id: str, old_props: dict[str, Any], new_props: dict[str, Any],
        stack_name: str, logical_id: str | None = None, old_attrs: dict[str, Any] | None = None,
    ) -> Any:
        if old_attrs is None and logical_id is not None:
            record = ((_stacks.get(stack_name) or {}).get("_resources") or {}).get(logical_id) or {}
            if record.get("PhysicalResourceId") == physical_id:
                old_attrs = record.get("Attributes")
        return update(resource_type, physical_id, old_props, new_props, stack_name, logical_id, old_attrs)

    provisioners._update_resource = update_keeping  # noqa: SLF001


def main() -> None:
    runtime_python = sys.argv[1]
    sys.argv = sys.argv[:1]
    sys.executable = runtime_python
    keep_unchanged_attributes()
    per_function = int(os.environ.get("DEEPIRI_LAMBDA_WORKERS_PER_FUNCTION", "0") or 0)
    if per_function > 0:
        queue_invocations(per_function, float(os.environ.get("DEEPIRI_LAMBDA_QUEUE_SECONDS", "20")))
    from ministack.app import main as ministack_main  # noqa: PLC0415 - after sys.executable is set

    ministack_main()


if __name__ == "__main__":
    main()
