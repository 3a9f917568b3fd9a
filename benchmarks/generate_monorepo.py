"""Generate a synthetic SAM monorepo to benchmark ``lambdaslim analyze`` at scale.

Deterministic: the same ``--seed`` and ``--functions`` always give byte-identical files.

Layout written under ``--out``::

    template.yaml                       one SAM template: every function, table, queue,
                                        topic, bus, bucket and state machine
    functions/fn_0000/app.py ...        N handlers, 30-80 lines, mixed realistic styles
    statemachine/sm_000.asl.json ...    N/10 state machines, 10 Lambda tasks each
    scripts/*.py, lib/**/*.py           unrelated Python that lambdaslim must NOT parse

Usage::

    python benchmarks/generate_monorepo.py --functions 2000 --out /tmp/monorepo
"""

from __future__ import annotations

import argparse
import json
import random
import shutil
from collections.abc import Callable
from pathlib import Path

TABLES = ["Orders", "Customers", "Invoices", "Payments", "Sessions", "Inventory", "Audit",
          "Shipments"]
QUEUES = ["Fulfilment", "Billing", "Notifications", "Returns"]
TOPICS = ["Alerts", "OrderEvents", "CustomerEvents", "Ops"]
BUSES = ["Commerce", "Platform"]
BUCKETS = ["Uploads", "Reports"]

ENTITIES = ["order", "customer", "invoice", "payment", "session", "item", "shipment",
            "refund", "account", "ticket", "booking", "subscription"]
FIELDS = ["status", "amount", "currency", "email", "country", "channel", "priority",
          "reference", "quantity", "note", "region", "plan"]
DOMAINS = ["orders", "billing", "crm", "logistics", "payments", "support", "catalog"]

# Styles and their weights: ~55 % transport/decision handlers, ~45 % must-keep handlers.
STYLES: list[tuple[str, int]] = [
    ("ddb_put_client", 8),
    ("ddb_put_resource", 9),
    ("ddb_get_guard", 8),
    ("sqs_send", 7),
    ("sns_publish", 6),
    ("events_put", 6),
    ("guards", 6),
    ("http_get", 6),
    ("keep_records_loop", 10),
    ("keep_presigned", 8),
    ("keep_pagination", 8),
    ("keep_computation", 10),
    ("keep_helper_loop", 8),
]


def env_name(kind: str, name: str) -> str:
    snake = "".join("_" + c if c.isupper() else c for c in name).lstrip("_").upper()
    suffix = {"table": "TABLE", "queue": "QUEUE_URL", "topic": "TOPIC_ARN",
              "bus": "EVENT_BUS_NAME", "bucket": "BUCKET"}[kind]
    return f"{snake}_{suffix}"


def import_order(line: str) -> tuple[bool, str]:
    """isort's order inside a section: ``import x`` lines before ``from x import y`` lines."""
    return line.startswith("from "), line


