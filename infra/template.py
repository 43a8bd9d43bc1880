"""template.yaml as data: parsed with CloudFormation's short-form tags kept as long-form intrinsics."""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Any

import yaml

from infra.config import TEMPLATE


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
