"""State machine definitions: from inline objects, files or ``DefinitionString``, substituted.

Every ``${X}`` and every intrinsic function inside a definition becomes a placeholder string
(see :mod:`lambdaslim.loading.references`) and the placeholder -> reference map is returned with
the definition, so the model knows which resource each placeholder stands for.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from lambdaslim.errors import LoadError
from lambdaslim.loading.documents import line_of, pointer_line, to_plain
from lambdaslim.loading.json_lines import parse_json
from lambdaslim.loading.references import (
    CONCRETE_PSEUDO,
    SUB_VARIABLE,
    References,
    sub_parts,
)
from lambdaslim.loading.shapes import describe
from lambdaslim.model.values import Expression, ParameterRef, ResourceRef, Value

INTRINSIC_KEYS = frozenset({"Ref", "Fn::GetAtt", "Fn::Sub", "Fn::Join"})


@dataclass
class Substituter:
    """Replaces ``${X}`` using ``DefinitionSubstitutions`` and records the placeholders made.

    ``references`` is None for a lone definition file: names then stay as written.
    """

    references: References | None
    substitutions: Mapping[str, Any]
    placeholders: dict[str, Value] = field(default_factory=dict)

    def record(self, text: str, value: Value) -> None:
        if isinstance(value, ParameterRef) and value.name in CONCRETE_PSEUDO:
            return  # rendered concretely ("aws"): not a placeholder worth recording
        if isinstance(value, ResourceRef | ParameterRef | Expression):
            self.placeholders.setdefault(text, value)

    def substitution(self, name: str) -> str | None:
        """The text ``${name}`` becomes, or None when there is no substitution for it."""
        if self.references is None or name not in self.substitutions:
            return None
        value = self.references.resolve(self.substitutions[name])
        rendered = self.references.placeholder(value)
        if rendered is None:
            rendered = self.references.render(self.substitutions[name], on_name=self.record)
        if rendered is None:
            rendered = "${" + name + "}"
        self.record(rendered, value)
        return rendered

    def text(self, text: str, on_missing: Callable[[str], str]) -> str:
        if "${" not in text:
            return text  # most strings of a definition: no substitution to look for

        def replace(match: Any) -> str:
            name = match.group(2)
            rendered = self.substitution(name)
            return rendered if rendered is not None else on_missing(name)

        return SUB_VARIABLE.sub(replace, text)

    def tree(self, node: Any, on_missing: Callable[[str, tuple[str | int, ...]], str]) -> Any:
        """A plain copy of a parsed definition with strings substituted and intrinsics rendered."""

        def walk(value: Any, pointer: tuple[str | int, ...]) -> Any:
            if isinstance(value, Mapping):
                if len(value) == 1 and next(iter(value)) in INTRINSIC_KEYS and self.references:
                    rendered = self.references.render(value, on_name=self.record)
                    if rendered is not None:
                        resolved = self.references.resolve(value)
                        self.record(rendered, resolved)
                        return rendered
                return {
                    self.text(str(key), lambda name: on_missing(name, pointer)): walk(
                        item, (*pointer, str(key))
                    )
                    for key, item in value.items()
                }
            if isinstance(value, list):
                return [walk(item, (*pointer, index)) for index, item in enumerate(value)]
            if isinstance(value, str):
                return self.text(value, lambda name: on_missing(name, pointer))
            return to_plain(value)

        return walk(node, ())


def substitute_parsed(
    substituter: Substituter, parsed: Any, shown: str, machine: str, line: int | None = None
) -> dict[str, Any]:
    """Substitute a parsed (annotated) definition; an unknown ``${X}`` is a LoadError.

    ``line`` is where the definition is written (for a definition that is not an object).
    """

    def missing(name: str, pointer: tuple[str | int, ...]) -> str:
        if substituter.references is None:
            return "${" + name + "}"
        raise LoadError(
            f"state machine {machine}: ${{{name}}} has no entry in DefinitionSubstitutions",
            shown,
            pointer_line(parsed, pointer),
        )

    if isinstance(parsed, Mapping):
        result = substituter.tree(parsed, missing)
        if isinstance(result, dict):
            return result
        got = f"{next(iter(parsed))}, an intrinsic function"  # rendered as a string
    else:
        got = describe(parsed)
    raise LoadError(
        f"state machine {machine}: the definition must be an object, got {got}",
        shown,
        line_of(parsed) or line,
    )


def definition_string_text(
    references: References,
    substituter: Substituter,
    raw: Any,
    shown: str,
    line: int | None,
    machine: str,
) -> str:
    """The text of a ``DefinitionString``: a string, ``Fn::Sub`` (both forms) or ``Fn::Join``.

    ``DefinitionSubstitutions`` apply to the written text only, never inside the placeholders
    rendered for references (which keep ``${AWS::Region}`` symbolic).
    """

    def missing(name: str) -> str:
        raise LoadError(
            f"state machine {machine}: ${{{name}}} in DefinitionString names nothing "
            "(no parameter, resource, Fn::Sub variable or DefinitionSubstitutions entry)",
            shown,
            line,
        )

    def substitution_or_missing(name: str) -> str:
        rendered = substituter.substitution(name)
        return rendered if rendered is not None else missing(name)

    if isinstance(raw, str):
        return substituter.text(raw, missing)
    if isinstance(raw, Mapping) and len(raw) == 1:
        ((key, argument),) = raw.items()
        if key == "Fn::Sub":
            text, variables = sub_parts(argument)
            if text is not None:
                return references.render_sub(
                    text, variables, substituter.record, substitution_or_missing
                )
        if key == "Fn::Join" and isinstance(argument, list) and len(argument) == 2:
            delimiter, parts = argument
            rendered = [
                substituter.text(part, missing)
                if isinstance(part, str)
                else references.render(part, on_name=substituter.record)
                for part in (parts if isinstance(parts, list) else [None])
            ]
            if all(part is not None for part in rendered):
                return str(delimiter).join(part or "" for part in rendered)
    raise LoadError(
        f"state machine {machine}: DefinitionString must be a string, Fn::Sub or Fn::Join "
        "of strings and references",
        shown,
        line,
    )


def parse_definition_string(text: str, shown: str, line: int | None, machine: str) -> Any:
    """Parse the JSON of a rendered ``DefinitionString``; errors point at the property."""
    try:
        return parse_json(text, shown)
    except LoadError as error:
        raise LoadError(
            f"state machine {machine}: DefinitionString is not valid JSON "
            f"({error.message}, line {error.line} of the string)",
            shown,
            line,
        ) from None
