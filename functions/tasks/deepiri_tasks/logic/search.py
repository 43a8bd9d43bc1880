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

from deepiri_common.text import words
from deepiri_tasks.dal.search_index import MAX_TOKEN_LENGTH, MIN_TERM_LENGTH

MAX_QUERY_TERMS = 5


def query_terms(q: str) -> list[str]:
    """The distinct prefixes a query searches for (one-letter words are ignored)."""
    terms = [word[:MAX_TOKEN_LENGTH] for word in words(q) if len(word) >= MIN_TERM_LENGTH]
    return list(dict.fromkeys(terms))[:MAX_QUERY_TERMS]


def matches(terms: list[str], title: str, description: str) -> bool:
    """Whether every term is a prefix of some word of the text (the check behind the index)."""
    text_words = set(words(title)) | set(words(description))
    return all(any(word.startswith(term) for word in text_words) for term in terms)
