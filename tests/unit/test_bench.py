"""`make bench`: the helpers of the benchmarks (infra/bench/), without a stack."""

from __future__ import annotations

import base64
import io
import json
import urllib.error
from collections.abc import Mapping
from typing import Any

import pytest

from infra.bench import core, local, login, realtime, report, runner, tasks
from infra.config import Target

REST = "http://127.0.0.1:4566/_aws/execute-api/abc/dev"


def _http_error(code: int) -> urllib.error.HTTPError:
    body = io.BytesIO(b'{"title": "Too Many Requests", "detail": "slow down"}')
    return urllib.error.HTTPError(f"{REST}/api/auth/login", code, "error", {}, body)  # type: ignore[arg-type]


def test_given_the_login_rate_limit_answers_then_the_loop_stops_with_a_note(monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[str] = []

    def post(url: str, body: Mapping[str, Any], timeout: float) -> dict[str, Any]:
        calls.append(url)
        if len(calls) > 3:
            raise _http_error(429)
        return {"accessToken": "token"}

    monkeypatch.setattr(local, "post_json", post)
    notes: list[str] = []
    user = local.BenchUser(email="bench@example.com", password="p" * 30, access_token="token")

    timings = login.login_timings(REST, user, 1, 14, budget=60.0, notes=notes)

    assert len(calls) == 4
    assert len(timings) == 2
    assert notes and "429" in notes[0]


def test_given_another_login_error_then_the_benchmark_fails_naming_it(monkeypatch: pytest.MonkeyPatch) -> None:
    def post(url: str, body: Mapping[str, Any], timeout: float) -> dict[str, Any]:
        raise _http_error(401)

    monkeypatch.setattr(local, "post_json", post)
    user = local.BenchUser(email="bench@example.com", password="p" * 30, access_token="token")

    with pytest.raises(core.BenchError, match="401"):
        login.login_timings(REST, user, 1, 14, budget=60.0, notes=[])


def test_given_two_benchmarks_ask_for_a_user_then_one_is_registered_per_run(monkeypatch: pytest.MonkeyPatch) -> None:
    bodies: list[Mapping[str, Any]] = []

    def post(url: str, body: Mapping[str, Any], timeout: float) -> dict[str, Any]:
        bodies.append(body)
        return {"tokens": {"accessToken": "token"}}

    monkeypatch.setattr(local, "post_json", post)
    monkeypatch.setattr(local, "_USERS", {})

    first, second = local.bench_user(REST), local.bench_user(REST)

    assert first is second
    assert len(bodies) == 1
    assert len(str(bodies[0]["password"])) >= 12


def test_given_a_ratio_below_one_then_it_keeps_two_decimals() -> None:
    assert report.cell(0.134, is_ratio=True).strip() == "0.13x"
    assert report.cell(2.84, is_ratio=True).strip() == "2.8x"


# ---------------------------------------------------------------- tasks_listing: capacity, seeding, verdict


def _dynamodb() -> Any:
    import boto3  # noqa: PLC0415 - no client is ever sent: every call below is stubbed

    return boto3.client("dynamodb", region_name="us-east-1", aws_access_key_id="x", aws_secret_access_key="x")


def _item(n: int, padding: int = 0) -> dict[str, Any]:
    return {"pk": {"S": f"TASK#{n}"}, "gsi1pk": {"S": "OWNER#u"}, "title": {"S": "t" * padding}}


def test_given_each_attribute_type_then_the_item_size_follows_dynamodbs_rules() -> None:
    assert tasks.item_size({"ab": {"S": "héllo"}}) == 2 + 6
    assert tasks.item_size({"n": {"N": "123.45"}}) == 1 + 4  # 5 significant digits: 3 bytes + 1
    assert tasks.item_size({"n": {"N": "-0.0100"}}) == 1 + 3  # "1": 1 byte + 1, + 1 for the sign
    assert tasks.item_size({"b": {"BOOL": True}, "z": {"NULL": True}}) == 2 + 2
    assert tasks.item_size({"l": {"L": [{"S": "ab"}, {"N": "7"}]}}) == 1 + 3 + (1 + 2) + (1 + 2)
    assert tasks.item_size({"m": {"M": {"k": {"S": "v"}}}}) == 1 + 3 + (1 + 1 + 1)
    assert tasks.item_size({"s": {"SS": ["a", "bc"]}, "x": {"B": b"\x00\x01"}}) == 1 + 3 + 1 + 2


def test_given_a_page_size_then_read_units_round_up_to_4_kb_halved_when_eventual() -> None:
    assert tasks.read_units(0, consistent=False) == 0.5
    assert tasks.read_units(4096, consistent=False) == 0.5
    assert tasks.read_units(4097, consistent=False) == 1.0
    assert tasks.read_units(4097, consistent=True) == 2.0


def test_given_a_metered_client_then_every_query_asks_for_capacity_and_both_figures_add_up() -> None:
    from botocore.stub import Stubber  # noqa: PLC0415

    client = _dynamodb()
    meter = tasks.QueryMeter(raw=None)
    meter.attach(client)
    sent: list[dict[str, Any]] = []  # the parameters as the request is built from them, after the meter's hook
    client.meta.events.register_last("before-parameter-build.dynamodb.Query",
                                     lambda params, **_: sent.append(dict(params)))
    items = [_item(n, padding=1000) for n in range(5)]  # 5 x ~1.03 KB: 2 units of 4 KB, 1.0 eventual
    args = {"TableName": "t", "IndexName": "gsi1", "KeyConditionExpression": "#ipk = :s",
            "ExpressionAttributeNames": {"#ipk": "gsi1pk"}, "ExpressionAttributeValues": {":s": {"S": "OWNER#u"}}}
    with Stubber(client) as stub:
        stub.add_response("query", {"Items": items, "Count": 5, "ScannedCount": 5,
                                    "ConsumedCapacity": {"TableName": "t", "CapacityUnits": 0.5}},
                          None)
        client.query(**args)

    assert sent[0]["ReturnConsumedCapacity"] == "TOTAL"

    figures = meter.figures()
    assert figures["queries"] == 1
    assert figures["reported_units"] == 0.5
    assert figures["computed_units"] == 1.0
    assert figures["items_evaluated"] == 5
    assert figures["bytes_read"] == sum(tasks.item_size(item) for item in items)


def test_given_a_filter_discarded_items_then_the_page_is_read_again_unfiltered_for_their_sizes() -> None:
    from botocore.stub import Stubber  # noqa: PLC0415

    client, raw = _dynamodb(), _dynamodb()
    meter = tasks.QueryMeter(raw=raw)
    meter.attach(client)
    kept, evaluated = [_item(0)], [_item(n, padding=3000) for n in range(3)]
    filtered = {"TableName": "t", "IndexName": "gsi1", "KeyConditionExpression": "#ipk = :s",
                "FilterExpression": "#status = :st", "ScanIndexForward": False, "Limit": 25,
                "ExpressionAttributeNames": {"#ipk": "gsi1pk", "#status": "status"},
                "ExpressionAttributeValues": {":s": {"S": "OWNER#u"}, ":st": {"S": "done"}}}
    with Stubber(client) as stub, Stubber(raw) as raw_stub:
        stub.add_response("query", {"Items": kept, "Count": 1, "ScannedCount": 3}, None)
        raw_stub.add_response("query", {"Items": evaluated, "Count": 3, "ScannedCount": 3}, {
            "TableName": "t", "IndexName": "gsi1", "KeyConditionExpression": "#ipk = :s", "ScanIndexForward": False,
            "Limit": 3, "ExpressionAttributeNames": {"#ipk": "gsi1pk"},
            "ExpressionAttributeValues": {":s": {"S": "OWNER#u"}}})
        client.query(**filtered)

    figures = meter.figures()
    assert figures["reported_units"] is None  # the stubbed backend reported nothing
    assert figures["items_returned"] == 1
    assert figures["items_evaluated"] == 3
    assert figures["bytes_read"] == sum(tasks.item_size(item) for item in evaluated)
    assert figures["computed_units"] == 1.5  # ~9.2 KB: 3 units of 4 KB, halved


class _FakeWriter:
    def __init__(self, unprocessed_once: bool = False) -> None:
        self.sizes: list[int] = []
        self._unprocessed_once = unprocessed_once

    def batch_write_item(self, RequestItems: dict[str, list[Any]]) -> dict[str, Any]:
        ((table, requests),) = RequestItems.items()
        self.sizes.append(len(requests))
        if self._unprocessed_once:
            self._unprocessed_once = False
            return {"UnprocessedItems": {table: requests[:2]}}
        return {"UnprocessedItems": {}}


def test_given_items_to_seed_then_they_go_25_a_call_and_unprocessed_ones_are_retried() -> None:
    writer = _FakeWriter(unprocessed_once=True)

    written = tasks.batch_write(writer, "t", ({"pk": {"S": str(n)}} for n in range(60)), deadline=10.0,
                                clock=lambda: 0.0)

    assert written == 60
    assert writer.sizes == [25, 2, 25, 10]


def test_given_seeding_runs_past_its_deadline_then_it_stops_saying_how_far_it_got() -> None:
    writer = _FakeWriter()
    ticks = iter([0.0, 0.0, 99.0])

    with pytest.raises(core.BenchError, match=r"after 50 items.*8-minute limit"):
        tasks.batch_write(writer, "t", ({"pk": {"S": str(n)}} for n in range(100)), deadline=10.0,
                          clock=lambda: next(ticks))
    assert writer.sizes == [25, 25]


def test_given_capacity_ratios_then_the_verdict_passes_only_when_all_are_measured_and_within_the_limit() -> None:
    assert tasks.capacity_verdict({"created": 1.0, "due": 1.05}).startswith("PASS")
    over = tasks.capacity_verdict({"created": 1.0, "due": 1.2})
    assert over.startswith("FAIL") and "due 1.20x" in over
    assert tasks.capacity_verdict({"created": 1.0, "due": None}).startswith("FAIL")
    assert tasks.capacity_verdict({}).startswith("FAIL")


def test_given_a_result_with_a_verdict_and_a_part_then_both_are_rendered_and_saved(tmp_path: Any) -> None:
    part = core.Result(title="latency part", columns=["p50 ms"], rows=[core.Row("list", [3.0])],
                        data={"list_ms": 3.0})
    result = core.Result(title="capacity", columns=["all"], rows=[core.Row("ratio", [1.0], ratio=True)],
                          verdicts=["PASS: fine"], parts=[part], data={"backend": "moto"})

    text = report.render({"tasks_listing": result})
    path = tmp_path / "bench.json"
    target = Target(endpoint="http://127.0.0.1:4566", stage="dev", state_dir=tmp_path)
    report.write_json(target, {"tasks_listing": result}, path)

    assert "  => PASS: fine" in text
    assert text.index("capacity") < text.index("latency part") < text.index("list")
    saved = json.loads(path.read_text())["benchmarks"]["tasks_listing"]
    assert saved["verdicts"] == ["PASS: fine"]
    assert saved["parts"][0]["list_ms"] == 3.0


# ---------------------------------------------------------------- running: all, or the ones named


def test_given_no_names_then_every_benchmark_runs_in_order() -> None:
    assert list(runner.selected([])) == ["health", "coldstart", "authorizer", "login", "tasks", "boards",
                                         "streaks", "realtime", "agent", "challenges", "webapp",
                                         "analytics"]


def test_given_names_then_only_those_run_and_an_unknown_one_is_refused() -> None:
    assert list(runner.selected(["tasks", "coldstart"])) == ["coldstart", "tasks"]
    with pytest.raises(SystemExit, match="unknown benchmark nope"):
        runner.selected(["nope"])


def test_given_a_ratio_and_a_limit_then_the_verdict_says_pass_or_fail() -> None:
    assert core.verdict("worst / floor", 1.29, 1.3).startswith("PASS")
    assert core.verdict("worst / floor", 1.31, 1.3).startswith("FAIL")
    assert core.verdict("worst / floor", None, 1.3) == "FAIL: worst / floor not measured"


def test_given_a_function_of_the_template_then_its_environment_is_resolved_for_the_stage() -> None:
    env = core.function_environment("AuthorizerFunction", "qa")

    assert env["USERS_TABLE"] == "deepiri-qa-users"
    assert env["JWT_ISSUER"] == "https://deepiri.qa"
    assert env["POWERTOOLS_TRACE_DISABLED"] == "true"  # the Tracing parameter's default keeps the SDK out


def test_given_arrivals_when_measuring_realtime_then_latency_is_to_the_last_connection_and_misses_left_out() -> None:
    published = {"e1": 10.0, "e2": 20.0, "e3": 30.0}
    arrivals = {"e1": [10.1, 10.4, 10.2], "e2": [20.05, 20.3], "e3": [30.2, 30.1, 30.9]}

    latencies = realtime.latencies_to_last(published, arrivals, expected=3)

    assert latencies == pytest.approx([400.0, 900.0])  # e2 reached only two of three connections


def test_given_an_access_token_then_the_bench_reads_its_subject() -> None:
    payload = base64.urlsafe_b64encode(json.dumps({"sub": "01USER"}).encode()).decode().rstrip("=")
    assert realtime.subject(f"header.{payload}.signature") == "01USER"
