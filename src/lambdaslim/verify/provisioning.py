"""Deploy an application's resources into moto, then seed them with a case's fixtures.

Created with the physical names of :class:`StackValues`: DynamoDB tables (keys, GSIs and LSIs),
SQS queues (FIFO included), SNS topics with their SQS subscriptions, EventBridge buses, S3
buckets, and the state machine to run (its definition deployed as SAM would). Functions are not
deployed: they run in-process.
"""

from __future__ import annotations

import functools
import json
from decimal import Decimal
from typing import Any

import boto3
from boto3.dynamodb.types import TypeSerializer

from lambdaslim.errors import LambdaslimError
from lambdaslim.model import Application, Table
from lambdaslim.verify.cases import Case
from lambdaslim.verify.cfn_values import ACCOUNT, REGION, StackValues
from lambdaslim.verify.definitions import deployed_definition

TABLE_TYPES = frozenset({"AWS::DynamoDB::Table", "AWS::Serverless::SimpleTable"})
_ROLE_ARN = f"arn:aws:iam::{ACCOUNT}:role/lambdaslim-verify"


@functools.cache
def _session() -> boto3.session.Session:
    return boto3.session.Session(
        aws_access_key_id="testing", aws_secret_access_key="testing", region_name=REGION
    )


@functools.cache
def client(service: str) -> Any:
    """The world's own client for ``service``, made once per process: creating a botocore
    client costs tens of milliseconds, and moto intercepts calls whichever world is active."""
    return _session().client(service)


def provision(app: Application, stack: StackValues) -> None:
    """Create every emulated resource but the state machines."""
    for table in app.tables.values():
        _create_table(table, stack.physical_name(table.logical_id))
    sqs, sns, events, s3 = client("sqs"), client("sns"), client("events"), client("s3")
    for logical_id, resource in app.resources.items():
        name = stack.physical_name(logical_id)
        properties = resource.properties
        if resource.type == "AWS::SQS::Queue":
            attributes = {}
            if properties.get("FifoQueue"):
                attributes["FifoQueue"] = "true"
                if properties.get("ContentBasedDeduplication"):
                    attributes["ContentBasedDeduplication"] = "true"
            sqs.create_queue(QueueName=name, Attributes=attributes)
        elif resource.type == "AWS::SNS::Topic":
            sns.create_topic(Name=name)
        elif resource.type == "AWS::Events::EventBus" and name != "default":
            events.create_event_bus(Name=name)
        elif resource.type == "AWS::S3::Bucket":
            s3.create_bucket(Bucket=name)
    for resource in app.resources.values():
        sqs_subscription = resource.properties.get("Protocol") == "sqs"
        if resource.type == "AWS::SNS::Subscription" and sqs_subscription:
            raw_delivery = bool(resource.properties.get("RawMessageDelivery"))
            sns.subscribe(
                TopicArn=stack.evaluate(resource.properties["TopicArn"]),
                Protocol="sqs",
                Endpoint=stack.evaluate(resource.properties["Endpoint"]),
                Attributes={"RawMessageDelivery": "true" if raw_delivery else "false"},
            )


def deploy_state_machine(app: Application, stack: StackValues, logical_id: str) -> str:
    """Create the state machine, and first every other one of the app its definition names
    (a ``states:startExecution`` target); returns its ARN. Parsing a definition is the
    costliest step of a run, so machines nothing refers to are left out."""
    machine = app.state_machines[logical_id]
    definition = json.dumps(deployed_definition(machine, stack))
    for other in app.state_machines:
        if other != logical_id and stack.attribute(other, "Arn") in definition:
            deploy_state_machine(app, stack, other)
    sfn = client("stepfunctions")
    try:
        created = sfn.create_state_machine(
            name=stack.physical_name(logical_id),
            definition=definition,
            roleArn=_ROLE_ARN,
            type=machine.type if machine.type in ("STANDARD", "EXPRESS") else "STANDARD",
        )
    except sfn.exceptions.InvalidDefinition as error:
        raise LambdaslimError(
            f"state machine {logical_id}: the emulator rejects the definition: {error}",
            machine.definition_location.file,
        ) from None
    return str(created["stateMachineArn"])


def _create_table(table: Table, name: str) -> None:
    attributes = {}
    keys = [table.partition_key, table.sort_key]
    for index in table.indexes:
        keys += [index.partition_key, index.sort_key]
    for key in keys:
        if key is not None:
            attributes[key.name] = key.type

    def schema(partition: Any, sort: Any) -> list[dict[str, str]]:
        parts = [{"AttributeName": partition.name, "KeyType": "HASH"}]
        return parts + ([{"AttributeName": sort.name, "KeyType": "RANGE"}] if sort else [])

    def index_spec(index: Any) -> dict[str, Any]:
        return {
            "IndexName": index.name,
            "KeySchema": schema(index.partition_key, index.sort_key),
            "Projection": {"ProjectionType": "ALL"},
        }

    arguments: dict[str, Any] = {
        "TableName": name,
        "KeySchema": schema(table.partition_key, table.sort_key),
        "AttributeDefinitions": [
            {"AttributeName": key, "AttributeType": type_} for key, type_ in attributes.items()
        ],
        "BillingMode": "PAY_PER_REQUEST",
    }
    global_indexes = [index_spec(i) for i in table.indexes if i.kind == "global"]
    local_indexes = [index_spec(i) for i in table.indexes if i.kind == "local"]
    if global_indexes:
        arguments["GlobalSecondaryIndexes"] = global_indexes
    if local_indexes:
        arguments["LocalSecondaryIndexes"] = local_indexes
    client("dynamodb").create_table(**arguments)


def seed(app: Application, stack: StackValues, case: Case) -> None:
    """Put the case's table items and bucket objects in place."""
    serializer = TypeSerializer()
    for logical_id, items in case.fixtures.tables.items():
        if logical_id not in app.tables:
            raise LambdaslimError(
                f"case {case.name}: fixtures.tables names {logical_id}, not a table of the app",
                case.path,
            )
        for item in items:
            plain = json.loads(json.dumps(item), parse_float=Decimal)
            client("dynamodb").put_item(
                TableName=stack.physical_name(logical_id),
                Item={key: serializer.serialize(value) for key, value in plain.items()},
            )
    s3 = client("s3")
    for logical_id, objects in case.fixtures.objects.items():
        resource = app.resources.get(logical_id)
        if resource is None or resource.type != "AWS::S3::Bucket":
            raise LambdaslimError(
                f"case {case.name}: fixtures.objects names {logical_id}, not a bucket of the app",
                case.path,
            )
        for key, content in objects.items():
            body = content if isinstance(content, str) else json.dumps(content)
            s3.put_object(Bucket=stack.physical_name(logical_id), Key=key, Body=body.encode())
