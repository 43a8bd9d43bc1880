"""Cold starts measured where Lambda runs them, against a floor; and what each deploy unit weighs.

Three tables, each a ratio to the floor (``floor/floor_handler.py``: a minimal Powertools REST function
with validation, one pydantic and one PynamoDB model), measured in the same run:

- cold import: each handler module imported by the Lambda runtime interpreter (``.local/runtime``, boto3
  only, as on AWS) with the function's ``sam build`` folder and the built common layer as its path, in a
  fresh process each time, median of ``IMPORT_RUNS``, next to ``import boto3``;
- first invocation: a few representative functions invoked on the emulator right after their worker
  was recycled (an UpdateFunctionConfiguration, as a deploy does), next to warm invocations, and the
  floor deployed as a function of its own with the same layer;
- package size: the layer's and each function's unzipped size, and whether anything the runtime
  provides (boto3, botocore) is shipped again.
"""

from __future__ import annotations

import io
import json
import os
import secrets
import statistics
import time
import zipfile
from pathlib import Path
from typing import Any

import boto3
from botocore.exceptions import BotoCoreError, ClientError

from infra import emulator
from infra.bench.core import BenchError, Result, Row, function_environment, ratio, run_probe, verdict
from infra.config import BUILD_DIR, REGION, ROOT, RUNTIME_PYTHON, Target
from infra.stack import functions as deployed_functions
from infra.template import Intrinsics
from infra.watch import FunctionSpec, function_specs, source_files

FLOOR_DIR = Path(__file__).resolve().parent / "floor"
FLOOR_MODULE = "floor_handler"
FLOOR_LABEL = "the floor (floor/floor_handler.py)"
LAYER_ID = "CommonLayer"
IMPORT_RUNS = 7
IMPORT_TIMEOUT_SECONDS = 60.0
COLD_LIMIT = 1.3  # a function's cold start may cost at most this many times the floor's
LAYER_LIMIT_MB = 50.0
COLD_ROUNDS = 5  # first invocations per function: each after its worker was recycled
WARM_INVOCATIONS = 10
# What the Lambda python3.11 runtime already holds: shipping it again only adds to every cold start.
RUNTIME_PROVIDED = ("boto3", "botocore", "s3transfer", "jmespath", "dateutil", "urllib3", "six.py")
# Functions whose first invocation is measured, each with a sample event it answers without a stack user.
REPRESENTATIVE: dict[str, Path] = {
    "GatewayFunction": ROOT / "events" / "gateway-health.json",
    "TasksApiFunction": ROOT / "events" / "tasks-list.json",
    "UsersApiFunction": ROOT / "events" / "users-me.json",
    # Sign-in of an unknown address: one argon2 verification, the rate-limit writes and the models its
    # route uses (built on first use), answered 401.
    "UsersAuthFunction": ROOT / "events" / "users-login.json",
    "RealtimeApiFunction": ROOT / "events" / "realtime-me.json",
}
# The cost of Tracing=Full (the X-Ray SDK in every function), shown on one function.
TRACED_FUNCTION = "TasksApiFunction"
FLOOR_FUNCTION = "bench-floor"
FLOOR_EVENT = ROOT / "events" / "gateway-health.json"  # reshaped into GET /floor/{item_id}


def run(target: Target) -> Result:
    """Cold imports on the runtime interpreter, then first invocations on the emulator, then package sizes."""
    result = Result(title=f"cold import on the Lambda runtime interpreter (median of {IMPORT_RUNS} fresh processes)",
                    columns=["median ms", "x floor"])
    layer = BUILD_DIR / LAYER_ID / "python"
    if not layer.is_dir() or not RUNTIME_PYTHON.exists():
        result.notes.append(f"skipped: {layer.relative_to(ROOT)} or {RUNTIME_PYTHON.relative_to(ROOT)} is missing; "
                            "run `make up` (it runs `sam build`), then `make bench`")
        return result
    _cold_imports(target, layer, result)
    result.parts.append(_first_invocations(target))
    result.parts.append(_package_sizes())
    return result


# ---------------------------------------------------------------- cold imports


