"""make mutate's pure parts: which modules are domain logic, how mutmut's paths and verdicts are read."""

from __future__ import annotations

import json
import re
import tomllib
from pathlib import Path

import pytest

from infra import mutate
from infra.config import ROOT

LOGIC = ("functions/*/deepiri_*/logic/*.py", "layers/common/python/deepiri_common/*.py")
ROOTS = ("layers/common/python", "functions/gateway", "functions/tasks")


def test_given_changed_files_when_selecting_then_only_logic_modules_remain_sorted_once() -> None:
    changed = [
        "functions/tasks/deepiri_tasks/logic/status.py",
        "README.md",
        "functions/tasks/deepiri_tasks/handlers/api.py",
        "functions/tasks/deepiri_tasks/logic/__init__.py",
        "layers/common/python/deepiri_common/pagination.py",
        "functions/tasks/deepiri_tasks/logic/status.py",
        "tests/unit/tasks/test_task_rules.py",
        "functions/gateway/deepiri_gateway/logic/authorization.py",
    ]

    assert mutate.select_modules(changed, LOGIC) == [
        "functions/gateway/deepiri_gateway/logic/authorization.py",
        "functions/tasks/deepiri_tasks/logic/status.py",
        "layers/common/python/deepiri_common/pagination.py",
    ]


def test_given_a_module_when_staged_then_its_path_matches_its_import_path() -> None:
    staged = mutate.staged_path("functions/tasks/deepiri_tasks/logic/status.py", ROOTS)

    assert staged == "deepiri_tasks/logic/status.py"
    assert mutate.module_name(staged) == "deepiri_tasks.logic.status"
    assert mutate.staged_path("layers/common/python/deepiri_common/ids.py", ROOTS) == "deepiri_common/ids.py"


def test_given_a_path_outside_every_package_root_when_staged_then_it_is_refused() -> None:
    with pytest.raises(ValueError, match="none of the package roots"):
        mutate.staged_path("infra/mutate.py", ROOTS)


def test_given_the_repository_settings_then_they_name_every_service_and_bound_the_run() -> None:
    pyproject = tomllib.loads((ROOT / "pyproject.toml").read_text())

    settings = mutate.load_settings(pyproject)

    assert settings.logic == LOGIC
    assert 0 < settings.module_timeout_seconds <= 900
    assert settings.max_children == 2
    assert "." not in mutate.package_roots(pyproject)
    assert {"layers/common/python", "functions/tasks", "functions/gateway"} <= set(mutate.package_roots(pyproject))


def test_given_mutmut_verdicts_when_scored_then_killed_over_reached_excludes_mutants_no_test_runs() -> None:
    codes: dict[str, int | None] = {
        "m.x_a__mutmut_1": 1,  # killed
        "m.x_a__mutmut_2": 3,  # pytest internal error: a kill
        "m.x_a__mutmut_3": 0,  # survived
        "m.x_a__mutmut_4": 36,  # timeout: the tests noticed
        "m.x_b__mutmut_1": 33,  # no test reaches it
        "m.x_b__mutmut_2": None,  # not checked (the run was stopped)
        "m.x_c__mutmut_1": 35,  # suspicious
    }

    score = mutate.score_of(codes)

    assert (score.killed, score.timeout, score.survived, score.no_tests, score.other) == (2, 1, 1, 1, 1)
    assert (score.detected, score.reached) == (3, 5)
    assert score.percent == 60.0
    assert mutate.undetected(codes) == ("m.x_a__mutmut_3", "m.x_c__mutmut_1")
    assert mutate.with_codes(codes, mutate.NO_TESTS_CODES) == ("m.x_b__mutmut_1",)


def test_given_no_reached_mutant_then_the_score_is_absent_not_zero() -> None:
    assert mutate.score_of({"m.x_a__mutmut_1": 33}).percent is None


MUTATED = '''
def x_limit__mutmut_orig(n):
    total = n + 1
    return min(total, 100)

def x_limit__mutmut_1(n):
    total = n - 1
    return min(total, 100)

class Bucket:
    def xǁBucketǁtake__mutmut_orig(self, cost):
        if cost < 1:
            return False
        return True

    def xǁBucketǁtake__mutmut_2(self, cost):
        if cost <= 1:
            return False
        return True
'''


