"""Mutation testing of the domain logic with mutmut: which changes to a rule would the unit tests notice?

    python -m infra.mutate                 the logic modules changed since main's merge base (make mutate)
    python -m infra.mutate --all           every logic module (make mutate ALL=1)
    python -m infra.mutate PATH...         the named modules
    python -m infra.mutate --service tasks the logic modules of one service (``common``: the layer); repeatable
    python -m infra.mutate --all --resume  skip the modules already scored on this very tree (make mutate RESUME=1)

The domain logic is what ``[tool.deepiri-mutate] logic`` in pyproject.toml names: ``logic/`` of every
service and the common layer. mutmut names a mutant after the file's path (``functions/tasks/...``) while
the tests import ``deepiri_tasks...``, so the packages are staged at the root of ``.local/mutation``
(symlinks), where the two agree; mutmut copies them into ``.local/mutation/mutants`` and mutates there.
The modules of one service are one mutmut run (the common layer is a service here), so mutmut lists the
tests, runs them clean and checks a forced failure once per service, not once per module; its stats run
(which test reaches which function) happens once per invocation and is reused by the next services. The
unit tests selected are the folders of ``tests/unit`` that name one of the selected services' packages
(all of them when the common layer is among them); mutmut then runs, for each mutant, only the tests that
reached its function. A service's run is bounded by ``module_timeout_seconds`` per module it holds. The
score of a module is the mutants its tests kill over the mutants its tests reach; the survivors are printed
with the line they change, so each can be killed by a test or explained as equivalent.

Every finished module's result is kept in ``.local/mutation-results`` with a fingerprint of the files the
verdicts depend on (the packages, the tests, the settings). ``--resume`` reuses a kept result whose
fingerprint is the current one, so a long run (``--all`` takes hours on 2 cores) that was stopped goes on
where it stopped, and a run split by service can be reported as a whole. Each run's log, with the
seconds since its start on every line, is ``.local/mutation/<service>.log``.
"""

from __future__ import annotations

import argparse
import ast
import dataclasses
import difflib
import functools
import hashlib
import json
import os
import shutil
import signal
import subprocess
import sys
import threading
import time
import tokenize
import tomllib
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import asdict, dataclass, field
from fnmatch import fnmatch
from typing import IO, Any

import tomlkit

from infra import mutate_constants
from infra.cli import run
from infra.config import LOCAL, ROOT

MUTMUT_HOME = LOCAL / "mutmut"
STAGE = LOCAL / "mutation"
RESULTS = LOCAL / "mutation-results"
STAGE_KEY = "stage-key"  # in STAGE: what it was laid out for (see stage_key)
REPORT_FILE = LOCAL / "mutation-report.md"  # REPORT=1's table, for the README
# What a module's verdicts depend on: the code under test, the tests, the settings and the data they read.
FINGERPRINTED = ("functions", "layers", "tests", "contracts", "events", "infra", "pyproject.toml",
                 "template.yaml", "requirements")
COMMON = "common"  # the --service name of the common layer
NO_FUNCTION = "no function to mutate"  # a module of constants and protocols: a finished run all the same
# Repository files the unit tests read besides the packages and tests/ (mutmut copies tests/ itself).
# functions/ai: the AI unit tests read the classifier's dataset and artefact there.
ALSO_COPY = ("infra", "contracts", "events", "template.yaml", "functions/ai")
MAIN_REFS = ("origin/main", "main")

# mutmut's exit codes per mutant (mutmut/stats.py), grouped as this report counts them.
KILLED_CODES = frozenset({1, 3})
TIMEOUT_CODES = frozenset({24, -24, 36, 152, 255})
SURVIVED_CODES = frozenset({0})
NO_TESTS_CODES = frozenset({5, 33})
NO_TESTS_CODE = 33  # mutmut's code for a mutant no test reaches
NO_TEST_FOR_ANY = "could not find any test case for any mutant"  # mutmut's words when no test reaches any


@dataclass(frozen=True)
class Settings:
    """``[tool.deepiri-mutate]``: which files are domain logic and how long a module may take."""

    logic: tuple[str, ...]
    module_timeout_seconds: float
    max_children: int
    bar_percent: float = 90.0
    constant_timeout_seconds: float = 300.0


@dataclass(frozen=True)
class Score:
    """The verdicts of one module's mutants."""

    killed: int = 0
    timeout: int = 0
    survived: int = 0
    no_tests: int = 0
    other: int = 0

    @property
    def reached(self) -> int:
        """Mutants some unit test runs: the denominator of the score."""
        return self.killed + self.timeout + self.survived + self.other

    @property
    def detected(self) -> int:
        """Mutants the tests notice: failed, or looped until the timeout."""
        return self.killed + self.timeout

    @property
    def percent(self) -> float | None:
        return 100.0 * self.detected / self.reached if self.reached else None


@dataclass(frozen=True)
class ModuleResult:
    """One module's run: its score, its survivors and mutants no test reaches, and how it ended."""

    path: str
    score: Score
    survivors: tuple[str, ...]
    unreached: tuple[str, ...]
    seconds: float
    note: str = ""
    described: tuple[str, ...] = field(default=(), compare=False)
    commit: str = field(default="", compare=False)  # the commit measured ("+": with changes), when known


