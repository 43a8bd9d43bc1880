"""Search text is folded the way people type it: no case, no accents."""

from __future__ import annotations

import pytest

from deepiri_common.text import fold, multi_line, single_line, words


def test_given_accents_and_case_then_the_folded_form_has_neither() -> None:
    assert fold("Écrire") == "ecrire"
    assert fold("Straße") == "strasse"
    assert fold("ÇA VA") == "ca va"


def test_given_punctuation_underscores_and_digits_then_words_are_runs_of_letters_and_digits() -> None:
    assert words("Fix bug_42: Résumé—v2!") == ["fix", "bug", "42", "resume", "v2"]
    assert words("") == []


@pytest.mark.parametrize("character", ["\x00", "\x1b", "\r", "\n", "\u202e", "\u2066", "\u200b", "\ufeff", "\x85"])
def test_given_a_control_or_hidden_character_then_a_single_line_is_refused_naming_it(character: str) -> None:
    with pytest.raises(ValueError, match=f"U\\+{ord(character):04X}"):
        single_line(f"Pay {character}invoice")


def test_given_line_breaks_and_tabs_then_free_text_keeps_them_but_still_refuses_escapes() -> None:
    assert multi_line("line one\nline two\r\n\tindented") == "line one\nline two\r\n\tindented"
    with pytest.raises(ValueError, match="U\\+001B"):
        multi_line("red \x1b[31m text")


def test_given_ordinary_text_in_any_script_then_it_passes() -> None:
    assert single_line("Écrire le rapport — 東京 🚀") == "Écrire le rapport — 東京 🚀"
