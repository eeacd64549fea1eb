"""Reading template.yaml: CloudFormation's YAML tags, SAM Globals, and the intrinsic functions our template
uses (Ref, Fn::GetAtt, Fn::Sub) resolved against locally provisioned resources."""

from __future__ import annotations

import copy
import json
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml


class TemplateError(ValueError):
    pass


class _CfnLoader(yaml.SafeLoader):
    pass


def _tag(loader: yaml.SafeLoader, suffix: str, node: yaml.Node) -> dict[str, Any]:
    name = "Ref" if suffix == "Ref" else f"Fn::{suffix}"
    if isinstance(node, yaml.ScalarNode):
        value: Any = loader.construct_scalar(node)
        if suffix == "GetAtt":
            value = str(value).split(".", 1)
    elif isinstance(node, yaml.SequenceNode):
        value = loader.construct_sequence(node, deep=True)
    else:
        value = loader.construct_mapping(node, deep=True)  # type: ignore[arg-type]
    return {name: value}


_CfnLoader.add_multi_constructor("!", _tag)


def load_template(path: Path) -> dict[str, Any]:
    with path.open(encoding="utf-8") as handle:
        document = yaml.load(handle, Loader=_CfnLoader)  # noqa: S506 - SafeLoader subclass with CFN tags only
    if not isinstance(document, dict) or "Resources" not in document:
        raise TemplateError(f"{path} is not a CloudFormation template (no Resources)")
    return document


def _merge(base: Any, override: Any) -> Any:
    if isinstance(base, dict) and isinstance(override, dict):
        merged = dict(base)
        for key, value in override.items():
            merged[key] = _merge(base.get(key), value) if key in base else copy.deepcopy(value)
        return merged
    if isinstance(base, list) and isinstance(override, list):
        return base + override
    return copy.deepcopy(override)


@dataclass(frozen=True)
class FunctionSpec:
    logical_id: str
    code_uri: Path
    handler: str
    timeout: int
    memory: int
    environment: dict[str, Any]
    events: dict[str, dict[str, Any]]
    layers: tuple[str, ...] = ()  # logical ids, the global ones first (as SAM merges them)


@dataclass
class Template:
    path: Path
    document: dict[str, Any]
    parameters: dict[str, str] = field(default_factory=dict)

    @classmethod
    def load(cls, path: Path, overrides: Mapping[str, str] | None = None) -> Template:
        document = load_template(path)
        parameters = {name: str(spec.get("Default", "")) for name, spec in document.get("Parameters", {}).items()}
        for name, value in (overrides or {}).items():
            if name not in parameters:
                raise TemplateError(f"template has no parameter {name!r}")
            parameters[name] = value
        return cls(path=path, document=document, parameters=parameters)

    def resources(self, resource_type: str) -> dict[str, dict[str, Any]]:
        return {
            logical_id: resource.get("Properties", {})
            for logical_id, resource in self.document["Resources"].items()
            if resource.get("Type") == resource_type
        }

    def functions(self) -> list[FunctionSpec]:
        defaults = self.document.get("Globals", {}).get("Function", {})
        specs = []
        for logical_id, properties in self.resources("AWS::Serverless::Function").items():
            merged = _merge(defaults, properties)
            specs.append(
                FunctionSpec(
                    logical_id=logical_id,
                    code_uri=(self.path.parent / merged["CodeUri"]).resolve(),
                    handler=merged["Handler"],
                    timeout=int(merged.get("Timeout", 3)),
                    memory=int(merged.get("MemorySize", 128)),
                    environment=merged.get("Environment", {}).get("Variables", {}),
                    events=merged.get("Events", {}),
                    layers=tuple(layer["Ref"] for layer in merged.get("Layers", [])),
                )
            )
        return specs


_SUB_VARIABLE = re.compile(r"\$\{([^}!]+)\}")


class Resolver:
    """Evaluates Ref / GetAtt / Sub given a lookup of (logical id, attribute) → value."""

    def __init__(
        self,
        parameters: Mapping[str, str],
        attribute: Callable[[str, str | None], str],
        conditions: Mapping[str, Any] | None = None,
    ) -> None:
        self._parameters = parameters
        self._attribute = attribute
        self._conditions = conditions or {}

    def condition(self, name: str) -> bool:
        if name not in self._conditions:
            raise TemplateError(f"the template has no condition {name!r}")
        return self._truth(self._conditions[name])

    def _truth(self, expression: Any) -> bool:
        """Fn::Equals / Not / And / Or and Condition, as CloudFormation evaluates a Conditions entry."""
        ((key, argument),) = expression.items()
        if key == "Fn::Equals":
            left, right = (self.resolve(item) for item in argument)
            return bool(str(left) == str(right))
        if key == "Fn::Not":
            return not self._truth(argument[0])
        if key == "Fn::And":
            return all(self._truth(item) for item in argument)
        if key == "Fn::Or":
            return any(self._truth(item) for item in argument)
        if key == "Condition":
            return self.condition(argument)
        raise TemplateError(f"the local stack does not evaluate {key} in a condition")

    def ref(self, name: str) -> str:
        if name in self._parameters:
            return self._parameters[name]
        pseudo = {
            "AWS::Region": "us-east-1",
            "AWS::AccountId": "123456789012",
            "AWS::URLSuffix": "localhost",
            "AWS::Partition": "aws",
        }
        if name in pseudo:
            return pseudo[name]
        return self._attribute(name, None)

    def resolve(self, value: Any) -> Any:
        if isinstance(value, dict) and len(value) == 1:
            ((key, argument),) = value.items()
            if key == "Ref":
                return self.ref(argument)
            if key == "Fn::GetAtt":
                logical_id, attribute = argument if isinstance(argument, list) else argument.split(".", 1)
                return self._attribute(logical_id, attribute)
            if key == "Fn::Sub":
                return self._sub(argument)
            if key == "Fn::If":
                name, when_true, when_false = argument
                return self.resolve(when_true if self.condition(name) else when_false)
            if key.startswith("Fn::"):
                raise TemplateError(f"the local stack does not evaluate {key}")
        if isinstance(value, dict):
            return {key: self.resolve(item) for key, item in value.items()}
        if isinstance(value, list):
            return [self.resolve(item) for item in value]
        return value

    def _sub(self, argument: Any) -> str:
        text, variables = (argument, {}) if isinstance(argument, str) else (argument[0], argument[1])

        def replace(match: re.Match[str]) -> str:
            name = match.group(1)
            if name in variables:
                return str(self.resolve(variables[name]))
            if "." in name and not name.startswith("AWS::"):
                logical_id, attribute = name.split(".", 1)
                return self._attribute(logical_id, attribute)
            return self.ref(name)

        return _SUB_VARIABLE.sub(replace, text)


def as_string_map(values: Mapping[str, Any]) -> dict[str, str]:
    return {key: value if isinstance(value, str) else json.dumps(value) for key, value in values.items()}