def load_settings(pyproject: Mapping[str, Any]) -> Settings:
    """The tool's settings from a parsed pyproject.toml."""
    section = pyproject["tool"]["deepiri-mutate"]
    return Settings(
        logic=tuple(section["logic"]),
        module_timeout_seconds=float(section["module_timeout_seconds"]),
        max_children=int(section["max_children"]),
        bar_percent=float(section.get("bar_percent", 90.0)),
        constant_timeout_seconds=float(section.get("constant_timeout_seconds", 300.0)),
    )


def package_roots(pyproject: Mapping[str, Any]) -> tuple[str, ...]:
    """The folders holding the importable packages: pytest's ``pythonpath`` less the repository root."""
    return tuple(p for p in pyproject["tool"]["pytest"]["ini_options"]["pythonpath"] if p != ".")


def is_logic(path: str, patterns: Iterable[str]) -> bool:
    """Whether a repository path is a domain-logic module (``__init__.py`` holds no rule)."""
    return not path.endswith("/__init__.py") and any(fnmatch(path, p) for p in patterns)


def select_modules(candidates: Iterable[str], patterns: Sequence[str]) -> list[str]:
    """The logic modules among repository paths, sorted and without repeats."""
    return sorted({p for p in candidates if is_logic(p, patterns)})


def staged_path(path: str, roots: Iterable[str]) -> str:
    """A module's path as mutmut sees it: relative to its package root, so it matches its import path."""
    for root in roots:
        prefix = root.rstrip("/") + "/"
        if path.startswith(prefix):
            return path[len(prefix):]
    raise ValueError(f"{path} is under none of the package roots {list(roots)}")


def module_name(staged: str) -> str:
    """``deepiri_tasks/logic/status.py`` → ``deepiri_tasks.logic.status``."""
    return staged.removesuffix(".py").replace("/", ".")


def score_of(exit_codes: Mapping[str, int | None]) -> Score:
    """Count a module's mutants by verdict from mutmut's ``exit_code_by_key``."""
    counts = {"killed": 0, "timeout": 0, "survived": 0, "no_tests": 0, "other": 0}
    for code in exit_codes.values():
        if code in KILLED_CODES:
            counts["killed"] += 1
        elif code in TIMEOUT_CODES:
            counts["timeout"] += 1
        elif code in SURVIVED_CODES:
            counts["survived"] += 1
        elif code in NO_TESTS_CODES:
            counts["no_tests"] += 1
        elif code is not None:
            counts["other"] += 1
    return Score(**counts)


def with_codes(exit_codes: Mapping[str, int | None], codes: frozenset[int]) -> tuple[str, ...]:
    """The mutants whose verdict is one of ``codes``, sorted."""
    return tuple(sorted(name for name, code in exit_codes.items() if code in codes))


def undetected(exit_codes: Mapping[str, int | None]) -> tuple[str, ...]:
    """The mutants some test reached and none noticed (survived, or an odd verdict such as suspicious)."""
    noticed = KILLED_CODES | TIMEOUT_CODES | NO_TESTS_CODES
    return tuple(sorted(n for n, code in exit_codes.items() if code is not None and code not in noticed))


def mutant_diff(mutated_source: str, mutant: str) -> list[str]:
    """The lines a mutant changes, as ``-``/``+`` lines, read from mutmut's mutated copy of the module.

    mutmut keeps the original function as ``<name>__mutmut_orig`` and each mutant as ``<name>__mutmut_<n>``
    (methods inside their class), so the diff of the two bodies is the mutation.
    """
    function = mutant.rsplit(".", 1)[1]
    mangled = function.partition("__mutmut_")[0]
    bodies = _function_sources(mutated_source)
    original, mutated = bodies.get(mangled + "__mutmut_orig"), bodies.get(function)
    if original is None or mutated is None:
        return []
    diff = difflib.unified_diff(original.splitlines()[1:], mutated.splitlines()[1:], lineterm="", n=0)
    return [line for line in diff if line[:1] in "+-" and not line.startswith(("+++", "---"))]


@functools.lru_cache(maxsize=2)
def _function_sources(source: str) -> dict[str, str]:
    """Every function of a module by name, parsed once per module (a mutated module is large)."""
    lines = source.splitlines(keepends=True)  # once: ast.get_source_segment would split per function
    return {
        node.name: "".join(lines[node.lineno - 1 : node.end_lineno])
        for node in ast.walk(ast.parse(source))
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef)
    }


def service_of(path: str) -> str:
    """The service a logic module belongs to: ``functions/<service>/…``, or ``common`` for the layer."""
    parts = path.split("/")
    return parts[1] if parts[0] == "functions" and len(parts) > 1 else COMMON


def of_services(modules: Iterable[str], services: Iterable[str]) -> list[str]:
    """The modules of the named services; an unknown name is refused rather than selecting nothing."""
    modules, wanted = list(modules), set(services)
    unknown = wanted - {service_of(m) for m in modules}
    if unknown:
        known = sorted({service_of(m) for m in modules})
        raise SystemExit(f"no logic module in service(s) {sorted(unknown)}; the services are {known}")
    return [m for m in modules if service_of(m) in wanted]


def fingerprint(files: Iterable[tuple[str, bytes]]) -> str:
    """One digest of (path, content) pairs, in path order: what a kept result was measured on."""
    digest = hashlib.sha256()
    for path, content in sorted(files):
        digest.update(path.encode() + b"\0" + hashlib.sha256(content).digest())
    return digest.hexdigest()


