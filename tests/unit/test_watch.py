"""`make watch`: which saved files push which functions or layers, and what goes into the zips."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

from infra.config import ROOT
from infra.watch import changed, function_specs, has_requirements, layer_specs, overlay_zip, plan

GATEWAY_HANDLER = ROOT / "functions" / "gateway" / "deepiri_gateway" / "handlers" / "api.py"
LAYER_MODULE = ROOT / "layers" / "common" / "python" / "deepiri_common" / "clock.py"


def test_given_a_saved_gateway_file_then_every_function_built_from_that_folder_is_pushed() -> None:
    work = plan([GATEWAY_HANDLER], function_specs(), layer_specs())

    assert {spec.logical_id for spec in work.functions} == {"GatewayFunction", "AuthorizerFunction"}
    assert work.layers == ()


def test_given_a_saved_layer_file_then_the_layer_is_published_and_no_function_code_is_pushed() -> None:
    work = plan([LAYER_MODULE], function_specs(), layer_specs())

    assert [layer.logical_id for layer in work.layers] == ["CommonLayer"]
    assert work.functions == ()


def test_given_a_changed_requirements_file_then_it_is_left_to_make_up() -> None:
    requirements = ROOT / "functions" / "gateway" / "requirements.txt"

    work = plan([requirements], function_specs(), layer_specs())

    assert work.requirements == (requirements,)
    assert work.functions == ()


def test_a_requirements_file_of_only_comments_names_no_dependency(tmp_path: Path) -> None:
    (tmp_path / "requirements.txt").write_text("# nothing beyond the layer\n\n")
    assert not has_requirements(tmp_path)

    (tmp_path / "requirements.txt").write_text("# pinned\nrequests==2.32.0  # http\n")
    assert has_requirements(tmp_path)


def test_modified_added_and_removed_files_all_count_as_changed() -> None:
    before = {Path("a.py"): 1, Path("b.py"): 1}
    after = {Path("a.py"): 2, Path("c.py"): 1}

    assert changed(before, after) == {Path("a.py"), Path("b.py"), Path("c.py")}


def test_given_a_built_layer_then_the_sources_replace_its_package_and_its_dependencies_stay(tmp_path: Path) -> None:
    # Given a build output holding a dependency and an older copy of the package (with a since-deleted file)
    built = tmp_path / "build" / "python"
    (built / "pydantic").mkdir(parents=True)
    (built / "pydantic" / "__init__.py").write_text("dependency")
    (built / "pkg").mkdir()
    (built / "pkg" / "old.py").write_text("deleted from the sources")
    source = tmp_path / "source"
    (source / "pkg" / "__pycache__").mkdir(parents=True)
    (source / "pkg" / "new.py").write_text("current")
    (source / "pkg" / "__pycache__" / "new.cpython-311.pyc").write_bytes(b"bytecode")

    # When the layer is zipped
    names = zipfile.ZipFile(io.BytesIO(overlay_zip(source, tmp_path / "build", prefix="python/"))).namelist()

    # Then the dependency stays, the package is the current one, and no bytecode ships
    assert sorted(names) == ["python/pkg/new.py", "python/pydantic/__init__.py"]
