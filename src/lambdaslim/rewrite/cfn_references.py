"""Which logical ids a raw CloudFormation value names: the reference graph of a template.

The rewrite needs it to know what exists only for a removed function. It works on the template
as written (long-form intrinsics, see ``TemplateEditor.get``), so it sees exactly what
CloudFormation will resolve: ``Ref``, ``Fn::GetAtt`` and the ``${X}``/``${X.Attr}`` variables of
``Fn::Sub`` (minus the ones its variable map declares, plus the references inside that map).
Pseudo parameters and template parameters are names too; callers keep the ids they care about.
"""

from __future__ import annotations

import re
from typing import Any

SUB_VARIABLE = re.compile(r"\$\{(!?)([^}]*)\}")


def referenced_ids(value: Any) -> list[str]:
    """Every id ``value`` names through ``Ref``, ``Fn::GetAtt`` or ``Fn::Sub``, in order."""
    found: list[str] = []
    _visit(value, found)
    return list(dict.fromkeys(found))


def depends_on(resource: Any) -> list[str]:
    """The resource's ``DependsOn`` ids (a string or a list in the template)."""
    value = resource.get("DependsOn") if isinstance(resource, dict) else None
    if isinstance(value, str):
        return [value]
    return [item for item in value or [] if isinstance(item, str)]


def _sub_names(text: str) -> list[str]:
    """The ids the ``${X}``/``${X.Attr}`` of an ``Fn::Sub`` string name (``${!X}`` is text)."""
    return [
        match.group(2).split(".", 1)[0]
        for match in SUB_VARIABLE.finditer(text)
        if not match.group(1)
    ]


def _visit(node: Any, found: list[str]) -> None:
    if isinstance(node, list):
        for item in node:
            _visit(item, found)
        return
    if not isinstance(node, dict):
        return
    if len(node) == 1:
        ((key, argument),) = node.items()
        if key == "Ref" and isinstance(argument, str):
            found.append(argument)
            return
        if key == "Fn::GetAtt":
            target = argument.split(".", 1)[0] if isinstance(argument, str) else None
            if isinstance(argument, list) and argument and isinstance(argument[0], str):
                target = argument[0]
            if target:
                found.append(target)
            _visit(argument, found)  # `!GetAtt [X, !Ref Attr]`
            return
        if key == "Fn::Sub":
            text, variables = _sub_parts(argument)
            found.extend(name for name in _sub_names(text) if name not in variables)
            _visit(list(variables.values()), found)
            return
    for item in node.values():
        _visit(item, found)


def _sub_parts(argument: Any) -> tuple[str, dict[str, Any]]:
    if isinstance(argument, str):
        return argument, {}
    if isinstance(argument, list) and argument and isinstance(argument[0], str):
        variables = argument[1] if len(argument) > 1 and isinstance(argument[1], dict) else {}
        return argument[0], variables
    return "", {}