def test_given_mutmuts_copy_when_diffing_a_mutant_then_only_the_changed_line_is_shown() -> None:
    assert mutate.mutant_diff(MUTATED, "m.x_limit__mutmut_1") == ["-    total = n + 1", "+    total = n - 1"]


def test_given_a_method_mutant_then_its_diff_is_read_inside_the_class() -> None:
    assert mutate.mutant_diff(MUTATED, "m.xǁBucketǁtake__mutmut_2") == [
        "-        if cost < 1:", "+        if cost <= 1:",
    ]


def test_given_an_unknown_mutant_then_no_diff_rather_than_an_error() -> None:
    assert mutate.mutant_diff(MUTATED, "m.x_other__mutmut_1") == []


def test_given_results_when_rendered_then_each_module_shows_killed_over_reached_and_its_percentage() -> None:
    results = [
        mutate.ModuleResult("functions/tasks/deepiri_tasks/logic/status.py", mutate.Score(killed=45, survived=3),
                            (), (), 12.0),
        mutate.ModuleResult("layers/common/python/deepiri_common/ids.py", mutate.Score(no_tests=2), (), (), 3.0,
                            note="no function to mutate"),
    ]

    table = mutate.render(results).splitlines()

    status = next(line for line in table if "status.py" in line)
    assert "45/48" in status and "93.8 %" in status
    ids = next(line for line in table if "ids.py" in line)
    assert "0/0" in ids and " - " in ids and "no function to mutate" in ids


def test_given_the_repository_pyproject_when_staged_then_mutmut_sees_packages_at_the_root() -> None:
    text = (ROOT / "pyproject.toml").read_text()

    staged = tomllib.loads(mutate.staged_pyproject(
        text, ["deepiri_common", "deepiri_tasks"], ["functions/tasks/deepiri_tasks/logic/status.py"], ROOTS))

    assert staged["tool"]["pytest"]["ini_options"]["pythonpath"] == ["."]
    assert staged["tool"]["mutmut"]["source_paths"] == ["deepiri_common", "deepiri_tasks"]
    assert staged["tool"]["mutmut"]["only_mutate"] == ["deepiri_tasks/logic/status.py"]
    assert staged["tool"]["mutmut"]["also_copy"] == list(mutate.ALSO_COPY)
    # The repository's own settings are carried over unchanged
    assert staged["tool"]["mutmut"]["pytest_add_cli_args_test_selection"][0] == "tests/unit"
    assert staged["tool"]["deepiri-mutate"] == tomllib.loads(text)["tool"]["deepiri-mutate"]


MODULES = (
    "functions/gateway/deepiri_gateway/logic/readiness.py",
    "functions/tasks/deepiri_tasks/logic/status.py",
    "layers/common/python/deepiri_common/ids.py",
)


def test_given_a_service_when_selecting_then_only_its_logic_modules_run_and_common_is_the_layer() -> None:
    assert mutate.of_services(MODULES, ["tasks"]) == ["functions/tasks/deepiri_tasks/logic/status.py"]
    assert mutate.of_services(MODULES, ["common", "gateway"]) == [MODULES[0], MODULES[2]]


def test_given_an_unknown_service_when_selecting_then_it_is_refused_with_the_known_ones() -> None:
    with pytest.raises(SystemExit, match=r"\['taks'\].*\['common', 'gateway', 'tasks'\]"):
        mutate.of_services(MODULES, ["taks"])


def test_given_two_trees_then_their_fingerprints_differ_by_any_content_or_path_and_not_by_order() -> None:
    tree = [("a.py", b"x = 1"), ("tests/t.py", b"assert True")]

    assert mutate.fingerprint(tree) == mutate.fingerprint(list(reversed(tree)))
    assert mutate.fingerprint(tree) != mutate.fingerprint([("a.py", b"x = 2"), ("tests/t.py", b"assert True")])
    assert mutate.fingerprint(tree) != mutate.fingerprint([("b.py", b"x = 1"), ("tests/t.py", b"assert True")])


def _result(note: str = "") -> mutate.ModuleResult:
    return mutate.ModuleResult(MODULES[1], mutate.Score(killed=40, survived=2, no_tests=3),
                               ("m.x__mutmut_1", "m.x__mutmut_2"), ("m.y__mutmut_1",), 61.5, note,
                               ("status.py", "  survived  x__mutmut_1"))


