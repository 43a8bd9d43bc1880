"""`make train-ai`: fit the AI service's local classifier on functions/ai/data/tasks.jsonl and write its artefact.

Development-time only (scikit-learn is in requirements/dev.txt, never in a function): the features are
the function's own (``deepiri_ai.logic.features``), weighted by sublinear tf-idf; category and
difficulty are multinomial logistic regressions and the estimate a ridge regression of log minutes.
The artefact (``deepiri_ai/logic/classifier.json.gz``, gzipped JSON,) holds the vocabulary with its idf and the linear
weights, rounded, and the held-out figures, so the function answers with dot products at cold start.

The held-out split is fixed by a stable hash of the title (one in five), so adding examples never moves
an old one between the sets.
"""

from __future__ import annotations

import argparse
import gzip
import hashlib
import json
import math
import statistics
import sys
from pathlib import Path
from typing import Any

from infra.config import ROOT

DATA = ROOT / "functions" / "ai" / "data" / "tasks.jsonl"
ARTEFACT = ROOT / "functions" / "ai" / "deepiri_ai" / "logic" / "classifier.json.gz"
DIGITS = 4  # weights rounded: the artefact stays small and its figures do not move
MIN_DOCUMENTS = 1  # every feature of the training split (pruning rare ones cost 1.5 points of accuracy)


def held_out(title: str) -> bool:
    """Whether an example belongs to the held-out fifth: a stable hash of its lower-cased title."""
    return hashlib.sha256(title.strip().lower().encode()).digest()[0] % 5 == 0


def text_of(example: dict[str, Any]) -> str:
    """What the classifier reads: the title, then the description when there is one."""
    return f"{example['title']}\n{example.get('description') or ''}".strip()


def load(path: Path = DATA) -> list[dict[str, Any]]:
    with path.open(encoding="utf-8") as handle:
        return [json.loads(line) for line in handle if line.strip()]


def train(examples: list[dict[str, Any]]) -> dict[str, Any]:
    """Fit on the training split; the artefact, with its held-out figures."""
    from sklearn.feature_extraction import DictVectorizer  # noqa: PLC0415 - dev-only
    from sklearn.feature_extraction.text import TfidfTransformer  # noqa: PLC0415
    from sklearn.linear_model import LogisticRegression, Ridge  # noqa: PLC0415

    from deepiri_ai.logic.features import features  # noqa: PLC0415 - the function package, on the path of make

    training = [example for example in examples if not held_out(example["title"])]
    counts = [features(text_of(example)) for example in training]
    documents: dict[str, int] = {}
    for row in counts:
        for name in row:
            documents[name] = documents.get(name, 0) + 1
    kept = sorted(name for name, seen in documents.items() if seen >= MIN_DOCUMENTS)
    vectorizer = DictVectorizer(sort=True)
    vectorizer.fit([dict.fromkeys(kept, 1)])
    tfidf = TfidfTransformer(sublinear_tf=True)
    matrix = tfidf.fit_transform(vectorizer.transform(counts))
    names = list(vectorizer.get_feature_names_out())
    idf = [round(float(value), DIGITS) for value in tfidf.idf_]

    def classifier(labels: list[str], c: float, balanced: bool) -> dict[str, Any]:
        model = LogisticRegression(C=c, max_iter=5000, class_weight="balanced" if balanced else None)
        model.fit(matrix, labels)
        return {"labels": [str(label) for label in model.classes_],
                "intercept": [round(float(value), DIGITS) for value in model.intercept_],
                "weights": [[round(float(value), DIGITS) for value in row] for row in model.coef_]}

    ridge = Ridge(alpha=1.0)
    ridge.fit(matrix, [math.log(example["estimateMinutes"]) for example in training])
    return {
        "version": 1,
        "features": names,
        "idf": idf,
        "category": classifier([example["category"] for example in training], 50.0, False),
        "difficulty": classifier([example["difficulty"] for example in training], 5.0, True),
        "estimate": {"intercept": round(float(ridge.intercept_), DIGITS),
                     "weights": [round(float(value), DIGITS) for value in ridge.coef_]},
    }


