"""Search text is folded the way people type it: no case, no accents."""

from __future__ import annotations

from deepiri_common.text import fold, words


def test_given_accents_and_case_then_the_folded_form_has_neither() -> None:
    assert fold("Écrire") == "ecrire"
    assert fold("Straße") == "strasse"
    assert fold("ÇA VA") == "ca va"


def test_given_punctuation_underscores_and_digits_then_words_are_runs_of_letters_and_digits() -> None:
    assert words("Fix bug_42: Résumé—v2!") == ["fix", "bug", "42", "resume", "v2"]
    assert words("") == []