def test_given_a_kept_result_of_the_same_tree_when_resuming_then_it_is_read_back_whole() -> None:
    record = json.loads(json.dumps(mutate.to_record(_result(), "tree-1")))

    back = mutate.from_record(record, "tree-1")

    assert back == _result()
    assert back is not None and back.described == _result().described and back.seconds == 61.5


def test_given_a_kept_result_of_another_tree_or_a_partial_run_when_resuming_then_the_module_runs_again() -> None:
    assert mutate.from_record(mutate.to_record(_result(), "tree-1"), "tree-2") is None
    assert mutate.from_record(mutate.to_record(_result("stopped after 900s: partial"), "tree-1"), "tree-1") is None
    assert mutate.from_record(mutate.to_record(_result("mutmut failed"), "tree-1"), "tree-1") is None


def test_given_a_kept_module_with_nothing_to_mutate_when_resuming_then_it_is_not_run_again() -> None:
    nothing = mutate.ModuleResult(MODULES[0], mutate.Score(), (), (), 20.0, mutate.NO_FUNCTION)

    assert mutate.from_record(mutate.to_record(nothing, "tree-1"), "tree-1") == nothing


def test_given_a_module_path_then_its_kept_result_has_a_flat_file_name_of_its_own() -> None:
    assert mutate.result_file(MODULES[1]) == "functions__tasks__deepiri_tasks__logic__status.py.json"
    assert len({mutate.result_file(m) for m in MODULES}) == len(MODULES)


UNIT_FILES = [
    ("tests/unit/conftest.py", "import deepiri_common"),
    ("tests/unit/test_hostile_input.py", "import deepiri_webhooks"),  # a tooling test: never selected
    ("tests/unit/contracts/test_events.py", "import deepiri_webhooks"),  # reads the repository: never selected
    ("tests/unit/webhooks/fakes.py", "from deepiri_webhooks.logic import ports"),
    ("tests/unit/webhooks/test_delivery.py", "from tests.unit.webhooks import fakes"),
    ("tests/unit/challenges/test_rules.py", "from deepiri_challenges.logic import rules"),
    ("tests/unit/tasks/test_status.py", "from deepiri_tasks.logic import status"),
    ("tests/unit/tasks_extras/test_reminders.py", "from deepiri_tasks.logic import reminders"),
    ("tests/unit/common/test_text.py", "from deepiri_common import text"),
]


def test_given_services_when_choosing_tests_then_only_the_folders_naming_their_packages_are_run() -> None:
    assert mutate.reaching_test_dirs(UNIT_FILES, ["webhooks"]) == ["tests/unit/webhooks"]
    assert mutate.reaching_test_dirs(UNIT_FILES, ["tasks"]) == ["tests/unit/tasks", "tests/unit/tasks_extras"]
    assert mutate.reaching_test_dirs(UNIT_FILES, ["challenges", "webhooks"]) == [
        "tests/unit/challenges", "tests/unit/webhooks"]
    assert mutate.reaching_test_dirs(UNIT_FILES, ["gateway"]) == []


def test_given_the_common_layer_among_the_services_then_every_unit_test_is_run() -> None:
    # every service's tests run the layer's code, so none can be left out
    assert mutate.reaching_test_dirs(UNIT_FILES, ["webhooks", "common"]) is None


def test_given_chosen_test_folders_when_staged_then_they_replace_tests_unit_and_the_exclusions_stay() -> None:
    text = (ROOT / "pyproject.toml").read_text()
    repository = tomllib.loads(text)["tool"]["mutmut"]["pytest_add_cli_args_test_selection"]

    staged = tomllib.loads(mutate.staged_pyproject(
        text, ["deepiri_tasks"], ["functions/tasks/deepiri_tasks/logic/status.py"], ROOTS,
        ["tests/unit/tasks", "tests/unit/tasks_extras"]))

    assert staged["tool"]["mutmut"]["pytest_add_cli_args_test_selection"] == [
        "tests/unit/tasks", "tests/unit/tasks_extras", *repository[1:]]
    assert "--ignore-glob=tests/unit/test_*.py" in repository[1:]


def test_given_no_chosen_folders_when_staged_then_the_repository_selection_is_kept_whole() -> None:
    text = (ROOT / "pyproject.toml").read_text()

    staged = tomllib.loads(mutate.staged_pyproject(text, ["deepiri_tasks"], [MODULES[1]], ROOTS, None))

    assert (staged["tool"]["mutmut"]["pytest_add_cli_args_test_selection"]
            == tomllib.loads(text)["tool"]["mutmut"]["pytest_add_cli_args_test_selection"])