def tree_fingerprint() -> str:
    """The fingerprint of the repository's files that the verdicts depend on, committed or not."""
    listed = _git("ls-files", "--cached", "--others", "--exclude-standard", "--", *FINGERPRINTED).stdout.split("\n")
    return fingerprint((p, (ROOT / p).read_bytes()) for p in dict.fromkeys(listed) if p and (ROOT / p).is_file())


def result_file(path: str) -> str:
    """The name a module's kept result is stored under."""
    return path.replace("/", "__") + ".json"


def to_record(result: ModuleResult, tree: str) -> dict[str, Any]:
    """A module's result as kept on disk, with the fingerprint of the tree it was measured on."""
    record = asdict(result)
    record["tree"] = tree
    return record


def from_record(record: Mapping[str, Any], tree: str | None) -> ModuleResult | None:
    """A kept result, if it was measured on this tree (``None``: on any tree) and finished (a partial or
    failed run is run again)."""
    if (tree is not None and record.get("tree") != tree) or record.get("note") not in ("", NO_FUNCTION):
        return None
    return ModuleResult(
        path=record["path"], score=Score(**record["score"]), survivors=tuple(record["survivors"]),
        unreached=tuple(record["unreached"]), seconds=float(record["seconds"]), note=record["note"],
        described=tuple(record["described"]), commit=str(record.get("commit", "")),
    )


def kept(path: str, tree: str | None) -> ModuleResult | None:
    file = RESULTS / result_file(path)
    return from_record(json.loads(file.read_text()), tree) if file.exists() else None


def kept_tree(path: str) -> str | None:
    """The fingerprint of the tree a module's kept result was measured on."""
    file = RESULTS / result_file(path)
    return json.loads(file.read_text()).get("tree") if file.exists() else None


def keep(result: ModuleResult, tree: str) -> None:
    RESULTS.mkdir(parents=True, exist_ok=True)
    record = to_record(result, tree)
    # the commit measured, for a person reading the result later ("+" when the working tree differed from it)
    head = _git("rev-parse", "--short=12", "HEAD").stdout.strip()
    record["commit"] = head + ("+" if _git("status", "--porcelain", "--", *FINGERPRINTED).stdout.strip() else "")
    (RESULTS / result_file(result.path)).write_text(json.dumps(record, indent=1))


def render(results: Sequence[ModuleResult], kept_paths: Iterable[str] = (), label: str = "kept") -> str:
    """The score table: per module, killed over reached, the score, the mutants no test reaches, the seconds
    its mutants' tests took (summed over the workers) and how its run ended (``kept``: a result of this tree
    reused)."""
    kept_set = set(kept_paths)
    lines = ["", f"{'module':<60} {'killed/reached':>15} {'score':>7} {'no test':>8} {'tests':>6}"]
    for r in results:
        pct = "-" if r.score.percent is None else f"{r.score.percent:.1f} %"
        lines.append(
            f"{r.path:<60} {f'{r.score.detected}/{r.score.reached}':>15} {pct:>7} {r.score.no_tests:>8} "
            f"{r.seconds:>5.0f}s" + (f"  {label}" if r.path in kept_set else "") + (f"  {r.note}" if r.note else "")
        )
    return "\n".join(lines)


def changed_since_main() -> tuple[str, list[str]]:
    """The merge base with main (``origin/main``, else a local ``main``) and the files changed since it,
    committed or not, including new untracked files."""
    base = ""
    for ref in MAIN_REFS:
        result = _git("merge-base", "HEAD", ref)
        if result.returncode == 0:
            base = result.stdout.strip()
            break
    if not base:
        raise SystemExit("no main branch to compare with (tried origin/main, main): use ALL=1 or name modules")
    changed = _git("diff", "--name-only", base).stdout.split()
    untracked = _git("ls-files", "--others", "--exclude-standard").stdout.split()
    return base, changed + untracked


