"""The sample application's happy path, through its real handlers."""

from pathlib import Path

import pytest

from lambdaslim.loading.application import load_application
from lambdaslim.verify import load_cases, run_case

SAMPLE = Path(__file__).parents[2] / "samples" / "original_13_lambdas"


@pytest.mark.skipif(not (SAMPLE / "cases" / "happy_path.json").exists(), reason="no sample")
def test_sample_happy_path_creates_the_user():
    app = load_application(SAMPLE)
    [case] = [case for case in load_cases(SAMPLE / "cases") if case.name == "happy_path"]

    seen = run_case(app, "AccountCreationStateMachine", case)

    assert seen.status == "SUCCEEDED", (seen.error, seen.cause)
    assert seen.output == case.expected["output"]
    assert seen.tables["UsersTable"] == case.expected["effects"]["tables"]["UsersTable"]
    assert [post["connectionId"] for post in seen.websocket_posts] == [case.input["connectionId"]]
