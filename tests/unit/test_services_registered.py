"""A service is a folder functions/<service>/deepiri_<service>: the Makefile finds it by itself, and this
test names every place in pyproject.toml a new one must join (pytest's path, mypy's path, ruff's
first-party list and the three import contracts), so a forgotten entry fails here, not in review."""

from __future__ import annotations

import tomllib

from infra.config import ROOT

SERVICES = sorted(path.name for path in ROOT.glob("functions/*/deepiri_*") if path.is_dir())
FOLDERS = sorted(f"functions/{path.parent.name}" for path in ROOT.glob("functions/*/deepiri_*") if path.is_dir())


def _pyproject() -> dict[str, object]:
    with (ROOT / "pyproject.toml").open("rb") as handle:
        return tomllib.load(handle)


def test_given_the_service_folders_then_they_are_the_known_services() -> None:
    assert {"deepiri_gateway", "deepiri_realtime", "deepiri_tasks", "deepiri_users"} <= set(SERVICES)


def test_given_each_service_then_pytest_mypy_and_ruff_find_it() -> None:
    tools = _pyproject()["tool"]
    assert isinstance(tools, dict)
    assert set(FOLDERS) <= set(tools["pytest"]["ini_options"]["pythonpath"])
    assert set(FOLDERS) <= set(tools["mypy"]["mypy_path"].split(":"))
    assert set(SERVICES) <= set(tools["ruff"]["lint"]["isort"]["known-first-party"])


def test_given_each_service_then_every_import_contract_covers_it() -> None:
    linter = _pyproject()["tool"]
    assert isinstance(linter, dict)
    settings = linter["importlinter"]
    assert set(SERVICES) <= set(settings["root_packages"])
    layers, independence, forbidden = settings["contracts"]
    assert set(layers["containers"]) == set(SERVICES)
    assert set(independence["modules"]) == set(SERVICES)
    assert set(forbidden["forbidden_modules"]) == set(SERVICES)
