"""HttpService's REST front: the Gatekeeper authorizer, usage plans with API keys, the Strangler's proxy
routes and the Scalable Webhook / Streamer service integrations with validated bodies."""
from __future__ import annotations

import json
import re

import pytest
from hypothesis import given, settings as hypothesis_settings, strategies as st

from components.services.function import FunctionArgs
from components.services.http_plan import ProxyRoute, QueueRoute, Route, StreamRoute
from components.services.http_service import HttpServiceArgs, TableSpec
from components.services.queue_worker import QueueWorkerArgs
from components.services.rest_api import UsagePlan
from components.services.stream_pipeline import StreamPipelineArgs
from tests.component.harness import (Run, alarm_keys, alarms, arn, catalog, core_for, in_catalog, inputs, policy,
                                     section_titles)

ITEM = {"type": "object", "required": ["sku"], "properties": {"sku": {"type": "string"}}}


@in_catalog
def declare(platform):
    hooks = platform.add("hooks", QueueWorkerArgs(handler="handlers.hooks.app.handler"))
    beacons = platform.add("beacons", StreamPipelineArgs(handler="handlers.beacons.app.handler"))
    platform.add("gate", HttpServiceArgs(
        handler="handlers.gate.app.handler",
        routes=[Route("POST", "/items", schema=ITEM), Route("GET", "/items/{item_id}"),
                Route("GET", "/health", auth="public"), Route("GET", "/partners", auth="api_key"),
                ProxyRoute("ANY", "/legacy/{proxy+}", url="https://legacy.example.com/app/"),
                ProxyRoute("GET", "/old-report", auth="public", url="https://legacy.example.com/report"),
                QueueRoute("POST", "/hooks", auth="api_key", schema=ITEM, queue=hooks),
                StreamRoute("PUT", "/beacons", stream=beacons, partition_key="$.session")],
        table=TableSpec(hash_key="sku"), idempotency=True,
        authorizer=FunctionArgs(handler="handlers.gate.authorizer.handler", environment={"AUDIENCE": "gate"},
                                secrets={"SIGNING_KEY_ARN": "s" * 32}),
        authorizer_cache_seconds=120,
        usage_plan=UsagePlan(keys=("partner", "internal"), rate_limit=20, burst_limit=40, quota_per_day=1000)))
    platform.add("revocable", HttpServiceArgs(
        handler="h.app.handler", routes=[Route("GET", "/a")],
        tables=[TableSpec(hash_key="id"), TableSpec(hash_key="token", part="revoked", env_var="REVOKED_TABLE",
                                                    actions=("dynamodb:GetItem",))],
        authorizer=FunctionArgs(handler="h.auth.handler", tables=["revoked"])))


@pytest.fixture(scope="module")
def gate() -> Run:
    return catalog()



def test_gatekeeper_is_a_cached_token_authorizer_backed_by_its_own_function(gate):
    authorizer = next(a.inputs for a in gate.view.of_type("aws:apigateway/authorizer:Authorizer")
                      if a.parent == "gate")
    assert (authorizer["type"], authorizer["identitySource"]) == ("TOKEN", "method.request.header.Authorization")
    assert authorizer["authorizerResultTtlInSeconds"] == 120
    assert authorizer["identityValidationExpression"] == r"^Bearer [-0-9A-Za-z._~+/]+=*$"
    assert authorizer["authorizerUri"].endswith("function:platform-dev-gate-authorizer/invocations")
    permission = inputs(gate, "gate-authorizer-invoke")
    assert permission["principal"] == "apigateway.amazonaws.com"
    assert re.fullmatch(r"arn:aws:execute-api:eu-west-1:123456789012:\w+/authorizers/\w+", permission["sourceArn"])


def test_gatekeeper_role_reads_its_secret_and_nothing_of_the_services_data(gate):
    statements = policy(gate.view, "gate-authorizer-policy")
    assert set(statements) == {"WriteOwnLogs", "WriteTraces", "ReadSigningKeyArn", "UseStackKeyViaSecretsmanager"}
    assert statements["ReadSigningKeyArn"]["Resource"].startswith(
        arn("secretsmanager", "secret:platform/dev/gate/signing-key-arn"))
    env = inputs(gate, "gate-authorizer-function")["environment"]["variables"]
    assert env["AUDIENCE"] == "gate" and env["SIGNING_KEY_ARN"].startswith(arn("secretsmanager", "secret:"))
    assert "TABLE_NAME" not in env and "IDEMPOTENCY_TABLE" not in env
    api = policy(gate.view, "gate-api-policy")
    assert {"UseOwnTable", "UseOwnIdempotency"} <= set(api) and "ReadSigningKeyArn" not in api