def _git(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(["git", *args], cwd=ROOT, capture_output=True, text=True, check=False)


def stage_key(tree: str, modules: Sequence[str], test_dirs: Sequence[str] | None) -> str:
    """What a stage was laid out for: the tree, the modules and the test folders."""
    return fingerprint([("tree", tree.encode()), ("modules", "\n".join(sorted(modules)).encode()),
                        ("tests", b"*" if test_dirs is None else "\n".join(test_dirs).encode() or b"-")])


def staged_for() -> str | None:
    """The key of the stage laid out now, if any."""
    marker = STAGE / STAGE_KEY
    return marker.read_text() if marker.exists() else None


def stage(pyproject_text: str, roots: Sequence[str], modules: Sequence[str],
          test_dirs: Sequence[str] | None = None) -> None:
    """Lay out ``.local/mutation``: every package at its root, the files the tests read, and a
    pyproject.toml whose mutmut settings name the modules to mutate, the tests to run (``test_dirs``, or
    every unit test) and whose pytest path is the root."""
    shutil.rmtree(STAGE, ignore_errors=True)
    STAGE.mkdir(parents=True)
    packages: list[str] = []
    for root in roots:
        # every package folder, a namespace package (no __init__.py) too
        for package in sorted(p for p in (ROOT / root).glob("deepiri_*") if p.is_dir()):
            (STAGE / package.name).symlink_to(package)
            packages.append(package.name)
    # The tests as they are now: editing them during a run must not change the verdicts half-way.
    shutil.copytree(ROOT / "tests", STAGE / "tests", ignore=shutil.ignore_patterns("__pycache__"))
    for name in ALSO_COPY:
        (STAGE / name).parent.mkdir(parents=True, exist_ok=True)
        (STAGE / name).symlink_to(ROOT / name)
    (STAGE / "pyproject.toml").write_text(staged_pyproject(pyproject_text, packages, modules, roots, test_dirs))


def staged_pyproject(pyproject_text: str, packages: Sequence[str], modules: Sequence[str], roots: Sequence[str],
                     test_dirs: Sequence[str] | None = None) -> str:
    """The repository's pyproject.toml with mutmut pointed at the staged packages and modules; with
    ``test_dirs``, the unit tests selected are those folders instead of all of ``tests/unit`` (the
    selection's other options, its exclusions, stay)."""
    doc = tomlkit.parse(pyproject_text)
    tool: Any = doc["tool"]
    tool["pytest"]["ini_options"]["pythonpath"] = ["."]
    tool["mutmut"]["source_paths"] = list(packages)
    tool["mutmut"]["only_mutate"] = [staged_path(m, roots) for m in modules]
    tool["mutmut"]["also_copy"] = list(ALSO_COPY)
    if test_dirs is not None:
        selection = list(tool["mutmut"]["pytest_add_cli_args_test_selection"])
        if selection[:1] != ["tests/unit"]:
            raise ValueError(f"the test selection must start with tests/unit, not {selection[:1]}")
        tool["mutmut"]["pytest_add_cli_args_test_selection"] = [*test_dirs, *selection[1:]]
    return tomlkit.dumps(doc)


PHASES = (
    ("generate", "Generating mutants"),
    ("stats", "Running stats"),
    ("list", "Listing all tests"),
    ("clean", "Running clean tests"),
    ("forced fail", "Running forced fail test"),
    ("mutants", "Running mutation testing"),
)


def reaching_test_dirs(files: Iterable[tuple[str, str]], services: Iterable[str]) -> list[str] | None:
    """The folders of ``tests/unit`` whose tests can reach the services' code: those with a file naming one
    of their packages (``deepiri_<service>``). ``None`` (every unit test) when the common layer is among
    them, since every service's tests run its code. ``files`` are (repository path, text) pairs."""
    wanted = set(services)
    if COMMON in wanted:
        return None
    packages = tuple(f"deepiri_{s}" for s in sorted(wanted))
    dirs = set()
    for path, text in files:
        parts = path.split("/")
        if len(parts) > 3 and parts[:2] == ["tests", "unit"] and parts[2] != "contracts" \
                and any(p in text for p in packages):
            dirs.add("/".join(parts[:3]))
    return sorted(dirs)


def unit_test_files() -> list[tuple[str, str]]:
    """Every Python file under tests/unit with its text."""
    files = sorted((ROOT / "tests" / "unit").rglob("*.py"))
    return [(str(p.relative_to(ROOT)), p.read_text(errors="replace")) for p in files]


def batches(modules: Iterable[str]) -> list[tuple[str, list[str]]]:
    """The modules grouped by service, each group one mutmut run: the common layer first, then by name."""
    grouped: dict[str, list[str]] = {}
    for path in modules:
        grouped.setdefault(service_of(path), []).append(path)
    return sorted(((s, sorted(ms)) for s, ms in grouped.items()), key=lambda item: (item[0] != COMMON, item[0]))


def phase_starts(log_lines: Iterable[str]) -> dict[str, float]:
    """When each of mutmut's phases began, in seconds from the start of its run, read from the timestamped
    log (``[   12.3s] Running clean tests``): where a run's time goes before its first mutant."""
    starts: dict[str, float] = {}
    for line in log_lines:
        stamp, _, text = line.partition("s] ")
        if not stamp.startswith("["):
            continue
        try:
            seconds = float(stamp[1:])
        except ValueError:
            continue
        for phase, marker in PHASES:
            if phase not in starts and marker in text:
                starts[phase] = seconds
    return starts


@dataclass(frozen=True)
class BatchRun:
    """One mutmut run over a service's modules: its wall time and where that time went."""

    service: str
    modules: int
    seconds: float
    phases: Mapping[str, float]
    note: str = ""

    def summary(self) -> str:
        before = self.phases.get("mutants")
        setup = f", {before:.0f}s before the first mutant" if before is not None else ""
        stats = ""
        if "stats" in self.phases:
            stats_end = min((v for k, v in self.phases.items() if v > self.phases["stats"]), default=self.seconds)
            stats = f" (stats {stats_end - self.phases['stats']:.0f}s)"
        return (f"{self.service}: {self.modules} module(s) in one mutmut run, {self.seconds:.0f}s{setup}{stats}"
                + (f"  {self.note}" if self.note else ""))


def run_batch(service: str, paths: Sequence[str], roots: Sequence[str],
              settings: Settings) -> tuple[BatchRun, list[ModuleResult]]:
    """Run mutmut once over the mutants of a service's modules (one test listing, clean run and forced
    failure for all of them; the stats are collected by the invocation's first run and reused), bounded by
    ``module_timeout_seconds`` per module, pooled; then read each module's verdicts from its meta file."""
    staged = [staged_path(p, roots) for p in paths]
    budget = settings.module_timeout_seconds * len(paths)
    started = time.monotonic()
    log = STAGE / f"{service}.log"
    note = ""
    with log.open("w") as out:
        process = subprocess.Popen(
            [sys.executable, str(MUTMUT_HOME / "bin" / "mutmut"), "run",
             "--max-children", str(settings.max_children), *(f"{module_name(s)}.*" for s in staged)],
            cwd=STAGE, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, start_new_session=True,
            # unbuffered: each line reaches the log (and its time stamp) when mutmut writes it
            env={**os.environ, "PYTHONPATH": str(MUTMUT_HOME), "PYTHONUNBUFFERED": "1"},
        )
        copier = threading.Thread(target=_timestamped, args=(process, out, started), daemon=True)
        copier.start()
        try:
            returncode = process.wait(timeout=budget)
        except subprocess.TimeoutExpired:
            _stop(process)
            returncode, note = 0, f"stopped after {budget:.0f}s: partial"
        copier.join(timeout=30)
    seconds = time.monotonic() - started
    text = log.read_text(errors="replace")
    tail = "".join(text.splitlines(keepends=True)[-15:])
    failed = not note and returncode != 0 and not reached_nothing(returncode, note, tail)
    if failed:
        print(f"mutmut failed on {service} (log {log.relative_to(ROOT)}):\n{tail}", file=sys.stderr)
    results = []
    for path, staged_module in zip(paths, staged, strict=True):
        codes, module_note = outcome(_exit_codes(staged_module) or {}, returncode, note, tail)
        result = ModuleResult(
            path=path, score=score_of(codes), survivors=undetected(codes),
            unreached=with_codes(codes, NO_TESTS_CODES), seconds=_mutant_seconds(staged_module), note=module_note,
        )
        results.append(dataclasses.replace(result, described=tuple(describe_survivors(result, roots))))
    run = BatchRun(service, len(paths), seconds, phase_starts(text.splitlines()),
                   "mutmut failed" if failed else note)
    return run, results


def reached_nothing(returncode: int, note: str, tail: str) -> bool:
    """Whether mutmut ended, unstopped, saying no test reaches any mutant of the batch (``tail``: its last lines)."""
    return not note and returncode != 0 and NO_TEST_FOR_ANY in tail


def outcome(codes: Mapping[str, int | None], returncode: int, note: str,
            tail: str) -> tuple[dict[str, int | None], str]:
    """A module's mutants and note from how its batch's mutmut ended (``note``: the batch was stopped).
    mutmut stops before running a mutant when no test reaches any mutant of the batch: then each mutant is
    one no unit test reaches, and a module with none has no function to mutate."""
    if reached_nothing(returncode, note, tail):
        return dict.fromkeys(codes, NO_TESTS_CODE), "" if codes else NO_FUNCTION
    if not note and returncode != 0 and not (not codes and "nothing matches" in tail):
        return dict(codes), "mutmut failed"
    if note and any(code is None for code in codes.values()):
        return dict(codes), note
    return dict(codes), "" if codes else NO_FUNCTION


def _timestamped(process: subprocess.Popen[bytes], out: IO[str], started: float) -> None:
    """Copy mutmut's output into the log, each line prefixed with the seconds since the run began. mutmut
    redraws its spinner with carriage returns, so each redrawn line is a line of the log (stamped when it
    was drawn), less the frames that only turn the spinner."""
    assert process.stdout is not None
    fd, previous = process.stdout.fileno(), ""
    for line in stamped_lines(iter(lambda: os.read(fd, 4096), b"")):
        if line.lstrip(SPINNER) != previous:
            out.write(f"[{time.monotonic() - started:8.1f}s] {line}\n")
            out.flush()
            previous = line.lstrip(SPINNER)


SPINNER = "⠋⠙⠹⠸⠼⠴⠦⠧⠇⠏ "


def stamped_lines(chunks: Iterable[bytes]) -> Iterator[str]:
    """The lines of a stream of output chunks, a carriage return ending a line as a newline does; each
    line is yielded as soon as it ends, the last one even without an end."""
    pending = ""
    for chunk in chunks:
        pending += chunk.decode(errors="replace")
        *complete, pending = pending.replace("\r\n", "\n").replace("\r", "\n").split("\n")
        yield from (line for line in complete if line.strip())
    if pending.strip():
        yield pending


def _mutant_seconds(staged: str) -> float:
    """The seconds a module's mutants' tests took (summed over the workers), from mutmut's meta file."""
    meta = STAGE / "mutants" / f"{staged}.meta"
    if not meta.exists():
        return 0.0
    return float(sum(json.loads(meta.read_text()).get("durations_by_key", {}).values()))


def _exit_codes(staged: str) -> dict[str, int | None] | None:
    meta = STAGE / "mutants" / f"{staged}.meta"
    if not meta.exists():
        return None
    codes: dict[str, int | None] = json.loads(meta.read_text())["exit_code_by_key"]
    return codes


def _stop(process: subprocess.Popen[bytes]) -> None:
    """Stop mutmut and the workers it forked (its own process group, started for this run)."""
    for sig, grace in ((signal.SIGTERM, 10.0), (signal.SIGKILL, 10.0)):
        try:
            os.killpg(process.pid, sig)
            process.wait(timeout=grace)
            return
        except subprocess.TimeoutExpired:
            continue
        except ProcessLookupError:
            return


def describe_survivors(result: ModuleResult, roots: Sequence[str]) -> list[str]:
    """Each surviving mutant of a module with the line it changes."""
    if not result.survivors and not result.unreached:
        return []
    mutated = (STAGE / "mutants" / staged_path(result.path, roots)).read_text()
    lines = [f"\n{result.path}"]
    for mutant in result.survivors:
        lines.append(f"  survived  {mutant.rsplit('.', 1)[1]}")
        lines.extend(f"      {line}" for line in mutant_diff(mutated, mutant))
    unreached = sorted({m.rsplit(".", 1)[1].partition("__mutmut_")[0] for m in result.unreached})
    if unreached:
        lines.append(f"  reached by no unit test: {', '.join(unreached)}")
    return lines


def survivor_diffs(described: Sequence[str]) -> dict[str, list[str]]:
    """The changed lines of each survivor, read back from a module's description (``describe_survivors``)."""
    diffs: dict[str, list[str]] = {}
    current: list[str] | None = None
    for line in described:
        if line.startswith("  survived  "):
            current = diffs.setdefault(line.split()[-1], [])
        elif line.startswith("      ") and current is not None:
            current.append(line[6:])
        else:
            current = None
    return diffs


def function_lines(source: str, mutant: str) -> tuple[int, int] | None:
    """The first and last line of the function a mutant (``x_name__mutmut_3``, ``xǁClassǁname__mutmut_3``)
    changes, in ``source``; None when the module no longer has it."""
    mangled = mutant.rsplit(".", 1)[-1].partition("__mutmut_")[0]
    owner, _, name = mangled[2:].rpartition("ǁ") if mangled.startswith("xǁ") else ("", "", mangled[2:])
    body = ast.parse(source).body
    if owner:
        body = next((n.body for n in body if isinstance(n, ast.ClassDef) and n.name == owner.strip("ǁ")), [])
    # the last definition of the name: the implementation after its ``@overload`` stubs
    node = next((n for n in reversed(body) if isinstance(n, ast.FunctionDef | ast.AsyncFunctionDef)
                 and n.name == name), None)
    return None if node is None else (node.lineno, node.end_lineno or node.lineno)


def line_comments(source: str, within: tuple[int, int] | None = None) -> dict[str, str]:
    """What the comments say of each line of code (of the lines ``within``, or all), by its text without its
    comment: the line's own comment, those of the statement it belongs to up to it, and the block of comment
    lines right above that statement. A survivor is explained when the line it changes is said there to be
    ``equivalent``."""
    lines = source.splitlines()
    comments: dict[int, str] = {}
    for token in tokenize.generate_tokens(iter(source.splitlines(keepends=True)).__next__):
        if token.type == tokenize.COMMENT:
            comments[token.start[0]] = token.string.lstrip("#").strip()
    starts: dict[int, int] = {}
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.stmt):
            body = getattr(node, "body", None)
            header_end = body[0].lineno - 1 if isinstance(body, list) and body else node.end_lineno or node.lineno
            for number in range(node.lineno, header_end + 1):
                starts[number] = max(starts.get(number, 0), node.lineno)
    said: dict[str, str] = {}
    for number, text in enumerate(lines, start=1):
        if number not in starts or not without_comment(text) or (within and not within[0] <= number <= within[1]):
            continue
        start, above = starts[number], list[str]()
        while start - len(above) - 1 >= 1 and lines[start - len(above) - 2].strip().startswith("#"):
            above.append(comments.get(start - len(above) - 1, ""))
        own = [comments[n] for n in range(start, number + 1) if n in comments]
        words = " ".join([*reversed(above), *own])
        if words:
            key = without_comment(text)
            said[key] = f"{said[key]} {words}" if key in said and words not in said[key] else words
    return said


