"""HttpService and its parts, run through the testing kit with settings built in the test."""
import json

import pytest

from components.services.http_plan import Route
from components.services.http_service import HttpServiceArgs, TableSpec
from components.testing import Match
from tests.component import harness

ROUTES = [Route("POST", "/items"), Route("GET", "/items/{item_id}")]


def run(build, **config):
    done = harness.run(build, **config)
    return done.view, done.platform


def two_services(platform):
    platform.http_service("catalog", HttpServiceArgs(handler="handlers.orders.app.handler", routes=ROUTES,
                                                     table=TableSpec(hash_key="item_id")))
    platform.http_service("quotes", HttpServiceArgs(handler="handlers.orders.app.handler",
                                                    routes=[Route("GET", "/quotes")]))


@pytest.fixture(scope="module")
def two():
    return run(two_services)


def test_a_new_service_gets_function_api_alarms_health_and_dashboard(two):
    result, _ = two
    for service in ("catalog", "quotes"):
        names = {r.name for r in result.resources}
        assert {f"{service}-api-function", f"{service}-rest-api", f"{service}-stage", f"{service}-health",
                f"{service}-dashboard"} <= names
    assert sorted(d.inputs["dashboardName"] for d in result.of_type("aws:cloudwatch/dashboard:Dashboard")) == [
        "platform-dev-catalog-dashboard", "platform-dev-overview", "platform-dev-quotes-dashboard"]


def test_children_are_parented_and_prefixed_by_their_component(two):
    result, _ = two
    for r in result.resources:
        if r.parent in ("catalog", "quotes"):
            assert r.name.startswith(r.parent), r.name


def test_service_without_a_table_gets_no_table_alarms_or_table_permissions(two):
    result, _ = two
    result.resource_count_is("aws:dynamodb/table:Table", 1)
    result.has_resource("aws:dynamodb/table:Table", {"name": "platform-dev-catalog-table"}, parent="catalog")
    quotes_alarms = [alarm.name for alarm in result.alarms_of("quotes", composite=False)]
    assert quotes_alarms and not [n for n in quotes_alarms if "dynamodb" in n]
    result.has_resource("aws:iam/rolePolicy:RolePolicy", name="quotes-api-policy", props={
        "policy": Match.serialized_json({"Statement": Match.not_(Match.array_containing(
            {"Action": Match.array_containing(Match.string_like("^dynamodb:"))}))})})
    assert not [a for a in result.permissions_of("quotes-api-function").actions if a.startswith("dynamodb:")]


def test_function_role_is_least_privilege(two):
    result, _ = two
    policy = json.loads(result.get("catalog-api-policy").inputs["policy"])
    by_sid = {s["Sid"]: s for s in policy["Statement"]}
    assert set(by_sid) == {"WriteOwnLogs", "WriteTraces", "UseOwnTable", "UseStackKeyViaDynamodb"}
    assert by_sid["UseOwnTable"]["Resource"] == [
        "arn:aws:dynamodb:eu-west-1:123456789012:table/platform-dev-catalog-table",
        "arn:aws:dynamodb:eu-west-1:123456789012:table/platform-dev-catalog-table/index/*"]
    for statement in policy["Statement"]:
        actions = statement["Action"] if isinstance(statement["Action"], list) else [statement["Action"]]
        assert not [a for a in actions if a.endswith(":*") or a == "*"]
        if statement["Resource"] == "*":
            assert statement["Sid"] == "WriteTraces"  # X-Ray has no resource-level permissions
    fn = result.get("catalog-api-function").inputs
    assert fn["environment"]["variables"]["TABLE_NAME"] == "platform-dev-catalog-table"


def test_api_routes_are_proxied_to_the_function_and_invoke_is_scoped_to_the_api(two):
    result, _ = two
    integrations = [r for r in result.of_type("aws:apigateway/integration:Integration") if r.parent == "catalog"]
    assert len(integrations) == 2
    assert all(i.inputs["type"] == "AWS_PROXY" and i.inputs["integrationHttpMethod"] == "POST" for i in integrations)
    assert all(i.inputs["uri"].endswith("function:platform-dev-catalog-api/invocations") for i in integrations)
    permission = result.get("catalog-api-invoke").inputs
    assert permission["principal"] == "apigateway.amazonaws.com"
    assert permission["sourceArn"].startswith("arn:aws:execute-api:eu-west-1:123456789012:")
    assert permission["sourceArn"].endswith("/*/*")


def test_every_log_group_is_registered_with_the_shipping_hook(two):
    result, platform = two
    created = sorted(g.inputs["name"] for g in result.of_type("aws:cloudwatch/logGroup:LogGroup"))
    registered = sorted(r.name for r in platform.core.log_shipping.registrations)
    assert created == registered
    assert {"/platform/dev/catalog/api-access", "/platform/dev/catalog/lambda-api",
            "/platform/dev/quotes/api-access", "/platform/dev/quotes/lambda-api"} <= set(created)
    subscribed = sorted(f.inputs["logGroup"] for f in
                        result.of_type("aws:cloudwatch/logSubscriptionFilter:LogSubscriptionFilter"))
    assert subscribed == sorted(r.name for r in platform.core.log_shipping.registrations if r.ship)


def test_duplicate_services_are_rejected():
    def build(platform):
        platform.http_service("dup", HttpServiceArgs(handler="h.app.handler", routes=[Route("GET", "/a")]))
        platform.http_service("dup", HttpServiceArgs(handler="h.app.handler", routes=[Route("GET", "/b")]))

    with pytest.raises(ValueError, match="declared twice"):
        run(build)


def test_alarm_thresholds_follow_the_settings():
    result, _ = run(lambda p: p.http_service("t", HttpServiceArgs(handler="h.app.handler",
                                                                  routes=[Route("GET", "/t")])),
                    alarmApiLatencyP99WarningMs="750", alarmApiLatencyP99CriticalMs="off",
                    lambdaTimeoutSeconds="20", alarmLambdaDurationWarningPct="50")
    names = {a.inputs["name"]: a.inputs for a in result.of_type("aws:cloudwatch/metricAlarm:MetricAlarm")}
    latency = [n for n in names if "latency" in n]
    assert latency == ["platform-dev-t-api-api-latency-warning"]
    assert names[latency[0]]["threshold"] == 750
    duration = names["platform-dev-t-lambda-api-duration-warning"]
    assert duration["threshold"] == 10000  # 50% of a 20 s timeout, in ms
