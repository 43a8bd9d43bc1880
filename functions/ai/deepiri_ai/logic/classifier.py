"""The local engine's classifier: category, difficulty and estimate of a task from its words.

A linear model over :mod:`deepiri_ai.logic.features`, trained by ``make train-ai`` (infra/train_ai.py)
and shipped as ``classifier.json.gz`` beside this module: vocabulary, idf and weights. Scoring is a sparse
dot product per class and a softmax, in pure Python, so the function loads no training stack.

The text is only ever counted: whatever it says ("ignore previous instructions ...") moves weights like
any other words and can never change what the engine does.
"""

from __future__ import annotations

import gzip
import json
import math
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from deepiri_ai.logic.features import features, weighted

ARTEFACT = Path(__file__).with_name("classifier.json.gz")  # gzip: a quarter of the size, ~20 ms to open
ALTERNATIVES = 3
MIN_MINUTES, MAX_MINUTES = 5, 2_400


@dataclass(frozen=True)
class Prediction:
    category: str
    difficulty: str
    estimate_minutes: int
    confidence: float
    alternatives: tuple[tuple[str, float], ...]  # the next most likely categories, most likely first


class _Linear:
    """One multinomial logistic regression: labels, intercepts, and each feature's weight per label."""

    def __init__(self, part: dict[str, Any], names: list[str]) -> None:
        self.labels: list[str] = part["labels"]
        self.intercept: list[float] = part["intercept"]
        rows = part["weights"]
        self.by_feature = {name: [row[index] for row in rows] for index, name in enumerate(names)}

    def probabilities(self, vector: dict[str, float]) -> list[tuple[str, float]]:
        scores = list(self.intercept)
        for name, value in vector.items():
            for label, weight in enumerate(self.by_feature[name]):
                scores[label] += weight * value
        top = max(scores)
        exps = [math.exp(score - top) for score in scores]
        total = sum(exps)
        ranked = sorted(zip(self.labels, (value / total for value in exps), strict=True), key=lambda pair: -pair[1])
        return ranked


class LocalModel:
    """The trained artefact, ready to score text."""

    def __init__(self, artefact: dict[str, Any]) -> None:
        names: list[str] = artefact["features"]
        self.idf = dict(zip(names, artefact["idf"], strict=True))
        self.category = _Linear(artefact["category"], names)
        self.difficulty = _Linear(artefact["difficulty"], names)
        self.estimate_intercept: float = artefact["estimate"]["intercept"]
        self.estimate_weights = dict(zip(names, artefact["estimate"]["weights"], strict=True))
        self.held_out: dict[str, Any] = artefact.get("heldOut", {})

    def predict(self, title: str, description: str | None = None) -> Prediction:
        """Classify a task by its title and optional description (data only, never instructions)."""
        vector = weighted(features(f"{title}\n{description}" if description else title), self.idf)
        categories = self.category.probabilities(vector)
        difficulty = self.difficulty.probabilities(vector)[0][0]
        log_minutes = self.estimate_intercept + sum(self.estimate_weights[name] * value
                                                    for name, value in vector.items())
        minutes = min(MAX_MINUTES, max(MIN_MINUTES, round(math.exp(log_minutes) / 5) * 5))
        return Prediction(
            category=categories[0][0],
            difficulty=difficulty,
            estimate_minutes=minutes,
            confidence=round(categories[0][1], 4),
            alternatives=tuple((label, round(score, 4)) for label, score in categories[1:1 + ALTERNATIVES]),
        )


@cache
def local_model() -> LocalModel:
    """The shipped model, loaded once per process (on first use, not at import)."""
    with gzip.open(ARTEFACT, "rt", encoding="utf-8") as handle:
        return LocalModel(json.load(handle))
