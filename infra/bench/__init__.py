"""Benchmarks of the local stack, printed as ratios measured side by side in one run (never asserted).

    python -m infra.bench                 run every benchmark, print a table, write .local/bench.json (make bench)
    python -m infra.bench coldstart ...   run only the named benchmarks (make bench ONLY=coldstart)

Absolute timings depend on the machine; a ratio of two figures taken in the same run mostly does not.
One module per benchmark (``health``, ``coldstart``, ``authorizer``, ``login``, ``tasks``), each with a
``run(target) -> Result``; ``runner.BENCHMARKS`` lists them in the order they run. What a benchmark runs
in a child interpreter is a module of ``probes/``; the cold-start floor is ``floor/``. Nothing is imported
here, so a probe started with ``python -m infra.bench.probes.<name>`` loads only what it needs.
"""
