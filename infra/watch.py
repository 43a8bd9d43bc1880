"""Push a changed handler's or layer's code to the running emulator seconds after saving, without a deploy.

    python -m infra.watch               poll the code folders once a second and push what changed (make watch)
    python -m infra.watch --once PATH   push the functions (or the layer) PATH belongs to, then exit

A file under a function's ``CodeUri`` (``functions/<service>/``) updates the code of every function of
template.yaml built from that folder. A file under ``web/src`` rebuilds the web app and publishes it to
the stack's web bucket (reload the page to see it). A file under the layer's ``ContentUri`` (``layers/common/python/``)
publishes a new version of the deployed layer, built on ``sam build``'s output so its installed
dependencies stay, and switches every function that used the layer to it. A changed
``requirements.txt`` is not installed here: that takes ``make up``.
"""

from __future__ import annotations

import argparse
import io
import os
import signal
import time
import zipfile
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import boto3
from botocore.exceptions import BotoCoreError, ClientError

from infra import emulator, webapp
from infra.cli import ToolError, run
from infra.config import BUILD_DIR, REGION, ROOT, Target, activate, default_target
from infra.stack import functions as deployed_functions
from infra.template import Intrinsics, Unresolvable, load_template
from infra.urls import discover

POLL_SECONDS = 1.0
UPDATE_TIMEOUT_SECONDS = 30.0
# Editor droppings and bytecode never reach a function.
_SKIP_DIRS = frozenset({"__pycache__", ".mypy_cache", ".pytest_cache", ".ruff_cache"})
_SKIP_SUFFIXES = (".pyc", ".pyo", ".swp", ".swx", ".tmp", "~")


class WatchError(RuntimeError):
    """A push that cannot be done now; the watch reports it and carries on."""


@dataclass(frozen=True)
class FunctionSpec:
    """A function of template.yaml as far as its code goes: the folder it is built from and its handler."""

    logical_id: str
    code_dir: Path
    handler: str

    @property
    def module(self) -> str:
        """The handler's module (``deepiri_gateway.handlers.api``)."""
        return self.handler.rsplit(".", 1)[0]


@dataclass(frozen=True)
class LayerSpec:
    """A layer of template.yaml: the folder it is built from and its name pattern."""

    logical_id: str
    content_dir: Path
    layer_name: Any


def function_specs(template: dict[str, Any] | None = None) -> list[FunctionSpec]:
    """Every ``AWS::Serverless::Function`` with a code folder, Globals applied, in template order."""
    template = template if template is not None else load_template()
    defaults = template.get("Globals", {}).get("Function", {})
    specs = []
    for logical_id, resource in template.get("Resources", {}).items():
        if resource.get("Type") != "AWS::Serverless::Function":
            continue
        props = {**defaults, **resource.get("Properties", {})}
        code_uri, handler = props.get("CodeUri"), props.get("Handler")
        if isinstance(code_uri, str) and isinstance(handler, str):
            specs.append(FunctionSpec(logical_id, (ROOT / code_uri).resolve(), handler))
    return specs


def layer_specs(template: dict[str, Any] | None = None) -> list[LayerSpec]:
    """Every ``AWS::Serverless::LayerVersion`` built from a local folder."""
    template = template if template is not None else load_template()
    return [
        LayerSpec(logical_id, (ROOT / props["ContentUri"]).resolve(), props.get("LayerName", logical_id))
        for logical_id, resource in template.get("Resources", {}).items()
        if resource.get("Type") == "AWS::Serverless::LayerVersion"
        and isinstance((props := resource.get("Properties", {})).get("ContentUri"), str)
    ]


def resolve_name(value: Any, stage: str) -> str:
    """A name property of the template for ``stage`` (a plain string or a ``!Sub``), as deployed."""
    try:
        return Intrinsics(stage=stage, region=REGION).text(value)
    except Unresolvable as error:
        raise WatchError(f"cannot resolve the name {value!r} from template.yaml: {error}") from None


# ---------------------------------------------------------------- what changed


def source_files(folder: Path) -> Iterator[Path]:
    """The files of a code folder that belong in its zip (no bytecode, caches or editor files)."""
    for dirpath, dirnames, filenames in os.walk(folder):
        dirnames[:] = sorted(d for d in dirnames if d not in _SKIP_DIRS)
        for filename in sorted(filenames):
            if not filename.endswith(_SKIP_SUFFIXES) and not filename.startswith(".#"):
                yield Path(dirpath) / filename


def snapshot(folders: Iterable[Path]) -> dict[Path, int]:
    """Modification time (ns) of every source file under ``folders``."""
    stamps: dict[Path, int] = {}
    for folder in folders:
        for path in source_files(folder):
            try:
                stamps[path] = path.stat().st_mtime_ns
            except FileNotFoundError:
                continue  # removed between the walk and the stat: the next poll sees it gone
    return stamps


