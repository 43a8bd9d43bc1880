"""Probe: the time (ms) a fresh AI function process takes to import its handler and answer its first
classification with the local engine (the artefact read and indexed on first use), start-up left out.

    python -m infra.bench.probes.first_classify MODULE

Run on the Lambda runtime interpreter with the built function and layer folders as PYTHONPATH.
"""

from __future__ import annotations

import importlib
import sys
import time


def main(module: str) -> None:
    started = time.perf_counter()
    importlib.import_module(module)
    classifier = importlib.import_module("deepiri_ai.logic.classifier")
    classifier.local_model().predict("Write essay on capital")
    print((time.perf_counter() - started) * 1000)


if __name__ == "__main__":
    main(sys.argv[1])