def without_comment(line: str) -> str:
    """A line of code without its comment, stripped: a survivor's line is found by its code, so a comment
    added to it since the run (to explain it) does not hide it."""
    quote, escaped = "", False
    for i, char in enumerate(line):
        if escaped:
            escaped = False
        elif char == "\\" and quote:
            escaped = True
        elif quote and line.startswith(quote, i):
            quote = ""
        elif not quote and char in "'\"":
            quote = line[i : i + 3] if line[i : i + 3] in ('"""', "'''") else char
        elif char == "#" and not quote:
            return line[:i].strip()
    return line.strip()


def explanation(diff: Sequence[str], said: Mapping[str, str]) -> str | None:
    """Why a survivor is equivalent, if a comment on (or right above) a line it changes says so."""
    for line in diff:
        if line.startswith("-") and "equivalent" in (words := said.get(without_comment(line[1:]), "")).lower():
            return words
    return None


@dataclass(frozen=True)
class Verdict:
    """Whether a module meets the bar: a score of at least ``bar_percent`` of the mutants its unit tests
    reach, every survivor explained, every function reached by a unit test, and a finished run."""

    path: str
    percent: float | None
    explained: Mapping[str, str]
    unexplained: tuple[str, ...]
    unreached_functions: tuple[str, ...]
    note: str
    bar: float

    @property
    def meets_bar(self) -> bool:
        return (self.note in ("", NO_FUNCTION) and not self.unexplained and not self.unreached_functions
                and (self.percent is None or self.percent >= self.bar))

    def shortfalls(self) -> list[str]:
        """What keeps the module under the bar, in words."""
        out = []
        if self.note not in ("", NO_FUNCTION):
            out.append(self.note)
        if self.percent is not None and self.percent < self.bar:
            out.append(f"{self.percent:.1f} % < {self.bar:.0f} %")
        if self.unexplained:
            out.append(f"{len(self.unexplained)} unexplained survivor(s)")
        if self.unreached_functions:
            out.append("reached by no unit test: " + ", ".join(self.unreached_functions))
        return out


