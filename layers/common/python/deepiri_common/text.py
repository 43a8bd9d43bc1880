"""Text as people search it: case- and accent-insensitive words.

``fold("Écrire")`` is ``"ecrire"`` and ``fold("Straße")`` is ``"strasse"`` (Unicode NFKD with combining
marks stripped, then ``casefold()``); words are runs of letters and digits.
"""

from __future__ import annotations

import re
import unicodedata
from typing import Annotated

from pydantic import AfterValidator

_WORD = re.compile(r"[^\W_]+")


def fold(text: str) -> str:
    """Case- and accent-insensitive form of ``text``."""
    decomposed = unicodedata.normalize("NFKD", text)
    stripped = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return stripped.casefold()


def words(text: str) -> list[str]:
    """The folded words of ``text``, in order, with repeats."""
    return _WORD.findall(fold(text))


# C0 and C1 controls, and the Unicode marks that reorder or hide text (bidi overrides and isolates,
# zero-width characters, the BOM): stored verbatim they corrupt logs, terminals and other people's screens.
_HIDDEN = "\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u2069\ufeff"
_SINGLE_LINE_REFUSED = re.compile(f"[\x00-\x1f\x7f-\x9f{_HIDDEN}]")
_MULTI_LINE_REFUSED = re.compile(f"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f{_HIDDEN}]")


def single_line(value: str) -> str:
    """``value`` when it holds no control, line-break or hidden formatting character; ValueError naming it."""
    found = _SINGLE_LINE_REFUSED.search(value)
    if found:
        raise ValueError(f"must not contain control or hidden characters (found U+{ord(found.group()):04X})")
    return value


def multi_line(value: str) -> str:
    """Like :func:`single_line`, but line breaks and tabs are allowed."""
    found = _MULTI_LINE_REFUSED.search(value)
    if found:
        raise ValueError(f"must not contain control or hidden characters (found U+{ord(found.group()):04X})")
    return value


# Annotated forms for pydantic fields: a name or title, and free text such as a description.
SingleLine = Annotated[str, AfterValidator(single_line)]
MultiLine = Annotated[str, AfterValidator(multi_line)]