def test_an_authorizer_may_still_be_given_a_table_by_name(gate):
    statements = policy(gate.view, "revocable-authorizer-policy")
    assert set(statements) == {"WriteOwnLogs", "WriteTraces", "UseOwnRevoked", "UseStackKeyViaDynamodb"}
    assert statements["UseOwnRevoked"]["Action"] == ["dynamodb:GetItem"]


def test_gatekeeper_alarms_on_any_error_while_the_api_function_alarms_on_a_guarded_rate(gate):
    keys = alarm_keys(gate.view, "gate")
    assert {"lambda-authorizer-errors-critical", "lambda-authorizer-throttles-warning",
            "lambda-authorizer-duration-warning"} <= keys
    assert "lambda-authorizer-errors-warning" not in keys
    by_name = alarms(gate.view, "gate")
    any_error = by_name["platform-dev-gate-lambda-authorizer-errors-critical"]
    assert (any_error["metricName"], any_error["threshold"], any_error["evaluationPeriods"]) == ("Errors", 1, 1)
    assert "metricQueries" not in any_error
    rate = by_name["platform-dev-gate-lambda-api-errors-critical"]
    assert rate["metricQueries"][-1]["expression"] == "IF(invocations >= 25, 100 * errors / invocations, 0)"
    assert {"lambda-api-errors-warning", "api-api-5xx-warning", "api-api-latency-warning"} <= keys


def test_each_route_is_guarded_as_declared(gate):
    def method(slug: str) -> dict:
        return inputs(gate, f"gate-{slug}")
    for slug in ("post-items", "get-items-item_id", "any-legacy-proxy", "put-beacons"):
        assert method(slug)["authorization"] == "CUSTOM" and method(slug)["authorizerId"], slug
        assert method(slug)["apiKeyRequired"] is False
    for slug in ("get-health", "get-old-report"):
        assert method(slug)["authorization"] == "NONE" and "authorizerId" not in method(slug)
        assert method(slug)["apiKeyRequired"] is False
    for slug in ("get-partners", "post-hooks"):
        assert method(slug)["authorization"] == "NONE" and method(slug)["apiKeyRequired"] is True
    assert inputs(gate, "gate-rest-api")["tags"]["platform:public-routes"] == "GET /health, GET /old-report"


def test_bodies_are_validated_against_their_schema_before_any_integration(gate):
    for slug in ("post-items", "post-hooks"):
        method = inputs(gate, f"gate-{slug}")
        model = inputs(gate, f"gate-{slug}-model")
        assert method["requestModels"] == {"application/json": model["name"]} and method["requestValidatorId"]
        assert json.loads(model["schema"]) == ITEM and model["contentType"] == "application/json"
    assert "requestModels" not in inputs(gate, "gate-get-health")
    validator = inputs(gate, "gate-validate-body")
    assert validator["validateRequestBody"] is True


def test_strangler_routes_proxy_to_the_legacy_backend_path_and_all(gate):
    proxy = inputs(gate, "gate-any-legacy-proxy-integration")
    assert (proxy["type"], proxy["integrationHttpMethod"], proxy["uri"]) == (
        "HTTP_PROXY", "ANY", "https://legacy.example.com/app/{proxy}")
    assert proxy["requestParameters"] == {"integration.request.path.proxy": "method.request.path.proxy"}
    assert inputs(gate, "gate-any-legacy-proxy")["requestParameters"] == {"method.request.path.proxy": True}
    report = inputs(gate, "gate-get-old-report-integration")
    assert (report["uri"], report.get("requestParameters")) == ("https://legacy.example.com/report", None)


