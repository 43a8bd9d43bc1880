"""template.yaml as data: parsed with CloudFormation's short-form tags kept as long-form intrinsics, and
the one resolver of the intrinsics it uses (:class:`Intrinsics`), shared by watch, bench and the tests."""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from functools import cache
from pathlib import Path
from typing import Any

import yaml

from infra.config import REGION, TEMPLATE


class _CfnLoader(yaml.SafeLoader):  # type: ignore[misc]  # PyYAML ships no type stubs here
    """SafeLoader that turns CloudFormation short-form tags (!Ref, !Sub, ...) into long-form dicts."""


def _construct_tag(loader: yaml.SafeLoader, suffix: str, node: yaml.Node) -> dict[str, Any]:
    name = "Ref" if suffix == "Ref" else f"Fn::{suffix}"
    value: Any
    if isinstance(node, yaml.ScalarNode):
        value = loader.construct_scalar(node)
        if suffix == "GetAtt":
            value = value.split(".", 1)
    elif isinstance(node, yaml.SequenceNode):
        value = loader.construct_sequence(node, deep=True)
    elif isinstance(node, yaml.MappingNode):
        value = loader.construct_mapping(node, deep=True)
    else:
        raise yaml.constructor.ConstructorError(None, None, f"unexpected node for !{suffix}", node.start_mark)
    return {name: value}


_CfnLoader.add_multi_constructor("!", _construct_tag)


@cache
def load_template(path: Path = TEMPLATE) -> dict[str, Any]:
    """template.yaml parsed, CloudFormation tags kept as long-form intrinsics (``{"Ref": ...}``)."""
    with path.open() as handle:
        loaded: dict[str, Any] = yaml.load(handle, Loader=_CfnLoader)  # noqa: S506 - a SafeLoader subclass
    return loaded


# ---------------------------------------------------------------- intrinsic functions

# The property that holds a resource's physical name, by the name a `!Ref` of it returns.
_NAME_PROPERTIES = ("TableName", "QueueName", "FunctionName", "LayerName", "LogGroupName", "TopicName", "Name")
# ARN service and resource prefix of the resource types whose `!GetAtt X.Arn` the tests need.
_ARN_FORMS = {
    "AWS::DynamoDB::Table": ("dynamodb", "table/"),
    "AWS::SQS::Queue": ("sqs", ""),
    "AWS::SNS::Topic": ("sns", ""),
    "AWS::Events::EventBus": ("events", "event-bus/"),
    "AWS::Serverless::Function": ("lambda", "function:"),
    "AWS::Lambda::Function": ("lambda", "function:"),
}
_SUB_VARIABLE = re.compile(r"\$\{([^}!][^}]*)\}")


class Unresolvable(ValueError):
    """A value names something only a deployment knows (an attribute other than an ARN, a condition)."""