def import_env(logical_id: str | None, path: list[Path], stage: str) -> dict[str, str]:
    """What a Lambda process of ``logical_id`` starts with: its variables, the region, its code on the path."""
    keep = ("PATH", "HOME", "LANG", "TMPDIR")
    return {
        **{key: value for key, value in os.environ.items() if key in keep},
        **(function_environment(logical_id, stage) if logical_id else {}),
        "AWS_DEFAULT_REGION": REGION,
        "AWS_REGION": REGION,
        "AWS_LAMBDA_FUNCTION_NAME": logical_id or "bench",
        "LAMBDA_TASK_ROOT": str(path[0]) if path else "",
        "AWS_EXECUTION_ENV": "AWS_Lambda_python3.11",
        "PYTHONPATH": os.pathsep.join(str(folder) for folder in path),
        "PYTHONDONTWRITEBYTECODE": "1",
    }


def _cold_imports(target: Target, layer: Path, result: Result) -> None:
    """Median import time of boto3, the floor and every handler module, round-robin over fresh processes."""
    cases: dict[str, tuple[str, dict[str, str]]] = {
        "import boto3": ("boto3", import_env(None, [], target.stage)),
        FLOOR_LABEL: (FLOOR_MODULE, import_env(None, [FLOOR_DIR, layer], target.stage)),
    }
    missing: list[str] = []
    for spec in function_specs():
        built = BUILD_DIR / spec.logical_id
        if not built.is_dir():
            missing.append(spec.logical_id)
            continue
        cases.setdefault(spec.module, (spec.module, import_env(spec.logical_id, [built, layer], target.stage)))
        if spec.logical_id == TRACED_FUNCTION:
            env = import_env(spec.logical_id, [built, layer], target.stage)
            cases[f"{spec.module} with Tracing=Full"] = (spec.module, {**env, "POWERTOOLS_TRACE_DISABLED": "false"})
    samples: dict[str, list[float]] = {label: [] for label in cases}
    failures: dict[str, str] = {}
    for _ in range(IMPORT_RUNS):  # round-robin, so a slow moment of the machine spreads over every module
        for label, (module, env) in cases.items():
            if label in failures:
                continue
            try:
                output = run_probe("infra.bench.probes.import_time", [module], env, IMPORT_TIMEOUT_SECONDS,
                                   python=RUNTIME_PYTHON)
                samples[label].append(float(output))
            except (BenchError, ValueError) as error:
                failures[label] = str(error)
    medians = {label: statistics.median(values) if values else None for label, values in samples.items()}
    floor = medians[FLOOR_LABEL]
    ratios = {label: ratio(value, floor) for label, value in medians.items()}
    result.rows = [Row(label, [medians[label], ratios[label]]) for label in cases]
    functions = [label for label in cases if label not in ("import boto3", FLOOR_LABEL) and "Tracing" not in label]
    worst = max(functions, key=lambda label: ratios[label] or float("inf"), default=None)
    result.verdicts.append(verdict(f"worst function import / floor ({worst})",
                                   None if worst is None or worst in failures else ratios[worst], COLD_LIMIT))
    result.notes.extend(f"{label} did not import: {reason}" for label, reason in failures.items())
    if missing:
        result.notes.append(f"not built (run `make up`): {', '.join(missing)}")
    result.data = {
        "interpreter": str(RUNTIME_PYTHON.relative_to(ROOT)),
        "runs": IMPORT_RUNS,
        "pythonpath": ["<function build folder>", str(layer.relative_to(ROOT))],
        "criterion_limit": COLD_LIMIT,
        "modules": {label: {"median_ms": medians[label], "samples_ms": samples[label], "ratio_to_floor": ratios[label],
                            "error": failures.get(label)} for label in cases},
    }


# ---------------------------------------------------------------- first invocations on the emulator