def unreached_functions(result: ModuleResult) -> tuple[str, ...]:
    """The functions (mutmut's names) whose mutants no unit test runs."""
    return tuple(sorted({m.rsplit(".", 1)[1].partition("__mutmut_")[0] for m in result.unreached}))


def verdict_of(result: ModuleResult, source: str | None, bar: float) -> Verdict:
    """A module's verdict, its survivors explained by the comments of its current source (``None``: the
    module is gone, so none is explained)."""
    diffs = survivor_diffs(result.described)
    explained = {}
    for mutant in result.survivors:
        # the comments of the mutant's own function only: a line written alike elsewhere explains nothing here
        span = function_lines(source, mutant) if source is not None else None
        said = line_comments(source, span) if source is not None and span is not None else {}
        if (why := explanation(diffs.get(mutant.rsplit(".", 1)[1], []), said)) is not None:
            explained[mutant] = why
    return Verdict(result.path, result.score.percent, explained,
                   tuple(m for m in result.survivors if m not in explained), unreached_functions(result),
                   result.note, bar)


def annotated(result: ModuleResult, verdict: Verdict) -> list[str]:
    """A module's description with each explained survivor's reason after its name."""
    out = []
    for line in result.described:
        name = line.split()[-1] if line.startswith("  survived  ") else ""
        why = next((w for m, w in verdict.explained.items() if name and m.endswith("." + name)), None)
        out.append(f"{line}   equivalent: {why}" if why else line)
    return out