@dataclass(frozen=True)
class Intrinsics:
    """Resolves the intrinsics template.yaml uses (``Ref``, ``Fn::Sub``, ``Fn::GetAtt .Arn``, ``Fn::Join``,
    ``Fn::If``) for one stage, as a deployment would name things: the one resolver of watch, bench and tests.

    ``Ref`` of a parameter is its ``Default`` (``Stage`` is ``stage``; ``overrides`` replace any), split at
    commas when it is a ``CommaDelimitedList``; ``Ref`` of a resource is its physical name (the
    ``TableName``/``QueueName``/... property, else its logical id); ``!GetAtt X.Arn`` is the ARN that name
    gets; ``!GetAtt App.Outputs.Y`` is output ``Y`` of a nested application (:meth:`nested`) and
    ``App.Resource`` names a resource inside one. Anything else raises :class:`Unresolvable`.
    """

    stage: str
    region: str = REGION
    account: str = "000000000000"
    overrides: Mapping[str, str] = field(default_factory=dict)
    template: Mapping[str, Any] = field(default_factory=load_template)

    def resolve(self, value: Any) -> Any:
        """``value`` with every intrinsic inside it replaced by what it names (lists and maps walked)."""
        if isinstance(value, dict) and len(value) == 1:
            ((key, argument),) = value.items()
            if key == "Ref":
                return self.ref(str(argument))
            if key.startswith("Fn::"):
                return self._function(key, argument)
        if isinstance(value, dict):
            return {key: self.resolve(item) for key, item in value.items()}
        if isinstance(value, list):
            return [self.resolve(item) for item in value]
        return value

    def _function(self, key: str, argument: Any) -> Any:
        functions: dict[str, Callable[[Any], Any]] = {
            "Fn::Sub": self._sub, "Fn::GetAtt": self._get_att, "Fn::Join": self._join, "Fn::If": self._if,
        }
        if key not in functions:
            raise Unresolvable(f"{key} cannot be resolved off the cloud")
        return functions[key](argument)

    def _join(self, argument: Any) -> str:
        separator, parts = argument
        return str(separator).join(str(self.resolve(part)) for part in parts)

    def _if(self, argument: Any) -> Any:
        condition, when_true, when_false = argument
        return self.resolve(when_true if self.condition(str(condition)) else when_false)

    def text(self, value: Any, default: str | None = None) -> str:
        """``value`` resolved to a string; ``default`` when it cannot be (or :class:`Unresolvable` if None)."""
        try:
            resolved = self.resolve(value)
        except Unresolvable:
            if default is None:
                raise
            return default
        if isinstance(resolved, dict | list):
            if default is None:
                raise Unresolvable(f"{value!r} is not a scalar")
            return default
        return str(resolved)

    def ref(self, name: str) -> Any:
        """What ``!Ref name`` (or ``${name}`` in a ``!Sub``) gives: a string, or a list for a list parameter."""
        pseudo = {"Stage": self.stage, "AWS::Region": self.region, "AWS::AccountId": self.account,
                  "AWS::Partition": "aws", "AWS::URLSuffix": "amazonaws.com", **self.overrides}
        parameters = self.template.get("Parameters", {})
        if name in pseudo or name in parameters:
            value = pseudo[name] if name in pseudo else str(parameters[name].get("Default", ""))
            listed = parameters.get(name, {}).get("Type") == "CommaDelimitedList"
            return value.split(",") if listed else value
        if "." in name:  # ${Resource.Arn} inside a !Sub
            return self._get_att(name.split(".", 1))
        return self.physical_name(name)

    def nested(self, logical_id: str) -> Intrinsics:
        """The resolver of a nested application's own template (its ``Location``, beside this template),
        with the parameters this template passes it as the child's parameters."""
        resource = self.template.get("Resources", {}).get(logical_id, {})
        if resource.get("Type") != "AWS::Serverless::Application":
            raise Unresolvable(f"{logical_id} is not a nested application of the template")
        props = resource["Properties"]
        parameters = {name: self.text(value) for name, value in props.get("Parameters", {}).items()}
        child = load_template(TEMPLATE.parent / str(props["Location"]))
        return replace(self, template=child, overrides={**self.overrides, **parameters})

    def resource(self, path: str) -> tuple[Intrinsics, str]:
        """The resolver that knows ``path`` (``Resource``, or ``App.Resource`` inside a nested application)
        and the resource's logical id there."""
        if "." in path:
            application, logical_id = path.split(".", 1)
            return self.nested(application).resource(logical_id)
        return self, path

    def condition(self, name: str) -> bool:
        """The value of a template condition (``Fn::Equals``/``Not``/``And``/``Or`` of resolvable values)."""
        return self._truth(self.template.get("Conditions", {})[name])

    def _truth(self, expression: Any) -> bool:
        ((key, argument),) = expression.items()
        if key == "Condition":
            return self.condition(str(argument))
        if key == "Fn::Equals":
            left, right = (self.resolve(item) for item in argument)
            return str(left) == str(right)
        if key == "Fn::Not":
            return not self._truth(argument[0])
        if key == "Fn::And":
            return all(self._truth(item) for item in argument)
        if key == "Fn::Or":
            return any(self._truth(item) for item in argument)
        raise Unresolvable(f"condition {key} cannot be evaluated off the cloud")

    def physical_name(self, logical_id: str) -> str:
        """The name a resource is deployed under (its name property resolved, else its logical id); an
        ``App.Resource`` path names one inside a nested application."""
        if "." in logical_id:
            owner, local = self.resource(logical_id)
            return owner.physical_name(local)
        resource = self.template.get("Resources", {}).get(logical_id)
        if resource is None:
            raise Unresolvable(f"{logical_id} is neither a parameter nor a resource of the template")
        props = resource.get("Properties", {})
        for key in _NAME_PROPERTIES:
            if key in props:
                return self.text(props[key])
        return logical_id

    def arn(self, logical_id: str) -> str:
        """The ARN of a named resource of the template."""
        kind = self.template["Resources"][logical_id]["Type"]
        if kind not in _ARN_FORMS:
            raise Unresolvable(f"no ARN form for {kind} ({logical_id})")
        service, prefix = _ARN_FORMS[kind]
        return f"arn:aws:{service}:{self.region}:{self.account}:{prefix}{self.physical_name(logical_id)}"

    def _sub(self, argument: Any) -> str:
        if isinstance(argument, list):
            text, variables = argument
            local = {name: str(self.resolve(item)) for name, item in variables.items()}
        else:
            text, local = argument, {}
        return _SUB_VARIABLE.sub(lambda m: local.get(m.group(1)) or str(self.ref(m.group(1))), str(text))

    def _get_att(self, argument: Any) -> str:
        logical_id, attribute = argument if isinstance(argument, list) else str(argument).split(".", 1)
        if str(attribute).startswith("Outputs."):
            child = self.nested(str(logical_id))
            return child.text(child.template["Outputs"][str(attribute).removeprefix("Outputs.")]["Value"])
        if attribute == "QueueName":
            return self.physical_name(str(logical_id))
        if attribute != "Arn":
            raise Unresolvable(f"!GetAtt {logical_id}.{attribute} is known only once deployed")
        return self.arn(str(logical_id))
