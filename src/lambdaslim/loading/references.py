"""Resolving CloudFormation values to references, and rendering them as placeholder strings.

Two views of the same template value are needed: *what it points at* (``ResourceRef``,
``ParameterRef``, ``Expression``) and *a string standing for it* inside a state machine definition
or an integration URI, for instance ``arn:aws:lambda:${AWS::Region}:${AWS::AccountId}:function:
ValidateOrder``. Placeholders keep ``${AWS::Region}`` and ``${AWS::AccountId}`` symbolic and use
the resource's literal physical name when the template gives one, its logical id otherwise.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from typing import Any

from lambdaslim.loading.documents import to_plain
from lambdaslim.model.values import Expression, ParameterRef, ResourceRef, Value

SUB_VARIABLE = re.compile(r"\$\{(!?)([^}]*)\}")

FUNCTION_TYPES = frozenset({"AWS::Serverless::Function", "AWS::Lambda::Function"})
STATE_MACHINE_TYPES = frozenset(
    {"AWS::Serverless::StateMachine", "AWS::StepFunctions::StateMachine"}
)
FUNCTION_POINTER_TYPES = frozenset({"AWS::Lambda::Alias", "AWS::Lambda::Version"})

NAME_PROPERTIES = {
    "AWS::Serverless::Function": "FunctionName",
    "AWS::Lambda::Function": "FunctionName",
    "AWS::Serverless::StateMachine": "Name",
    "AWS::StepFunctions::StateMachine": "StateMachineName",
    "AWS::DynamoDB::Table": "TableName",
    "AWS::Serverless::SimpleTable": "TableName",
    "AWS::SQS::Queue": "QueueName",
    "AWS::SNS::Topic": "TopicName",
    "AWS::Events::EventBus": "Name",
    "AWS::Events::Connection": "Name",
    "AWS::S3::Bucket": "BucketName",
    "AWS::IAM::Role": "RoleName",
    "AWS::Lambda::Alias": "Name",
}

# Pseudo parameters rendered concretely: every ARN pattern the loader matches assumes them.
CONCRETE_PSEUDO = {"AWS::Partition": "aws", "AWS::URLSuffix": "amazonaws.com"}

REGION_ACCOUNT = "${AWS::Region}:${AWS::AccountId}"


def _arn_templates(name: str) -> dict[str, dict[str | None, str]]:
    """Placeholder per resource type and attribute (None is ``Ref``)."""
    lam = f"arn:aws:lambda:{REGION_ACCOUNT}:function:{name}"
    sqs_url = f"https://sqs.${{AWS::Region}}.amazonaws.com/${{AWS::AccountId}}/{name}"
    table = f"arn:aws:dynamodb:{REGION_ACCOUNT}:table/{name}"
    machine = f"arn:aws:states:{REGION_ACCOUNT}:stateMachine:{name}"
    topic = f"arn:aws:sns:{REGION_ACCOUNT}:{name}"
    return {
        "AWS::Serverless::Function": {None: name, "Arn": lam},
        "AWS::Lambda::Function": {None: name, "Arn": lam},
        "AWS::Serverless::StateMachine": {None: machine, "Arn": machine, "Name": name},
        "AWS::StepFunctions::StateMachine": {None: machine, "Arn": machine, "Name": name},
        "AWS::DynamoDB::Table": {None: name, "Arn": table, "StreamArn": f"{table}/stream/*"},
        "AWS::Serverless::SimpleTable": {None: name, "Arn": table},
        "AWS::SQS::Queue": {
            None: sqs_url,
            "QueueUrl": sqs_url,
            "Arn": f"arn:aws:sqs:{REGION_ACCOUNT}:{name}",
            "QueueName": name,
        },
        "AWS::SNS::Topic": {None: topic, "TopicArn": topic, "TopicName": name},
        "AWS::Events::EventBus": {
            None: name,
            "Name": name,
            "Arn": f"arn:aws:events:{REGION_ACCOUNT}:event-bus/{name}",
        },
        "AWS::Events::Connection": {
            None: name,
            "Arn": f"arn:aws:events:{REGION_ACCOUNT}:connection/{name}",
        },
        "AWS::S3::Bucket": {None: name, "Arn": f"arn:aws:s3:::{name}"},
        "AWS::IAM::Role": {None: name, "Arn": f"arn:aws:iam::${{AWS::AccountId}}:role/{name}"},
    }


class References:
    """What the template declares (resources, parameters) and how to resolve values against it."""

    def __init__(self, resources: Mapping[str, Any], parameters: Mapping[str, Any]):
        self.resource_types: dict[str, str] = {
            logical_id: str(resource.get("Type")) for logical_id, resource in resources.items()
        }
        self.resource_properties: dict[str, Any] = {
            logical_id: resource.get("Properties") or {}
            for logical_id, resource in resources.items()
        }
        self.parameters: dict[str, Any] = {
            name: to_plain(spec.get("Default")) if isinstance(spec, Mapping) else None
            for name, spec in parameters.items()
        }
        self.function_names: dict[str, str] = {}
        for logical_id, type_ in self.resource_types.items():
            if type_ in FUNCTION_TYPES:
                self.function_names[logical_id] = logical_id
                self.function_names[self.physical_name(logical_id)] = logical_id

    # -- resolution ----------------------------------------------------------------------------

    def resolve(self, raw: Any) -> Value:
        """The resolved form of a CloudFormation value (literal, reference or expression)."""
        if not isinstance(raw, Mapping | list):
            return to_plain(raw)
        plain = to_plain(raw)
        direct = self._direct_reference(plain)
        if direct is not None:
            return direct
        return Expression(plain, self.references_in(plain))

    def _direct_reference(self, plain: Any) -> ResourceRef | ParameterRef | None:
        """``Ref``, ``Fn::GetAtt`` or an ``Fn::Sub`` that is a single ``${X}``; else None."""
        if not isinstance(plain, dict) or len(plain) != 1:
            return None
        ((key, argument),) = plain.items()
        if key == "Ref" and isinstance(argument, str):
            return self.ref(argument, plain)
        if key == "Fn::GetAtt":
            target = _get_att_target(argument)
            if target is not None:
                return ResourceRef(target[0], self.resource_types.get(target[0]), target[1], plain)
        if key == "Fn::Sub":
            text, variables = sub_parts(argument)
            whole = SUB_VARIABLE.fullmatch(text) if text is not None else None
            if whole and not whole.group(1):
                resolved = self.resolve_name(whole.group(2), variables)
                if isinstance(resolved, ResourceRef | ParameterRef):
                    return _with_raw(resolved, plain)
        return None

    def ref(self, name: str, raw: Any) -> ResourceRef | ParameterRef:
        if name in self.parameters:
            return ParameterRef(name, self.parameters[name], raw)
        if name.startswith("AWS::"):
            return ParameterRef(name, None, raw)
        return ResourceRef(name, self.resource_types.get(name), None, raw)

    def resolve_name(self, name: str, variables: Mapping[str, Any] | None = None) -> Value | None:
        """What ``${name}`` in an ``Fn::Sub`` stands for; None when nothing declares it."""
        if variables and name in variables:
            return self.resolve(variables[name])
        if name in self.parameters or name.startswith("AWS::"):
            return self.ref(name, {"Ref": name})
        if name in self.resource_types:
            return ResourceRef(name, self.resource_types[name], None, {"Ref": name})
        logical_id, dot, attribute = name.partition(".")
        if dot and logical_id in self.resource_types:
            return ResourceRef(
                logical_id,
                self.resource_types[logical_id],
                attribute,
                {"Fn::GetAtt": [logical_id, attribute]},
            )
        return None

    def references_in(self, raw: Any) -> tuple[ResourceRef, ...]:
        """Every resource a raw value mentions (``Ref``, ``Fn::GetAtt``, ``${X}``), in order."""
        found: list[ResourceRef] = []

        def visit(node: Any) -> None:
            if isinstance(node, list):
                for item in node:
                    visit(item)
                return
            if not isinstance(node, Mapping):
                return
            if len(node) == 1:
                direct = self._direct_reference(to_plain(node))
                if direct is not None:
                    if isinstance(direct, ResourceRef):
                        found.append(direct)
                    return
                if "Fn::Sub" in node:
                    text, variables = sub_parts(node["Fn::Sub"])
                    for match in SUB_VARIABLE.finditer(text or ""):
                        if match.group(1):
                            continue
                        named = self.resolve_name(match.group(2), variables)
                        if isinstance(named, ResourceRef):
                            found.append(named)
                        elif isinstance(named, Expression):
                            found.extend(named.references)
                    return
            for value in node.values():
                visit(value)

        visit(raw)
        unique: dict[tuple[str, str | None], ResourceRef] = {}
        for ref in found:
            unique.setdefault((ref.logical_id, ref.attribute), ref)
        return tuple(unique.values())

    # -- functions -----------------------------------------------------------------------------

    def function_of(self, ref: ResourceRef) -> str | None:
        """The function a reference designates (directly, or through an alias or version)."""
        if ref.resource_type in FUNCTION_TYPES:
            return ref.logical_id
        if ref.resource_type in FUNCTION_POINTER_TYPES:
            target = self.resolve(self.resource_properties[ref.logical_id].get("FunctionName"))
            if isinstance(target, ResourceRef):
                return self.function_of(target)
            return self.function_named(target) if isinstance(target, str) else None
        if ref.resource_type is None:
            return self._sam_alias_function(ref.logical_id)
        return None

    def function_named(self, text: str) -> str | None:
        """The function a name or ARN (with ``:$LATEST``/alias/version suffix) designates."""
        match = re.search(r"function:([A-Za-z0-9_.-]+)(?::[^:]+)?$", text)
        name = match.group(1) if match else text.split(":")[0]
        return self.function_names.get(name)

    def _sam_alias_function(self, logical_id: str) -> str | None:
        """SAM names the alias it creates for ``AutoPublishAlias: live`` ``<Function>Aliaslive``."""
        for function_id in sorted(self.function_names.values(), key=len, reverse=True):
            if logical_id.startswith(f"{function_id}Alias"):
                return function_id
        return None

    # -- placeholders --------------------------------------------------------------------------

    def physical_name(self, logical_id: str) -> str:
        """The resource's literal physical name, or its logical id when AWS names it."""
        key = NAME_PROPERTIES.get(self.resource_types.get(logical_id, ""))
        name = self.resource_properties.get(logical_id, {}).get(key) if key else None
        return name if isinstance(name, str) else logical_id

    def placeholder(self, value: Value) -> str | None:
        """A string standing for ``value``; None for an expression that cannot be rendered."""
        if isinstance(value, ResourceRef):
            return self.resource_placeholder(value)
        if isinstance(value, ParameterRef):
            if value.name in CONCRETE_PSEUDO:
                return CONCRETE_PSEUDO[value.name]
            if isinstance(value.default, str | int | float) and not isinstance(value.default, bool):
                return str(value.default)
            return "${" + value.name + "}"
        if isinstance(value, Expression):
            return self.render(value.raw)
        if isinstance(value, bool):
            return "true" if value else "false"
        return None if value is None else str(value)

    def resource_placeholder(self, ref: ResourceRef) -> str:
        if ref.resource_type is None:
            function_id = self._sam_alias_function(ref.logical_id)
            if function_id is not None:
                alias = ref.logical_id.removeprefix(f"{function_id}Alias")
                function_ref = ResourceRef(function_id, self.resource_types[function_id], "Arn", {})
                return f"{self.resource_placeholder(function_ref)}:{alias}"
        if ref.resource_type in FUNCTION_POINTER_TYPES and ref.attribute is None:
            function_id = self.function_of(ref)
            if function_id is not None:
                function_ref = ResourceRef(function_id, self.resource_types[function_id], "Arn", {})
                suffix = self.physical_name(ref.logical_id)
                if ref.resource_type == "AWS::Lambda::Version":
                    suffix = "1"
                return f"{self.resource_placeholder(function_ref)}:{suffix}"
        templates = _arn_templates(self.physical_name(ref.logical_id))
        by_attribute = templates.get(ref.resource_type or "", {})
        if ref.attribute in by_attribute:
            return by_attribute[ref.attribute]
        suffix = f".{ref.attribute}" if ref.attribute else ""
        return "${" + ref.logical_id + suffix + "}"

    def render(
        self,
        raw: Any,
        variables: Mapping[str, Any] | None = None,
        on_name: Callable[[str, Value], None] | None = None,
    ) -> str | None:
        """The text of a value built with ``Fn::Sub``/``Fn::Join``, references as placeholders.

        ``on_name`` hears every reference rendered (placeholder text, resolved value). Returns
        None when part of the value is beyond rendering (``Fn::If``, ``Fn::Select``...).
        """
        if not isinstance(raw, Mapping | list):
            return self.placeholder(to_plain(raw))
        if isinstance(raw, Mapping) and len(raw) == 1:
            ((key, argument),) = raw.items()
            if key == "Fn::Sub":
                text, sub_variables = sub_parts(argument)
                if text is None:
                    return None
                return self.render_sub(text, sub_variables, on_name)
            if key == "Fn::Join" and isinstance(argument, list) and len(argument) == 2:
                delimiter, parts = argument
                if not isinstance(parts, list):
                    return None
                rendered = [self.render(part, variables, on_name) for part in parts]
                if any(part is None for part in rendered):
                    return None
                return str(delimiter).join(part or "" for part in rendered)
            resolved = self.resolve(raw)
            if isinstance(resolved, ResourceRef | ParameterRef):
                text = self.placeholder(resolved)
                if on_name is not None and text is not None:
                    on_name(text, resolved)
                return text
        return None

    def render_sub(
        self,
        text: str,
        variables: Mapping[str, Any] | None,
        on_name: Callable[[str, Value], None] | None = None,
        missing: Callable[[str], str] | None = None,
    ) -> str:
        """``Fn::Sub`` text with every ``${X}`` rendered; ``${!X}`` stays ``${X}``.

        A name nothing declares is left as written, unless ``missing`` decides otherwise.
        """

        def replace(match: re.Match[str]) -> str:
            if match.group(1):
                return "${" + match.group(2) + "}"
            name = match.group(2)
            resolved = self.resolve_name(name, variables)
            if resolved is None:
                return missing(name) if missing is not None else match.group(0)
            rendered = self.placeholder(resolved)
            if rendered is None:
                rendered = "${" + name + "}"
            if on_name is not None and not isinstance(resolved, str | int | float | bool):
                on_name(rendered, resolved)
            return rendered

        return SUB_VARIABLE.sub(replace, text)


def _get_att_target(argument: Any) -> tuple[str, str] | None:
    if isinstance(argument, str) and "." in argument:
        logical_id, _, attribute = argument.partition(".")
        return logical_id, attribute
    if isinstance(argument, list) and [type(part) for part in argument] == [str, str]:
        return argument[0], argument[1]
    return None


def sub_parts(argument: Any) -> tuple[str | None, Mapping[str, Any] | None]:
    if isinstance(argument, str):
        return argument, None
    if isinstance(argument, list) and len(argument) == 2 and isinstance(argument[0], str):
        variables = argument[1] if isinstance(argument[1], Mapping) else None
        return argument[0], variables
    return None, None


def _with_raw(value: ResourceRef | ParameterRef, raw: Any) -> ResourceRef | ParameterRef:
    if isinstance(value, ResourceRef):
        return ResourceRef(value.logical_id, value.resource_type, value.attribute, raw)
    return ParameterRef(value.name, value.default, raw)
