"""Reference paths as Step Functions evaluates them: a definite path gives one value.

AWS evaluates JSONPath like Jayway JsonPath: a *definite* path (only names and single indexes,
such as ``$[0].applicant`` or ``$.items[2].id``) yields the value itself; an *indefinite* one
(wildcard, slice, filter, union, deep scan) yields the list of matches. moto 5.2.5's
``extract_json`` wraps in a list any match reached through an index (``$[0].applicant`` becomes
``[{...}]``: the ResultSelector of a Parallel state breaks). :func:`json_path_fixed` swaps in
:func:`extract_json` wherever moto's engine imported it.
"""

from __future__ import annotations

import contextlib
import re
import sys
from collections.abc import Iterator
from typing import Any
from unittest import mock

from jsonpath_ng.ext import parse
from moto.stepfunctions.parser.asl.utils import json_path as moto_json_path

_INDEFINITE = re.compile(r"\.\.|\*|\[\s*\?|\[[^\]]*[:,][^\]]*\]")


def is_definite(path: str) -> bool:
    return not _INDEFINITE.search(path)


def extract_json(path: str, data: Any) -> Any:
    matches = parse(path).find(data)
    if not is_definite(path):
        return [match.value for match in matches]
    if not matches:
        raise moto_json_path.NoSuchJsonPathError(json_path=path, data=data)
    return matches[0].value


@contextlib.contextmanager
def json_path_fixed() -> Iterator[None]:
    original = moto_json_path.extract_json
    users = [
        module
        for name, module in list(sys.modules.items())
        if name.startswith("moto.stepfunctions.parser")
        and getattr(module, "extract_json", None) is original
    ]
    with contextlib.ExitStack() as patches:
        for module in users:
            patches.enter_context(mock.patch.object(module, "extract_json", extract_json))
        yield
