"""make mutate CONSTANTS=1's pure parts: which changes of the rule constants are tried, which tests see them."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from infra import mutate_constants as constants

MODULE = b'''\
"""A module."""
import re

MAX_ATTEMPTS = 3  # tries
_OPEN: frozenset[str] = frozenset({"todo", "review"})
POINTS = {"easy": 100, "hard": -2.5}
_FORWARD = {"todo": ("doing", "done")}
ORDER = ("a",)
# dropping an item of a table nobody reads is equivalent
UNUSED = ["x", "y"]
PATTERN = re.compile(r"^a$")
message = "not a constant: lower case"
HINT = "strings are left alone"
DELAY = 1.5


def f() -> int:
    LOCAL = 5
    return LOCAL
'''


def _applied(change: constants.Change) -> str:
    return change.apply(MODULE).decode()


def test_given_constants_then_numbers_are_nudged_and_items_dropped_one_at_a_time() -> None:
    found = [(c.constant, c.what) for c in constants.changes(MODULE)]

    assert found == [
        ("MAX_ATTEMPTS", "3 + 1"), ("MAX_ATTEMPTS", "3 - 1"),
        ("_OPEN", "without 'todo'"), ("_OPEN", "without 'review'"),
        ("POINTS", "without 'easy'"), ("POINTS", "without 'hard'"),
        ("POINTS", "100 + 1"), ("POINTS", "100 - 1"), ("POINTS", "-2.5 + 10 %"), ("POINTS", "-2.5 - 10 %"),
        ("_FORWARD", "without 'todo'"), ("_FORWARD", "without 'doing'"), ("_FORWARD", "without 'done'"),
        ("ORDER", "without 'a'"),
        ("UNUSED", "without 'x'"), ("UNUSED", "without 'y'"),
        ("DELAY", "1.5 + 10 %"), ("DELAY", "1.5 - 10 %"),
    ]


def test_given_a_change_then_the_module_still_parses_and_only_the_value_differs() -> None:
    by_what = {(c.constant, c.what): c for c in constants.changes(MODULE)}

    for change in by_what.values():
        ast.parse(change.apply(MODULE))
    assert "MAX_ATTEMPTS = (4)  # tries" in _applied(by_what["MAX_ATTEMPTS", "3 + 1"])
    assert 'frozenset({"todo", "review"})' not in _applied(by_what["_OPEN", "without 'todo'"])
    assert "frozenset({'review'})" in _applied(by_what["_OPEN", "without 'todo'"])
    assert "POINTS = {'hard': -2.5}" in _applied(by_what["POINTS", "without 'easy'"])
    assert '"hard": (-2.75)' in _applied(by_what["POINTS", "-2.5 + 10 %"])
    assert "ORDER = ()" in _applied(by_what["ORDER", "without 'a'"])
    assert "DELAY = (1.35)" in _applied(by_what["DELAY", "1.5 - 10 %"])
    assert "_FORWARD = {\"todo\": ('done',)}" in _applied(by_what["_FORWARD", "without 'doing'"])


def test_given_constants_assigned_together_then_each_is_changed_on_its_own() -> None:
    source = b"LOW, HIGH = 8, (12, 13)\nMIN, limit = 5, 6\nA, B = PAIR\nC, D = 1, 2, 3\n"

    found = [(c.constant, c.what) for c in constants.changes(source)]
    applied = {(c.constant, c.what): c.apply(source).decode() for c in constants.changes(source)}

    assert found == [
        ("LOW", "8 + 1"), ("LOW", "8 - 1"),
        ("HIGH", "without 12"), ("HIGH", "without 13"),
        ("HIGH", "12 + 1"), ("HIGH", "12 - 1"), ("HIGH", "13 + 1"), ("HIGH", "13 - 1"),
        ("MIN", "5 + 1"), ("MIN", "5 - 1"),
    ]
    assert applied["LOW", "8 - 1"].splitlines()[0] == "LOW, HIGH = (7), (12, 13)"
    assert applied["HIGH", "without 12"].splitlines()[0] == "LOW, HIGH = 8, (13,)"
    assert applied["MIN", "5 + 1"].splitlines()[1] == "MIN, limit = (6), 6"


def test_given_a_last_item_dropped_from_a_set_then_it_is_an_empty_set_not_a_dict() -> None:
    source = b'SEEN = {"only"}\n'
    (change,) = constants.changes(source)

    namespace: dict[str, object] = {}
    exec(change.apply(source), namespace)

    assert namespace["SEEN"] == set()


def test_given_a_comment_saying_equivalent_on_or_above_the_line_then_a_survivor_is_explained() -> None:
    text = MODULE.decode()
    line = text.splitlines().index('UNUSED = ["x", "y"]') + 1
    attempts = text.splitlines().index("MAX_ATTEMPTS = 3  # tries") + 1

    assert constants.explained(text, line) == "dropping an item of a table nobody reads is equivalent"
    assert constants.explained(text, attempts) is None  # "tries" explains nothing


def test_given_imports_then_relative_and_from_imports_name_their_modules() -> None:
    tree = ast.parse("import a.b\nfrom c import d\nfrom . import e\nfrom .f import g\n")

    assert constants.imported(tree, "pkg.logic") == {
        "a.b", "c", "c.d", "pkg.logic", "pkg.logic.e", "pkg.logic.f", "pkg.logic.f.g"}


def test_given_an_import_graph_then_the_dependents_are_found_through_any_depth() -> None:
    graph = {"p.rules": set(), "p.progress": {"p.rules"}, "p.handler": {"p.progress"}, "p.other": {"q"}}

    assert constants.dependents("p.rules", graph) == {"p.rules", "p.progress", "p.handler"}


def test_given_a_repository_then_the_tests_of_a_constant_are_those_importing_it_or_its_dependents(
        tmp_path: Path) -> None:
    files = {
        "functions/tasks/deepiri_tasks/logic/rules.py": "LIMIT = 3\n",
        "functions/tasks/deepiri_tasks/logic/flow.py": "from deepiri_tasks.logic import rules\n",
        "functions/tasks/deepiri_tasks/logic/other.py": "X = 1\n",
        "tests/unit/tasks/test_flow.py": "from deepiri_tasks.logic.flow import run\n",
        "tests/unit/tasks/test_other.py": "from deepiri_tasks.logic import other\n",
        "tests/unit/contracts/test_all.py": "from deepiri_tasks.logic import rules\n",
        "tests/unit/test_tooling.py": "from infra import writer\n",
        "tests/unit/test_unrelated.py": "from infra import other\n",
        "infra/writer.py": "from deepiri_tasks.logic.flow import run\n",
        "infra/other.py": "X = 1\n",
    }
    for path, text in files.items():
        (tmp_path / path).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / path).write_text(text)

    tests = constants.test_files_for("functions/tasks/deepiri_tasks/logic/rules.py", tmp_path, ["functions/tasks"])

    assert tests == ["tests/unit/contracts/test_all.py", "tests/unit/tasks/test_flow.py", "tests/unit/test_tooling.py"]


def test_given_a_path_outside_the_roots_then_it_is_refused() -> None:
    with pytest.raises(ValueError, match="none of the package roots"):
        constants.module_of("web/src/app.py", ["functions/tasks"])


def test_given_outcomes_then_the_table_counts_them_and_lists_only_the_unexplained() -> None:
    change = constants.changes(MODULE)[0]
    outcomes = [constants.Outcome("m.py", change, True), constants.Outcome("m.py", change, False, "equivalent"),
                constants.Outcome("m.py", change, False)]

    text, clean = constants.render(outcomes, 90.0)

    row = next(line for line in text.splitlines() if line.startswith("m.py"))
    assert row.split()[1:] == ["3", "1", "1", "1"]
    assert "  unexplained: m.py:4 MAX_ATTEMPTS 3 + 1" in text and not clean
    assert text.endswith("3 change(s) of constants in 1 module(s), 1.5 min: 1 unexplained")
    assert constants.render(outcomes[:2], 60.0)[1]
