"""The fast indented encoder writes exactly what ``json.dumps(indent=2, ensure_ascii=False)``
writes, on real reports and on arbitrary JSON values."""

from __future__ import annotations

import json
import math
import re
from pathlib import Path

import pytest
from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st

from lambdaslim.cli import main
from lambdaslim.output.json_text import dumps_indented

SAMPLE = Path(__file__).resolve().parents[2] / "samples" / "original_13_lambdas"

SCALARS = (st.none() | st.booleans() | st.integers() | st.floats(allow_nan=True)
           | st.text(alphabet=st.characters(codec="utf-8")))
KEYS = st.text(alphabet=st.characters(codec="utf-8")) | st.integers() | st.booleans() | st.none()
VALUES = st.recursive(
    SCALARS,
    lambda children: st.lists(children, max_size=4) | st.tuples(children, children)
    | st.dictionaries(KEYS, children, max_size=4),
    max_leaves=30,
)


@settings(max_examples=400, deadline=None)
@given(VALUES)
def test_any_json_value_is_written_as_json_dumps_writes_it(value: object) -> None:
    assert dumps_indented(value) == json.dumps(value, indent=2, ensure_ascii=False)


@pytest.mark.parametrize("value", [math.inf, -math.inf, 10**30, -0.0, "\u2028\x00\"\\é😀",
                                   {"": []}, [{}], {1.5: None}])
def test_edge_values(value: object) -> None:
    assert dumps_indented(value) == json.dumps(value, indent=2, ensure_ascii=False)


@pytest.mark.parametrize("value", [{"a": {1, 2}}, [object()], {(1, 2): 3}])
def test_values_json_cannot_write_raise_the_same_type_error(value: object) -> None:
    with pytest.raises(TypeError) as theirs:
        json.dumps(value, indent=2)
    with pytest.raises(TypeError, match=re.escape(str(theirs.value))):
        dumps_indented(value)


def test_the_analysis_report_keeps_the_json_dumps_layout() -> None:
    result = CliRunner().invoke(main, ["analyze", str(SAMPLE), "--format", "json", "--no-cache"])
    assert result.exit_code == 0, result.output
    document = json.loads(result.stdout)
    assert result.stdout == json.dumps(document, indent=2, ensure_ascii=False) + "\n"