def render_verdicts(verdicts: Sequence[Verdict]) -> str:
    """The closing lines: which modules fall short of the bar, and why, or that every module meets it."""
    short = [v for v in verdicts if not v.meets_bar]
    explained = sum(len(v.explained) for v in verdicts)
    if not short:
        return (f"\nevery module meets the bar: at least {verdicts[0].bar:.0f} % of the reached mutants killed, "
                f"every survivor explained ({explained} equivalent), every function reached"
                if verdicts else "")
    lines = [f"\n{len(short)} of {len(verdicts)} module(s) under the bar "
             f"({explained} survivor(s) explained as equivalent elsewhere):"]
    lines.extend(f"  {v.path}: {'; '.join(v.shortfalls())}" for v in short)
    return "\n".join(lines)


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m infra.mutate", description=__doc__.split("\n")[0])
    parser.add_argument("--all", action="store_true", help="every logic module, not only those changed")
    parser.add_argument("--service", action="append", default=[], metavar="NAME",
                        help="the logic modules of a service (common: the layer); repeatable")
    parser.add_argument("--timeout", type=float, metavar="SECONDS",
                        help="each module's time limit instead of module_timeout_seconds (more on a loaded machine)")
    parser.add_argument("--resume", action="store_true",
                        help="reuse the results kept for modules already scored on this very tree")
    parser.add_argument("--constants", action="store_true",
                        help="change the modules' rule constants one at a time instead (make mutate CONSTANTS=1)")
    parser.add_argument("--report", action="store_true",
                        help="run nothing: report the results kept for the modules, whichever tree they were "
                             "measured on, against the bar (make mutate REPORT=1)")
    parser.add_argument("modules", nargs="*", help="repository paths of logic modules")
    return parser.parse_args(argv)


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    text = (ROOT / "pyproject.toml").read_text()
    pyproject = tomllib.loads(text)
    settings, roots = load_settings(pyproject), package_roots(pyproject)
    if args.timeout:
        settings = dataclasses.replace(settings, module_timeout_seconds=args.timeout)
    everything = [str(p.relative_to(ROOT)) for pattern in settings.logic for p in ROOT.glob(pattern)]
    if args.service:
        modules = of_services(select_modules(everything, settings.logic), args.service)
        scope = f"the logic modules of {', '.join(sorted(set(args.service)))}"
    elif args.all:
        modules, scope = select_modules(everything, settings.logic), "every logic module"
    elif args.modules:
        modules, scope = select_modules(args.modules, settings.logic), "the modules named"
    else:
        base, changed = changed_since_main()
        modules = select_modules((p for p in changed if (ROOT / p).exists()), settings.logic)
        scope = f"logic modules changed since {base[:12]} (main's merge base)"
    if args.constants:
        print(f"the rule constants of {scope}: {len(modules)} module(s), "
              f"{settings.constant_timeout_seconds:.0f}s per change at most")
        return mutate_constants.main(modules, ROOT, LOCAL, roots, settings.constant_timeout_seconds)
    if args.report:
        print(f"the kept results of {scope}: {len(modules)} module(s), judged against the bar "
              f"({settings.bar_percent:.0f} %, every survivor explained, every function reached)")
        return report(modules, settings)
    print(f"mutation testing of {scope}: {len(modules)} module(s), unit tests only, "
          f"{settings.max_children} workers, {settings.module_timeout_seconds:.0f}s per module at most")
    if not modules:
        return 0
    if not (MUTMUT_HOME / "bin" / "mutmut").exists():
        raise SystemExit(f"mutmut is not installed in {MUTMUT_HOME.relative_to(ROOT)}: run make mutate")
    tree = tree_fingerprint()
    done = {path: r for path in modules if args.resume and (r := kept(path, tree)) is not None}
    if done:
        print(f"  {len(done)} module(s) already scored on this tree, kept in {RESULTS.relative_to(ROOT)} (--resume)")
    todo = [m for m in modules if m not in done]
    runs: list[BatchRun] = []
    fresh: dict[str, ModuleResult] = {}
    if todo:
        # A resumed run stages what the first run staged (every selected module, the same tests), so that
        # mutmut finds its own per-mutant verdicts of a service stopped half-way and goes on from there.
        staged = modules if args.resume else todo
        test_dirs = reaching_test_dirs(unit_test_files(), {service_of(m) for m in staged})
        print("  unit tests: " + ("all of tests/unit" if test_dirs is None else
                                  (", ".join(test_dirs) or "none reach these modules")), flush=True)
        selection = stage_key(tree, staged, test_dirs)
        if args.resume and staged_for() == selection:
            print("  the stage of a stopped run of this selection on this tree is kept: mutmut goes on where it"
                  " stopped", flush=True)
        else:
            stage(text, roots, staged, test_dirs)
            (STAGE / STAGE_KEY).write_text(selection)
        for service, paths in batches(todo):
            run, results = run_batch(service, paths, roots, settings)
            runs.append(run)
            for result in results:
                keep(result, tree)
                fresh[result.path] = result
                pct = "-" if result.score.percent is None else f"{result.score.percent:.1f} %"
                print(f"  {result.path}: {result.score.detected}/{result.score.reached} ({pct}), "
                      f"{result.seconds:.0f}s of tests {result.note}".rstrip(), flush=True)
            print(f"  {run.summary()}", flush=True)
    results = [done.get(path) or fresh[path] for path in modules]
    print(render(results, kept_paths=set(done)))
    for run in runs:
        print(run.summary())
    print(f"total: {sum(r.seconds for r in runs) / 60:.1f} min of mutmut runs "
          f"({len(runs)} run(s), {len(todo)} module(s); {len(done)} kept)")
    return conclude(results, settings)