class Source:
    """Builds one handler module, line by line."""

    def __init__(self, rng: random.Random, index: int):
        self.rng = rng
        self.index = index
        self.entity = rng.choice(ENTITIES)
        self.fields = rng.sample(FIELDS, k=rng.randint(2, 5))
        self.domain = rng.choice(DOMAINS)
        self.powertools = rng.random() < 0.5
        self.env: dict[str, tuple[str, str]] = {}  # env var -> (kind, resource name)

    def use(self, kind: str, pool: list[str]) -> str:
        name = self.rng.choice(pool)
        var = env_name(kind, name)
        self.env[var] = (kind, name)
        return var

    # -- common blocks ----------------------------------------------------------------------
    def docstring(self, summary: str) -> list[str]:
        extra = self.rng.choice([
            [],
            ["", f"Owned by the {self.domain} team. The {self.entity} arrives from the "
                 "workflow", "as the state input; the result replaces the state output."],
            ["", "Retries are left to the state machine: any exception fails the task."],
            ["", f"See docs/{self.domain}/{self.entity}.md for the payload contract.",
             "Do not add business logic here without updating the runbook."],
        ])
        return ['"""' + summary, *extra, '"""'] if extra else ['"""' + summary + '"""']

    def header(self, summary: str, imports: list[str], third_party: list[str]) -> list[str]:
        lines = [*self.docstring(summary), ""]
        std = set(imports) | {"import os"}
        if not self.powertools:
            std.add("import logging")
        if self.rng.random() < 0.6:
            std.add("from typing import Any")
        lines += [*sorted(std, key=import_order), ""]
        tp = list(third_party)
        if self.powertools:
            tp.append("from aws_lambda_powertools import Logger, Tracer")
        if tp:
            lines += [*sorted(tp, key=import_order), ""]
        if self.powertools:
            lines += ["logger = Logger()", "tracer = Tracer()"]
        else:
            lines += ["logger = logging.getLogger(__name__)", "logger.setLevel(logging.INFO)"]
        lines += [f'SERVICE = "{self.domain}-{self.entity}-{self.index:04d}"']
        return lines

    def extras(self) -> list[str]:
        """Module-level code real handlers carry that the handler never calls."""
        out: list[str] = []
        if self.rng.random() < 0.6:
            out += ["", ""] + [f'{name.upper()}_DEFAULT = "{self.rng.choice(DOMAINS)}"'
                    for name in self.rng.sample(FIELDS, k=self.rng.randint(2, 5))]
        if self.rng.random() < 0.5:
            out += ["", "", "def _redact(payload: dict) -> dict:",
                    '    """A copy of ``payload`` safe to log: secrets masked."""',
                    '    hidden = {"password", "token", "iban", "card"}',
                    '    return {k: "***" if k in hidden else v for k, v in payload.items()}']
        if self.rng.random() < 0.4:
            out += ["", "", "def _dimensions(event: dict) -> dict:",
                    '    """Metric dimensions of one invocation."""', "    return {",
                    '        "service": SERVICE,',
                    f'        "{self.fields[0]}": str(event.get("{self.fields[0]}", "n/a")),',
                    f'        "{self.fields[1]}": str(event.get("{self.fields[1]}", "n/a")),',
                    "    }"]
        if self.rng.random() < 0.3:
            out += ["", "", "def _check_configuration() -> list[str]:",
                    '    """Names of the required environment variables that are missing."""',
                    "    missing = []",
                    f'    for name in ("POWERTOOLS_SERVICE_NAME", "{self.entity.upper()}_MODE"):',
                    "        if not os.environ.get(name):", "            missing.append(name)",
                    "    return missing"]
        return out

    def decorators(self) -> list[str]:
        if not self.powertools:
            return []
        options = [
            ["@logger.inject_lambda_context", "@tracer.capture_lambda_handler"],
            ["@logger.inject_lambda_context(log_event=True)", "@tracer.capture_lambda_handler"],
            ["@tracer.capture_lambda_handler"],
        ]
        return self.rng.choice(options)

    def signature(self) -> str:
        return "def lambda_handler(event, context):"

    def handler_doc(self, text: str) -> list[str]:
        return [f'    """{text}"""'] if self.rng.random() < 0.7 else []

    def exception(self, name: str, doc: str) -> list[str]:
        return ["", "", f"class {name}(Exception):", f'    """{doc}"""']

    def key_helper(self) -> tuple[list[str], str]:
        e = self.entity
        lines = ["", "", f"def _{e}_key({e}_id: str) -> str:",
                 f'    """The partition key of one {e}."""',
                 f'    return f"{e.upper()}#{{{e}_id}}"']
        return lines, f"_{e}_key"

    def finish(self, lines: list[str]) -> str:
        # Padding that real modules carry: a __all__ and a trailing maintenance comment.
        lines = lines + self.extras()
        if self.rng.random() < 0.5:
            lines = [*lines, "", "", '__all__ = ["lambda_handler"]']
        return "\n".join(lines) + "\n"


def item_dict(src: Source, indent: str, typed: bool) -> list[str]:
    e = src.entity
    out = [f"{indent}Item={{"]
    key = f'f"{e.upper()}#{{{e}[\'id\']}}"'
    if typed:
        out.append(f'{indent}    "pk": {{"S": {key}}},')
        out.append(f'{indent}    "sk": {{"S": "META"}},')
        for f in src.fields:
            out.append(f'{indent}    "{f}": {{"S": {e}["{f}"]}},')
    else:
        out.append(f'{indent}    "pk": {key},')
        out.append(f'{indent}    "sk": "META",')
        for f in src.fields:
            out.append(f'{indent}    "{f}": {e}["{f}"],')
    out.append(f"{indent}}},")
    return out


