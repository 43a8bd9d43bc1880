"""Small shared pieces: a 204 answer, and PynamoDB models pointed at the configured table."""

from __future__ import annotations

from deepiri_common.params import no_content
from deepiri_common.pynamo import bind_models


def test_no_content_is_a_204_without_a_body() -> None:
    response = no_content()
    assert response.status_code == 204 and response.body is None


def _model(table: str) -> type:
    """A fresh class with the two attributes PynamoDB keeps per model: the table name and a cached connection."""
    meta = type("Meta", (), {"table_name": table})
    return type("Model", (), {"Meta": meta, "_connection": object()})


def test_given_models_on_another_table_then_they_are_pointed_at_the_configured_one_and_forget_the_old_connection(
) -> None:
    elsewhere, already = _model("placeholder"), _model("deepiri-test-users")
    kept = already._connection

    bind_models([elsewhere, already], "deepiri-test-users")

    assert elsewhere.Meta.table_name == "deepiri-test-users" and elsewhere._connection is None
    assert already._connection is kept  # already bound: its connection is kept
