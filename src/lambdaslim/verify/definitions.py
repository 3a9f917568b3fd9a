"""The definition a state machine runs with once deployed to the emulated stack.

It is rebuilt from the definition as written (``raw_definition``) the way SAM and CloudFormation
would: a ``DefinitionString`` (string, ``Fn::Sub``, ``Fn::Join``) is evaluated to text and parsed;
intrinsics inside an inline ``Definition`` are evaluated; then every ``${Name}`` whose name is a
``DefinitionSubstitutions`` key is replaced by the substitution's concrete value.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from typing import Any

from lambdaslim.errors import LambdaslimError
from lambdaslim.model import StateMachine
from lambdaslim.verify.cfn_values import StackValues

_INTRINSICS = frozenset({"Ref", "Fn::GetAtt", "Fn::Sub", "Fn::Join", "Fn::Select", "Fn::Split"})
_SUB_VARIABLE = re.compile(r"\$\{([^}!][^}]*)\}")


def deployed_definition(machine: StateMachine, stack: StackValues) -> dict[str, Any]:
    raw = machine.raw_definition
    if isinstance(raw, str) or _is_intrinsic(raw):
        text = stack.evaluate(raw)
        try:
            raw = json.loads(text)
        except (TypeError, json.JSONDecodeError) as error:
            raise LambdaslimError(
                f"state machine {machine.logical_id}: definition is not JSON ({error})",
                machine.definition_location.file,
            ) from None
    substitutions = {
        name: str(stack.evaluate(value)) for name, value in (machine.substitutions or {}).items()
    }
    definition = _substitute(raw, substitutions, stack)
    if not isinstance(definition, dict):
        raise LambdaslimError(
            f"state machine {machine.logical_id}: definition is not an object",
            machine.definition_location.file,
        )
    return definition


def _is_intrinsic(node: Any) -> bool:
    return isinstance(node, Mapping) and len(node) == 1 and next(iter(node)) in _INTRINSICS


def _substitute(node: Any, substitutions: Mapping[str, str], stack: StackValues) -> Any:
    if _is_intrinsic(node):
        return stack.evaluate(node)
    if isinstance(node, Mapping):
        return {
            _substitute(key, substitutions, stack): _substitute(value, substitutions, stack)
            for key, value in node.items()
        }
    if isinstance(node, list):
        return [_substitute(item, substitutions, stack) for item in node]
    if isinstance(node, str):
        return _SUB_VARIABLE.sub(
            lambda match: substitutions.get(match.group(1), match.group(0)), node
        )
    return node
