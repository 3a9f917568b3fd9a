"""Read what a finished run left behind: the execution and every resource's final content.

Values are normalised so that two runs compare as values: DynamoDB items as plain JSON sorted by
key, message and object bodies parsed as JSON when they parse, generated ids and timestamps left
out.
"""

from __future__ import annotations

import hashlib
import json
from decimal import Decimal
from typing import Any

from boto3.dynamodb.types import TypeDeserializer
from moto.sns.models import sns_backends

from lambdaslim.model import Application
from lambdaslim.verify.cfn_values import ACCOUNT, REGION, StackValues
from lambdaslim.verify.http_fixtures import parse_body
from lambdaslim.verify.observation import RunObservation
from lambdaslim.verify.provisioning import client


def execution(observation: RunObservation, execution_arn: str) -> None:
    sfn = client("stepfunctions")
    described = sfn.describe_execution(executionArn=execution_arn)
    observation.status = described["status"]
    if "output" in described:
        observation.output = parse_body(described["output"])
    observation.error = described.get("error")
    if "cause" in described:
        observation.cause = parse_body(described["cause"])
    history = sfn.get_execution_history(executionArn=execution_arn, maxResults=1000)["events"]
    entered = [
        event["stateEnteredEventDetails"]["name"]
        for event in history
        if event["type"].endswith("StateEntered")
    ]
    observation.states_entered = entered
    observation.state_transitions = len(entered)


def resources(observation: RunObservation, app: Application, stack: StackValues) -> None:
    for logical_id, table in app.tables.items():
        keys = [k.name for k in (table.partition_key, table.sort_key) if k is not None]
        observation.tables[logical_id] = _table_items(stack.physical_name(logical_id), keys)
    topics = sns_backends[ACCOUNT][REGION].topics
    for logical_id, resource in app.resources.items():
        if resource.type == "AWS::SQS::Queue":
            observation.queues[logical_id] = _queue_messages(stack.attribute(logical_id, None))
        elif resource.type == "AWS::SNS::Topic":
            topic = topics.get(stack.attribute(logical_id, None))
            observation.topics[logical_id] = [
                {
                    "message": parse_body(message),
                    "subject": subject,
                    "attributes": attributes or {},
                    "group_id": group_id,
                }
                for _id, message, subject, attributes, group_id in (
                    topic.sent_notifications if topic else []
                )
            ]
        elif resource.type == "AWS::Events::EventBus":
            observation.events.setdefault(logical_id, [])
        elif resource.type == "AWS::S3::Bucket":
            observation.objects[logical_id] = _bucket_objects(stack.physical_name(logical_id))


def _plain(value: Any) -> Any:
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in sorted(value.items())}
    if isinstance(value, list | set | tuple):
        items = [_plain(v) for v in value]
        return sorted(items, key=json.dumps) if isinstance(value, set) else items
    if isinstance(value, bytes | bytearray):
        return value.decode("utf-8", "replace")
    return value


def _table_items(name: str, keys: list[str]) -> list[dict[str, Any]]:
    deserializer = TypeDeserializer()
    items: list[dict[str, Any]] = []
    for page in client("dynamodb").get_paginator("scan").paginate(TableName=name):
        for item in page["Items"]:
            items.append(
                _plain({key: deserializer.deserialize(value) for key, value in item.items()})
            )
    return sorted(items, key=lambda item: [str(item.get(key)) for key in keys])


def _queue_messages(url: str) -> list[dict[str, Any]]:
    sqs = client("sqs")
    messages: list[dict[str, Any]] = []
    while True:
        received = sqs.receive_message(
            QueueUrl=url,
            MaxNumberOfMessages=10,
            VisibilityTimeout=600,
            MessageAttributeNames=["All"],
            MessageSystemAttributeNames=["MessageGroupId"],
        ).get("Messages", [])
        if not received:
            return messages
        for message in received:
            attributes = {
                name: value.get("StringValue", value.get("BinaryValue"))
                for name, value in sorted(message.get("MessageAttributes", {}).items())
            }
            entry: dict[str, Any] = {"body": parse_body(message["Body"]), "attributes": attributes}
            group = message.get("Attributes", {}).get("MessageGroupId")
            if group is not None:
                entry["group_id"] = group
            messages.append(entry)


def _bucket_objects(bucket: str) -> dict[str, str]:
    s3 = client("s3")
    objects: dict[str, str] = {}
    for page in s3.get_paginator("list_objects_v2").paginate(Bucket=bucket):
        for entry in page.get("Contents", []):
            body = s3.get_object(Bucket=bucket, Key=entry["Key"])["Body"].read()
            try:
                objects[entry["Key"]] = body.decode("utf-8")
            except UnicodeDecodeError:
                objects[entry["Key"]] = "sha256:" + hashlib.sha256(body).hexdigest()
    return dict(sorted(objects.items()))
