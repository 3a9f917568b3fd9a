import json

import pytest

from lambdaslim.errors import LambdaslimError
from lambdaslim.verify import load_cases

BLOCKS_FILE = {"$file": "fixtures/blocks.json"}


def write(directory, name, document):
    (directory / name).write_text(json.dumps(document))


def test_cases_are_read_in_file_order_with_file_references(tmp_path):
    (tmp_path / "fixtures").mkdir()
    write(tmp_path / "fixtures", "blocks.json", {"Blocks": []})
    write(tmp_path, "b.json", {"input": {"n": 2}})
    write(
        tmp_path,
        "a.json",
        {
            "input": {"n": 1},
            "fixtures": {
                "aws": {"textract:AnalyzeDocument": [{"Return": BLOCKS_FILE}]},
                "http": [
                    {
                        "url": "https://x.example/y",
                        "query": {"a": 1},
                        "responses": [{"status": 503}],
                    }
                ],
            },
        },
    )

    first, second = load_cases(tmp_path)

    assert (first.name, second.name) == ("a", "b")
    assert first.fixtures.aws["textract:AnalyzeDocument"] == [{"Return": {"Blocks": []}}]
    assert first.fixtures.http[0].method == "GET"
    assert first.fixtures.http[0].query == {"a": "1"}


@pytest.mark.parametrize(
    ("document", "message"),
    [
        ({"fixtures": {}}, "'input' is required"),
        ({"input": 1, "expect": {}}, "unknown keys ['expect']"),
        ({"input": 1, "fixtures": {"http": [{"url": "u", "responses": []}]}}, "non-empty"),
        ({"input": 1, "fixtures": {"aws": {"textract:X": [{"Answer": 1}]}}}, "'Return' or 'Throw'"),
    ],
)
def test_an_invalid_case_names_its_file(tmp_path, document, message):
    write(tmp_path, "bad.json", document)

    with pytest.raises(LambdaslimError) as raised:
        load_cases(tmp_path)

    assert raised.value.file == str(tmp_path / "bad.json")
    assert message in raised.value.message