def changed(before: dict[Path, int], after: dict[Path, int]) -> set[Path]:
    """Files added, modified or removed between two snapshots."""
    return {path for path in before.keys() | after.keys() if before.get(path) != after.get(path)}


@dataclass(frozen=True)
class Plan:
    """What a set of changed files asks for: functions to update, layers to publish, files to ignore."""

    functions: tuple[FunctionSpec, ...]
    layers: tuple[LayerSpec, ...]
    requirements: tuple[Path, ...]


def plan(paths: Iterable[Path], specs: list[FunctionSpec], layers: list[LayerSpec]) -> Plan:
    """Map changed files to the functions whose code folder holds them and the layers whose folder does."""
    hit_functions: dict[str, FunctionSpec] = {}
    hit_layers: dict[str, LayerSpec] = {}
    requirements: list[Path] = []
    for path in (p.resolve() for p in paths):
        if path.name == "requirements.txt":
            requirements.append(path)  # dependencies are installed by `sam build`, not here
            continue
        for layer in layers:
            if path.is_relative_to(layer.content_dir):
                hit_layers[layer.logical_id] = layer
        for spec in specs:
            if path.is_relative_to(spec.code_dir):
                hit_functions[spec.logical_id] = spec
    return Plan(tuple(hit_functions.values()), tuple(hit_layers.values()), tuple(sorted(requirements)))


# ---------------------------------------------------------------- zips


def has_requirements(folder: Path) -> bool:
    """Whether ``folder/requirements.txt`` names a dependency (anything besides comments and blanks)."""
    path = folder / "requirements.txt"
    if not path.exists():
        return False
    return any(line.split("#", 1)[0].strip() for line in path.read_text().splitlines())


# The built part of a zip (dependencies, tens of MB for the layer) compressed once per build of it.
_base_zips: dict[tuple[Path, str, frozenset[str]], tuple[int, bytes]] = {}


def overlay_zip(source: Path, base: Path | None = None, prefix: str = "") -> bytes:
    """A zip of ``base`` (a ``sam build`` output) in which ``source``'s top-level entries replace its own.

    ``source`` goes under ``prefix`` (``python/`` for a layer). Whole top-level entries are replaced, not
    single files, so a file deleted from the source is gone from the zip too; the rest of ``base``, the
    dependencies ``sam build`` installed, stays as built.
    """
    own = frozenset(entry.name for entry in source.iterdir())
    buffer = io.BytesIO(_base_zip(base, prefix, own) if base is not None else b"")
    with zipfile.ZipFile(buffer, "a" if base is not None else "w", zipfile.ZIP_DEFLATED, compresslevel=1) as archive:
        for path in source_files(source):
            archive.write(path, f"{prefix}{path.relative_to(source).as_posix()}")
    return buffer.getvalue()


def _base_zip(base: Path, prefix: str, own: frozenset[str]) -> bytes:
    """``base`` zipped without the entries the source replaces; reused until a file of ``base`` changes."""
    key = (base, prefix, own)
    signature = hash(frozenset(snapshot([base]).items()))
    cached = _base_zips.get(key)
    if cached is not None and cached[0] == signature:
        return cached[1]
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as archive:
        for path in source_files(base):
            relative = path.relative_to(base)
            inside = relative.relative_to(prefix) if prefix and relative.is_relative_to(prefix) else None
            if inside is not None and inside.parts[0] in own:
                continue
            archive.write(path, relative.as_posix())
    _base_zips[key] = (signature, buffer.getvalue())
    return _base_zips[key][1]


def function_zip(spec: FunctionSpec, build_dir: Path = BUILD_DIR) -> bytes:
    """The deployment package of a function: its code folder, over its built folder when it has dependencies."""
    if not has_requirements(spec.code_dir):
        return overlay_zip(spec.code_dir)
    built = build_dir / spec.logical_id
    if not built.is_dir():
        raise WatchError(f"{built.relative_to(ROOT)} is missing: run `make up` once to build the dependencies")
    return overlay_zip(spec.code_dir, built)


def layer_zip(layer: LayerSpec, build_dir: Path = BUILD_DIR) -> bytes:
    """The layer's built content (``python/`` with its dependencies) with the current sources overlaid."""
    built = build_dir / layer.logical_id
    if not (built / "python").is_dir():
        raise WatchError(f"{built.relative_to(ROOT)}/python is missing: run `make up` once to build the layer")
    return overlay_zip(layer.content_dir, built, prefix="python/")


# ---------------------------------------------------------------- pushing


