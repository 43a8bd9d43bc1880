"""The rule constants of the domain logic, changed one at a time: would the unit tests notice?

    python -m infra.mutate --constants --all          every logic module (make mutate CONSTANTS=1 ALL=1)
    python -m infra.mutate --constants --service X    one service's logic modules (common: the layer)
    python -m infra.mutate --constants PATH...        the named modules

mutmut mutates inside functions only, so a module-level constant (a status set, a limit, a table of points)
is never changed by it. This does what mutmut leaves out, for the constants whose names are in capitals
(``MAX_ATTEMPTS``, ``_FORWARD``): every whole number of the value + 1 and - 1, every other number 10 % up and
down, every item of a set, tuple, list or table dropped in turn. Strings are left alone (messages, names).

Each change is written into the module, the unit tests that can see it are run with ``-x`` (the test files
importing the module, or a module of its package that imports it, directly or not), and the module is put
back before the next change, whatever happens. A change the tests do not notice survives; it is explained
when the comment on the constant's line, or the block of comments right above it, says why it is
``equivalent`` (as for mutmut's survivors). The run works on the files it is given, so run it on a clone
(``make mutate`` does not touch the working tree: it copies the repository into ``.local/mutation-constants``).
"""

from __future__ import annotations

import ast
import re
import shutil
import subprocess
import sys
import time
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

CONSTANT = re.compile(r"^_?[A-Z][A-Z0-9_]*$")
WORK = "mutation-constants"


@dataclass(frozen=True)
class Change:
    """One change of a constant: the bytes ``start:end`` of the module replaced by ``text``."""

    constant: str
    line: int
    what: str
    start: int
    end: int
    text: str

    def apply(self, source: bytes) -> bytes:
        return source[: self.start] + self.text.encode() + source[self.end :]


def _offsets(source: bytes) -> list[int]:
    starts = [0]
    for line in source.splitlines(keepends=True):
        starts.append(starts[-1] + len(line))
    return starts


def _span(node: ast.expr, starts: Sequence[int]) -> tuple[int, int]:
    assert node.end_lineno is not None and node.end_col_offset is not None
    return starts[node.lineno - 1] + node.col_offset, starts[node.end_lineno - 1] + node.end_col_offset


def _is_number(node: ast.expr) -> bool:
    inner = node.operand if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub) else node
    return (isinstance(inner, ast.Constant) and isinstance(inner.value, int | float)
            and not isinstance(inner.value, bool))


def _number(node: ast.expr) -> int | float:
    value = ast.literal_eval(node)
    assert isinstance(value, int | float)
    return value


def _nudges(value: int | float) -> list[tuple[str, int | float]]:
    if isinstance(value, int):
        return [("+ 1", value + 1), ("- 1", value - 1)]
    return [("+ 10 %", round(value * 1.1, 9)), ("- 10 %", round(value * 0.9, 9))]


def _numbers(value: ast.expr) -> Iterator[ast.expr]:
    """The numbers written in a value, outermost first; a negative number once, with its sign."""
    if _is_number(value):
        yield value
        return
    for child in ast.iter_child_nodes(value):
        if isinstance(child, ast.expr):
            yield from _numbers(child)


def _collections(value: ast.expr) -> Iterator[ast.Set | ast.Tuple | ast.List | ast.Dict]:
    """The collections written in a value (literals, wrapped in ``frozenset(...)`` or not), the outermost
    first: a table's rows, a transition table's targets."""
    for node in ast.walk(value):
        if isinstance(node, ast.Set | ast.Tuple | ast.List | ast.Dict):
            yield node


def _label(node: ast.expr | None) -> str:
    text = ast.unparse(node) if node is not None else "**"
    return text if len(text) <= 40 else text[:37] + "..."


def _dropped(collection: ast.Set | ast.Tuple | ast.List | ast.Dict) -> Iterator[tuple[str, str]]:
    """Each item of a collection dropped: what is dropped, and the collection without it."""
    if isinstance(collection, ast.Dict):
        for i, key in enumerate(collection.keys):
            table = ast.Dict(keys=collection.keys[:i] + collection.keys[i + 1 :],
                             values=collection.values[:i] + collection.values[i + 1 :])
            yield f"without {_label(key)}", ast.unparse(table)
        return
    for i, item in enumerate(collection.elts):
        items = collection.elts[:i] + collection.elts[i + 1 :]
        rest: ast.expr
        if isinstance(collection, ast.Set):
            rest = ast.Set(elts=items) if items else ast.Call(ast.Name("set"), [], [])
        elif isinstance(collection, ast.Tuple):
            rest = ast.Tuple(elts=items, ctx=ast.Load())
        else:
            rest = ast.List(elts=items, ctx=ast.Load())
        text = ast.unparse(rest)
        if isinstance(collection, ast.Tuple) and not text.startswith("("):
            text = f"({text})"
        yield f"without {_label(item)}", text


