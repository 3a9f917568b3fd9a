"""Values of template properties after reference resolution.

A property such as an environment variable is either a literal, or points at something else in
the template. The resolved form says *what* it points at; ``raw`` keeps the CloudFormation value
exactly as written (``{"Ref": "UsersTable"}``) so a rewrite can bind the same template value.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

# A JSON-like CloudFormation value as written (after YAML short tags became long form).
Raw = Any


@dataclass(frozen=True)
class ResourceRef:
    """``!Ref X`` (``attribute`` None) or ``!GetAtt X.Attr`` / ``${X.Attr}``.

    ``resource_type`` is None when the logical id is not declared in the template (resources SAM
    generates, such as ``ServerlessRestApi`` or ``MyFunctionAliaslive``).
    """

    logical_id: str
    resource_type: str | None
    attribute: str | None
    raw: Raw


@dataclass(frozen=True)
class ParameterRef:
    """``!Ref`` to a template parameter or a pseudo parameter (``AWS::Region``: no default)."""

    name: str
    default: Raw
    raw: Raw


@dataclass(frozen=True)
class Expression:
    """Anything else (``Fn::Sub`` with text around, ``Fn::Join``, ``Fn::If``...), kept opaque.

    ``references`` lists the resources the expression mentions, in order of appearance.
    """

    raw: Raw
    references: tuple[ResourceRef, ...] = ()


Literal = str | int | float | bool | None
Value = Literal | ResourceRef | ParameterRef | Expression


def references_of(value: Value) -> tuple[ResourceRef, ...]:
    """The resources a value points at (itself, or those an expression mentions)."""
    if isinstance(value, ResourceRef):
        return (value,)
    if isinstance(value, Expression):
        return value.references
    return ()
