"""Backtest of the analytics forecast against the seasonal naive baseline, on generated histories.

    python -m infra.forecast_backtest        (make analytics-backtest)

Each shape is a daily count drawn from a Poisson law whose mean follows the shape; from several
origins the method sees the 56 days before and forecasts the next 14; the table gives each method's
mean MASE (lower is better) and the share of actual values inside the forecast's 80 % band. The
numbers are deterministic (fixed seeds), so the README's table can be checked by running this again.
"""

from __future__ import annotations

import math
import random
from collections.abc import Callable

from deepiri_analytics.logic.forecast import HISTORY_DAYS, holt_winters, mase, seasonal_naive

HORIZON = 14
DAYS = 210
ORIGINS = range(HISTORY_DAYS, DAYS - HORIZON + 1, 7)
SEEDS = range(20)


def _poisson(rng: random.Random, mean: float) -> int:
    limit, k, product = math.exp(-mean), 0, rng.random()
    while product > limit:
        k += 1
        product *= rng.random()
    return k


def _weekday(t: int) -> bool:
    return t % 7 < 5


SHAPES: dict[str, Callable[[int], float]] = {
    "weekday worker (4 on weekdays, 0.5 at weekends)": lambda t: 4.0 if _weekday(t) else 0.5,
    "growing (1 → 5 over 210 days) with weekends": lambda t: (1 + 4 * t / DAYS) * (1.0 if _weekday(t) else 0.3),
    "flat (3 a day, no weekly pattern)": lambda t: 3.0,
    "sparse (0.4 a day)": lambda t: 0.4,
    "regime change (2 → 5 on day 120) with weekends": lambda t: (2.0 if t < 120 else 5.0) * (
        1.0 if _weekday(t) else 0.4),
}


def backtest(shape: Callable[[int], float]) -> tuple[float, float, float]:
    """Mean MASE of Holt-Winters and of the seasonal naive forecast, and the 80 % band's coverage."""
    ours, baseline, inside, total = [], [], 0, 0
    for seed in SEEDS:
        rng = random.Random(seed)  # noqa: S311 - generated histories, seeded to be repeatable
        series = [float(_poisson(rng, shape(t))) for t in range(DAYS)]
        for origin in ORIGINS:
            history, actual = series[origin - HISTORY_DAYS:origin], series[origin:origin + HORIZON]
            bands = holt_winters(history, HORIZON)
            ours_error = mase(actual, [b.value for b in bands], history)
            naive_error = mase(actual, seasonal_naive(history, HORIZON), history)
            if ours_error is None or naive_error is None:
                continue
            ours.append(ours_error)
            baseline.append(naive_error)
            inside += sum(b.lower <= a <= b.upper for a, b in zip(actual, bands, strict=True))
            total += HORIZON
    return sum(ours) / len(ours), sum(baseline) / len(baseline), inside / total


def main() -> None:
    print("| history shape | Holt-Winters MASE | seasonal naive MASE | ratio | 80 % band coverage |")
    print("| --- | --- | --- | --- | --- |")
    for name, shape in SHAPES.items():
        ours, naive, coverage = backtest(shape)
        print(f"| {name} | {ours:.3f} | {naive:.3f} | {ours / naive:.2f} | {coverage:.0%} |")


if __name__ == "__main__":
    main()
