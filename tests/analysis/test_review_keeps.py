"""Handlers that look like one transport but whose behaviour a workflow state would change.

Each one was replaced before: module-level state that survives between invocations, a team's
own ``logging_utils`` helper taken for a logger, and the whole boto3 response (with its
``ResponseMetadata``) returned as if it were the integration's result.
"""

from __future__ import annotations

from textwrap import dedent

from analysis_support import summarize_text

from lambdaslim.analysis import classify_handler
from lambdaslim.catalog import Catalog


def _verdict(catalog: Catalog, source: str):  # type: ignore[no-untyped-def]
    return classify_handler(summarize_text(dedent(source), "lambda_handler"), catalog)


def _reasons(catalog: Catalog, source: str) -> str:
    verdict = _verdict(catalog, source)
    assert verdict.category == "keep", verdict
    return " | ".join(r.message for r in verdict.reasons)


COLD_START_FLAG = '''
    import os

    import boto3

    table = boto3.resource("dynamodb").Table(os.environ["TABLE_NAME"])
    COLD_START = True


    def lambda_handler(event, context):
        global COLD_START
        was_cold = COLD_START
        COLD_START = False
        table.put_item(Item={"orderId": event["orderId"], "coldStart": was_cold})
        return {"orderId": event["orderId"], "coldStart": was_cold}
'''


def test_a_cold_start_flag_is_module_state(catalog: Catalog) -> None:
    # The second invocation stores coldStart false; a putItem state would always store true.
    reasons = _reasons(catalog, COLD_START_FLAG)
    assert "changes module-level COLD_START, which keeps its value between invocations" in reasons


def test_a_module_level_cache_of_the_last_order_is_module_state(catalog: Catalog) -> None:
    reasons = _reasons(catalog, '''
        import os

        import boto3

        table = boto3.resource("dynamodb").Table(os.environ["TABLE_NAME"])
        _last_seen = {}


        def lambda_handler(event, context):
            previous = _last_seen.get("orderId")
            _last_seen["orderId"] = event["orderId"]
            table.put_item(Item={"orderId": event["orderId"], "previous": previous})
            return {"orderId": event["orderId"]}
    ''')
    assert "changes module-level _last_seen" in reasons


def test_a_lazily_created_client_is_not_module_state(catalog: Catalog) -> None:
    verdict = _verdict(catalog, '''
        import json
        import os

        import boto3

        _sqs = None


        def lambda_handler(event, context):
            global _sqs
            if _sqs is None:
                _sqs = boto3.client("sqs")
            _sqs.send_message(QueueUrl=os.environ["QUEUE_URL"], MessageBody=json.dumps(event))
            return event
    ''')
    assert verdict.category == "transport", verdict.reasons


def test_a_teams_logging_utils_helper_is_not_a_logger(catalog: Catalog) -> None:
    # normalise_order(event) changes the event in place: it is not a no-op like logging.info.
    reasons = _reasons(catalog, '''
        import json
        import logging
        import os

        import boto3
        from logging_utils import normalise_order

        logger = logging.getLogger()
        sqs = boto3.client("sqs")


        def lambda_handler(event, context):
            logger.info("queueing %s", event["orderId"])
            normalise_order(event)
            sqs.send_message(QueueUrl=os.environ["QUEUE_URL"], MessageBody=json.dumps(event))
            return event
    ''')
    assert "logging_utils.normalise_order" in reasons


def test_returning_the_whole_boto3_response_is_kept(catalog: Catalog) -> None:
    reasons = _reasons(catalog, '''
        import json
        import os

        import boto3

        sqs = boto3.client("sqs")


        def lambda_handler(event, context):
            response = sqs.send_message(QueueUrl=os.environ["QUEUE_URL"],
                                        MessageBody=json.dumps(event))
            return response
    ''')
    assert "uses the whole response of the sqs.SendMessage call at line 13" in reasons
    assert "ResponseMetadata" in reasons


def test_returning_the_whole_resource_get_item_response_is_kept(catalog: Catalog) -> None:
    # The resource API's response holds unmarshalled values; getItem's holds typed ones.
    reasons = _reasons(catalog, '''
        import os

        import boto3

        orders = boto3.resource("dynamodb").Table(os.environ["TABLE_NAME"])


        def lambda_handler(event, context):
            return orders.get_item(Key={"orderId": event["orderId"]})
    ''')
    assert "uses the whole response of the dynamodb.GetItem call" in reasons


def test_reading_the_http_status_of_a_boto3_response_is_kept(catalog: Catalog) -> None:
    reasons = _reasons(catalog, '''
        import os

        import boto3

        sns = boto3.client("sns")


        def lambda_handler(event, context):
            response = sns.publish(TopicArn=os.environ["TOPIC_ARN"], Message=event["text"])
            return {"status": response["ResponseMetadata"]["HTTPStatusCode"]}
    ''')
    assert "reads ResponseMetadata of the sns.Publish response at line 11" in reasons


def test_testing_a_key_of_the_response_is_still_a_decision(catalog: Catalog) -> None:
    verdict = _verdict(catalog, '''
        import os

        import boto3

        dynamodb = boto3.client("dynamodb")


        class OrderNotFound(Exception):
            pass


        def lambda_handler(event, context):
            response = dynamodb.get_item(TableName=os.environ["TABLE_NAME"],
                                         Key={"orderId": {"S": event["orderId"]}})
            if "Item" not in response:
                raise OrderNotFound(event["orderId"])
            return response["Item"]
    ''')
    assert verdict.category == "query_decision", verdict.reasons
