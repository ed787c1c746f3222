"""Invariants every stack must hold, checked on the real program for dev and prod, over every service."""
import pytest

from components.testing import Match
from tests.stack import invariants
from tests.stack.conftest import stack_settings, stack_view

FUNCTION = "aws:lambda/function:Function"
TABLE = "aws:dynamodb/table:Table"


@pytest.mark.parametrize("check", invariants.ALL, ids=lambda check: check.__name__)
def test_invariant_holds(check, view, settings):
    assert check(view, settings) == []


def test_the_reference_platform_has_every_kind_of_service(view):
    kinds = {entry["kind"] for entry in view.services().values()}
    assert {"http", "queue-worker", "topic", "event-route", "scheduled-job", "stream-pipeline", "table-stream",
            "workflow", "internal-function", "container"} <= kinds


def test_prod_thresholds_and_protections_differ_from_dev_as_configured():
    dev, prod = stack_view("dev"), stack_view("prod")
    dev_settings, prod_settings = stack_settings("dev"), stack_settings("prod")
    for view, settings in ((dev, dev_settings), (prod, prod_settings)):
        tables = view.of_type(TABLE)
        assert tables
        view.resource_count_is(TABLE, len(tables), {
            "deletionProtectionEnabled": settings.protection.deletion_protection,
            "pointInTimeRecovery": {"enabled": settings.protection.point_in_time_recovery},
            "billingMode": "PAY_PER_REQUEST",
            "serverSideEncryption": {"enabled": True, "kmsKeyArn": Match.string_like("^arn:aws:kms:")}})
    assert not dev_settings.protection.deletion_protection and prod_settings.protection.deletion_protection
    api = {"name": Match.string_like("-api$")}
    for view, reserved, memory in ((dev, -1, 256), (prod, 50, 512)):
        functions = view.find(FUNCTION, api)
        assert functions
        view.resource_count_is(FUNCTION, len(functions), {**api, "reservedConcurrentExecutions": reserved,
                                                          "memorySize": memory})
    dev.has_resource("aws:kms/key:Key", {"deletionWindowInDays": 7})
    prod.has_resource("aws:kms/key:Key", {"deletionWindowInDays": 30})
    dev.has_resource("aws:xray/samplingRule:SamplingRule", {"fixedRate": 1.0})
    prod.has_resource("aws:xray/samplingRule:SamplingRule", {"fixedRate": 0.05})
    for view, settings in ((dev, dev_settings), (prod, prod_settings)):
        rate_alarms = {"name": Match.string_like("-lambda-.*-errors-critical$"), "metricQueries": Match.any_value()}
        critical = view.find("aws:cloudwatch/metricAlarm:MetricAlarm", rate_alarms)
        assert critical
        assert {a.inputs["threshold"] for a in critical} == {settings.alarms.lambda_error_rate_pct.critical}


def test_alarm_topics_are_encrypted_and_dev_pages_nobody():
    for stack in ("dev", "prod"):
        topics = stack_view(stack).of_type("aws:sns/topic:Topic")
        stack_view(stack).resource_count_is("aws:sns/topic:Topic", len(topics),
                                            {"kmsMasterKeyId": Match.string_like("^arn:aws:kms:")})
    assert stack_settings("dev").routing.page_on_critical is False
    assert stack_settings("prod").routing.page_on_critical is True


def test_xray_group_covers_every_traced_node(view):
    group = view.has_resource("aws:xray/group:Group", {"groupName": f"platform-{view.stack}-traces"}).inputs
    nodes = [fn.inputs["name"] for fn in view.of_type(FUNCTION)]
    nodes += [f"{api.inputs['name']}/v1" for api in view.of_type("aws:apigateway/restApi:RestApi")]
    nodes += [m.inputs["name"] for m in view.of_type("aws:sfn/stateMachine:StateMachine")]
    nodes += [t.inputs["name"] for t in view.find("aws:sns/topic:Topic", {"tracingConfig": Match.any_value()})]
    assert nodes
    for node in nodes:
        assert f'service("{node}")' in group["filterExpression"]
    view.has_resource("aws:xray/samplingRule:SamplingRule", {"serviceName": f"platform-{view.stack}-*"})


def test_every_table_grant_is_the_declared_actions_on_that_table_only(view):
    """Read through each role's permissions, as a user of the kit asks "what may this role do, and where"."""
    tables = {t.outputs["arn"] for t in view.of_type(TABLE)}
    read = set()
    for role in view.of_type("aws:iam/role:Role"):
        for statement in view.permissions_of(role.name).statements:
            read.add(statement.policy)
            if not any(a.startswith("dynamodb:") for a in statement.actions) or any(
                    "stream" in r for r in statement.resources):
                continue
            assert {r.removesuffix("/index/*") for r in statement.resources} <= tables, (statement.policy,
                                                                                        statement.resources)
            assert not {"dynamodb:DeleteTable", "dynamodb:*"} & set(statement.actions)
    assert read == {p.name for p in view.of_type("aws:iam/rolePolicy:RolePolicy")}  # every policy is some role's
