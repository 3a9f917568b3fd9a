"""What botocore's service models say about a boto3 method: its operation and input members.

Loading a service model is costly (tens of milliseconds), so models are loaded once per
process and per service, and only for services a handler actually calls.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache, lru_cache

import botocore.session
from botocore.exceptions import DataNotFoundError, UnknownServiceError
from botocore.model import ServiceModel


@dataclass(frozen=True)
class OperationInfo:
    name: str
    input_members: frozenset[str]
    required: frozenset[str]


@lru_cache(maxsize=1)
def _session() -> botocore.session.Session:
    return botocore.session.get_session()


@cache
def _service_model(service: str) -> ServiceModel | None:
    try:
        return _session().get_service_model(service)
    except (UnknownServiceError, DataNotFoundError):
        return None


@cache
def _methods(service: str) -> dict[str, str]:
    model = _service_model(service)
    if model is None:
        return {}
    from botocore import xform_name

    return {xform_name(name): name for name in model.operation_names}


def is_known_service(service: str) -> bool:
    return _service_model(service) is not None


@cache
def operation_for_method(service: str, method: str) -> OperationInfo | None:
    """The operation a client method calls (``put_item`` → ``PutItem``), or None."""
    name = _methods(service).get(method)
    model = _service_model(service)
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
    model = _service_model(service)
    metadata = model.metadata if model is not None else {}
    prefix = metadata.get("signingName") or metadata.get("endpointPrefix") or service
    return f"{prefix}:{operation}"


@cache
def service_errors(service: str) -> tuple[str, ...]:
    """The modelled exceptions of a service (``ConditionalCheckFailedException``...), the class
    names boto3 raises for them."""
    model = _service_model(service)
    return tuple(sorted(shape.name for shape in model.error_shapes)) if model else ()
