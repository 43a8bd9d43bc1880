"""make mutate's pure parts: which modules are domain logic, how mutmut's paths and verdicts are read."""

from __future__ import annotations

import json
import tomllib

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