def guard_lines(src: Source, obj: str, err: str) -> list[str]:
    f = src.fields[0]
    limit = src.rng.choice([100, 1000, 5000, 10000])
    out = [f'    if not {obj}.get("{f}"):',
           f'        raise {err}("{src.entity} has no {f}")']
    if src.rng.random() < 0.5:
        out += [f'    if {obj}.get("amount", 0) > {limit}:',
                f'        raise {err}("amount above {limit}")']
    return out


def try_call(src: Source, call: list[str], what: str) -> list[str]:
    if src.rng.random() < 0.5:
        return call
    body = ["    " + line for line in call]
    return ["    try:", *body, "    except Exception:",
            f'        logger.exception("{what} failed")', "        raise"]


# -- styles ---------------------------------------------------------------------------------
def ddb_put_client(src: Source) -> str:
    var = src.use("table", TABLES)
    e = src.entity
    lines = src.header(f"Store a {e} in DynamoDB (low-level client).", [], ["import boto3"])
    lines += [f'TABLE_NAME = os.environ["{var}"]', 'dynamodb = boto3.client("dynamodb")']
    lines += src.exception(f"Invalid{e.title()}Error", f"The {e} payload is incomplete.")
    lines += ["", "", *src.decorators(), src.signature()]
    lines += src.handler_doc(f"Write the {e} as one item; the state output is unchanged.")
    lines += [f'    {e} = event["{e}"]', *guard_lines(src, e, f"Invalid{e.title()}Error")]
    call = ["    dynamodb.put_item(", "        TableName=TABLE_NAME,",
            *item_dict(src, "        ", typed=True), "    )"]
    lines += try_call(src, call, "put_item")
    lines += ["    return event"]
    return src.finish(lines)


def ddb_put_resource(src: Source) -> str:
    var = src.use("table", TABLES)
    e = src.entity
    lines = src.header(f"Persist the {e} record.", [], ["import boto3"])
    lines += [f'TABLE_NAME = os.environ["{var}"]']
    if src.rng.random() < 0.5:
        lines += ['table = boto3.resource("dynamodb").Table(TABLE_NAME)']
    else:
        lines += ['dynamodb = boto3.resource("dynamodb")', "table = dynamodb.Table(TABLE_NAME)"]
    lines += ["", "", *src.decorators(), src.signature()]
    lines += src.handler_doc(f"Put the {e} item and hand the event on.")
    lines += [f'    {e} = event["{e}"]']
    call = ["    table.put_item(", *item_dict(src, "        ", typed=False), "    )"]
    lines += try_call(src, call, "put_item")
    lines += ['    logger.info("stored")', "    return event"]
    return src.finish(lines)


def ddb_get_guard(src: Source) -> str:
    var = src.use("table", TABLES)
    e = src.entity
    lines = src.header(f"Load a {e} and refuse unknown ones.", [], ["import boto3"])
    lines += [f'TABLE_NAME = os.environ["{var}"]',
              'table = boto3.resource("dynamodb").Table(TABLE_NAME)']
    lines += src.exception(f"{e.title()}NotFoundError", f"No {e} with this id.")
    lines += ["", "", *src.decorators(), src.signature()]
    lines += src.handler_doc(f"Return the stored {e}; fail when it does not exist.")
    lines += [f'    response = table.get_item(Key={{"pk": event["{e}Id"], "sk": "META"}})',
              '    item = response.get("Item")', "    if not item:",
              f'        raise {e.title()}NotFoundError(f"{e} {{event[\'{e}Id\']}} not found")',
              "    return item"]
    return src.finish(lines)


def sqs_send(src: Source) -> str:
    var = src.use("queue", QUEUES)
    e = src.entity
    lines = src.header(f"Forward the {e} to its queue.", ["import json"], ["import boto3"])
    lines += [f'QUEUE_URL = os.environ["{var}"]', 'sqs = boto3.client("sqs")']
    lines += ["", "", *src.decorators(), src.signature()]
    lines += src.handler_doc(f"Send the {e} as one SQS message.")
    call = ["    response = sqs.send_message(", "        QueueUrl=QUEUE_URL,",
            f'        MessageBody=json.dumps(event["{e}"]),', "    )"]
    lines += try_call(src, call, "send_message")
    lines += ['    return {"messageId": response["MessageId"]}']
    return src.finish(lines)