def evaluate(artefact: dict[str, Any], examples: list[dict[str, Any]]) -> dict[str, Any]:
    """Held-out accuracy and macro-F1 of category and difficulty, and the estimate's error, computed by
    the function's own pure-Python model from the artefact."""
    from deepiri_ai.logic.classifier import LocalModel  # noqa: PLC0415

    model = LocalModel(artefact)
    test = [example for example in examples if held_out(example["title"])]
    predictions = [model.predict(example["title"], example.get("description")) for example in test]
    figures: dict[str, Any] = {"examples": len(examples), "heldOut": len(test)}
    for field in ("category", "difficulty"):
        truth = [example[field] for example in test]
        guessed = [getattr(prediction, field) for prediction in predictions]
        figures[field] = {"accuracy": round(sum(a == b for a, b in zip(truth, guessed, strict=True)) / len(test), 4),
                          "macroF1": round(macro_f1(truth, guessed), 4)}
    errors = [abs(prediction.estimate_minutes - example["estimateMinutes"])
              for prediction, example in zip(predictions, test, strict=True)]
    ratios = [max(prediction.estimate_minutes, example["estimateMinutes"])
              / min(prediction.estimate_minutes, example["estimateMinutes"])
              for prediction, example in zip(predictions, test, strict=True)]
    figures["estimate"] = {"medianAbsoluteErrorMinutes": round(statistics.median(errors), 1),
                           "meanAbsoluteErrorMinutes": round(statistics.fmean(errors), 1),
                           "withinFactorOf2": round(sum(ratio <= 2 for ratio in ratios) / len(test), 4)}
    return figures


def macro_f1(truth: list[str], guessed: list[str]) -> float:
    scores = []
    for label in sorted(set(truth)):
        hits = sum(a == b == label for a, b in zip(truth, guessed, strict=True))
        predicted, actual = guessed.count(label), truth.count(label)
        precision = hits / predicted if predicted else 0.0
        recall = hits / actual if actual else 0.0
        scores.append(2 * precision * recall / (precision + recall) if precision + recall else 0.0)
    return sum(scores) / len(scores)


def same(committed: Any, trained: Any, tolerance: float = 2e-3) -> bool:
    """Whether two artefacts agree: the same vocabulary and labels, every number within ``tolerance`` (the
    solver's last digits may differ between machines and BLAS builds; a rounded weight may flip a digit)."""
    if isinstance(committed, dict) and isinstance(trained, dict):
        return committed.keys() == trained.keys() and all(same(committed[k], trained[k], tolerance) for k in committed)
    if isinstance(committed, list) and isinstance(trained, list):
        return len(committed) == len(trained) and all(same(a, b, tolerance) for a, b in zip(committed, trained,
                                                                                               strict=True))
    if isinstance(committed, (int, float)) and isinstance(trained, (int, float)):
        return abs(committed - trained) <= tolerance * max(1.0, abs(committed))
    return bool(committed == trained)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true",
                        help="fail when the committed artefact is not what training gives")
    args = parser.parse_args(argv)
    examples = load()
    artefact = train(examples)
    artefact["heldOut"] = evaluate(artefact, examples)
    text = json.dumps(artefact, separators=(",", ":"), sort_keys=True) + "\n"
    if args.check:
        current = json.loads(gzip.decompress(ARTEFACT.read_bytes())) if ARTEFACT.exists() else {}
        if not same(current, json.loads(text)):
            print(f"{ARTEFACT.relative_to(ROOT)} is not what `make train-ai` produces: run it", file=sys.stderr)
            return 1
        return 0
    # mtime=0: the same model gives the same bytes, so retraining without a change leaves git clean
    ARTEFACT.write_bytes(gzip.compress(text.encode("utf-8"), compresslevel=9, mtime=0))
    print(json.dumps(artefact["heldOut"], indent=2))
    print(f"wrote {ARTEFACT.relative_to(ROOT)} ({len(text) // 1024} KiB, {len(artefact['features'])} features)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