def test_service_integrations_write_to_their_queue_and_stream_with_a_role_for_just_those(gate):
    queue = inputs(gate, "gate-post-hooks-integration")
    assert queue["uri"] == "arn:aws:apigateway:eu-west-1:sqs:path/123456789012/platform-dev-hooks-queue"
    stream = inputs(gate, "gate-put-beacons-integration")
    assert (stream["type"], stream["uri"]) == ("AWS", "arn:aws:apigateway:eu-west-1:kinesis:action/PutRecord")
    assert stream["requestParameters"] == {"integration.request.header.Content-Type": "'application/x-amz-json-1.1'"}
    assert json.loads(stream["requestTemplates"]["application/json"]) == {
        "Data": "$util.base64Encode($input.body)", "StreamName": "platform-dev-beacons-stream",
        "PartitionKey": "$util.escapeJavaScript($input.path('$.session'))"}
    role = "arn:aws:iam::123456789012:role/platform-dev-gate-api-integration"
    assert queue["credentials"] == stream["credentials"] == role
    statements = policy(gate.view, "gate-api-integration-policy")
    assert statements["PostHooks"]["Resource"] == arn("sqs", "platform-dev-hooks-queue")
    assert (statements["PutBeacons"]["Action"], statements["PutBeacons"]["Resource"]) == (
        ["kinesis:PutRecord"], arn("kinesis", "stream/platform-dev-beacons-stream"))
    assert statements["UseStackKeyViaKinesisSqs"]["Action"] == ["kms:GenerateDataKey"]
    for slug in ("post-hooks", "put-beacons"):
        assert inputs(gate, f"gate-{slug}-202")["statusCode"] == "202"
        assert inputs(gate, f"gate-{slug}-accepted")["selectionPattern"] == "2\\d{2}"


def test_function_routes_invoke_the_api_function_scoped_to_this_api(gate):
    integrations = [inputs(gate, f"gate-{slug}-integration") for slug in
                    ("post-items", "get-items-item_id", "get-health", "get-partners")]
    assert {i["type"] for i in integrations} == {"AWS_PROXY"}
    assert all(i["uri"].endswith("function:platform-dev-gate-api/invocations") for i in integrations)
    assert inputs(gate, "gate-api-invoke")["sourceArn"].endswith("/*/*")


def test_usage_plan_throttles_and_caps_every_key_and_the_output_lists_them(gate):
    plan = inputs(gate, "gate-usage-plan")
    assert plan["name"] == "platform-dev-gate-usage-plan"
    assert plan["throttleSettings"] == {"rateLimit": 20, "burstLimit": 40}
    assert plan["quotaSettings"] == {"limit": 1000, "period": "DAY"}
    assert [s["stage"] for s in plan["apiStages"]] == ["v1"]
    for key in ("partner", "internal"):
        assert inputs(gate, f"gate-key-{key}")["name"] == f"platform-dev-gate-key-{key}"
        assert inputs(gate, f"gate-key-{key}-plan")["keyType"] == "API_KEY"
    assert set(gate.view.outputs["services"]["gate"]["apiKeyIds"]) == {"partner", "internal"}


def test_stage_is_traced_logged_and_throttled_from_settings(gate):
    stage = inputs(gate, "gate-stage")
    assert stage["xrayTracingEnabled"] is True and stage["stageName"] == "v1"
    assert stage["accessLogSettings"]["destinationArn"] == arn("logs", "log-group:/platform/dev/gate/api-access")
    settings = inputs(gate, "gate-stage-settings")["settings"]
    assert (settings["throttlingRateLimit"], settings["throttlingBurstLimit"], settings["metricsEnabled"]) == (
        30, 60, True)


def test_dashboard_sections(gate):
    assert section_titles(gate.view, "gate") == [
        "API platform-dev-gate-api/v1", "Lambda platform-dev-gate-api", "Lambda platform-dev-gate-authorizer",
        "DynamoDB platform-dev-gate-table", "DynamoDB platform-dev-gate-idempotency", "Logs"]


# -- bad arguments --------------------------------------------------------------------------------
CORE = core_for()


def problems_of(**args) -> list[str]:
    return HttpServiceArgs(**{"handler": "h.app.handler", "routes": [Route("GET", "/a")], **args}).problems(CORE)