def sns_publish(src: Source) -> str:
    var = src.use("topic", TOPICS)
    e = src.entity
    lines = src.header(f"Announce the {e} on SNS.", ["import json"], ["import boto3"])
    lines += [f'TOPIC_ARN = os.environ["{var}"]', 'sns = boto3.client("sns")']
    lines += ["", "", *src.decorators(), src.signature()]
    lines += src.handler_doc(f"Publish the {e} to the topic.")
    call = ["    sns.publish(", "        TopicArn=TOPIC_ARN,",
            f'        Subject="{e} {src.fields[0]}",',
            f'        Message=json.dumps(event["{e}"]),', "    )"]
    lines += try_call(src, call, "publish")
    lines += ['    return {"published": True}']
    return src.finish(lines)


def events_put(src: Source) -> str:
    var = src.use("bus", BUSES)
    e = src.entity
    lines = src.header(f"Emit the {e} event on EventBridge.", ["import json"],
                       ["import boto3"])
    lines += [f'EVENT_BUS_NAME = os.environ["{var}"]',
              f'EVENT_SOURCE = "com.example.{src.domain}"', 'events = boto3.client("events")']
    lines += ["", "", *src.decorators(), src.signature()]
    lines += src.handler_doc(f"Put one {e.title()}Updated event.")
    call = ["    events.put_events(", "        Entries=[", "            {",
            '                "Source": EVENT_SOURCE,',
            f'                "DetailType": "{e.title()}Updated",',
            '                "Detail": json.dumps(event),',
            '                "EventBusName": EVENT_BUS_NAME,', "            }", "        ]",
            "    )"]
    lines += try_call(src, call, "put_events")
    lines += ["    return event"]
    return src.finish(lines)


def guards(src: Source) -> str:
    e = src.entity
    allowed = src.rng.sample(["FR", "DE", "ES", "IT", "BE", "NL", "PT"], k=3)
    lines = src.header(f"Validate the {e} before the workflow goes on.", [], [])
    lines += [f"SUPPORTED_COUNTRIES = {allowed!r}"]
    lines += src.exception(f"{e.title()}RejectedError", f"The {e} fails a business rule.")
    lines += ["", "", *src.decorators(), src.signature()]
    lines += src.handler_doc(f"Raise when the {e} breaks a rule; pass it on otherwise.")
    lines += [f'    {e} = event["{e}"]',
              f'    if {e}["country"].upper() not in SUPPORTED_COUNTRIES:',
              f'        raise {e.title()}RejectedError(f"country {{{e}[\'country\']}}")',
              *guard_lines(src, e, f"{e.title()}RejectedError"), "    return event"]
    return src.finish(lines)


def http_get(src: Source) -> str:
    e = src.entity
    lines = src.header(f"Look the {e} up in the partner API.", [], ["import requests"])
    lines += [f'API_URL = os.environ.get("PARTNER_API_URL", "https://api.example.com/{e}s")',
              "TIMEOUT_SECONDS = 5"]
    lines += src.exception("PartnerRejectedError", "The partner does not know this id.")
    lines += ["", "", *src.decorators(), src.signature()]
    lines += src.handler_doc("One GET; HTTP errors fail the task and the workflow retries.")
    lines += [f'    response = requests.get(f"{{API_URL}}/{{event[\'{e}Id\']}}", '
              "timeout=TIMEOUT_SECONDS)",
              "    response.raise_for_status()", "    body = response.json()",
              '    if body.get("status") != "ACTIVE":',
              '        raise PartnerRejectedError("partner status is not ACTIVE")',
              f'    event["{e}Partner"] = body', "    return event"]
    return src.finish(lines)


def keep_records_loop(src: Source) -> str:
    var = src.use("table", TABLES)
    e = src.entity
    lines = src.header(f"Store every {e} of an SQS batch.", ["import json"], ["import boto3"])
    lines += [f'table = boto3.resource("dynamodb").Table(os.environ["{var}"])']
    helper, key_fn = src.key_helper()
    lines += helper
    lines += ["", "", *src.decorators(), src.signature()]
    lines += src.handler_doc("Loop over the records: one item per message.")
    lines += ["    stored = 0", '    for record in event["Records"]:',
              '        body = json.loads(record["body"])',
              f'        body["pk"] = {key_fn}(body["id"])',
              "        table.put_item(Item=body)", "        stored += 1",
              '    return {"stored": stored}']
    return src.finish(lines)


