"""Concrete values for the emulated stack: physical names, ARNs, and CloudFormation intrinsics.

The emulated world deploys every application as the same stack (``STACK_NAME`` in ``REGION`` of
``ACCOUNT``), so the original and the optimized application get the same physical names: a
resource the template names keeps that name, any other gets ``<stack>-<LogicalId>``. Function
environment variables, ``DefinitionSubstitutions`` and inline intrinsics all resolve through
:class:`StackValues`, so a handler and a workflow always agree on which table, queue or bus
they mean.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Mapping
from typing import Any

from lambdaslim.errors import LambdaslimError
from lambdaslim.loading.references import NAME_PROPERTIES
from lambdaslim.model import Application, Resource, Value
from lambdaslim.model.values import Expression, ParameterRef, ResourceRef

REGION = "us-east-1"
ACCOUNT = "123456789012"
STACK_NAME = "lambdaslim-verify"

PSEUDO_PARAMETERS = {
    "AWS::Region": REGION,
    "AWS::AccountId": ACCOUNT,
    "AWS::Partition": "aws",
    "AWS::URLSuffix": "amazonaws.com",
    "AWS::StackName": STACK_NAME,
    "AWS::StackId": f"arn:aws:cloudformation:{REGION}:{ACCOUNT}:stack/{STACK_NAME}/verify",
    "AWS::NoValue": "",
}

_SUB_VARIABLE = re.compile(r"\$\{(!?)([^}]*)\}")

_API_TYPES = frozenset(
    {
        "AWS::Serverless::Api",
        "AWS::Serverless::HttpApi",
        "AWS::ApiGateway::RestApi",
        "AWS::ApiGatewayV2::Api",
    }
)


class StackValues:
    """Physical names and attribute values of the emulated stack's resources."""

    def __init__(self, app: Application):
        self.app = app
        self._names: dict[str, str] = {}

    # -- names ----------------------------------------------------------------------------------

    def resource_type(self, logical_id: str) -> str | None:
        resource = self.app.resources.get(logical_id)
        if resource is not None:
            return resource.type
        function = self.app.functions.get(logical_id)
        return function.resource_type if function is not None else None

    def physical_name(self, logical_id: str) -> str:
        """The name the template gives the resource, else ``<stack>-<LogicalId>``."""
        if logical_id not in self._names:
            self._names[logical_id] = self._name_of(logical_id)
        return self._names[logical_id]

    def _name_of(self, logical_id: str) -> str:
        resource = self.app.resources.get(logical_id)
        declared = self._declared_name(resource) if resource is not None else None
        if declared:
            return declared
        type_ = self.resource_type(logical_id)
        if type_ == "AWS::S3::Bucket":
            return f"{STACK_NAME}-{logical_id}".lower()[:63]
        if type_ == "AWS::SQS::Queue" and resource and resource.properties.get("FifoQueue"):
            return f"{STACK_NAME}-{logical_id}.fifo"
        if type_ in {"AWS::SNS::Topic"} and resource and resource.properties.get("FifoTopic"):
            return f"{STACK_NAME}-{logical_id}.fifo"
        return f"{STACK_NAME}-{logical_id}"[:64]

    def _declared_name(self, resource: Resource) -> str | None:
        prop = NAME_PROPERTIES.get(resource.type)
        raw = resource.properties.get(prop) if prop else None
        return None if raw is None else str(self.evaluate(raw))

    # -- Ref and Fn::GetAtt -----------------------------------------------------------------------

    def ref(self, name: str) -> Any:
        if name in PSEUDO_PARAMETERS:
            return PSEUDO_PARAMETERS[name]
        if name in self.app.parameters:
            return self._parameter_default(name)
        if self.resource_type(name) is None and name not in self.app.resources:
            raise LambdaslimError(f"!Ref {name}: no such parameter or resource in the template")
        return self.attribute(name, None)

    def _parameter_default(self, name: str) -> Any:
        spec = self.app.parameters[name]
        default = spec.get("Default") if isinstance(spec, Mapping) else spec
        if default is None:
            raise LambdaslimError(f"parameter {name} has no Default: verify cannot choose a value")
        return default

    def attribute(self, logical_id: str, attribute: str | None) -> str:
        """``!Ref`` (attribute None) or ``!GetAtt logical_id.attribute``, per resource type."""
        type_ = self.resource_type(logical_id) or ""
        name = self.physical_name(logical_id)
        region_account = f"{REGION}:{ACCOUNT}"
        if type_ in _API_TYPES:
            api_id = api_id_of(logical_id)
            if attribute == "ApiEndpoint":
                return f"https://{api_id}.execute-api.{REGION}.amazonaws.com"
            return api_id if attribute in (None, "ApiId", "RestApiId") else "root"
        values: dict[str | None, str]
        if type_ in {"AWS::Serverless::Function", "AWS::Lambda::Function"}:
            values = {None: name, "Arn": f"arn:aws:lambda:{region_account}:function:{name}"}
        elif type_ in {"AWS::Serverless::StateMachine", "AWS::StepFunctions::StateMachine"}:
            arn = f"arn:aws:states:{region_account}:stateMachine:{name}"
            values = {None: arn, "Arn": arn, "Name": name}
        elif type_ in {"AWS::DynamoDB::Table", "AWS::Serverless::SimpleTable"}:
            arn = f"arn:aws:dynamodb:{region_account}:table/{name}"
            values = {None: name, "Arn": arn, "StreamArn": f"{arn}/stream/verify"}
        elif type_ == "AWS::SQS::Queue":
            url = f"https://sqs.{REGION}.amazonaws.com/{ACCOUNT}/{name}"
            arn = f"arn:aws:sqs:{region_account}:{name}"
            values = {None: url, "QueueUrl": url, "Arn": arn, "QueueName": name}
        elif type_ == "AWS::SNS::Topic":
            arn = f"arn:aws:sns:{region_account}:{name}"
            values = {None: arn, "TopicArn": arn, "TopicName": name}
        elif type_ == "AWS::Events::EventBus":
            values = {None: name, "Name": name, "Arn": event_bus_arn(name)}
        elif type_ == "AWS::Events::Connection":
            arn = f"arn:aws:events:{region_account}:connection/{name}/verify"
            values = {None: name, "Arn": arn}
        elif type_ == "AWS::S3::Bucket":
            values = {
                None: name,
                "Arn": f"arn:aws:s3:::{name}",
                "DomainName": f"{name}.s3.amazonaws.com",
                "RegionalDomainName": f"{name}.s3.{REGION}.amazonaws.com",
            }
        elif type_ == "AWS::IAM::Role":
            values = {None: name, "Arn": f"arn:aws:iam::{ACCOUNT}:role/{name}"}
        else:
            service = type_.split("::")[1].lower() if type_.count("::") == 2 else "unknown"
            values = {None: name, "Arn": f"arn:aws:{service}:{region_account}:{name}"}
        if attribute not in values:
            raise LambdaslimError(f"!GetAtt {logical_id}.{attribute}: not emulated for {type_}")
        return values[attribute]

    # -- intrinsic functions ---------------------------------------------------------------------

    def value(self, value: Value) -> Any:
        """The concrete value of a model value (a literal, reference or expression)."""
        if isinstance(value, ResourceRef | ParameterRef | Expression):
            return self.evaluate(value.raw)
        return value

    def evaluate(self, raw: Any) -> Any:
        """Evaluate a CloudFormation value with ``Ref``, ``Fn::GetAtt``, ``Fn::Sub``,
        ``Fn::Join``, ``Fn::Select`` and ``Fn::Split``; anything else is a LambdaslimError."""
        if isinstance(raw, list):
            return [self.evaluate(item) for item in raw]
        if not isinstance(raw, Mapping):
            return raw
        if len(raw) == 1:
            ((key, argument),) = raw.items()
            if key == "Ref":
                return self.ref(str(argument))
            if key == "Fn::GetAtt":
                target = argument.split(".", 1) if isinstance(argument, str) else argument
                return self.attribute(str(target[0]), str(target[1]))
            if key == "Fn::Sub":
                text, variables = (argument, {}) if isinstance(argument, str) else argument
                return self.sub(text, {k: self.evaluate(v) for k, v in variables.items()})
            if key == "Fn::Join":
                separator, items = argument
                return str(separator).join(str(item) for item in self.evaluate(items))
            if key == "Fn::Select":
                index, items = argument
                return self.evaluate(items)[int(self.evaluate(index))]
            if key == "Fn::Split":
                separator, text = argument
                return str(self.evaluate(text)).split(separator)
            if key.startswith("Fn::") or key == "Condition":
                raise LambdaslimError(f"{key} is not supported by the emulated stack")
        return {key: self.evaluate(item) for key, item in raw.items()}

    def sub(self, text: str, variables: Mapping[str, Any]) -> str:
        """``Fn::Sub``: ``${Name}``, ``${Resource.Attr}``, ``${!Literal}``."""

        def replace(match: re.Match[str]) -> str:
            if match.group(1):
                return "${" + match.group(2) + "}"
            name = match.group(2)
            if name in variables:
                return str(variables[name])
            if "." in name and name not in PSEUDO_PARAMETERS:
                logical_id, attribute = name.split(".", 1)
                return self.attribute(logical_id, attribute)
            return str(self.ref(name))

        return _SUB_VARIABLE.sub(replace, text)


def api_id_of(logical_id: str) -> str:
    """A stable 10-character API id, as API Gateway would generate one."""
    digest = hashlib.sha256(logical_id.encode()).hexdigest()
    return "".join(chr(ord("a") + int(c, 16) % 26) for c in digest[:10])


def event_bus_arn(name: str) -> str:
    return f"arn:aws:events:{REGION}:{ACCOUNT}:event-bus/{name}"
