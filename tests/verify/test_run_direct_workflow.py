"""The JSONata flow with direct integrations: HTTP Task, DynamoDB, SQS, aws-sdk (Textract)."""

from lambdaslim.verify import run_case
from lambdaslim.verify.cases import case_from_dict

PRICES_URL = "https://prices.example.com/v1/prices"
NOTE = 'he said "hi"\\ and left\n'


def direct_case(tier: str, responses: list[dict], textract: list[dict] | None = None):
    blocks = {"Return": {"Blocks": [{"BlockType": "PAGE"}, {"BlockType": "LINE"}]}}
    return case_from_dict(
        {
            "input": {
                "orderId": "o-7",
                "sku": "XYZ",
                "email": "b@example.com",
                "tier": tier,
                "note": NOTE,
            },
            "fixtures": {
                "http": [{"method": "GET", "url": PRICES_URL, "responses": responses}],
                "aws": {"textract:AnalyzeDocument": textract or [blocks]},
            },
        },
        "direct",
    )


def test_jsonata_flow_with_direct_integrations(shop):
    case = direct_case("Vip", [{"status": 503, "json": {}}, {"status": 200, "json": {"price": 10}}])

    seen = run_case(shop, "DirectFlow", case)

    assert seen.status == "SUCCEEDED", (seen.error, seen.cause)
    assert seen.output == {
        "orderId": "o-7",
        "price": 5,
        "blocks": 2,
        "execution": "case-direct",
        "note": NOTE,
    }
    assert seen.states_entered == ["Quote", "Tier", "Discount", "Store", "Enqueue", "ReadReceipt"]
    assert seen.lambda_invocations == {}
    assert [r["query"] for r in seen.http_requests] == [{"sku": "XYZ"}, {"sku": "XYZ"}]
    assert seen.tables["OrdersTable"] == [{"pk": "ORDER#o-7", "email": "b@example.com", "price": 5}]
    assert [m["body"] for m in seen.queues["OutboxQueue"]] == [{"orderId": "o-7", "price": 5}]
    [call] = seen.aws_fixture_calls
    assert call["operation"] == "AnalyzeDocument"
    assert call["params"]["Document"]["S3Object"]["Name"] == "o-7.png"


def test_choice_condition_is_case_insensitive_with_lowercase(shop):
    case = direct_case("regular", [{"status": 200, "json": {"price": 10}}])

    seen = run_case(shop, "DirectFlow", case)

    assert seen.states_entered[:3] == ["Quote", "Tier", "Store"]
    assert seen.output["price"] == 10


def test_http_task_non_2xx_fails_with_states_http_status_code(shop):
    case = direct_case("vip", [{"status": 404, "json": {"message": "no"}}])

    seen = run_case(shop, "DirectFlow", case)

    assert seen.status == "FAILED"
    assert seen.error == "States.Http.StatusCode.404"
    assert seen.cause["StatusCode"] == 404
    assert seen.cause["ResponseBody"] == {"message": "no"}


def test_aws_sdk_task_error_from_fixture_throw(shop):
    throw = {"Throw": {"Error": "Textract.InvalidS3ObjectException", "Cause": "no such object"}}
    case = direct_case("vip", [{"status": 200, "json": {"price": 10}}], [throw])

    seen = run_case(shop, "DirectFlow", case)

    assert seen.status == "FAILED"
    assert seen.error == "Textract.InvalidS3ObjectException"
    assert "no such object" in seen.cause
