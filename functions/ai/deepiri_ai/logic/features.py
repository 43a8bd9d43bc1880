"""The text features of the local classifier, shared by training (``make train-ai``) and the function.

Pure Python so the function needs no scikit-learn or numpy: lower-cased word unigrams and bigrams plus
character 3- and 4-grams inside word boundaries (they carry typos such as "reserch" or "desing" to the
right class). Training counts these same features, so what the function computes at run time is what
the weights were fitted on.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from itertools import pairwise

_WORD = re.compile(r"[a-z0-9]+(?:['+#.][a-z0-9]+)*")
MAX_CHARS = 5_500  # title (500) + description (5,000): longer text adds nothing the weights know


def tokens(text: str) -> list[str]:
    """The words of ``text``, lower-cased."""
    return _WORD.findall(text[:MAX_CHARS].lower())


def features(text: str) -> Counter[str]:
    """Counts of the features of ``text``: ``w:`` words, ``b:`` word pairs, ``c:`` character n-grams."""
    words = tokens(text)
    counts: Counter[str] = Counter(f"w:{word}" for word in words)
    counts.update(f"b:{first} {second}" for first, second in pairwise(words))
    for word in words:
        padded = f" {word} "
        for size in (3, 4):
            counts.update(f"c:{padded[i:i + size]}" for i in range(len(padded) - size + 1))
    return counts


def weighted(counts: Counter[str], idf: dict[str, float]) -> dict[str, float]:
    """Sublinear tf-idf, L2-normalised, over the features the model knows (others carry no weight)."""
    vector = {name: (1.0 + math.log(count)) * idf[name] for name, count in counts.items() if name in idf}
    norm = math.sqrt(sum(value * value for value in vector.values()))
    return {name: value / norm for name, value in vector.items()} if norm else {}
