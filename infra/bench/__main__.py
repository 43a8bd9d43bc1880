"""``python -m infra.bench [NAME ...]``: see :mod:`infra.bench.runner`."""

from infra.bench.runner import main
from infra.cli import run

run(main)