def changes(source: bytes) -> list[Change]:
    """Every change of the module's rule constants (module-level names in capitals), in source order."""
    tree = ast.parse(source)
    starts = _offsets(source)
    out: list[Change] = []
    for node in tree.body:
        for name, value in _constants(node):
            for collection in _collections(value):
                start, end = _span(collection, starts)
                out.extend(Change(name, node.lineno, what, start, end, text) for what, text in _dropped(collection))
            for number in _numbers(value):
                start, end = _span(number, starts)
                for what, new in _nudges(_number(number)):
                    out.append(Change(name, node.lineno, f"{ast.unparse(number)} {what}", start, end, f"({new!r})"))
    return out


def _constants(node: ast.stmt) -> Iterator[tuple[str, ast.expr]]:
    """The rule constants a module-level statement assigns, with their values: ``LIMIT = 5``, ``LIMIT: int = 5``,
    and each name of ``LOW, HIGH = 8, 12`` with its own value."""
    if isinstance(node, ast.Assign) and len(node.targets) == 1:
        target, value = node.targets[0], node.value
    elif isinstance(node, ast.AnnAssign) and node.value is not None:
        target, value = node.target, node.value
    else:
        return
    if isinstance(target, ast.Tuple | ast.List) and isinstance(value, ast.Tuple | ast.List):
        if len(target.elts) == len(value.elts):
            for name, item in zip(target.elts, value.elts, strict=True):
                if isinstance(name, ast.Name) and CONSTANT.match(name.id):
                    yield name.id, item
    elif isinstance(target, ast.Name) and CONSTANT.match(target.id):
        yield target.id, value


def module_of(path: str, roots: Iterable[str]) -> str:
    """The dotted import name of a repository path under one of the package roots."""
    for root in roots:
        if path.startswith(root.rstrip("/") + "/"):
            return path[len(root.rstrip("/")) + 1 : -len(".py")].replace("/", ".").removesuffix(".__init__")
    raise ValueError(f"{path} is under none of the package roots {list(roots)}")


def imported(tree: ast.AST, package: str | None = None) -> set[str]:
    """The dotted modules a module imports (``from a import b`` names ``a`` and ``a.b``); ``package`` resolves
    relative imports."""
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level and package:
                parent = package.split(".")
                parent = parent[: len(parent) - node.level + 1] if node.level > 1 else parent
                base = ".".join([*parent, *([base] if base else [])])
            names.add(base)
            names.update(f"{base}.{alias.name}" for alias in node.names)
    return names


def dependents(target: str, modules: Mapping[str, set[str]]) -> set[str]:
    """``target`` and every module of ``modules`` (name: what it imports) that imports it, directly or not."""
    found, frontier = {target}, [target]
    while frontier:
        current = frontier.pop()
        for name, imports in modules.items():
            if name not in found and current in imports:
                found.add(name)
                frontier.append(name)
    return found


def explained(source: str, line: int) -> str | None:
    """The comment on a constant's line, or right above it, if it says a change is equivalent."""
    lines = source.splitlines()
    said: list[str] = []
    number = line - 1
    while number >= 1 and lines[number - 1].strip().startswith("#"):
        said.insert(0, lines[number - 1].strip().lstrip("#").strip())
        number -= 1
    own = lines[line - 1]
    if "#" in own:
        said.append(own.split("#", 1)[1].strip())
    words = " ".join(said)
    return words if "equivalent" in words.lower() else None


@dataclass(frozen=True)
class Outcome:
    path: str
    change: Change
    noticed: bool
    why: str | None = None  # the comment explaining a survivor


def run_tests(cwd: Path, tests: Sequence[str], timeout: float) -> bool:
    """Whether the tests fail (or hang past ``timeout``): the change was noticed."""
    try:
        result = subprocess.run(
            [sys.executable, "-m", "pytest", "-x", "-q", "-p", "no:cacheprovider", "--no-header", *tests],
            cwd=cwd, capture_output=True, timeout=timeout, check=False)
    except subprocess.TimeoutExpired:
        return True
    return result.returncode != 0


