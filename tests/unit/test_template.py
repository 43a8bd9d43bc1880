"""The one resolver of template.yaml's intrinsics, shared by watch, bench and the tests."""

from __future__ import annotations

import pytest

from infra.template import Intrinsics, Unresolvable

TEMPLATE = {
    "Parameters": {"LogLevel": {"Default": "INFO"}, "Tracing": {"Default": "Lambda"}},
    "Conditions": {"Traced": {"Fn::Equals": [{"Ref": "Tracing"}, "Full"]},
                   "Untraced": {"Fn::Not": [{"Condition": "Traced"}]}},
    "Resources": {
        "Table": {"Type": "AWS::DynamoDB::Table", "Properties": {"TableName": {"Fn::Sub": "deepiri-${Stage}-t"}}},
        "Queue": {"Type": "AWS::SQS::Queue", "Properties": {"QueueName": "plain-queue"}},
        "Api": {"Type": "AWS::Serverless::Api", "Properties": {}},
    },
}


def _intrinsics(**overrides: str) -> Intrinsics:
    return Intrinsics(stage="qa", region="eu-west-1", account="111122223333", overrides=overrides, template=TEMPLATE)


def test_given_refs_subs_and_joins_then_they_resolve_as_a_deployment_names_things() -> None:
    intrinsics = _intrinsics()

    assert intrinsics.resolve({"Ref": "Table"}) == "deepiri-qa-t"
    assert intrinsics.resolve({"Ref": "LogLevel"}) == "INFO"
    assert intrinsics.resolve({"Ref": "Api"}) == "Api"  # no name property: the logical id
    assert intrinsics.resolve({"Fn::Sub": "${AWS::Region}/${Table}/${Queue.Arn}"}) == (
        "eu-west-1/deepiri-qa-t/arn:aws:sqs:eu-west-1:111122223333:plain-queue")
    assert intrinsics.resolve({"Fn::Sub": ["${x}-${Stage}", {"x": {"Ref": "Queue"}}]}) == "plain-queue-qa"
    assert intrinsics.resolve({"Fn::Join": [",", [{"Ref": "Table"}, "b"]]}) == "deepiri-qa-t,b"
    assert intrinsics.resolve({"Fn::GetAtt": ["Table", "Arn"]}) == (
        "arn:aws:dynamodb:eu-west-1:111122223333:table/deepiri-qa-t")
    assert intrinsics.resolve({"k": [{"Ref": "Stage"}]}) == {"k": ["qa"]}


def test_given_conditions_then_if_follows_the_parameters_and_their_overrides() -> None:
    value = {"Fn::If": ["Untraced", "true", "false"]}

    assert _intrinsics().resolve(value) == "true"
    assert _intrinsics(Tracing="Full").resolve(value) == "false"


def test_given_what_only_a_deployment_knows_then_it_is_unresolvable_or_the_default() -> None:
    intrinsics = _intrinsics()

    with pytest.raises(Unresolvable):
        intrinsics.resolve({"Fn::GetAtt": ["Table", "StreamArn"]})
    with pytest.raises(Unresolvable):
        intrinsics.resolve({"Ref": "Missing"})
    assert intrinsics.text({"Fn::ImportValue": "x"}, default="") == ""
