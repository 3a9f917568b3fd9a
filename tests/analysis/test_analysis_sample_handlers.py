"""The sample app's handlers, as an extra check (the fixtures above are the specification)."""

from __future__ import annotations

from pathlib import Path

import pytest

from lambdaslim.analysis import analyze_handler_file

FUNCTIONS = Path(__file__).resolve().parents[2] / "samples" / "original_13_lambdas" / "functions"

EXPECTED = {
    "presigned_url": "keep",
    "extract_id_info": "keep",
    "create_user": "transport",
    "cross_check_identity": "decision",
    "validate_address": "http",
    "check_existing_user": "query_decision",
}


@pytest.mark.skipif(not FUNCTIONS.is_dir(), reason="the sample app is not present")
@pytest.mark.parametrize(("name", "category"), sorted(EXPECTED.items()))
def test_sample_handler_category(catalog, name: str, category: str) -> None:
    path = FUNCTIONS / name / "app.py"
    if not path.is_file():
        pytest.skip(f"{name} is not in the sample")
    verdict = analyze_handler_file(path, "lambda_handler", catalog)
    assert verdict.category == category, verdict.reasons