def test_files_for(path: str, work: Path, roots: Sequence[str]) -> list[str]:
    """The unit test files that can see a module's constants: those importing it, or a module that imports it
    directly or not (of its package, or of ``infra``, whose tools such as the OpenAPI writer read the layer's
    contract). The copy holds the whole repository, so the tooling tests at ``tests/unit``'s top and the
    contract tests count too."""
    name = module_of(path, roots)
    package = name.split(".")[0]
    root = next(r for r in roots if path.startswith(r.rstrip("/") + "/"))
    modules = {}
    for file in [*(work / root / package).rglob("*.py"), *(work / "infra").glob("*.py")]:
        relative = str(file.relative_to(work))
        dotted = relative[: -len(".py")].replace("/", ".") if relative.startswith("infra/") else module_of(relative,
                                                                                                           roots)
        modules[dotted] = imported(ast.parse(file.read_bytes()), dotted.rpartition(".")[0])
    seen = dependents(name, modules)
    return [str(file.relative_to(work)) for file in sorted((work / "tests" / "unit").rglob("test_*.py"))
            if imported(ast.parse(file.read_bytes())) & seen]


def mutate_constants(paths: Sequence[str], work: Path, roots: Sequence[str], timeout: float) -> list[Outcome]:
    """Change each constant of each module in ``work`` (a copy of the repository), run the tests that can
    see it, and put the module back."""
    outcomes: list[Outcome] = []
    for path in paths:
        file = work / path
        original = file.read_bytes()
        found = changes(original)
        tests = test_files_for(path, work, roots)
        print(f"  {path}: {len(found)} change(s), {len(tests)} test file(s)", flush=True)
        if not tests:
            outcomes.extend(Outcome(path, c, False) for c in found)
            continue
        try:
            for change in found:
                file.write_bytes(change.apply(original))
                noticed = run_tests(work, tests, timeout)
                why = None if noticed else explained(original.decode(), change.line)
                outcomes.append(Outcome(path, change, noticed, why))
                if not noticed:
                    print(f"    survived  {change.constant} {change.what}"
                          + (f"   equivalent: {why}" if why else ""), flush=True)
        finally:
            file.write_bytes(original)
    return outcomes


def copy_repository(root: Path, work: Path) -> None:
    """A fresh copy of what the unit tests need, so the working tree is never changed."""
    if work.exists():
        shutil.rmtree(work)
    work.mkdir(parents=True)
    for name in ("functions", "layers", "tests", "infra", "contracts", "events", "pyproject.toml", "template.yaml"):
        source = root / name
        if source.is_dir():
            shutil.copytree(source, work / name,
                            ignore=shutil.ignore_patterns("__pycache__", "node_modules", ".aws-sam"))
        elif source.exists():
            shutil.copy2(source, work / name)


def render(outcomes: Sequence[Outcome], seconds: float) -> tuple[str, bool]:
    """The table per module (changes, noticed, explained, unexplained) and the unexplained survivors; whether
    every survivor is explained."""
    by_path: dict[str, list[Outcome]] = {}
    for outcome in outcomes:
        by_path.setdefault(outcome.path, []).append(outcome)
    lines = ["", f"{'module':<60} {'changes':>8} {'noticed':>8} {'equivalent':>11} {'unexplained':>12}"]
    for path, group in by_path.items():
        unexplained = [o for o in group if not o.noticed and o.why is None]
        lines.append(f"{path:<60} {len(group):>8} {sum(o.noticed for o in group):>8} "
                     f"{sum(1 for o in group if o.why):>11} {len(unexplained):>12}")
    survivors = [o for o in outcomes if not o.noticed and o.why is None]
    for o in survivors:
        lines.append(f"  unexplained: {o.path}:{o.change.line} {o.change.constant} {o.change.what}")
    lines.append(f"\n{len(outcomes)} change(s) of constants in {len(by_path)} module(s), {seconds / 60:.1f} min: "
                 + ("every one noticed or explained" if not survivors else f"{len(survivors)} unexplained"))
    return "\n".join(lines), not survivors


def main(paths: Sequence[str], root: Path, local: Path, roots: Sequence[str], timeout: float) -> int:
    work = local / WORK
    started = time.monotonic()
    print(f"constants of {len(paths)} module(s), changed one at a time in a copy ({work.relative_to(root)})",
          flush=True)
    copy_repository(root, work)
    outcomes = mutate_constants(paths, work, roots, timeout)
    text, clean = render(outcomes, time.monotonic() - started)
    print(text)
    return 0 if clean else 1