class Pusher:
    """Pushes code to the functions and layers deployed on one target."""

    def __init__(self, target: Target) -> None:
        self.target = target
        self.client: Any = boto3.client("lambda", endpoint_url=target.endpoint, region_name=REGION)
        self.names = deployed_functions(target)
        # The layer versions the stack itself deployed: `make up` owns them, so they are never deleted here.
        self._stack_layers = _stack_layer_versions(target)

    def push_functions(self, specs: Iterable[FunctionSpec], reason: str) -> None:
        """Update the code of each function; print one line per function once it serves the new code."""
        started = time.monotonic()
        zips: dict[Path, bytes] = {}
        sent: list[tuple[FunctionSpec, str, int]] = []
        for spec in specs:
            name = self._name(spec.logical_id)
            if name is None:
                print(f"skipped {spec.logical_id}: not in {self.target.stack_name} yet (`make up`)", flush=True)
                continue
            if spec.code_dir not in zips or has_requirements(spec.code_dir):
                zips[spec.code_dir] = function_zip(spec)
            self.client.update_function_code(FunctionName=name, ZipFile=zips[spec.code_dir])
            sent.append((spec, name, len(zips[spec.code_dir])))
        # Every update is sent before waiting on any: the emulator restarts their workers side by side.
        for spec, name, size in sent:
            self._wait_updated(name)
            print(f"pushed  {spec.logical_id:<26} {name:<32} {size / 1024:8.0f} KB {_ms(started):6d} ms  "
                  f"({reason})", flush=True)

    def push_layer(self, layer: LayerSpec, reason: str) -> None:
        """Publish the layer's current code as a new version and move every function using it onto it."""
        started = time.monotonic()
        layer_name = resolve_name(layer.layer_name, self.target.stage)
        self.names = deployed_functions(self.target)  # every current user must move before old versions go
        configs = {name: self.client.get_function_configuration(FunctionName=name) for name in self.names.values()}
        users = {name: cfg.get("Layers", []) for name, cfg in configs.items()
                 if any(_layer_name(entry["Arn"]) == layer_name for entry in cfg.get("Layers", []))}
        if not users:
            print(f"skipped {layer.logical_id}: no deployed function uses layer {layer_name}", flush=True)
            return
        old_arns = {entry["Arn"] for layers in users.values() for entry in layers
                    if _layer_name(entry["Arn"]) == layer_name}
        current = self.client.get_layer_version_by_arn(Arn=max(old_arns, key=_layer_version))
        package = layer_zip(layer)
        published = self.client.publish_layer_version(
            LayerName=layer_name, Description=current.get("Description", ""), Content={"ZipFile": package},
            CompatibleRuntimes=current.get("CompatibleRuntimes", []),
        )
        new_arn = str(published["LayerVersionArn"])
        for name, layers in users.items():
            arns = [new_arn if _layer_name(entry["Arn"]) == layer_name else entry["Arn"] for entry in layers]
            self.client.update_function_configuration(FunctionName=name, Layers=arns)
        for name in users:
            self._wait_updated(name)
        self._forget(old_arns - self._stack_layers)  # earlier pushes' versions: no function uses them now
        version = f"{layer_name}:{published['Version']}"
        print(f"pushed  {layer.logical_id:<26} {version:<32} {len(package) / 1024:8.0f} KB {_ms(started):6d} ms  "
              f"({reason}; {len(users)} functions switched)", flush=True)

    def _name(self, logical_id: str) -> str | None:
        if logical_id not in self.names:
            self.names = deployed_functions(self.target)  # deployed since the watch started
        return self.names.get(logical_id)

    def _wait_updated(self, name: str) -> None:
        """Wait until the emulator reports the update done, so the next invocation runs the new code."""
        deadline = time.monotonic() + UPDATE_TIMEOUT_SECONDS
        while time.monotonic() < deadline:
            config = self.client.get_function_configuration(FunctionName=name)
            status = config.get("LastUpdateStatus", "Successful")
            if status == "Successful":
                return
            if status == "Failed":
                raise WatchError(f"{name}: update failed: {config.get('LastUpdateStatusReason', '')}")
            time.sleep(0.1)
        raise WatchError(f"{name}: update still in progress after {UPDATE_TIMEOUT_SECONDS:.0f}s")

    def _forget(self, arns: set[str]) -> None:
        for arn in arns:
            try:
                self.client.delete_layer_version(LayerName=_layer_name(arn), VersionNumber=_layer_version(arn))
            except ClientError:
                continue  # already gone: nothing to tidy


def _stack_layer_versions(target: Target) -> set[str]:
    """ARNs of the layer versions that are resources of the deployed stack."""
    cloudformation = boto3.client("cloudformation", endpoint_url=target.endpoint, region_name=REGION)
    resources = cloudformation.describe_stack_resources(StackName=target.stack_name)["StackResources"]
    return {str(r["PhysicalResourceId"]) for r in resources if r["ResourceType"] == "AWS::Lambda::LayerVersion"}


