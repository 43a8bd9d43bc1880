"""Build moto resources from template.yaml's own definitions, so integration tests follow the template.

Only the resource types a test needs in-process are supported: DynamoDB tables, SQS queues, the
EventBridge bus, Secrets Manager secrets and S3 buckets. Intrinsics are resolved by the project's one resolver,
:class:`infra.template.Intrinsics`, for Stage=test.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import boto3

from deepiri_common.settings import reset_settings_cache
from infra.template import Intrinsics, load_template

STAGE = "test"
REGION = "us-east-1"
ACCOUNT = "123456789012"
_INTRINSICS = Intrinsics(stage=STAGE, region=REGION, account=ACCOUNT)


def template() -> dict[str, Any]:
    """The parsed template.yaml."""
    return load_template()


def resource(logical_id: str) -> dict[str, Any]:
    """One resource definition from the template (``App.Resource``: one inside a nested application)."""
    owner, local = _INTRINSICS.resource(logical_id)
    return dict(owner.template["Resources"][local])


def physical_name(logical_id: str) -> str:
    """The name a resource gets when deployed with Stage=test (its TableName / QueueName / Name)."""
    return _INTRINSICS.physical_name(logical_id)


def text(value: Any, default: str) -> str:
    """A template value (``!Ref``, ``!Sub``...) as a Stage=test deployment gives it; ``default`` when only
    a deployment knows it."""
    return _INTRINSICS.text(value, default=default)


def properties(logical_id: str) -> dict[str, Any]:
    """A resource's properties with every intrinsic resolved as a Stage=test deployment would."""
    owner, local = _INTRINSICS.resource(logical_id)
    return dict(owner.resolve(owner.template["Resources"][local].get("Properties", {})))


def create(*logical_ids: str) -> dict[str, str]:
    """Create the named resources in the active moto mock; return logical id → name (queue → URL).

    A consuming service's queues are ``<Service>Events.Queue`` and ``<Service>Events.DeadLetterQueue``
    (stacks/consumer.yaml); their redrive policy is left out: tests that need it set it themselves.
    """
    created: dict[str, str] = {}
    for logical_id in logical_ids:
        kind = resource(logical_id)["Type"]
        props = properties(logical_id)
        creator = _CREATORS.get(kind)
        if creator is None:
            raise ValueError(f"{logical_id}: {kind} is not supported in-process")
        created[logical_id] = creator(props)
    return created


def fake_credentials(monkeypatch: Any) -> None:
    """Credentials no account accepts, this module's region, and no endpoint: moto (or nothing) answers."""
    for name, value in {"AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing",
                        "AWS_DEFAULT_REGION": REGION, "AWS_REGION": REGION}.items():
        monkeypatch.setenv(name, value)
    monkeypatch.delenv("AWS_ENDPOINT_URL", raising=False)


def create_env(monkeypatch: Any, **variables: str) -> dict[str, str]:
    """Create the resources named by ``variables`` (environment variable → logical id, as the function's
    template entry wires them) and set each variable to what was created; return logical id → name."""
    created = create(*dict.fromkeys(variables.values()))
    for variable, logical_id in variables.items():
        monkeypatch.setenv(variable, created[logical_id])
    return created


@contextmanager
def deployed(monkeypatch: Any, reset: Callable[[], None], **variables: str) -> Iterator[dict[str, str]]:
    """:func:`create_env`, with the service's wiring (``reset``) and every settings cache forgotten before
    and after, so the handlers build their collaborators on these resources."""
    created = create_env(monkeypatch, **variables)
    reset()
    reset_settings_cache()
    try:
        yield created
    finally:
        reset()
        reset_settings_cache()


def _create_table(props: dict[str, Any]) -> str:
    client = boto3.client("dynamodb", region_name=REGION)
    args: dict[str, Any] = {
        key: props[key]
        for key in ("TableName", "AttributeDefinitions", "KeySchema", "BillingMode", "GlobalSecondaryIndexes",
                    "LocalSecondaryIndexes", "StreamSpecification")
        if key in props
    }
    if "StreamSpecification" in args:  # CloudFormation implies StreamEnabled; the API wants it said
        args["StreamSpecification"] = {"StreamEnabled": True, **args["StreamSpecification"]}
    client.create_table(**args)
    ttl = props.get("TimeToLiveSpecification")
    if ttl:
        client.update_time_to_live(TableName=props["TableName"], TimeToLiveSpecification=ttl)
    return str(props["TableName"])


def _create_queue(props: dict[str, Any]) -> str:
    client = boto3.client("sqs", region_name=REGION)
    attributes = {
        key: str(props[key]) for key in ("VisibilityTimeout", "MessageRetentionPeriod") if key in props
    }
    return str(client.create_queue(QueueName=props["QueueName"], Attributes=attributes)["QueueUrl"])


def _create_bus(props: dict[str, Any]) -> str:
    boto3.client("events", region_name=REGION).create_event_bus(Name=props["Name"])
    return str(props["Name"])


def _create_secret(props: dict[str, Any]) -> str:
    # The deployed secret starts as a random placeholder string: the same here.
    client = boto3.client("secretsmanager", region_name=REGION)
    client.create_secret(Name=props["Name"], SecretString="placeholder-until-initialised")
    return str(props["Name"])


def _create_bucket(props: dict[str, Any]) -> str:
    boto3.client("s3", region_name=REGION).create_bucket(Bucket=props["BucketName"])
    return str(props["BucketName"])


_CREATORS = {
    "AWS::S3::Bucket": _create_bucket,
    "AWS::DynamoDB::Table": _create_table,
    "AWS::SQS::Queue": _create_queue,
    "AWS::Events::EventBus": _create_bus,
    "AWS::SecretsManager::Secret": _create_secret,
}
