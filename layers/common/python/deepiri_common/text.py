"""Text as people search it: case- and accent-insensitive words.

``fold("Écrire")`` is ``"ecrire"`` and ``fold("Straße")`` is ``"strasse"`` (Unicode NFKD with combining
marks stripped, then ``casefold()``); words are runs of letters and digits.
"""

from __future__ import annotations

import re
import unicodedata

_WORD = re.compile(r"[^\W_]+")


def fold(text: str) -> str:
    """Case- and accent-insensitive form of ``text``."""
    decomposed = unicodedata.normalize("NFKD", text)
    stripped = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return stripped.casefold()


def words(text: str) -> list[str]:
    """The folded words of ``text``, in order, with repeats."""
    return _WORD.findall(fold(text))
