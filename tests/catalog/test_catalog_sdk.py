"""match_sdk_call and the AWS SDK naming: optimized integrations first, then ``aws-sdk``."""

from __future__ import annotations

import pytest

from lambdaslim.catalog import Catalog, load_catalog, sdk_client_name
from lambdaslim.errors import LambdaslimError


@pytest.fixture(scope="module")
def catalog() -> Catalog:
    return load_catalog()


@pytest.mark.parametrize(
    ("service", "operation", "api_style", "rule_id"),
    [
        ("dynamodb", "PutItem", "client", "LS101"),
        ("dynamodb", "PutItem", "resource", "LS101"),
        ("dynamodb", "PutItem", "pynamodb", "LS101"),
        ("dynamodb", "GetItem", "resource", "LS102"),
        ("dynamodb", "GetItem", "pynamodb", "LS102"),
        ("dynamodb", "UpdateItem", "client", "LS103"),
        ("dynamodb", "DeleteItem", "resource", "LS104"),
        ("sqs", "SendMessage", "client", "LS105"),
        ("sqs", "SendMessage", "resource", "LS105"),
        ("sns", "Publish", "client", "LS106"),
        ("events", "PutEvents", "client", "LS107"),
        ("stepfunctions", "StartExecution", "client", "LS108"),
    ],
)
def test_optimized_integrations_match_first(catalog, service, operation, api_style, rule_id):
    rule = catalog.match_sdk_call(service, operation, api_style)
    assert rule is not None
    assert rule.id == rule_id
    assert rule.integration.startswith("arn:aws:states:::")


@pytest.mark.parametrize(
    ("service", "operation", "arn"),
    [
        ("dynamodb", "Query", "arn:aws:states:::aws-sdk:dynamodb:query"),
        ("stepfunctions", "StartSyncExecution", "arn:aws:states:::aws-sdk:sfn:startSyncExecution"),
        (
            "apigatewaymanagementapi",
            "PostToConnection",
            "arn:aws:states:::aws-sdk:apigatewaymanagementapi:postToConnection",
        ),
        ("s3", "ListObjectsV2", "arn:aws:states:::aws-sdk:s3:listObjectsV2"),
        ("textract", "AnalyzeDocument", "arn:aws:states:::aws-sdk:textract:analyzeDocument"),
        (
            "secretsmanager",
            "GetSecretValue",
            "arn:aws:states:::aws-sdk:secretsmanager:getSecretValue",
        ),
        ("events", "PutRule", "arn:aws:states:::aws-sdk:eventbridge:putRule"),
        ("logs", "PutLogEvents", "arn:aws:states:::aws-sdk:cloudwatchlogs:putLogEvents"),
    ],
)
def test_other_operations_fall_back_to_aws_sdk(catalog, service, operation, arn):
    rule = catalog.match_sdk_call(service, operation, "client")
    assert rule is not None
    assert rule.id == "LS109"
    assert catalog.sdk_integration_arn(service, operation) == arn


def test_resource_style_falls_back_to_aws_sdk(catalog):
    rule = catalog.match_sdk_call("dynamodb", "Query", "resource")
    assert rule is not None and rule.id == "LS109"


@pytest.mark.parametrize(
    ("service", "operation", "api_style"),
    [
        ("dynamodb", "PutItems", "client"),  # no such operation
        ("dynamodb", "put_item", "client"),  # boto3 method name, not the operation name
        ("nosuchservice", "PutItem", "client"),
        ("sqs", "SendMessage", "pynamodb"),  # not an API style of SQS rules nor of LS109
        ("s3", "SelectObjectContent", "client"),  # event stream: no aws-sdk integration
        ("lambda", "InvokeAsync", "client"),  # documented as unsupported
    ],
)
def test_no_rule(catalog, service, operation, api_style):
    assert catalog.match_sdk_call(service, operation, api_style) is None


def test_workflow_entry_and_callback_rules_are_not_transport_matches(catalog):
    """LS401/LS501 describe routes and channels; a lone SDK call still maps to a Task."""
    start = catalog.match_sdk_call("stepfunctions", "StartSyncExecution", "client")
    post = catalog.match_sdk_call("apigatewaymanagementapi", "PostToConnection", "client")
    assert start is not None and start.id == "LS109"
    assert post is not None and post.id == "LS109"


# Expected values from the "Exception prefix" and "Task state resource" columns of the Step
# Functions table of supported AWS SDK integrations.
@pytest.mark.parametrize(
    ("service", "client_name"),
    [
        ("dynamodb", "DynamoDb"),
        ("stepfunctions", "Sfn"),
        ("events", "EventBridge"),
        ("logs", "CloudWatchLogs"),
        ("acm-pca", "AcmPca"),
        ("s3", "S3"),
        ("ec2", "Ec2"),
        ("secretsmanager", "SecretsManager"),
        ("sesv2", "SesV2"),
        ("greengrassv2", "GreengrassV2"),
        ("wafv2", "Wafv2"),
        ("elbv2", "ElasticLoadBalancingV2"),
        ("lexv2-models", "LexModelsV2"),
        ("lex-models", "LexModelBuilding"),
        ("dms", "DatabaseMigration"),
        ("ds", "Directory"),
        ("ce", "CostExplorer"),
        ("cur", "CostAndUsageReport"),
        ("discovery", "ApplicationDiscovery"),
        ("es", "Elasticsearch"),
        ("sagemaker-a2i-runtime", "SageMakerA2IRuntime"),
        ("sagemaker-edge", "SagemakerEdge"),
        ("fsx", "FSx"),
        ("mturk", "MTurk"),
        ("xray", "XRay"),
        ("docdb", "DocDb"),
        ("elasticache", "ElastiCache"),
        ("cognito-idp", "CognitoIdentityProvider"),
        ("codestar-notifications", "CodestarNotifications"),
        ("amplifyuibuilder", "AmplifyUiBuilder"),
        ("cloudhsmv2", "CloudHsmV2"),
        ("route53domains", "Route53Domains"),
        ("resourcegroupstaggingapi", "ResourceGroupsTaggingApi"),
        ("meteringmarketplace", "MarketplaceMetering"),
        ("marketplace-entitlement", "MarketplaceEntitlement"),
        ("rds-data", "RdsData"),
        ("sso-oidc", "SsoOidc"),
        ("iot-data", "IotDataPlane"),
        ("identitystore", "Identitystore"),
        ("memorydb", "MemoryDB"),
        ("apigatewaymanagementapi", "ApiGatewayManagementApi"),
    ],
)
def test_sdk_client_names(service, client_name):
    assert sdk_client_name(service) == client_name


def test_error_prefixes(catalog):
    assert catalog.sdk_error_prefix("dynamodb") == "DynamoDb."
    assert catalog.sdk_error_prefix("acm-pca") == "AcmPca."
    assert catalog.rule("LS101").error_prefix == "DynamoDB."


def test_unknown_service_or_operation_is_an_error(catalog):
    with pytest.raises(LambdaslimError, match="nosuchservice"):
        catalog.sdk_error_prefix("nosuchservice")
    with pytest.raises(LambdaslimError, match=r"dynamodb\.Nope"):
        catalog.sdk_integration_arn("dynamodb", "Nope")


def test_every_botocore_service_gets_an_alphanumeric_client_name():
    import botocore.session

    for service in botocore.session.get_session().get_available_services():
        name = sdk_client_name(service)
        assert name.isalnum() and name[0].isupper(), (service, name)
