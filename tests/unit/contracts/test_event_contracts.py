"""Event contracts: committed schemas match the producers' models, and every consumer accepts what its
producer may send (events generated from the producer's schema: nulls, optional fields left out, extra
fields added, the edge values hypothesis favours)."""

from __future__ import annotations

import copy
import importlib
import json
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis_jsonschema import from_schema
from pydantic import BaseModel, ConfigDict, ValidationError

from infra import contracts
from infra.template import Intrinsics, load_template

KNOWN = contracts.contracts()
DECLARED = contracts.consumers()
PAIRS = [(c.module, detail_type, model) for c in DECLARED for detail_type, model in c.consumes.items()]
JSON_SCALARS = st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=20)
EXTRA_VALUES = JSON_SCALARS | st.lists(JSON_SCALARS, max_size=3) | st.dictionaries(st.text(max_size=5), JSON_SCALARS,
                                                                                    max_size=3)


def committed_schema(detail_type: str) -> dict[str, Any]:
    return json.loads((contracts.CONTRACTS / f"{detail_type}.json").read_text())


def with_extra_fields(schema: dict[str, Any]) -> st.SearchStrategy[dict[str, Any]]:
    """Instances of ``schema``, sometimes with fields the producer may add later (never its own names)."""
    known = set(schema.get("properties", {}))
    extras = st.dictionaries(st.text(min_size=1, max_size=12).filter(lambda k: k not in known), EXTRA_VALUES,
                             max_size=3)
    return st.tuples(from_schema(schema), extras).map(lambda pair: {**pair[1], **pair[0]})


def sparsest(schema: dict[str, Any]) -> dict[str, Any]:
    """``schema`` narrowed to its leanest instances: every optional field left out, every nullable one null."""
    lean = copy.deepcopy(schema)
    required = set(lean.get("required", []))
    properties = {}
    for name, spec in lean.get("properties", {}).items():
        if name not in required:
            continue
        nullable = any(option.get("type") == "null" for option in spec.get("anyOf", []))
        properties[name] = {"type": "null"} if nullable else spec
    lean["properties"] = properties
    lean["additionalProperties"] = False
    return lean


def accepts_everything(model: type[BaseModel], strategy: st.SearchStrategy[dict[str, Any]], examples: int) -> None:
    """Raise (with the smallest counterexample) unless ``model`` validates every instance of ``strategy``."""

    @settings(max_examples=examples, deadline=None, database=None, derandomize=True,
              suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much])
    @given(strategy)
    def check(data: dict[str, Any]) -> None:
        model.model_validate(data)

    check()


@pytest.mark.parametrize(("consumer", "detail_type", "model"), PAIRS, ids=[f"{m}:{d}" for m, d, _ in PAIRS])
def test_given_events_from_the_producers_schema_then_the_consumers_model_accepts_every_one(
    consumer: str, detail_type: str, model: type[BaseModel],
) -> None:
    schema = committed_schema(detail_type)

    accepts_everything(model, with_extra_fields(schema), examples=60)
    accepts_everything(model, from_schema(sparsest(schema)), examples=10)


def test_given_every_consumer_then_each_event_it_reads_has_a_producer_contract() -> None:
    unowned = [(c.module, d) for c in DECLARED for d in c.consumes if d not in KNOWN]
    assert unowned == []
    assert {c.service for c in DECLARED} >= {"users", "tasks", "realtime"}


def test_given_the_producers_models_then_the_committed_schemas_and_readme_catalogue_are_current() -> None:
    assert contracts.problems(KNOWN, DECLARED) == []


def test_given_a_consumer_stricter_than_its_producer_then_the_contract_check_fails() -> None:
    # The consumer model that dead-lettered every TaskCompleted of a task without a due date.
    class StrictTaskCompleted(BaseModel):
        model_config = ConfigDict(extra="ignore")
        taskId: str
        onTime: bool = False

    with pytest.raises(ValidationError, match="onTime"):
        accepts_everything(StrictTaskCompleted, with_extra_fields(committed_schema("TaskCompleted")), examples=60)


def test_given_a_producer_dropping_a_field_a_consumer_reads_then_the_contract_check_fails() -> None:
    schema = committed_schema("TaskCompleted")
    schema["properties"].pop("firstCompletion")
    schema["required"].remove("firstCompletion")
    (users,) = [c for c in DECLARED if c.service == "users"]

    with pytest.raises(ValidationError, match="firstCompletion"):
        accepts_everything(users.consumes["TaskCompleted"], from_schema(sparsest(schema)), examples=10)


def _consumer(resources: dict[str, Any], module: str) -> tuple[dict[str, Any], str]:
    """A consumer's function, and the nested application (stacks/consumer.yaml) its queue belongs to."""
    (function,) = [r for r in resources.values() if r["Type"] == "AWS::Serverless::Function"
                   and r["Properties"].get("Handler") == f"{module}.handler"]
    (queue,) = [e["Properties"]["Queue"] for e in function["Properties"]["Events"].values() if e["Type"] == "SQS"]
    application, output = queue["Fn::GetAtt"]
    assert output == "Outputs.QueueArn", module
    assert resources[application]["Properties"]["Location"] == "stacks/consumer.yaml", module
    return function, str(application)


def test_given_each_consumer_function_then_its_rule_routes_exactly_the_declared_detail_types() -> None:
    resources = load_template()["Resources"]
    root = Intrinsics(stage="qa")
    for consumer in DECLARED:
        _, application = _consumer(resources, consumer.module)
        owner, rule = root.resource(f"{application}.Rule")
        pattern = owner.resolve(owner.template["Resources"][rule]["Properties"]["EventPattern"])
        assert pattern["source"] == [{"prefix": "deepiri."}]
        # A consumer that keeps every event (an archive) says so; its rule then filters no detail-type.
        if getattr(importlib.import_module(consumer.module), "READS_EVERY_EVENT", False):
            assert "detail-type" not in pattern, consumer.module
            continue
        assert set(pattern["detail-type"]) == set(consumer.consumes), consumer.module
        assert len(pattern["detail-type"]) == len(consumer.consumes), consumer.module


def test_given_each_consumer_function_then_it_knows_its_dead_letter_queue_and_may_send_to_it() -> None:
    resources = load_template()["Resources"]
    for consumer in DECLARED:
        function, application = _consumer(resources, consumer.module)
        variables = function["Properties"]["Environment"]["Variables"]
        assert variables["DEAD_LETTER_QUEUE_URL"] == {"Fn::GetAtt": [application, "Outputs.DeadLetterQueueUrl"]}
        may_send = {"SQSSendMessagePolicy": {"QueueName": {"Fn::GetAtt": [application, "Outputs.DeadLetterQueueName"]}}}
        assert may_send in function["Properties"]["Policies"], consumer.module
