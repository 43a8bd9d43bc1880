"""How many words of a search query are searched for: the first five distinct ones (each term is a Query
of the index, so the number is bounded)."""

from __future__ import annotations

from deepiri_tasks.logic.search import query_terms


def test_given_a_query_of_seven_words_then_only_the_first_five_distinct_ones_are_searched() -> None:
    assert query_terms("alpha bravo alpha charlie delta echo foxtrot golf") == [
        "alpha", "bravo", "charlie", "delta", "echo"]


def test_given_a_query_of_five_words_then_all_are_searched() -> None:
    assert query_terms("alpha bravo charlie delta echo") == ["alpha", "bravo", "charlie", "delta", "echo"]
