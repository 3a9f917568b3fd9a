"""What a Lambda Task state did with its data, as terms over the state's input.

ASL's data flow is InputPath -> Parameters -> (task) -> ResultSelector -> ResultPath ->
OutputPath. The handler saw the input after InputPath and Parameters (for ``lambda:invoke``,
the ``Payload``), and the state's output is its return value pushed back through the other
three. ``TaskIO`` composes those paths symbolically so a replacement reads from the same place
and produces the same output: nothing is guessed.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from lambdaslim.rewrite.terms import Arr, Lit, Obj, Path, Ref, Term, get, references, set_path


class Unsupported(Exception):
    """The state uses a feature the rewrite cannot compose exactly; the reason says which."""


_SEGMENT = re.compile(r"\.([A-Za-z_$][\w$-]*)|\['((?:[^'\\]|\\.)*)'\]|\[(\d+)\]")


def parse_path(text: str, what: str) -> Path:
    """``$``, ``$.a.b``, ``$['a b'][0]`` -> ``("a", "b")``; anything else is unsupported."""
    if not text.startswith("$") or text.startswith("$$"):
        raise Unsupported(f"{what} {text!r} is not a reference path")
    rest = text[1:]
    parts: list[str | int] = []
    while rest:
        match = _SEGMENT.match(rest)
        if match is None:
            raise Unsupported(f"{what} {text!r} uses a JSONPath feature the rewrite cannot compose")
        name, quoted, index = match.groups()
        parts.append(int(index) if index is not None else (name if name is not None else quoted))
        rest = rest[match.end():]
    return tuple(parts)


def template_term(template: Any, source: Term, what: str) -> Term:
    """A Parameters/ResultSelector/Payload template applied to ``source``."""
    if isinstance(template, dict):
        items: list[tuple[str, Term]] = []
        for key, value in template.items():
            if key.endswith(".$"):
                if not isinstance(value, str):
                    raise Unsupported(f"{what} field {key!r} is not a path")
                items.append((key[:-2], _dynamic(value, source, what)))
            else:
                items.append((key, template_term(value, source, what)))
        return Obj(tuple(items))
    if isinstance(template, list):
        return Arr(tuple(template_term(item, source, what) for item in template))
    return Lit(template)


def _dynamic(value: str, source: Term, what: str) -> Term:
    if value.startswith("$$"):
        return Ref("context", parse_path("$" + value[2:], what))
    if value.startswith("$"):
        return get(source, parse_path(value, what))
    raise Unsupported(f"{what} uses the intrinsic function {value.split('(')[0]}")


_INVOKE_METADATA = ("StatusCode", "ExecutedVersion", "SdkHttpMetadata", "SdkResponseMetadata")
# Stands for Lambda's response metadata, which depends on the run: an output that reads it
# cannot be reproduced by another integration.
LAMBDA_METADATA = "lambda-metadata"


@dataclass(frozen=True)
class TaskIO:
    """The data flow of one Lambda Task state (JSONPath or a simple JSONata one)."""

    state: dict[str, Any]
    form: str  # arn | invoke | invoke_async
    machine_jsonata: bool = False

    @property
    def jsonata(self) -> bool:
        """A state is JSONata when it says so, or when its machine does and it does not say
        otherwise."""
        language = self.state.get("QueryLanguage")
        return language == "JSONata" or (language is None and self.machine_jsonata)

    def event(self, state_input: Term) -> Term:
        """The event the handler received."""
        if self.jsonata:
            return self._jsonata_event(state_input)
        effective = self._input_path(state_input)
        parameters = self.state.get("Parameters")
        if self.form == "arn":
            return effective if parameters is None else template_term(
                parameters, effective, "Parameters"
            )
        parameters = parameters or {}
        if "Payload.$" in parameters:
            return _dynamic(parameters["Payload.$"], effective, "Payload")
        if "Payload" in parameters:
            return template_term(parameters["Payload"], effective, "Payload")
        return Lit({})

    def output(self, state_input: Term, handler_return: Term) -> Term:
        """The state's output, given what the handler returned."""
        metadata = tuple((name, Ref(LAMBDA_METADATA)) for name in _INVOKE_METADATA[1:])
        if self.form == "invoke_async":
            result: Term = Obj((("Payload", Lit("")), ("StatusCode", Lit(202)), *metadata))
        elif self.form == "invoke":
            result = Obj((("Payload", handler_return), ("StatusCode", Lit(200)), *metadata))
        else:
            result = handler_return
        output = self._jsonata_output(state_input, result) if self.jsonata else \
            self._jsonpath_output(state_input, result)
        if LAMBDA_METADATA in references(output):
            raise Unsupported(
                "the state keeps the whole lambda:invoke result, with Lambda's response "
                f"metadata ({', '.join(_INVOKE_METADATA)}), which no integration returns"
            )
        return output

    def _jsonpath_output(self, state_input: Term, result: Term) -> Term:
        selector = self.state.get("ResultSelector")
        selected = result if selector is None else template_term(selector, result, "ResultSelector")
        result_path = self.state.get("ResultPath", "$")
        merged = state_input if result_path is None else set_path(
            state_input, parse_path(result_path, "ResultPath"), selected
        )
        output_path = self.state.get("OutputPath", "$")
        if output_path is None:
            return Lit({})
        return get(merged, parse_path(output_path, "OutputPath"))

    def _input_path(self, state_input: Term) -> Term:
        input_path = self.state.get("InputPath", "$")
        if input_path is None:
            return Lit({})
        return get(state_input, parse_path(input_path, "InputPath"))

    def _jsonata_event(self, state_input: Term) -> Term:
        arguments = self.state.get("Arguments")
        payload = arguments.get("Payload") if isinstance(arguments, dict) else None
        if self.form == "arn":
            payload = arguments
        if payload is None:
            return state_input if self.form == "arn" else Lit({})
        return _jsonata_path_term(payload, state_input, "$states.input", "Arguments")

    def _jsonata_output(self, state_input: Term, result: Term) -> Term:
        output = self.state.get("Output")
        if output is None:
            return result
        return _jsonata_path_term(output, result, "$states.result", "Output", state_input)


_JSONATA_PATH = re.compile(r"\{%\s*(\$states\.(?:input|result))((?:\.[A-Za-z_]\w*)*)\s*%\}")


def _jsonata_path_term(
    value: Any, source: Term, base: str, what: str, state_input: Term | None = None
) -> Term:
    """Only plain ``{% $states.input.a.b %}`` references are composed from JSONata states."""
    if not isinstance(value, str):
        raise Unsupported(f"the JSONata {what} is not a plain reference")
    match = _JSONATA_PATH.fullmatch(value.strip())
    if match is None:
        raise Unsupported(f"the JSONata {what} {value!r} is not a plain reference")
    root = source if match.group(1) == base else state_input
    if root is None:
        raise Unsupported(f"the JSONata {what} {value!r} is not a plain reference")
    path = tuple(p for p in match.group(2).split(".") if p)
    return get(root, path)
