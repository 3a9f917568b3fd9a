"""Step Functions' own JSONata functions are available to emulated JSONata states."""

from __future__ import annotations

import re

from lambdaslim.verify.jsonata_bridge import evaluate


def test_uuid_is_a_fresh_version_4_uuid() -> None:
    first, second = evaluate("$uuid()"), evaluate("$uuid()")
    assert re.fullmatch(r"[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}",
                        first)
    assert first != second


def test_parse_partition_range_and_hash() -> None:
    assert evaluate('$parse("{\\"a\\": [1, 2]}")') == {"a": [1, 2]}
    assert evaluate("$partition([1, 2, 3, 4, 5], 2)") == [[1, 2], [3, 4], [5]]
    assert evaluate("$range(0, 10, 4)") == [0, 4, 8]
    assert evaluate('$hash("abc", "SHA-256")') == (
        "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")


def test_random_with_a_seed_is_repeatable() -> None:
    assert evaluate("$random(7)") == evaluate("$random(7)")
    assert 0 <= evaluate("$random()") < 1