def test_given_modules_of_several_services_then_each_service_is_one_run_and_the_layer_comes_first() -> None:
    modules = [
        "functions/tasks/deepiri_tasks/logic/status.py",
        "functions/gateway/deepiri_gateway/logic/readiness.py",
        "layers/common/python/deepiri_common/ids.py",
        "functions/tasks/deepiri_tasks/logic/access.py",
    ]

    assert mutate.batches(modules) == [
        ("common", ["layers/common/python/deepiri_common/ids.py"]),
        ("gateway", ["functions/gateway/deepiri_gateway/logic/readiness.py"]),
        ("tasks", ["functions/tasks/deepiri_tasks/logic/access.py", "functions/tasks/deepiri_tasks/logic/status.py"]),
    ]


LOG = [
    "[     0.4s]     done in 812ms (3 files mutated, 0 ignored, 40 unmodified)",
    "[     1.0s] ⠋ Running stats",
    "[    95.5s]     done",
    "[    96.0s] ⠋ Listing all tests",
    "[   110.2s] ⠙ Running clean tests",
    "[   130.7s]     done",
    "[   131.0s] Running forced fail test",
    "[   140.0s] Running mutation testing",
    "[   141.0s] Running mutation testing",  # only the first mention counts
    "not a stamped line: Running clean tests",
]


def test_given_a_timestamped_log_then_each_phase_starts_when_first_named() -> None:
    assert mutate.phase_starts(LOG) == {
        "stats": 1.0, "list": 96.0, "clean": 110.2, "forced fail": 131.0, "mutants": 140.0}


def test_given_a_run_then_its_summary_says_where_the_time_before_the_first_mutant_went() -> None:
    run = mutate.BatchRun("webhooks", 7, 600.0, mutate.phase_starts(LOG))

    assert run.summary() == (
        "webhooks: 7 module(s) in one mutmut run, 600s, 140s before the first mutant (stats 95s)")
    assert mutate.BatchRun("tasks", 2, 30.0, {"list": 1.0, "mutants": 9.0}, "stopped").summary() == (
        "tasks: 2 module(s) in one mutmut run, 30s, 9s before the first mutant  stopped")


def test_given_kept_and_fresh_results_when_rendered_then_the_kept_ones_are_marked() -> None:
    fresh = mutate.ModuleResult(MODULES[1], mutate.Score(killed=4), (), (), 12.0)
    old = mutate.ModuleResult(MODULES[0], mutate.Score(killed=2, survived=2), (), (), 3.0)

    table = mutate.render([fresh, old], kept_paths={MODULES[0]}).splitlines()

    assert next(line for line in table if "status.py" in line).endswith("12s")
    assert next(line for line in table if "readiness.py" in line).endswith("3s  kept")


def test_given_output_chunks_with_carriage_returns_then_each_redrawn_line_is_a_line_of_its_own() -> None:
    chunks = [b"done in 5ms\n\xe2\xa0\x8b Running st", b"ats\r\xe2\xa0\x99 Running stats\r", b"\n    done\r\nlast"]

    assert list(mutate.stamped_lines(chunks)) == [
        "done in 5ms", "⠋ Running stats", "⠙ Running stats", "    done", "last"]