def keep_presigned(src: Source) -> str:
    var = src.use("bucket", BUCKETS)
    e = src.entity
    lines = src.header(f"Hand out a pre-signed URL to upload a {e} document.", [],
                       ["import boto3"])
    lines += [f'BUCKET = os.environ["{var}"]', "EXPIRES_IN = 300", 's3 = boto3.client("s3")']
    lines += ["", "", *src.decorators(), src.signature()]
    lines += src.handler_doc("A PUT URL valid five minutes.")
    lines += [f'    key = f"uploads/{e}/{{event[\'fileName\']}}"',
              "    url = s3.generate_presigned_url(",
              '        "put_object", Params={"Bucket": BUCKET, "Key": key}, '
              "ExpiresIn=EXPIRES_IN", "    )",
              '    return {"uploadUrl": url, "key": key}']
    return src.finish(lines)


def keep_pagination(src: Source) -> str:
    var = src.use("table", TABLES)
    e = src.entity
    lines = src.header(f"Count the {e}s of a table, page by page.", [], ["import boto3"])
    lines += [f'TABLE_NAME = os.environ["{var}"]', 'ddb = boto3.client("dynamodb")']
    lines += ["", "", *src.decorators(), src.signature()]
    lines += src.handler_doc("Scan until LastEvaluatedKey is gone.")
    lines += ["    items = []", '    kwargs = {"TableName": TABLE_NAME}', "    while True:",
              "        page = ddb.scan(**kwargs)", '        items.extend(page["Items"])',
              '        if "LastEvaluatedKey" not in page:', "            break",
              '        kwargs["ExclusiveStartKey"] = page["LastEvaluatedKey"]',
              '    return {"count": len(items)}']
    return src.finish(lines)


def keep_computation(src: Source) -> str:
    e = src.entity
    rate = src.rng.choice(["0.2", "0.055", "0.1", "0.21"])
    lines = src.header(f"Price the {e}.", ["from decimal import ROUND_HALF_UP, Decimal"], [])
    lines += [f'VAT_RATE = Decimal("{rate}")', 'CENT = Decimal("0.01")']
    lines += ["", "", "def _line_total(line: dict) -> Decimal:",
              '    """Price times quantity, rounded to the cent."""',
              '    total = Decimal(str(line["price"])) * int(line["quantity"])',
              "    return total.quantize(CENT, rounding=ROUND_HALF_UP)"]
    lines += ["", "", *src.decorators(), src.signature()]
    lines += src.handler_doc(f"Net, VAT and gross amounts of the {e}.")
    lines += [f'    lines = event["{e}"]["lines"]',
              "    net = sum((_line_total(line) for line in lines), Decimal(0))",
              "    vat = (net * VAT_RATE).quantize(CENT, rounding=ROUND_HALF_UP)",
              '    return {"net": str(net), "vat": str(vat), "gross": str(net + vat)}']
    return src.finish(lines)


def keep_helper_loop(src: Source) -> str:
    e = src.entity
    lines = src.header(f"Normalise the {e} tags.", [], [])
    lines += ["", "", "def _normalise(tags: dict) -> dict:",
              '    """Lower-case keys, stripped values."""', "    result = {}",
              "    for key, value in tags.items():",
              "        result[key.lower()] = str(value).strip()", "    return result"]
    lines += ["", "", *src.decorators(), src.signature()]
    lines += src.handler_doc("Return the tags in canonical form.")
    lines += [f'    return {{"tags": _normalise(event["{e}"]["tags"])}}']
    return src.finish(lines)


BUILDERS: dict[str, Callable[[Source], str]] = {
    "ddb_put_client": ddb_put_client, "ddb_put_resource": ddb_put_resource,
    "ddb_get_guard": ddb_get_guard, "sqs_send": sqs_send, "sns_publish": sns_publish,
    "events_put": events_put, "guards": guards, "http_get": http_get,
    "keep_records_loop": keep_records_loop, "keep_presigned": keep_presigned,
    "keep_pagination": keep_pagination, "keep_computation": keep_computation,
    "keep_helper_loop": keep_helper_loop,
}


def pad_to_min(text: str, rng: random.Random, minimum: int = 30) -> str:
    """Realistic filler (a changelog comment block) so that every module has >= 30 lines."""
    count = text.count("\n")
    if count >= minimum:
        return text
    notes = ["validated against the staging payloads", "moved the client to module level",
             "added structured logging", "timeout aligned with the state machine",
             "renamed the environment variable", "documented the payload contract"]
    extra = ["", "# Changelog"]
    target = minimum + rng.randint(0, 6)
    while count + len(extra) < target:
        extra.append(f"# - 20{rng.randint(20, 24)}-{rng.randint(1, 12):02d}: "
                     f"{rng.choice(notes)}")
    return text + "\n".join(extra) + "\n"


