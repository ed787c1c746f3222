"""Invariants every stack must hold, checked on the real program for dev and prod, over every service."""
import json

import pytest

from tests.stack import invariants
from tests.stack.conftest import stack_result, stack_settings


@pytest.mark.parametrize("check", invariants.ALL, ids=lambda check: check.__name__)
def test_invariant_holds(check, result, settings):
    assert check(result, settings) == []


def test_the_reference_platform_has_every_kind_of_service(result):
    kinds = {entry["kind"] for entry in result.outputs["services"].values()}
    assert {"http", "queue-worker", "topic", "event-route", "scheduled-job", "stream-pipeline", "table-stream",
            "workflow", "internal-function", "container"} <= kinds


def test_prod_thresholds_and_protections_differ_from_dev_as_configured():
    dev, prod = stack_result("dev"), stack_result("prod")
    dev_settings, prod_settings = stack_settings("dev"), stack_settings("prod")
    for result, settings in ((dev, dev_settings), (prod, prod_settings)):
        tables = result.of_type("aws:dynamodb/table:Table")
        assert tables
        for table in tables:
            inputs = table.inputs
            assert inputs["deletionProtectionEnabled"] is settings.protection.deletion_protection
            assert inputs["pointInTimeRecovery"] == {"enabled": settings.protection.point_in_time_recovery}
            assert inputs["billingMode"] == "PAY_PER_REQUEST"
            assert inputs["serverSideEncryption"]["enabled"] is True
            assert inputs["serverSideEncryption"]["kmsKeyArn"].startswith("arn:aws:kms:")
    assert not dev_settings.protection.deletion_protection and prod_settings.protection.deletion_protection
    api_functions = {r.stack: [f.inputs for f in r.of_type("aws:lambda/function:Function")
                               if f.inputs["name"].endswith("-api")] for r in (dev, prod)}
    assert api_functions["dev"] and api_functions["prod"]
    assert {f["reservedConcurrentExecutions"] for f in api_functions["dev"]} == {-1}
    assert {f["reservedConcurrentExecutions"] for f in api_functions["prod"]} == {50}
    assert {f["memorySize"] for f in api_functions["dev"]} == {256}
    assert {f["memorySize"] for f in api_functions["prod"]} == {512}
    key = {r.stack: r.of_type("aws:kms/key:Key")[0].inputs for r in (dev, prod)}
    assert (key["dev"]["deletionWindowInDays"], key["prod"]["deletionWindowInDays"]) == (7, 30)
    rule = {r.stack: r.of_type("aws:xray/samplingRule:SamplingRule")[0].inputs for r in (dev, prod)}
    assert (rule["dev"]["fixedRate"], rule["prod"]["fixedRate"]) == (1.0, 0.05)
    for result, settings in ((dev, dev_settings), (prod, prod_settings)):
        critical = [a.inputs for a in result.of_type("aws:cloudwatch/metricAlarm:MetricAlarm")
                    if a.inputs["name"].endswith("-errors-critical") and "-lambda-" in a.inputs["name"]
                    and a.inputs.get("metricQueries")]
        assert critical
        assert {a["threshold"] for a in critical} == {settings.alarms.lambda_error_rate_pct.critical}


def test_alarm_topics_are_encrypted_and_dev_pages_nobody():
    for stack in ("dev", "prod"):
        for topic in stack_result(stack).of_type("aws:sns/topic:Topic"):
            assert topic.inputs["kmsMasterKeyId"].startswith("arn:aws:kms:")
    assert stack_settings("dev").routing.page_on_critical is False
    assert stack_settings("prod").routing.page_on_critical is True


def test_xray_group_covers_every_traced_node(result):
    group = result.of_type("aws:xray/group:Group")[0].inputs
    assert group["groupName"] == f"platform-{result.stack}-traces"
    nodes = [fn.inputs["name"] for fn in result.of_type("aws:lambda/function:Function")]
    nodes += [f"{api.inputs['name']}/v1" for api in result.of_type("aws:apigateway/restApi:RestApi")]
    nodes += [m.inputs["name"] for m in result.of_type("aws:sfn/stateMachine:StateMachine")]
    nodes += [t.inputs["name"] for t in result.of_type("aws:sns/topic:Topic") if t.inputs.get("tracingConfig")]
    assert nodes
    for node in nodes:
        assert f'service("{node}")' in group["filterExpression"]
    rule = result.of_type("aws:xray/samplingRule:SamplingRule")[0].inputs
    assert rule["serviceName"] == f"platform-{result.stack}-*"


def test_every_table_grant_is_the_declared_actions_on_that_table_only(result):
    tables = {t.outputs["arn"] for t in result.of_type("aws:dynamodb/table:Table")}
    for policy in result.of_type("aws:iam/rolePolicy:RolePolicy"):
        for statement in json.loads(policy.inputs["policy"])["Statement"]:
            actions = statement["Action"] if isinstance(statement["Action"], list) else [statement["Action"]]
            if not any(a.startswith("dynamodb:") for a in actions) or "stream" in json.dumps(statement["Resource"]):
                continue
            resources = statement["Resource"] if isinstance(statement["Resource"], list) else [statement["Resource"]]
            assert {r.removesuffix("/index/*") for r in resources} <= tables, (policy.name, resources)
            assert "dynamodb:DeleteTable" not in actions and "dynamodb:*" not in actions
