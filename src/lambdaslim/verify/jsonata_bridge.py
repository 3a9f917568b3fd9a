"""JSONata for moto's Step Functions engine, evaluated by jsonata-python.

moto 5.2.5 parses JSONata states (``Arguments``, ``Output``, ``Assign``, ``Condition``,
``{% ... %}``) and composes each expression into one self-contained JSONata program: variable
declarations for ``$states`` (input, result, context, errorOutput) and the workflow variables,
then the expression (``moto/stepfunctions/parser/asl/jsonata/jsonata.py``). It evaluates that
program through a JVM bridge it does not ship: ``_eval_jsonata`` stays None and every JSONata
state fails with "'NoneType' object is not callable". :func:`jsonata_installed` sets that
function pointer to jsonata-python for the life of a world.

It also corrects how moto declares a string-valued variable: ``"<value>"`` with no escaping, so a
value holding a quote, a backslash or a newline breaks the program. The replacement declares
every value as JSON text, which is valid JSONata for strings, numbers, objects and arrays alike.
"""

from __future__ import annotations

import contextlib
import json
from collections.abc import Iterator
from typing import Any
from unittest import mock

import jsonata
from moto.stepfunctions.parser.asl.eval import states as moto_states
from moto.stepfunctions.parser.asl.eval import variable_store as moto_variable_store
from moto.stepfunctions.parser.asl.jsonata import jsonata as moto_jsonata
from moto.stepfunctions.parser.asl.utils.encoding import to_json_str


def evaluate(program: str) -> Any:
    """Evaluate a composed JSONata program; the result is plain JSON (None for undefined)."""
    try:
        result = jsonata.Jsonata(program).evaluate(None)
        return json.loads(json.dumps(result))
    except Exception as error:
        raise moto_jsonata.JSONataException("UNKNOWN", str(error)) from error


def encode_declarations(bindings: dict[str, Any]) -> str:
    """``$name:=<JSON>;`` for every binding (moto's version leaves strings unescaped)."""
    return "".join(
        f"{name}:={to_json_str(value, separators=(',', ':'))};" for name, value in bindings.items()
    )


@contextlib.contextmanager
def jsonata_installed() -> Iterator[None]:
    with (
        mock.patch.object(moto_jsonata, "_eval_jsonata", evaluate),
        mock.patch.object(moto_states, "encode_jsonata_variable_declarations", encode_declarations),
        mock.patch.object(
            moto_variable_store, "encode_jsonata_variable_declarations", encode_declarations
        ),
    ):
        yield