def _layer_name(arn: str) -> str:
    """``arn:aws:lambda:<region>:<account>:layer:<name>:<version>`` → ``<name>``."""
    return arn.split(":")[6]


def _layer_version(arn: str) -> int:
    return int(arn.rsplit(":", 1)[1])


def _ms(started: float) -> int:
    return round((time.monotonic() - started) * 1000)


def push(pusher: Pusher, work: Plan, reason: str) -> None:
    """Carry out a plan: layers first (their functions restart anyway), then function code."""
    for path in work.requirements:
        print(f"skipped {path.relative_to(ROOT)}: dependencies change with `make up`", flush=True)
    for layer in work.layers:
        pusher.push_layer(layer, reason)
    pusher.push_functions(work.functions, reason)


def _describe(paths: set[Path]) -> str:
    names = sorted(str(path.relative_to(ROOT)) if path.is_relative_to(ROOT) else str(path) for path in paths)
    return names[0] if len(names) == 1 else f"{names[0]} and {len(names) - 1} more"


def watch(folders: list[Path], on_change: Callable[[set[Path]], None],
          poll_seconds: float = POLL_SECONDS) -> None:
    """Poll ``folders`` every ``poll_seconds`` and hand each batch of changed files to ``on_change``."""
    before = snapshot(folders)
    while True:
        time.sleep(poll_seconds)
        after = snapshot(folders)
        paths = changed(before, after)
        before = after
        if paths:
            on_change(paths)


def push_once(pusher: Pusher, path: Path, specs: list[FunctionSpec], layers: list[LayerSpec]) -> None:
    """Push the functions or the layer ``path`` belongs to, whether or not it changed."""
    path = (path if path.is_absolute() else Path.cwd() / path).resolve()
    work = plan([path], specs, layers)
    if not (work.functions or work.layers or work.requirements):
        raise SystemExit(f"{path} is in no function's CodeUri and no layer's ContentUri")
    try:
        push(pusher, work, _describe({path}))
    except WatchError as error:
        raise SystemExit(str(error)) from error


def web_sources(paths: set[Path]) -> set[Path]:
    """The web app's own sources among ``paths`` (its generated API types are the build's output, not input)."""
    return {path for path in paths if path.is_relative_to(webapp.WEB) and path != webapp.GENERATED}


def publish_web(target: Target, reason: str) -> None:
    started = time.monotonic()
    built = webapp.build()
    found = discover(target)
    webapp.publish(target, found.web_bucket, found.rest, found.websocket)
    print(f"web     {reason}: {built}; published in {_ms(started)} ms → {found.app}", flush=True)


def watch_forever(pusher: Pusher, specs: list[FunctionSpec], layers: list[LayerSpec]) -> None:
    """Push every saved change until interrupted; a failed push is reported and the next save retries."""
    folders = sorted({spec.code_dir for spec in specs} | {layer.content_dir for layer in layers}
                     | {webapp.WEB / "src"})
    for layer in layers:
        try:
            layer_zip(layer)  # compress the layer's dependencies now, not on the first save
        except (WatchError, OSError) as error:  # OSError: `sam build` rewriting the folder right now
            print(f"note    {layer.logical_id} not prepared ({error}); its first push takes longer", flush=True)
    shown = ", ".join(str(folder.relative_to(ROOT)) + "/" for folder in folders)
    target = pusher.target
    print(f"watching {shown} → {target.stack_name} on {target.endpoint} (ctrl-C stops)", flush=True)

    def on_change(paths: set[Path]) -> None:
        web = web_sources(paths)
        code = {path for path in paths if not path.is_relative_to(webapp.WEB)}
        try:
            if web:
                publish_web(target, _describe(web))
            if code:
                push(pusher, plan(code, specs, layers), _describe(code))
        except (ClientError, BotoCoreError, WatchError, OSError, ToolError) as error:
            print(f"failed  {_describe(web | code)}: {error}", flush=True)

    watch(folders, on_change)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--once", type=Path, metavar="PATH", help="push what PATH belongs to, then exit")
    args = parser.parse_args()
    # `kill <pid>` stops the watch as ctrl-C does.
    signal.signal(signal.SIGTERM, signal.default_int_handler)
    target = activate(default_target())
    if not emulator.is_healthy(target):
        raise SystemExit(f"no emulator answers on {target.endpoint}: run `make up` first")
    try:
        pusher = Pusher(target)
    except ClientError as error:
        raise SystemExit(f"stack {target.stack_name} is not deployed on {target.endpoint}: run `make up`") from error
    try:
        if args.once is not None:
            push_once(pusher, args.once, function_specs(), layer_specs())
        else:
            watch_forever(pusher, function_specs(), layer_specs())
    except KeyboardInterrupt:
        print("\nwatch stopped (a push cut short is redone by the next save, or by `make up`)", flush=True)


if __name__ == "__main__":
    run(main)
