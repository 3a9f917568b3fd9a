"""The small replacements behind moto's engine: JSONata evaluation and JSONPath results."""

import pytest

from lambdaslim.verify.json_path import extract_json
from lambdaslim.verify.jsonata_bridge import encode_declarations, evaluate


def test_jsonata_program_with_declared_states_and_awkward_strings():
    declarations = encode_declarations(
        {"$states": {"input": {"Name": "ADA"}}, "$note": 'say "hi"\\\n'}
    )

    program = f"({declarations}{{'lower': $lowercase($states.input.Name), 'note': $note}})"

    assert evaluate(program) == {"lower": "ada", "note": 'say "hi"\\\n'}


@pytest.mark.parametrize(
    ("path", "expected"),
    [
        ("$[0].applicant", {"n": 1}),
        ("$[1]", {"address": "x"}),
        ("$[*].applicant", [{"n": 1}]),
        ("$..address", ["x"]),
    ],
)
def test_definite_paths_give_values_and_indefinite_ones_lists(path, expected):
    data = [{"applicant": {"n": 1}}, {"address": "x"}]

    assert extract_json(path, data) == expected