# -- state machines -------------------------------------------------------------------------
def fn_id(i: int) -> str:
    return f"Fn{i:04d}"


def task(i: int, rng: random.Random, next_state: str | None) -> dict:
    if rng.random() < 0.5:
        state: dict = {"Type": "Task", "Resource": "arn:aws:states:::lambda:invoke",
                       "Parameters": {"FunctionName": f"${{{fn_id(i)}Arn}}", "Payload.$": "$"},
                       "OutputPath": "$.Payload"}
    else:
        state = {"Type": "Task", "Resource": f"${{{fn_id(i)}Arn}}"}
    state["Retry"] = [{
        "ErrorEquals": ["Lambda.ServiceException", "Lambda.TooManyRequestsException"],
        "IntervalSeconds": 2, "MaxAttempts": 3, "BackoffRate": 2.0,
    }]
    if next_state:
        state["Next"] = next_state
    else:
        state["End"] = True
    return state


def chain(ids: list[int], rng: random.Random) -> tuple[str, dict]:
    names = [f"Step {i:04d}" for i in ids]
    states = {n: task(i, rng, names[k + 1] if k + 1 < len(names) else None)
              for k, (n, i) in enumerate(zip(names, ids, strict=True))}
    return names[0], states


def state_machine(k: int, ids: list[int], rng: random.Random) -> dict:
    if rng.random() < 0.5 or len(ids) < 6:
        start, states = chain(ids, rng)
        return {"Comment": f"Synthetic workflow {k:03d} (chain)", "StartAt": start,
                "States": states}
    head, rest = ids[:2], ids[2:]
    half = len(rest) // 2
    branches = []
    for part in (rest[:half], rest[half:]):
        start, states = chain(part, rng)
        branches.append({"StartAt": start, "States": states})
    start, states = chain(head, rng)
    last = f"Step {head[-1]:04d}"
    del states[last]["End"]
    states[last]["Next"] = "Fan out"
    states["Fan out"] = {"Type": "Parallel", "Branches": branches, "End": True}
    return {"Comment": f"Synthetic workflow {k:03d} (parallel)", "StartAt": start,
            "States": states}


# -- template -------------------------------------------------------------------------------
def template(functions: list[tuple[int, dict[str, tuple[str, str]]]], machines: int) -> str:
    out = ['AWSTemplateFormatVersion: "2010-09-09"', "Transform: AWS::Serverless-2016-10-31",
           "Description: Synthetic monorepo for the lambdaslim benchmark", "", "Resources:"]
    for t in TABLES:
        out += [f"  {t}Table:", "    Type: AWS::DynamoDB::Table", "    Properties:",
                "      BillingMode: PAY_PER_REQUEST", "      AttributeDefinitions:",
                "        - AttributeName: pk", "          AttributeType: S",
                "        - AttributeName: sk", "          AttributeType: S",
                "      KeySchema:", "        - AttributeName: pk", "          KeyType: HASH",
                "        - AttributeName: sk", "          KeyType: RANGE"]
    for q in QUEUES:
        out += [f"  {q}Queue:", "    Type: AWS::SQS::Queue"]
    for t in TOPICS:
        out += [f"  {t}Topic:", "    Type: AWS::SNS::Topic"]
    for b in BUSES:
        out += [f"  {b}Bus:", "    Type: AWS::Events::EventBus", "    Properties:",
                f"      Name: {b.lower()}-bus"]
    for b in BUCKETS:
        out += [f"  {b}Bucket:", "    Type: AWS::S3::Bucket"]
    suffix = {"table": "Table", "queue": "Queue", "topic": "Topic", "bus": "Bus",
              "bucket": "Bucket"}
    for i, env in functions:
        out += [f"  {fn_id(i)}Function:", "    Type: AWS::Serverless::Function",
                "    Properties:", f"      CodeUri: functions/fn_{i:04d}/",
                "      Handler: app.lambda_handler", "      Runtime: python3.12",
                "      Timeout: 10", "      MemorySize: 256"]
        out += ["      Environment:", "        Variables:",
                f"          POWERTOOLS_SERVICE_NAME: fn-{i:04d}"]
        for var, (kind, name) in sorted(env.items()):
            out.append(f"          {var}: !Ref {name}{suffix[kind]}")
    for k in range(machines):
        out += [f"  Sm{k:03d}StateMachine:", "    Type: AWS::Serverless::StateMachine",
                "    Properties:", f"      DefinitionUri: statemachine/sm_{k:03d}.asl.json",
                "      DefinitionSubstitutions:"]
        for i in range(k * 10, k * 10 + 10):
            out.append(f"        {fn_id(i)}Arn: !GetAtt {fn_id(i)}Function.Arn")
        out += ["      Policies:"]
        for i in range(k * 10, k * 10 + 10):
            out += ["        - LambdaInvokePolicy:",
                    f"            FunctionName: !Ref {fn_id(i)}Function"]
    return "\n".join(out) + "\n"