def _first_invocations(target: Target) -> Result:
    part = Result(title=f"first invocation on the emulator after a redeploy (median of {COLD_ROUNDS}) "
                        f"and warm (median of {WARM_INVOCATIONS})",
                  columns=["cold ms", "warm ms", "x floor"])
    if not emulator.is_healthy(target):
        part.notes.append(f"skipped: no stack answers on {target.endpoint}; run `make up`, then `make bench`")
        return part
    client: Any = boto3.client("lambda", endpoint_url=target.endpoint, region_name=REGION)
    try:
        names = deployed_functions(target)
        floor_name = _deploy_floor(client, target, names)
    except (ClientError, BotoCoreError, BenchError) as error:
        part.notes.append(f"skipped: stack {target.stack_name} is not deployed or the floor could not be ({error})")
        return part
    cases = {FLOOR_LABEL: (floor_name, _floor_event())}
    cases.update({logical_id: (names[logical_id], _sample_event(path))
                  for logical_id, path in REPRESENTATIVE.items() if logical_id in names})
    try:
        cold: dict[str, list[float]] = {label: [] for label in cases}
        statuses: dict[str, set[str]] = {label: set() for label in cases}
        for _ in range(COLD_ROUNDS):
            for label, (name, event) in cases.items():
                _recycle(client, name)
                elapsed, status = _invoke(client, name, event)
                cold[label].append(elapsed)
                statuses[label].add(status)
        warm = {label: [_invoke(client, name, event)[0] for _ in range(WARM_INVOCATIONS)]
                for label, (name, event) in cases.items()}
    finally:
        _delete_quietly(client, floor_name)
    medians = {label: (statistics.median(cold[label]), statistics.median(warm[label])) for label in cases}
    floor_cold = medians[FLOOR_LABEL][0]
    ratios = {label: ratio(medians[label][0], floor_cold) for label in cases}
    part.rows = [Row(label, [medians[label][0], medians[label][1], ratios[label]]) for label in cases]
    functions = [label for label in cases if label != FLOOR_LABEL]
    worst = max(functions, key=lambda label: ratios[label] or 0.0, default=None)
    part.verdicts.append(verdict(f"worst first invocation / floor ({worst})",
                                 ratios[worst] if worst else None, COLD_LIMIT))
    part.notes.append("answers: " + ", ".join(f"{label} {'/'.join(sorted(statuses[label]))}" for label in cases))
    part.data = {"criterion_limit": COLD_LIMIT, "functions": {
        label: {"cold_ms": cold[label], "warm_ms": warm[label], "cold_median_ms": medians[label][0],
                "warm_median_ms": medians[label][1], "ratio_cold_to_floor": ratios[label],
                "answers": sorted(statuses[label])} for label in cases}}
    return part


def _sample_event(path: Path) -> dict[str, Any]:
    """A representative's sample event; a sign-in gets an address and a source address of its own each run,
    so that the per-address and per-source rate limits never answer before the password check does."""
    event: dict[str, Any] = json.loads(path.read_text())
    if path.name == "users-login.json":
        run = secrets.token_bytes(3)
        event["body"] = json.dumps({**json.loads(event["body"]), "email": f"bench-{run.hex()}@example.com"})
        event["requestContext"]["identity"]["sourceIp"] = f"198.18.{run[0]}.{run[1]}"  # the benchmarking range
    return event


def _floor_event() -> dict[str, Any]:
    event: dict[str, Any] = json.loads(FLOOR_EVENT.read_text())
    event.update(resource="/floor/{item_id}", path="/floor/bench", pathParameters={"item_id": "bench"})
    event["requestContext"].update(resourcePath="/floor/{item_id}", path="/dev/floor/bench")
    return event


def _deploy_floor(client: Any, target: Target, names: dict[str, str]) -> str:
    """Create the floor as a function beside the stack's, configured as the gateway function is (layer,
    memory, tracing, logging, environment); only its code differs. Returns its name."""
    gateway = client.get_function_configuration(FunctionName=names["GatewayFunction"])
    layers = [entry["Arn"] for entry in gateway.get("Layers", [])]
    variables = dict(gateway.get("Environment", {}).get("Variables", {}))
    name = f"deepiri-{target.stage}-{FLOOR_FUNCTION}"
    _delete_quietly(client, name)  # a run cut short may have left it
    archive = io.BytesIO()
    with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED) as package:
        for path in source_files(FLOOR_DIR):
            package.write(path, path.relative_to(FLOOR_DIR).as_posix())
    table = Intrinsics(stage=target.stage, region=REGION).physical_name("TasksTable")
    optional = {key: gateway[key] for key in ("LoggingConfig", "Architectures") if key in gateway}
    if "TracingConfig" in gateway:
        optional["TracingConfig"] = {"Mode": gateway["TracingConfig"].get("Mode", "PassThrough")}
    client.create_function(
        FunctionName=name, Runtime=gateway.get("Runtime", "python3.11"), Handler=f"{FLOOR_MODULE}.handler",
        Timeout=gateway.get("Timeout", 10), MemorySize=gateway.get("MemorySize", 512), Role=gateway["Role"],
        Code={"ZipFile": archive.getvalue()}, Layers=layers,
        Environment={"Variables": {**variables, "FLOOR_TABLE": table, "POWERTOOLS_SERVICE_NAME": "bench-floor"}},
        **optional,
    )
    _wait_ready(client, name)
    return name


