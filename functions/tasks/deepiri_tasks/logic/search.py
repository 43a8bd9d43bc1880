"""Word-prefix search over task titles and descriptions, case and accent insensitive.

Design (all in the tasks table, never a Scan):

* Text is folded: Unicode NFKD, combining marks stripped, ``casefold()`` ("Écrire" → "ecrire",
  "Straße" → "strasse"). Words are runs of letters and digits.
* A task's index tokens are its distinct folded words of at least 2 characters, title words first,
  each cut to 40 characters, at most :data:`MAX_TOKENS` per task. One token item per token:
  ``pk = SEARCH#<scope>#<first 2 chars>``, ``sk = <token>#<taskId>`` (``scope`` = ``PROJECT#<id>`` or
  ``OWNER#<id>``, the task's listing scope). Two-character buckets let a two-letter prefix be searched.
* Token items are written and removed in the same transaction as the task (only the difference
  between the old and the new token set), removed on soft delete and written back on restore.
  The cap keeps the worst change inside DynamoDB's 100-action transaction: 30 deletes + 30 puts, the
  task, its version, its due pointer, at most 3 outbox items and 2 x 10 assignee pointers (86).
* ``q = "desi doc"``: each term Queries its bucket with ``begins_with(sk, term)``; the task ids are
  intersected (every term must match some word), then fetched with BatchGetItem and filtered.
"""

from __future__ import annotations

import re
import unicodedata

MAX_TOKENS = 30
MAX_TOKEN_LENGTH = 40
MIN_TERM_LENGTH = 2
MAX_QUERY_TERMS = 5
BUCKET_LENGTH = 2

_WORD = re.compile(r"[^\W_]+")


def fold(text: str) -> str:
    """Case- and accent-insensitive form of ``text``."""
    decomposed = unicodedata.normalize("NFKD", text)
    stripped = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return stripped.casefold()


def words(text: str) -> list[str]:
    """The folded words of ``text``, in order, with repeats."""
    return _WORD.findall(fold(text))


def index_tokens(title: str, description: str) -> list[str]:
    """The distinct tokens a task is indexed under, title words first, capped at :data:`MAX_TOKENS`."""
    tokens: dict[str, None] = {}
    for word in [*words(title), *words(description)]:
        if len(word) >= MIN_TERM_LENGTH:
            tokens.setdefault(word[:MAX_TOKEN_LENGTH], None)
        if len(tokens) >= MAX_TOKENS:
            break
    return list(tokens)


def query_terms(q: str) -> list[str]:
    """The distinct prefixes a query searches for (one-letter words are ignored)."""
    terms = [word[:MAX_TOKEN_LENGTH] for word in words(q) if len(word) >= MIN_TERM_LENGTH]
    return list(dict.fromkeys(terms))[:MAX_QUERY_TERMS]


def bucket(token: str) -> str:
    """The partition suffix a token (or a query term) lives in."""
    return token[:BUCKET_LENGTH]


def matches(terms: list[str], title: str, description: str) -> bool:
    """Whether every term is a prefix of some word of the text (the check behind the index)."""
    text_words = set(words(title)) | set(words(description))
    return all(any(word.startswith(term) for word in text_words) for term in terms)
