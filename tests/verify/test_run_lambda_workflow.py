"""The JSONPath order flow: Lambda tasks in both forms, Retry, Catch, async invoke, side effects."""

from lambdaslim.verify import run_case
from lambdaslim.verify.cases import case_from_dict

ORDER = {"orderId": "o-1", "sku": "ABC", "quantity": 2, "email": "a@example.com", "tier": "VIP"}
PRICES_URL = "https://prices.example.com/v1/prices"


def order_case(order: dict, responses: list[dict]):
    return case_from_dict(
        {
            "input": order,
            "fixtures": {
                "http": [
                    {
                        "method": "GET",
                        "url": PRICES_URL,
                        "query": {"sku": "ABC"},
                        "responses": responses,
                    }
                ]
            },
        },
        "order",
    )


def test_happy_path_retries_until_the_second_http_response(shop):
    busy, ok = {"status": 503, "text": "busy"}, {"status": 200, "json": {"price": 12.5}}
    case = order_case(ORDER, [busy, ok])

    seen = run_case(shop, "OrderFlow", case)

    assert seen.status == "SUCCEEDED", seen.cause
    assert seen.output["price"] == 12.5
    assert seen.output["validation"] == {"valid": True, "status": 200}
    assert seen.output["notify"] == {"notified": True}
    assert seen.states_entered == ["Price", "Validate", "Save", "Audit", "Notify"]
    assert seen.lambda_invocations["PriceFunction"] == 2
    assert [request["query"] for request in seen.http_requests] == [{"sku": "ABC"}] * 2
    assert seen.tables["OrdersTable"] == [
        {"pk": "ORDER#o-1", "email": "a@example.com", "price": 12.5, "quantity": 2}
    ]
    assert seen.queues["OutboxQueue"][0]["body"]["orderId"] == "o-1"
    assert seen.events["ShopBus"] == [
        {
            "source": "shop.orders",
            "detail-type": "OrderPlaced",
            "detail": {"orderId": "o-1"},
            "resources": [],
        }
    ]
    assert "saving order" in seen.logs["SaveFunction"]


def test_async_invocation_runs_but_its_error_does_not_reach_the_workflow(shop):
    case = order_case(ORDER, [{"status": 200, "json": {"price": 3}}])

    seen = run_case(shop, "OrderFlow", case)

    assert seen.status == "SUCCEEDED"
    assert seen.output["audit"] == {"StatusCode": 202, "Payload": ""}
    assert [(a["function"], a["error"]) for a in seen.async_invocations] == [
        ("AuditFunction", "RuntimeError")
    ]
    assert list(seen.objects["ReceiptsBucket"]) == ["audit/o-1.json"]


def test_lambda_error_is_caught_with_its_name_and_json_cause(shop):
    case = order_case({**ORDER, "quantity": 0}, [{"status": 200, "json": {"price": 3}}])

    seen = run_case(shop, "OrderFlow", case)

    assert seen.status == "SUCCEEDED"
    assert seen.output["rejected"] is True
    assert seen.output["error"] == "ValueError"
    cause = seen.output["cause"]
    assert cause["errorType"] == "ValueError"
    assert cause["errorMessage"] == "quantity must be positive, got 0"
    assert cause["stackTrace"]
    assert seen.tables["OrdersTable"] == []


def test_retries_exhausted_fail_the_execution_with_the_lambda_error(shop):
    busy = {"status": 503, "text": "busy"}
    case = order_case(ORDER, [busy, busy, busy])

    seen = run_case(shop, "OrderFlow", case)

    assert seen.status == "FAILED"
    assert seen.error == "PriceUnavailable"
    assert seen.cause["errorMessage"] == "prices API unavailable for ABC"
    assert seen.lambda_invocations == {"PriceFunction": 3}
