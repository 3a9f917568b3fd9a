"""What botocore's service models say about a boto3 method: its operation and input members.

Loading a service model is costly (tens of milliseconds), so models are loaded once per
process and per service, and only for services a handler actually calls.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from functools import cache

import botocore.loaders
from botocore.exceptions import DataNotFoundError, UnknownServiceError
from botocore.model import ServiceModel


@dataclass(frozen=True)
class OperationInfo:
    name: str
    input_members: frozenset[str]
    required: frozenset[str]


@cache
def _loader() -> botocore.loaders.Loader:
    """botocore's loader of service models, with the extra search paths of ``AWS_DATA_PATH``
    as a botocore session has them (a session itself would import botocore's clients, waiters
    and their documentation: 0.05-0.1 s more in every process that analyses handlers)."""
    return botocore.loaders.create_loader(os.environ.get("AWS_DATA_PATH"))


@cache
def service_model(service: str) -> ServiceModel | None:
    """botocore's model of a boto3 service name, None for a service it does not know."""
    try:
        return ServiceModel(_loader().load_service_model(service, "service-2"),
                            service_name=service)
    except (UnknownServiceError, DataNotFoundError):
        return None


@cache
def _methods(service: str) -> dict[str, str]:
    model = service_model(service)
    if model is None:
        return {}
    from botocore import xform_name

    return {xform_name(name): name for name in model.operation_names}


def is_known_service(service: str) -> bool:
    return service_model(service) is not None


@cache
def operation_for_method(service: str, method: str) -> OperationInfo | None:
    """The operation a client method calls (``put_item`` → ``PutItem``), or None."""
    name = _methods(service).get(method)
    model = service_model(service)
    if name is None or model is None:
        return None
    shape = model.operation_model(name).input_shape
    if shape is None:
        return OperationInfo(name, frozenset(), frozenset())
    members = frozenset(getattr(shape, "members", {}))
    required = frozenset(getattr(shape, "required_members", ()))
    return OperationInfo(name, members, required)


# IAM actions that are not named <prefix>:<Operation>.
_IAM_EXCEPTIONS = {
    ("apigatewaymanagementapi", "PostToConnection"): "execute-api:ManageConnections",
    ("apigatewaymanagementapi", "GetConnection"): "execute-api:ManageConnections",
    ("apigatewaymanagementapi", "DeleteConnection"): "execute-api:ManageConnections",
    ("s3", "ListObjectsV2"): "s3:ListBucket",
    ("s3", "HeadObject"): "s3:GetObject",
    ("s3", "HeadBucket"): "s3:ListBucket",
}


def iam_action(service: str, operation: str) -> str:
    """The IAM action an operation needs: the service's signing name and the operation name,
    except for the documented exceptions above."""
    known = _IAM_EXCEPTIONS.get((service, operation))
    if known:
        return known
    model = service_model(service)
    metadata = model.metadata if model is not None else {}
    prefix = metadata.get("signingName") or metadata.get("endpointPrefix") or service
    return f"{prefix}:{operation}"


@cache
def service_errors(service: str) -> tuple[str, ...]:
    """The modelled exceptions of a service (``ConditionalCheckFailedException``...), the class
    names boto3 raises for them."""
    model = service_model(service)
    return tuple(sorted(shape.name for shape in model.error_shapes)) if model else ()