def _recycle(client: Any, name: str) -> None:
    """Make the next invocation a cold one: re-applying the environment replaces the worker, as a deploy does."""
    config = client.get_function_configuration(FunctionName=name)
    client.update_function_configuration(FunctionName=name, Environment=config.get("Environment", {"Variables": {}}))
    _wait_ready(client, name)


def _wait_ready(client: Any, name: str, timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        config = client.get_function_configuration(FunctionName=name)
        if config.get("State", "Active") == "Active" and config.get("LastUpdateStatus", "Successful") == "Successful":
            return
        time.sleep(0.1)
    raise BenchError(f"{name} not ready after {timeout:.0f}s")


def _invoke(client: Any, name: str, event: dict[str, Any]) -> tuple[float, str]:
    """One synchronous invocation: its time (ms) as the caller sees it and the answer's status."""
    started = time.perf_counter()
    response = client.invoke(FunctionName=name, Payload=json.dumps(event).encode())
    payload = response["Payload"].read()
    elapsed = (time.perf_counter() - started) * 1000
    if response.get("FunctionError"):
        return elapsed, "error"
    try:
        return elapsed, str(json.loads(payload or b"{}").get("statusCode", "ok"))
    except (ValueError, AttributeError):
        return elapsed, "ok"


def _delete_quietly(client: Any, name: str) -> None:
    try:
        client.delete_function(FunctionName=name)
    except ClientError as error:
        if error.response.get("Error", {}).get("Code") != "ResourceNotFoundException":
            raise


# ---------------------------------------------------------------- package sizes


def _folder_bytes(folder: Path) -> int:
    """What a folder's files weigh unzipped, bytecode included (it is shipped)."""
    return sum(path.stat().st_size for path in folder.rglob("*") if path.is_file())


def _package_sizes() -> Result:
    part = Result(title="package size, unzipped (sam build output)", columns=["MB"])
    layer = BUILD_DIR / LAYER_ID / "python"
    layer_mb = _folder_bytes(layer) / 1e6
    part.rows.append(Row(f"{LAYER_ID} layer", [layer_mb]))
    by_code: dict[Path, list[FunctionSpec]] = {}
    for spec in function_specs():
        by_code.setdefault(spec.code_dir, []).append(spec)
    sizes: dict[str, float] = {}
    for code_dir, specs in by_code.items():
        built = [BUILD_DIR / spec.logical_id for spec in specs if (BUILD_DIR / spec.logical_id).is_dir()]
        if not built:
            continue
        megabytes = max(_folder_bytes(folder) for folder in built) / 1e6
        sizes[code_dir.name] = megabytes
        part.rows.append(Row(f"{code_dir.relative_to(ROOT)}/ ({len(specs)} functions, each)", [megabytes]))
    shipped = sorted(entry.name for entry in layer.iterdir() if entry.name.startswith(RUNTIME_PROVIDED)) \
        if layer.is_dir() else []
    biggest = sorted(((entry.name, _folder_bytes(entry) / 1e6 if entry.is_dir() else entry.stat().st_size / 1e6)
                      for entry in layer.iterdir() if not entry.name.endswith(".dist-info")),
                     key=lambda pair: -pair[1])[:6] if layer.is_dir() else []
    part.notes.append("largest in the layer: " + ", ".join(f"{name} {size:.1f} MB" for name, size in biggest))
    part.notes.append("shipped although the runtime provides it: " + (", ".join(shipped) or "nothing"))
    word = "PASS" if layer_mb < LAYER_LIMIT_MB else "FAIL"
    part.verdicts.append(f"{word}: layer {layer_mb:.1f} MB unzipped (limit {LAYER_LIMIT_MB:.0f} MB)")
    part.data = {"layer_mb": layer_mb, "function_mb": sizes, "runtime_provided_shipped": shipped,
                 "largest_in_layer_mb": dict(biggest), "limit_mb": LAYER_LIMIT_MB}
    return part
