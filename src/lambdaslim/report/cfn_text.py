"""CloudFormation values as a reviewer reads them: ``!Ref X``, ``!GetAtt X.Arn``, ``!Sub ...``.

The plan keeps template values in long form (``{"Fn::GetAtt": ["UsersTable", "Arn"]}``); the
report shows them in the short form people write in templates, and needs the logical ids they
point at to draw the architecture.
"""

from __future__ import annotations

import json
import re
from typing import Any

_SUB_NAME = re.compile(r"\$\{([A-Za-z0-9]+)(?:\.[A-Za-z0-9.]+)?\}")


def short_form(value: Any) -> str:
    """``{"Ref": "T"}`` -> ``!Ref T``; anything else not intrinsic as compact JSON."""
    if isinstance(value, str):
        return value
    if isinstance(value, dict) and len(value) == 1:
        ((key, argument),) = value.items()
        if key == "Ref":
            return f"!Ref {argument}"
        if key == "Fn::GetAtt" and isinstance(argument, list):
            return "!GetAtt " + ".".join(map(str, argument))
        if key == "Fn::Sub" and isinstance(argument, str):
            return f"!Sub {argument}"
    return json.dumps(value, sort_keys=True, ensure_ascii=False)


def logical_ids(value: Any) -> list[str]:
    """The logical ids a value mentions (``Ref``, ``GetAtt``, ``${X}`` in ``Sub``), in order."""
    found: list[str] = []

    def walk(node: Any) -> None:
        if isinstance(node, dict):
            for key, argument in node.items():
                if key == "Ref" and isinstance(argument, str):
                    found.append(argument)
                elif key == "Fn::GetAtt" and isinstance(argument, list) and argument:
                    found.append(str(argument[0]))
                elif key == "Fn::Sub" and isinstance(argument, str):
                    found.extend(_SUB_NAME.findall(argument))
                else:
                    walk(argument)
        elif isinstance(node, list):
            for item in node:
                walk(item)

    walk(value)
    return [name for name in dict.fromkeys(found) if not name.startswith("AWS::")]
