"""PynamoDB models pointed at the table a function is configured with.

PynamoDB keeps a model's table name on the class (``Meta.table_name``), and the stage decides the
name at run time, so each repository binds its models once, on first use.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any


def bind_models(models: Iterable[Any], table_name: str) -> None:
    """Point every model of ``models`` at ``table_name``; models already there are left alone."""
    for model in models:
        if model.Meta.table_name != table_name:
            model.Meta.table_name = table_name
            # PynamoDB (pinned 6.1.0) has no public way to point a model at another table; the
            # connection it caches names the old one.
            model._connection = None  # noqa: SLF001
