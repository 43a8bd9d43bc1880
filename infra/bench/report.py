"""The results of a run as one compact table and as JSON (.local/bench.json) for later comparison."""

from __future__ import annotations

import json
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from infra.bench.core import Result
from infra.config import LOCAL, Target

RESULTS = LOCAL / "bench.json"


def render(results: dict[str, Result]) -> str:
    """The results as one compact table, a section per benchmark (and per part of one)."""
    sections = [section for result in results.values() for section in (result, *result.parts)]
    width = max([len(result.title) + 2 for result in sections]
                + [len(row.label) + 4 for result in sections for row in result.rows])
    lines: list[str] = []
    for result in sections:
        lines.append(f"{result.title:<{width}}" + "".join(f"{column:>12}" for column in result.columns))
        for row in result.rows:
            lines.append(f"  {row.label:<{width - 2}}" + "".join(cell(value, row.ratio) for value in row.values))
        lines.extend(f"  ! {note}" for note in result.notes)
        lines.extend(f"  => {verdict}" for verdict in result.verdicts)
        lines.append("")
    return "\n".join(lines).rstrip() + "\n"


def cell(value: float | None, is_ratio: bool) -> str:
    """One figure, right-aligned in 12 characters: ratios with an ``x``, small values with decimals."""
    if value is None:
        return f"{'-':>12}"
    if is_ratio:
        return f"{value:>11.2f}x" if value < 1 else f"{value:>11.1f}x"
    return f"{value:>12.2f}" if value < 100 else f"{value:>12.0f}"


def write_json(target: Target, results: dict[str, Result], path: Path = RESULTS) -> None:
    """Save the figures (and any notes) as JSON for later comparison."""
    path.parent.mkdir(parents=True, exist_ok=True)
    document = {
        "measured_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "target": {"endpoint": target.endpoint, "stack": target.stack_name},
        "python": sys.version.split()[0],
        "benchmarks": {name: _document(result) for name, result in results.items()},
    }
    path.write_text(json.dumps(document, indent=2) + "\n")


def _document(result: Result) -> dict[str, Any]:
    document: dict[str, Any] = {"title": result.title, "notes": result.notes, **result.data}
    if result.verdicts:
        document["verdicts"] = result.verdicts
    if result.parts:
        document["parts"] = [_document(part) for part in result.parts]
    return document
