"""Scripts a benchmark runs in a fresh interpreter (``python -m infra.bench.probes.<name> ARGS``).

Each prints its figures as the last line of its standard output. A probe imports only what it measures,
so its own imports never count in a cold-start figure.
"""