# -- unrelated Python -----------------------------------------------------------------------
def unrelated_module(rng: random.Random, name: str) -> str:
    body = [f'"""{name}: an internal tool, not a Lambda handler."""', "", "import argparse",
            "import csv", "import sys", ""]
    for j in range(rng.randint(4, 12)):
        body += ["", f"def step_{j}(rows):", "    out = []", "    for row in rows:",
                 f"        if row.get('k{j}'):", f"            out.append(row['k{j}'] * {j})",
                 "    return out"]
    body += ["", "", "def main(argv=None):", "    parser = argparse.ArgumentParser()",
             "    parser.add_argument('path')", "    args = parser.parse_args(argv)",
             "    with open(args.path) as handle:", "        rows = list(csv.DictReader(handle))",
             "    print(len(step_0(rows)))", "    return 0", "", "",
             'if __name__ == "__main__":', "    sys.exit(main())"]
    return "\n".join(body) + "\n"


def generate(out: Path, functions: int, seed: int = 1234) -> dict[str, int]:
    """Write the monorepo into ``out`` (emptied first). Returns counts per style."""
    if functions % 10:
        raise SystemExit("--functions must be a multiple of 10 (10 tasks per state machine)")
    rng = random.Random(seed)
    if out.exists():
        shutil.rmtree(out)
    (out / "functions").mkdir(parents=True)
    (out / "statemachine").mkdir()
    names = [s for s, _ in STYLES]
    weights = [w for _, w in STYLES]
    counts: dict[str, int] = dict.fromkeys(names, 0)
    declared: list[tuple[int, dict[str, tuple[str, str]]]] = []
    for i in range(functions):
        style = rng.choices(names, weights)[0]
        counts[style] += 1
        src = Source(random.Random(rng.getrandbits(64)), i)
        text = pad_to_min(BUILDERS[style](src), src.rng)
        folder = out / "functions" / f"fn_{i:04d}"
        folder.mkdir()
        (folder / "app.py").write_text(text, "utf-8")
        (folder / "requirements.txt").write_text(
            "requests\n" if style == "http_get" else "", "utf-8")
        declared.append((i, src.env))
    machines = functions // 10
    for k in range(machines):
        ids = list(range(k * 10, k * 10 + 10))
        definition = state_machine(k, ids, rng)
        (out / "statemachine" / f"sm_{k:03d}.asl.json").write_text(
            json.dumps(definition, indent=2) + "\n", "utf-8")
    (out / "template.yaml").write_text(template(declared, machines), "utf-8")
    # Unrelated Python next to the application: tooling scripts and a shared library.
    for folder, count in (("scripts", max(5, functions // 10)),
                          ("lib/shared", max(5, functions // 10)),
                          ("lib/legacy/jobs", max(5, functions // 20))):
        path = out / folder
        path.mkdir(parents=True)
        (path / "__init__.py").write_text("", "utf-8")
        for j in range(count):
            (path / f"module_{j:04d}.py").write_text(
                unrelated_module(rng, f"{folder}/module_{j:04d}"), "utf-8")
    (out / "README.md").write_text(
        f"Synthetic monorepo: {functions} functions, {machines} state machines (seed {seed}).\n",
        "utf-8")
    return counts


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--functions", type=int, default=2000,
                        help="number of functions (multiple of 10; default 2000)")
    parser.add_argument("--out", type=Path, required=True, help="folder to write (emptied)")
    parser.add_argument("--seed", type=int, default=1234)
    args = parser.parse_args(argv)
    counts = generate(args.out, args.functions, args.seed)
    print(f"wrote {args.functions} functions, {args.functions // 10} state machines "
          f"into {args.out}")
    for style, n in counts.items():
        print(f"  {style:18} {n}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
