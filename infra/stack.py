"""Look up what is deployed: a function's physical name from its logical id in template.yaml."""

from __future__ import annotations

import boto3

from infra.config import REGION, Target


def function_name(target: Target, logical_id: str) -> str:
    """The deployed name of ``logical_id`` (for example GatewayFunction → deepiri-dev-gateway)."""
    cloudformation = boto3.client("cloudformation", endpoint_url=target.endpoint, region_name=REGION)
    try:
        found = cloudformation.describe_stack_resource(StackName=target.stack_name, LogicalResourceId=logical_id)
    except cloudformation.exceptions.ClientError as error:
        raise SystemExit(f"{logical_id} is not a resource of stack {target.stack_name}: {error}") from error
    return str(found["StackResourceDetail"]["PhysicalResourceId"])


def functions(target: Target) -> dict[str, str]:
    """Every Lambda function of the stack: logical id → deployed name."""
    cloudformation = boto3.client("cloudformation", endpoint_url=target.endpoint, region_name=REGION)
    resources = cloudformation.describe_stack_resources(StackName=target.stack_name)["StackResources"]
    return {
        r["LogicalResourceId"]: r["PhysicalResourceId"]
        for r in resources if r["ResourceType"] == "AWS::Lambda::Function"
    }