def judged(results: Sequence[ModuleResult], settings: Settings) -> list[Verdict]:
    """Each module's verdict, its survivors explained by the comments of the module as it is now."""
    return [verdict_of(r, (ROOT / r.path).read_text() if (ROOT / r.path).exists() else None, settings.bar_percent)
            for r in results]


def conclude(results: Sequence[ModuleResult], settings: Settings) -> int:
    """Print each module's survivors (the explained ones with their reason) and the verdict against the bar;
    1 when a module falls short of it."""
    verdicts = judged(results, settings)
    for result, verdict in zip(results, verdicts, strict=True):
        print("\n".join(annotated(result, verdict)))
    print(render_verdicts(verdicts))
    return 0 if all(v.meets_bar for v in verdicts) else 1


def markdown(results: Sequence[ModuleResult], verdicts: Sequence[Verdict]) -> str:
    """The score table as Markdown, for the README: per module its mutants, killed over reached, the score,
    the survivors explained as equivalent, and what keeps it under the bar."""
    lines = ["| module | mutants | killed / reached | score | equivalent | under the bar because | measured at |",
             "| --- | --- | --- | --- | --- | --- | --- |"]
    for r, v in zip(results, verdicts, strict=True):
        pct = "-" if r.score.percent is None else f"{r.score.percent:.1f} %"
        total = r.score.reached + r.score.no_tests
        name = r.path.removeprefix("functions/").removeprefix("layers/common/python/")
        lines.append(f"| `{name}` | {total} | {r.score.detected} / {r.score.reached} | {pct} | "
                     f"{len(v.explained)} | {'; '.join(v.shortfalls()) or 'meets the bar'} | "
                     f"{f'`{r.commit}`' if r.commit else 'before commits were kept'} |")
    return "\n".join(lines)


def report(modules: Sequence[str], settings: Settings) -> int:
    """The kept results of the modules, measured on this tree or an earlier one (said so), against the bar;
    a module with no kept result is named and falls short."""
    tree = tree_fingerprint()
    results = [r for path in modules if (r := kept(path, None)) is not None]
    earlier = [r.path for r in results if kept_tree(r.path) != tree]
    missing = sorted(set(modules) - {r.path for r in results})
    print(f"  kept results: {len(results)} of {len(modules)}; measured on an earlier tree: {len(earlier)}"
          + (" (marked earlier tree)" if earlier else ""))
    print(render(results, kept_paths=earlier, label="earlier tree"))
    status = conclude(results, settings)
    REPORT_FILE.write_text(markdown(results, judged(results, settings)) + "\n")
    print(f"\nthe table as Markdown: {REPORT_FILE}")
    if missing:
        print(f"\nno finished result kept for {len(missing)} module(s):\n  " + "\n  ".join(missing))
    return 1 if missing else status


if __name__ == "__main__":
    run(lambda: sys.exit(main()))
