"""Nothing leaves the emulated world: unanswered HTTP and raw sockets fail inside the handler."""

import pytest

from lambdaslim.verify import run_case
from lambdaslim.verify.cases import case_from_dict


@pytest.mark.parametrize(
    ("mode", "error", "message"),
    [
        ("requests", "UnansweredRequest", "no HTTP fixture answers GET https://api.example.org"),
        ("urllib", "URLError", "refused"),
        ("socket", "StrayNetworkCall", "connection to '93.184.216.34' refused"),
        ("dns", "StrayNetworkCall", "name lookup of 'api.example.org' refused"),
    ],
)
def test_stray_call_fails_as_a_lambda_error(shop, mode, error, message):
    seen = run_case(shop, "StrayFlow", case_from_dict({"input": {"mode": mode}}, f"stray-{mode}"))

    assert seen.status == "FAILED"
    assert seen.error == error
    assert message in seen.cause["errorMessage"]
