"""Forecast of a daily count (completions, focus minutes) for the next 1-14 days, with an interval.

Method: additive Holt-Winters (exponential smoothing of a level, a damped trend and a weekly season of
7 days), in pure Python so the function carries no numerical library. On the last ``HISTORY_DAYS`` days:

- start: the level is the first week's mean, the trend the difference of the first two weeks' means
  over 7, each weekday's season its first-week value minus the level;
- each day t: level = a(y - season) + (1 - a)(level + phi trend); trend = b(level - previous level) +
  (1 - b) phi trend; season = g(y - level) + (1 - g) season;
- the smoothing weights (a, b, g) are the grid point with the smallest one-step-ahead squared error
  over the history; the trend is damped (phi = 0.9) so it never runs away over two weeks;
- forecast for h days ahead: level + (phi + ... + phi^h) trend + that weekday's season, at least 0;
- interval: an 80 % band, +/- 1.2816 sigma sqrt(1 + (h - 1) a^2), sigma the one-step errors' standard
  deviation (the usual approximation for simple exponential smoothing), clipped at 0.

With fewer than two weeks of history the forecast is the mean of the days there are, with the same band.
The baseline it is measured against is the seasonal naive forecast (the same weekday last week); the
backtest (``make analytics-backtest``) reports both methods' MASE on generated histories.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from itertools import product

SEASON = 7
HISTORY_DAYS = 56
PHI = 0.9
Z80 = 1.2816
ALPHAS = (0.05, 0.1, 0.2, 0.3, 0.5)
BETAS = (0.0, 0.05, 0.1)  # 0.0 made 10 % larger or smaller is 0.0 still (equivalent); a flat trend is a choice
GAMMAS = (0.05, 0.1, 0.2, 0.3)


@dataclass(frozen=True)
class Band:
    value: float
    lower: float
    upper: float


@dataclass(frozen=True)
class _Fit:
    level: float
    trend: float
    season: tuple[float, ...]
    sse: float
    errors: int
    alpha: float


def _mean(values: Sequence[float]) -> float:
    return sum(values) / len(values) if values else 0.0


def _fit(history: Sequence[float], alpha: float, beta: float, gamma: float) -> _Fit:
    level = _mean(history[:SEASON])
    trend = (_mean(history[SEASON:2 * SEASON]) - level) / SEASON
    season = [history[i] - level for i in range(SEASON)]
    sse = 0.0
    for t in range(SEASON, len(history)):
        y, s = history[t], season[t % SEASON]
        error = y - (level + PHI * trend + s)
        sse += error * error
        previous = level
        level = alpha * (y - s) + (1 - alpha) * (previous + PHI * trend)
        trend = beta * (level - previous) + (1 - beta) * PHI * trend
        season[t % SEASON] = gamma * (y - level) + (1 - gamma) * s
    return _Fit(level, trend, tuple(season), sse, len(history) - SEASON, alpha)


def holt_winters(history: Sequence[float], days: int) -> list[Band]:
    """The next ``days`` values of ``history`` (oldest first, one per day) with 80 % bands."""
    history = list(history[-HISTORY_DAYS:])
    if len(history) < 2 * SEASON:
        return _flat(history, days)
    fit = min((_fit(history, a, b, g) for a, b, g in product(ALPHAS, BETAS, GAMMAS)), key=lambda f: f.sse)
    sigma = math.sqrt(fit.sse / (fit.errors - 1))  # at least 7 one-step errors: two weeks or more of history
    bands = []
    damped = 0.0
    for h in range(1, days + 1):
        damped += PHI ** h
        value = max(0.0, fit.level + damped * fit.trend + fit.season[(len(history) + h - 1) % SEASON])
        spread = Z80 * sigma * math.sqrt(1 + (h - 1) * fit.alpha ** 2)
        bands.append(Band(round(value, 2), round(max(0.0, value - spread), 2), round(value + spread, 2)))
    return bands


def _flat(history: Sequence[float], days: int) -> list[Band]:
    mean = _mean(history)
    sigma = math.sqrt(_mean([(y - mean) ** 2 for y in history]))  # no history: the mean of nothing, 0
    spread = Z80 * sigma
    return [Band(round(mean, 2), round(max(0.0, mean - spread), 2), round(mean + spread, 2))] * days


def seasonal_naive(history: Sequence[float], days: int) -> list[float]:
    """The baseline: each day as the same weekday of the last week there is."""
    if len(history) < SEASON:
        return [_mean(history)] * days
    last_week = history[-SEASON:]
    return [last_week[h % SEASON] for h in range(days)]


def mase(actual: Sequence[float], predicted: Sequence[float], history: Sequence[float]) -> float | None:
    """Mean absolute error scaled by the in-sample error of the seasonal naive forecast (None if that is 0)."""
    scale = _mean([abs(history[t] - history[t - SEASON]) for t in range(SEASON, len(history))])
    if scale == 0:
        return None
    return _mean([abs(a - p) for a, p in zip(actual, predicted, strict=True)]) / scale
