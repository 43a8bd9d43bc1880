"""Probe: the time (ms) one module takes to import in this fresh interpreter, its start-up left out.

    python -m infra.bench.probes.import_time MODULE

Standard library only: the bench runs it on the Lambda runtime interpreter (``.local/runtime``, boto3
only), with the built layer and function folders as PYTHONPATH, as Lambda would import a handler.
"""

from __future__ import annotations

import importlib
import sys
import time


def main(module: str) -> None:
    started = time.perf_counter()
    importlib.import_module(module)
    print((time.perf_counter() - started) * 1000)


if __name__ == "__main__":
    main(sys.argv[1])
