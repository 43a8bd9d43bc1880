"""How a task's text is stored for word-prefix search (the design is in ``logic.search``).

A task's index tokens are its distinct folded words of at least :data:`MIN_TERM_LENGTH` characters,
title words first, each cut to :data:`MAX_TOKEN_LENGTH`, at most :data:`MAX_TOKENS` per task: the cap
keeps the worst task write inside DynamoDB's 100-action transaction (see ``dal.tasks``). A token lives
in the partition of its first :data:`BUCKET_LENGTH` characters, so a two-letter prefix can be searched.
"""

from __future__ import annotations

from deepiri_common.text import words

MAX_TOKENS = 30
MAX_TOKEN_LENGTH = 40
MIN_TERM_LENGTH = 2
BUCKET_LENGTH = 2


def index_tokens(title: str, description: str) -> list[str]:
    """The distinct tokens a task is indexed under, title words first, capped at :data:`MAX_TOKENS`."""
    tokens: dict[str, None] = {}
    for word in [*words(title), *words(description)]:
        if len(word) >= MIN_TERM_LENGTH:
            tokens.setdefault(word[:MAX_TOKEN_LENGTH], None)
        if len(tokens) >= MAX_TOKENS:
            break
    return list(tokens)


def bucket(token: str) -> str:
    """The partition suffix a token (or a query term) lives in."""
    return token[:BUCKET_LENGTH]
