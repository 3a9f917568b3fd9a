"""Routes from OpenAPI bodies, SAM events, and ApiGateway / ApiGatewayV2 resources."""

from lambdaslim.model import Expression, Location


def routes(app, api_id):
    return {route.route_key: route for route in app.apis[api_id].routes}


def test_http_api_openapi_body_and_events(load_app):
    app = load_app("profile_http_api")
    api = app.apis["ProfilesApi"]
    assert (api.protocol, api.implicit, api.resource_type) == (
        "HTTP",
        False,
        "AWS::Serverless::HttpApi",
    )
    by_key = routes(app, "ProfilesApi")
    get = by_key["GET /users/{userId}"]
    assert (get.method, get.path, get.integration_type, get.source) == (
        "GET",
        "/users/{userId}",
        "aws_proxy",
        "openapi",
    )
    assert get.target_function == "GetProfileFunction"
    assert isinstance(get.integration_uri, Expression)
    assert get.location == Location("template.yaml", 32)
    export = by_key["POST /users/{userId}/export"]
    assert (export.target_function, export.target_state_machine, export.service_action) == (
        None,
        "ExportStateMachine",
        "states:StartExecution",
    )
    update = by_key["PUT /users/{userId}"]
    assert (update.source, update.target_function) == ("event", "UpdateProfileFunction")


def test_http_api_event_without_api_uses_the_implicit_api(load_app):
    app = load_app("profile_http_api")
    api = app.apis["ServerlessHttpApi"]
    assert api.implicit and api.protocol == "HTTP"
    assert routes(app, "ServerlessHttpApi")["$default"].target_function == "HealthFunction"
    assert [route.route_key for route in app.routes_for_function("HealthFunction")] == ["$default"]


def test_simple_table_key(load_app):
    table = load_app("profile_http_api").tables["ProfilesTable"]
    assert (table.partition_key.name, table.partition_key.type, table.sort_key) == (
        "userId",
        "S",
        None,
    )


def test_websocket_routes_from_v2_resources(load_app):
    app = load_app("chat_websocket")
    assert app.apis["ChatApi"].protocol == "WEBSOCKET"
    by_key = routes(app, "ChatApi")
    assert set(by_key) == {"$connect", "sendmessage"}
    connect = by_key["$connect"]
    assert (connect.method, connect.path, connect.source) == (None, None, "resource")
    assert connect.target_function == "OnConnectFunction"  # Target via !Join, uri via !Sub
    assert by_key["sendmessage"].target_function == "SendMessageFunction"  # Target via !Sub
    endpoint = app.functions["SendMessageFunction"].environment["API_ENDPOINT"]
    assert [ref.logical_id for ref in endpoint.references] == ["ChatApi"]


def test_rest_api_from_method_resources(load_app):
    app = load_app("catalog_rest")
    by_key = routes(app, "CatalogApi")
    get = by_key["GET /products/{productId}"]
    assert (get.integration_type, get.target_function) == ("aws_proxy", "GetProductFunction")
    post = by_key["POST /products"]
    assert (post.integration_type, post.service_action, post.target_state_machine) == (
        "aws",
        "states:StartExecution",
        "ImportStateMachine",
    )
    assert post.target_function is None
    inline = app.functions["GetProductFunction"]
    assert inline.code_dir is None and inline.source_file is None
    assert [route.route_key for route in app.route_links] == ["GET /products/{productId}"]


def test_openapi_body_included_from_a_local_file(write):
    from lambdaslim.loading import load_application

    root = write(
        {
            "template.yaml": """
Resources:
  ShopApi:
    Type: AWS::Serverless::Api
    Properties:
      StageName: prod
      DefinitionBody:
        Fn::Transform:
          Name: AWS::Include
          Parameters:
            Location: api/openapi.yaml
  ListFunction:
    Type: AWS::Serverless::Function
    Properties:
      Runtime: python3.12
      Handler: app.handler
      CodeUri: src/
""",
            "api/openapi.yaml": """
openapi: 3.0.1
paths:
  /items:
    get:
      x-amazon-apigateway-integration:
        type: aws_proxy
        httpMethod: POST
        uri:
          Fn::Sub: "arn:aws:apigateway:${AWS::Region}:lambda:path/2015-03-31/functions/\\
            ${ListFunction.Arn}/invocations"
""",
            "src/app.py": "def handler(event, context):\n    return {}\n",
        }
    )
    app = load_application(root)
    [route] = app.apis["ShopApi"].routes
    assert route.target_function == "ListFunction"
    assert route.location == Location("api/openapi.yaml", 5)


def test_definition_s3_location_as_local_file(write):
    from lambdaslim.loading import load_application

    root = write(
        {
            "template.yaml": """
Resources:
  Flow:
    Type: AWS::StepFunctions::StateMachine
    Properties:
      DefinitionS3Location: flows/flow.asl.yaml
  Remote:
    Type: AWS::StepFunctions::StateMachine
    Properties:
      DefinitionS3Location:
        Bucket: my-bucket
        Key: flow.json
""",
            "flows/flow.asl.yaml": "StartAt: Go\nStates:\n  Go:\n    Type: Succeed\n",
        }
    )
    app = load_application(root)
    assert app.state_machines["Flow"].definition_file == (root / "flows/flow.asl.yaml").resolve()
    assert "Remote" not in app.state_machines
    assert "not a local file" in app.warnings[0].message