def test_given_a_namespace_package_when_staged_then_it_is_staged_like_the_others(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    root = tmp_path / "repo"
    for folder in ("functions/tasks/deepiri_tasks/logic", "functions/integrations/deepiri_integrations/logic",
                   "tests/unit", *mutate.ALSO_COPY):
        (root / folder).mkdir(parents=True, exist_ok=True)
    (root / "functions/tasks/deepiri_tasks/__init__.py").write_text("")  # deepiri_integrations has none
    monkeypatch.setattr(mutate, "ROOT", root)
    monkeypatch.setattr(mutate, "STAGE", root / ".local" / "mutation")

    mutate.stage((ROOT / "pyproject.toml").read_text(), ["functions/tasks", "functions/integrations"],
                 ["functions/tasks/deepiri_tasks/logic/status.py"], ["tests/unit/tasks"])

    staged = tomllib.loads((root / ".local/mutation/pyproject.toml").read_text())
    assert staged["tool"]["mutmut"]["source_paths"] == ["deepiri_tasks", "deepiri_integrations"]
    linked = (root / ".local/mutation/deepiri_integrations").resolve()
    assert linked == (root / "functions/integrations/deepiri_integrations").resolve()
    assert staged["tool"]["mutmut"]["pytest_add_cli_args_test_selection"][0] == "tests/unit/tasks"


EXPLAINED_SOURCE = '''\
def family(path):
    # equivalent mutant: strip("XX/XX") also strips an X that ends a ULID,
    # which never changes the family
    head = path.strip("/")
    body = head.encode("utf-8")  # "UTF-8" is the same codec (equivalent)
    total = sum(
        part for part in body  # the parts
    )
    # the count is read by the caller
    return total + 1
'''


def test_given_a_comment_on_the_line_or_right_above_its_statement_then_the_survivor_is_explained() -> None:
    said = mutate.line_comments(EXPLAINED_SOURCE)

    above = mutate.explanation(['-    head = path.strip("/")', '+    head = path.strip("XX/XX")'], said)
    own = mutate.explanation(['-    body = head.encode("utf-8")  # "UTF-8" is the same codec (equivalent)',
                              '+    body = head.encode("UTF-8")  # "UTF-8" is the same codec (equivalent)'], said)

    assert above is not None and "ends a ULID" in above and "never changes the family" in above
    assert own is not None and "same codec" in own


def test_given_a_comment_that_says_nothing_of_equivalence_or_no_comment_then_the_survivor_is_unexplained() -> None:
    said = mutate.line_comments(EXPLAINED_SOURCE)

    assert mutate.explanation(["-    return total + 1", "+    return total + 2"], said) is None
    assert mutate.explanation(["-        part for part in body  # the parts", "+        None"], said) is None
    assert mutate.explanation(["-    gone = 1", "+    gone = 2"], said) is None


def test_given_a_line_inside_a_statement_then_the_comment_above_the_statement_explains_it() -> None:
    source = "def f(a):\n    # both orders are equivalent\n    return max(\n        a,\n        0,\n    )\n"

    assert mutate.explanation(["-        0,", "+        1,"], mutate.line_comments(source)) == (
        "both orders are equivalent")


def test_given_a_description_then_each_survivors_changed_lines_are_read_back() -> None:
    described = ["", "functions/x.py", "  survived  x_f__mutmut_1", "      -    a = 1", "      +    a = 2",
                 "  survived  x_g__mutmut_3", "      -    b()", "      +    pass", "  reached by no unit test: x_h"]

    assert mutate.survivor_diffs(described) == {
        "x_f__mutmut_1": ["-    a = 1", "+    a = 2"], "x_g__mutmut_3": ["-    b()", "+    pass"]}


def _verdict_result(survivors: tuple[str, ...], killed: int, unreached: tuple[str, ...] = (),
                    note: str = "") -> mutate.ModuleResult:
    described = ["", "m.py"]
    for name in survivors:
        described += [f"  survived  {name.rsplit('.', 1)[1]}", '      -    head = path.strip("/")',
                      '      +    head = path.strip("XX/XX")']
    return mutate.ModuleResult("m.py", mutate.Score(killed=killed, survived=len(survivors), no_tests=len(unreached)),
                               survivors, unreached, 1.0, note, tuple(described))


def test_given_explained_survivors_and_a_score_over_the_bar_then_the_module_meets_it() -> None:
    verdict = mutate.verdict_of(_verdict_result(("m.x_family__mutmut_2",), killed=9), EXPLAINED_SOURCE, 90.0)

    assert verdict.meets_bar and verdict.shortfalls() == []
    assert list(verdict.explained) == ["m.x_family__mutmut_2"] and verdict.percent == 90.0
    assert "every module meets the bar" in mutate.render_verdicts([verdict])
    assert any(line.endswith("equivalent: equivalent mutant: strip(\"XX/XX\") also strips an X that ends a ULID, "
                             "which never changes the family")
               for line in mutate.annotated(_verdict_result(("m.x_family__mutmut_2",), 9), verdict))


def test_given_each_shortfall_then_the_module_is_under_the_bar_and_the_reason_is_named() -> None:
    low = mutate.verdict_of(_verdict_result(("m.x_family__mutmut_2",), killed=8), EXPLAINED_SOURCE, 90.0)
    unexplained = mutate.verdict_of(_verdict_result(("m.x_family__mutmut_2",), killed=99), "def family():\n    pass\n",
                                    90.0)
    unreached = mutate.verdict_of(_verdict_result((), killed=5, unreached=("m.x_read__mutmut_1",
                                                                           "m.x_read__mutmut_2")), None, 90.0)
    partial = mutate.verdict_of(_verdict_result((), killed=5, note="stopped after 900s: partial"), None, 90.0)
    gone = mutate.verdict_of(_verdict_result(("m.x_family__mutmut_2",), killed=99), None, 90.0)

    assert low.shortfalls() == ["88.9 % < 90 %"]
    assert unexplained.shortfalls() == ["1 unexplained survivor(s)"]
    assert unreached.shortfalls() == ["reached by no unit test: x_read"]
    assert partial.shortfalls() == ["stopped after 900s: partial"]
    assert gone.unexplained == ("m.x_family__mutmut_2",)
    assert not any(v.meets_bar for v in (low, unexplained, unreached, partial, gone))
    closing = mutate.render_verdicts([low, unexplained]).splitlines()
    assert closing[1].startswith("2 of 2 module(s) under the bar (1 survivor(s) explained")
    assert closing[2] == "  m.py: 88.9 % < 90 %"


def test_given_kept_results_of_an_earlier_tree_when_reporting_then_they_are_judged_and_a_missing_one_fails(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setattr(mutate, "RESULTS", tmp_path)
    monkeypatch.setattr(mutate, "REPORT_FILE", tmp_path / "report.md")
    monkeypatch.setattr(mutate, "tree_fingerprint", lambda: "tree-now")
    settings = mutate.Settings(LOGIC, 900.0, 2)
    mutate.keep(mutate.ModuleResult(MODULES[0], mutate.Score(killed=10), (), (), 5.0), "tree-before")
    record = json.loads((tmp_path / mutate.result_file(MODULES[0])).read_text())
    assert re.fullmatch(r"[0-9a-f]{12}\+?", record["commit"])

    assert mutate.report([MODULES[0]], settings) == 0
    out = capsys.readouterr().out
    assert "measured on an earlier tree: 1" in out
    assert next(line for line in out.splitlines() if "readiness.py" in line).endswith("earlier tree")
    assert "every module meets the bar" in out
    assert (tmp_path / "report.md").read_text().splitlines()[2] == (
        f"| `gateway/deepiri_gateway/logic/readiness.py` | 10 | 10 / 10 | 100.0 % | 0 | meets the bar | "
        f"`{record['commit']}` |")

    assert mutate.report([MODULES[0], MODULES[1]], settings) == 1
    assert f"no finished result kept for 1 module(s):\n  {MODULES[1]}" in capsys.readouterr().out


def test_given_a_selection_then_its_stage_key_changes_with_the_tree_the_modules_or_the_tests() -> None:
    key = mutate.stage_key("tree-1", [MODULES[0], MODULES[1]], None)

    assert key == mutate.stage_key("tree-1", [MODULES[1], MODULES[0]], None)
    assert len({key, mutate.stage_key("tree-2", [MODULES[0], MODULES[1]], None),
                mutate.stage_key("tree-1", [MODULES[0]], None),
                mutate.stage_key("tree-1", [MODULES[0], MODULES[1]], ["tests/unit/tasks"]),
                mutate.stage_key("tree-1", [MODULES[0], MODULES[1]], [])}) == 5


def test_given_a_stage_with_its_key_then_it_is_read_back_and_without_one_there_is_none(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(mutate, "STAGE", tmp_path)
    assert mutate.staged_for() is None

    (tmp_path / mutate.STAGE_KEY).write_text("key-1")

    assert mutate.staged_for() == "key-1"


def test_given_a_comment_added_to_a_survivors_line_since_the_run_then_the_line_is_still_found_by_its_code() -> None:
    source = 'def f(body):\n    return cast("H", body)  # cast ignores its first argument (equivalent)\n'

    why = mutate.explanation(['-    return cast("H", body)', '+    return cast(None, body)'],
                             mutate.line_comments(source))

    assert why == "cast ignores its first argument (equivalent)"
    assert mutate.without_comment('    x = "#not a comment"  # a comment') == 'x = "#not a comment"'
    assert mutate.without_comment("    y = 'it\\'s # still text'") == "y = 'it\\'s # still text'"


TWO_FUNCTIONS = '''\
def first():
    return None  # a default nobody reads (equivalent)


class Store:
    def second(self):
        return None

    @overload
    def third(self, a: int) -> int: ...

    def third(self, a):
        return cast("F", a)  # cast ignores its first argument (equivalent)
'''


def test_given_the_same_line_in_two_functions_then_only_the_commented_functions_survivor_is_explained() -> None:
    def described(name: str) -> tuple[str, ...]:
        return ("", "m.py", f"  survived  {name}", "      -    return None", "      +    return 1")

    first = mutate.ModuleResult("m.py", mutate.Score(killed=99, survived=1), ("m.x_first__mutmut_1",), (), 1.0,
                                described=described("x_first__mutmut_1"))
    second = mutate.ModuleResult("m.py", mutate.Score(killed=99, survived=1), ("m.xǁStoreǁsecond__mutmut_1",), (),
                                 1.0, described=described("xǁStoreǁsecond__mutmut_1"))

    assert mutate.verdict_of(first, TWO_FUNCTIONS, 90.0).meets_bar
    assert mutate.verdict_of(second, TWO_FUNCTIONS, 90.0).unexplained == ("m.xǁStoreǁsecond__mutmut_1",)
    assert mutate.function_lines(TWO_FUNCTIONS, "m.xǁStoreǁsecond__mutmut_1") == (6, 7)
    assert mutate.function_lines(TWO_FUNCTIONS, "m.x_gone__mutmut_1") is None
    assert mutate.function_lines(TWO_FUNCTIONS, "m.xǁStoreǁthird__mutmut_2") == (12, 13)  # not the overload


STOPPED_EARLY = "Stopping early, because we could not find any test case for any mutant. It seems that ...\n"


@pytest.mark.parametrize(
    ("codes", "returncode", "note", "tail", "expected"),
    [
        ({"m.x_f__mutmut_1": 1, "m.x_f__mutmut_2": 0}, 0, "", "done",
         ({"m.x_f__mutmut_1": 1, "m.x_f__mutmut_2": 0}, "")),
        ({}, 0, "", "done", ({}, mutate.NO_FUNCTION)),
        # run alone, a module with no function gives mutmut nothing any test could reach
        ({}, 1, "", STOPPED_EARLY, ({}, mutate.NO_FUNCTION)),
        # functions no test reaches: each mutant is unreached, not a failed run
        ({"m.x_f__mutmut_1": None}, 1, "", STOPPED_EARLY, ({"m.x_f__mutmut_1": 33}, "")),
        ({}, 1, "", "Filtered for specific mutants, but nothing matches", ({}, mutate.NO_FUNCTION)),
        ({"m.x_f__mutmut_1": None}, 1, "", "Traceback ...", ({"m.x_f__mutmut_1": None}, "mutmut failed")),
        ({}, 1, "", "Traceback ...", ({}, "mutmut failed")),
        ({"m.x_f__mutmut_1": 1, "m.x_f__mutmut_2": None}, 0, "stopped after 9s: partial", "",
         ({"m.x_f__mutmut_1": 1, "m.x_f__mutmut_2": None}, "stopped after 9s: partial")),
        ({"m.x_f__mutmut_1": 1}, 0, "stopped after 9s: partial", "", ({"m.x_f__mutmut_1": 1}, "")),
    ],
)
def test_given_how_mutmut_ended_then_each_module_gets_its_mutants_and_note(
    codes: dict[str, int | None], returncode: int, note: str, tail: str,
    expected: tuple[dict[str, int | None], str],
) -> None:
    assert mutate.outcome(codes, returncode, note, tail) == expected


def test_given_a_batch_no_test_reaches_then_its_functions_are_reported_unreached() -> None:
    codes, note = mutate.outcome({"m.x_f__mutmut_1": None, "m.x_g__mutmut_1": None}, 1, "", STOPPED_EARLY)
    result = mutate.ModuleResult("m.py", mutate.score_of(codes), mutate.undetected(codes),
                                 mutate.with_codes(codes, mutate.NO_TESTS_CODES), 0.0, note=note)

    verdict = mutate.verdict_of(result, "def f():\n    return 1\n\n\ndef g():\n    return 2\n", 90.0)

    assert not verdict.meets_bar
    assert verdict.unreached_functions == ("x_f", "x_g")
