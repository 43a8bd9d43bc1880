"""How every local tool ends: a plain line or two a newcomer can act on, never a traceback.

Each ``python -m infra.<tool>`` entry point runs its ``main`` through :func:`run`. A failure prints its
cause and the next step on stderr and exits 1; ``VERBOSE=1`` shows the traceback as well.
"""

from __future__ import annotations

import argparse
import os
import sys
import traceback
from collections.abc import Callable

from botocore.exceptions import ClientError, EndpointConnectionError, NoCredentialsError

from infra.config import Target, default_target


class ToolError(SystemExit):
    """A failure whose message already says what happened and what to do next."""

    def __init__(self, cause: str, next_step: str) -> None:
        super().__init__(f"{cause}\n  next: {next_step}")


def unreachable(target: Target) -> ToolError:
    """The endpoint does not answer: the embedded emulator is not running, or the external one is down."""
    if target.embedded:
        return ToolError(f"the local stack does not answer on {target.endpoint} (the emulator is not running)",
                         "run `make up` (or set DEEPIRI_PORT to the port your stack runs on)")
    return ToolError(f"AWS_ENDPOINT_URL={target.endpoint} does not answer",
                     "start that endpoint (your LocalStack), or unset AWS_ENDPOINT_URL to use the embedded emulator")


def explain(error: BaseException, target: Target) -> str | None:
    """The plain message for a failure this module knows, or None for an unexpected one."""
    if isinstance(error, EndpointConnectionError | ConnectionError):
        return str(unreachable(target).code)
    if isinstance(error, NoCredentialsError):
        return "no AWS credentials were found\n  next: configure them (`aws configure`) or use the local stack"
    if isinstance(error, ClientError):
        message = error.response.get("Error", {}).get("Message", str(error))
        if "does not exist" in message and target.stack_name in message:
            return (f"stack {target.stack_name} is not deployed on {target.endpoint}\n"
                    "  next: run `make up` (or set STAGE to the stage you deployed)")
        return f"{error.operation_name} failed on {target.endpoint}: {message}"
    return None


def write_or_check(description: str | None) -> bool:
    """Parse ``--write`` / ``--check`` for a tool that generates a committed file; True for ``--write``."""
    parser = argparse.ArgumentParser(description=description, formatter_class=argparse.RawDescriptionHelpFormatter)
    mode = parser.add_mutually_exclusive_group(required=True)
    mode.add_argument("--write", action="store_true", help="regenerate the file")
    mode.add_argument("--check", action="store_true", help="fail when the committed file is out of date")
    return bool(parser.parse_args().write)


def run(main: Callable[[], None], *, environ: dict[str, str] | None = None) -> None:
    """Run a tool's ``main``; turn any failure into a short message and exit status 1."""
    env = dict(os.environ if environ is None else environ)
    verbose = env.get("VERBOSE", "") not in ("", "0")
    target = default_target(env)  # read before ``main`` activates (changes) the environment
    try:
        main()
    except KeyboardInterrupt:
        _fail("interrupted", verbose)
    except SystemExit as error:
        if error.code in (None, 0) or isinstance(error.code, int):
            raise
        _fail(str(error.code), verbose)
    except Exception as error:  # noqa: BLE001 - the one place that turns any failure into a plain line
        known = explain(error, target)
        _fail(known or f"{type(error).__name__}: {error}\n  next: rerun with VERBOSE=1 to see where it failed",
              verbose)


def _fail(message: str, verbose: bool) -> None:
    if verbose:
        traceback.print_exc()
    print(f"error: {message}", file=sys.stderr, flush=True)
    raise SystemExit(1)
