"""Every function in template.yaml has sample events, and every sample event is valid JSON."""

from __future__ import annotations

import json
import re

from infra.config import ROOT
from tests.support import template

EVENTS = ROOT / "events"


def _catalogue() -> dict[str, list[str]]:
    rows = re.findall(r"^\| (\w+Function) \| (.+) \|$", (EVENTS / "README.md").read_text(), re.MULTILINE)
    return {function: re.findall(r"[\w-]+\.json", files) for function, files in rows}


def test_given_the_template_then_every_function_has_sample_events_that_exist() -> None:
    functions = {
        logical_id for logical_id, resource in template.template()["Resources"].items()
        if resource["Type"] == "AWS::Serverless::Function"
    }
    catalogue = _catalogue()
    assert set(catalogue) == functions
    for files in catalogue.values():
        assert files and all((EVENTS / name).is_file() for name in files)


def test_given_the_sample_events_then_each_parses_and_is_listed() -> None:
    listed = {name for files in _catalogue().values() for name in files}
    on_disk = {path.name for path in EVENTS.glob("*.json")}
    assert on_disk == listed
    for path in EVENTS.glob("*.json"):
        assert isinstance(json.loads(path.read_text()), dict), path.name
