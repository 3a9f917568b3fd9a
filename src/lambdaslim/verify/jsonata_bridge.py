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

Step Functions adds functions of its own to JSONata (``$uuid``, ``$parse``, ``$hash``,
``$partition``, ``$range``, ``$random``); they are registered on every evaluation.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import random
import uuid
from collections.abc import Callable, Iterator
from typing import Any
from unittest import mock

import jsonata
from moto.stepfunctions.parser.asl.eval import states as moto_states
from moto.stepfunctions.parser.asl.eval import variable_store as moto_variable_store
from moto.stepfunctions.parser.asl.jsonata import jsonata as moto_jsonata
from moto.stepfunctions.parser.asl.utils.encoding import to_json_str


def _hash(data: Any, algorithm: str = "SHA-256") -> str:
    name = {"MD5": "md5", "SHA-1": "sha1", "SHA-256": "sha256", "SHA-384": "sha384",
            "SHA-512": "sha512"}[algorithm]
    return hashlib.new(name, str(data).encode()).hexdigest()


def _partition(items: list[Any], size: int) -> list[list[Any]]:
    return [items[i:i + int(size)] for i in range(0, len(items), int(size))]


def _range(start: float, end: float, step: float = 1) -> list[float]:
    values, current = [], start
    while (step > 0 and current < end) or (step < 0 and current > end):
        values.append(current)
        current += step
    return values


# Step Functions' own JSONata functions, which jsonata-python does not have.
STEP_FUNCTIONS_FUNCTIONS: dict[str, Callable[..., Any]] = {
    "uuid": lambda: str(uuid.uuid4()),
    "parse": lambda text: json.loads(text),
    "hash": _hash,
    "partition": _partition,
    "range": _range,
    "random": lambda *seed: random.Random(seed[0] if seed else None).random(),
}


def evaluate(program: str) -> Any:
    """Evaluate a composed JSONata program; the result is plain JSON (None for undefined)."""
    try:
        expression = jsonata.Jsonata(program)
        for name, implementation in STEP_FUNCTIONS_FUNCTIONS.items():
            expression.register_lambda(name, implementation)
        result = expression.evaluate(None)
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