@pytest.mark.parametrize("args, expected", [
    ({"handler": None}, "route GET /a: routes to the service's function, but the service has no handler"),
    ({"routes": [Route("GET", "/a", auth="authorizer")]}, "route GET /a: auth='authorizer' needs the service's"),
    ({"routes": [Route("GET", "/a", auth="api_key")]}, "route GET /a: auth='api_key' needs the service's usage_plan"),
    ({"routes": [QueueRoute("GET", "/q", queue=object())]}, "route GET /q: only POST or PUT"),
    ({"routes": [StreamRoute("DELETE", "/s", stream=object())]}, "route DELETE /s: only POST or PUT"),
    ({"routes": [Route("GET", "/a"), Route("GET", "/a")]}, "routes: routes must be unique by method and path"),
    ({"routes": []}, "routes: an HTTP service needs at least one route"),
    ({"timeout_seconds": 30}, "timeout_seconds = 30: API Gateway stops waiting at 29 s"),
    ({"timeout_seconds": 0}, "timeout_seconds = 0"),
    ({"authorizer_cache_seconds": 3601}, "authorizer_cache_seconds = 3601"),
    ({"authorizer": FunctionArgs(handler="auth")}, "authorizer.handler = 'auth'"),
    ({"authorizer": FunctionArgs(handler="h.auth.handler", tables=["table"])},
     "authorizer.tables: ['table'] are not tables of this service ([])"),
    ({"usage_plan": UsagePlan(keys=("a", "a"))}, "usage_plan.keys = ['a', 'a']"),
    ({"usage_plan": UsagePlan(rate_limit=0)}, "usage_plan.rate_limit and burst_limit"),
    ({"usage_plan": UsagePlan(quota_per_day=0)}, "usage_plan.quota_per_day = 0"),
    ({"table": TableSpec(hash_key="id"), "tables": [TableSpec(hash_key="k")]}, "tables: parts ['table', 'table']"),
])
def test_each_bad_argument_is_named(args, expected):
    problems = problems_of(**args)
    assert any(p.startswith(expected) for p in problems), problems


@hypothesis_settings(max_examples=100, deadline=None)
@given(seconds=st.integers(-100, 5000))
def test_authorizer_cache_stays_within_api_gateways_hour(seconds):
    problems = problems_of(authorizer=FunctionArgs(handler="h.auth.handler"), authorizer_cache_seconds=seconds)
    assert any(p.startswith("authorizer_cache_seconds") for p in problems) == (not 0 <= seconds <= 3600)


@hypothesis_settings(max_examples=150, deadline=None)
@given(key=st.one_of(st.from_regex(r"[a-z0-9][a-z0-9-]{0,15}", fullmatch=True), st.text(max_size=12),
                     st.sampled_from(["web\n", "web-2", "-web", ""])))
def test_api_key_names_become_resource_names_so_they_follow_the_naming_rules(key):
    problems = problems_of(routes=[Route("GET", "/a", auth="api_key")], usage_plan=UsagePlan(keys=(key,)))
    valid = re.fullmatch(r"[a-z0-9][a-z0-9-]*", key) is not None
    assert (problems == []) == valid, problems


@hypothesis_settings(max_examples=150, deadline=None)
@given(url=st.one_of(st.text(max_size=30), st.from_regex(r"https?://[a-z.]{1,12}(/[a-z]{0,5})?", fullmatch=True)))
def test_a_proxy_route_takes_only_an_https_backend_and_says_so_at_declaration(url):
    valid = re.fullmatch(r"https://[A-Za-z0-9.-]+(:\d+)?(/[^\s]*)?", url) is not None
    try:
        ProxyRoute("ANY", "/legacy/{proxy+}", url=url)
    except ValueError as error:
        assert not valid
        assert str(error).startswith("route ANY /legacy/{proxy+}: url must be an https:// URL")
    else:
        assert valid


@pytest.mark.parametrize("build, message", [
    (lambda: Route("FETCH", "/a"), "route FETCH /a: method must be one of"),
    # `$` also matches before a final newline, so every pattern must match the whole value
    (lambda: Route("GET", "/orders\n"), "route GET /orders\n: path must be like"),
    (lambda: QueueRoute("POST", "/q", queue=object(), headers_to_attributes={"X-Sig\n": "sig"}), "route POST /q: header"),
    (lambda: QueueRoute("POST", "/q", queue=object(), headers_to_attributes={"X-Sig": "sig\n"}), "route POST /q: header"),
    (lambda: StreamRoute("POST", "/s", stream=object(), partition_key="$.id\n"), "route POST /s: partition_key"),
    (lambda: ProxyRoute("ANY", "/old", url="https://legacy.example.com\n"), "route ANY /old: url must be"),
    (lambda: Route("GET", "/A b"), "route GET /A b: path must be like"),
    (lambda: Route("GET", "/a", auth="iam"), "route GET /a: auth must be one of"),
    (lambda: QueueRoute("POST", "/q"), "route POST /q: a QueueRoute needs a queue"),
    (lambda: QueueRoute("POST", "/q", queue=object(), headers_to_attributes={"X Sig": "sig"}), "route POST /q: header"),
    (lambda: StreamRoute("POST", "/s", stream=object(), partition_key="session"), "route POST /s: partition_key"),
])
def test_a_bad_route_fails_where_it_is_declared(build, message):
    with pytest.raises(ValueError, match=re.escape(message)):
        build()
