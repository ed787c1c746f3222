"""Invariants every stack must hold, checked on the real program for dev and prod."""
import json
from collections import Counter

from components.naming import LIMITS
from tests.stack.conftest import stack_result, stack_settings

FUNCTION = "aws:lambda/function:Function"
LOG_GROUP = "aws:cloudwatch/logGroup:LogGroup"
ALARM = "aws:cloudwatch/metricAlarm:MetricAlarm"
COMPOSITE = "aws:cloudwatch/compositeAlarm:CompositeAlarm"
TOPIC = "aws:sns/topic:Topic"


def test_every_lambda_has_active_tracing_and_an_explicit_log_group_with_retention(result, settings):
    groups = {g.inputs["name"]: g for g in result.of_type(LOG_GROUP)}
    functions = result.of_type(FUNCTION)
    assert functions
    for fn in functions:
        assert fn.inputs["tracingConfig"] == {"mode": "Active"}, fn.name
        group = groups[fn.inputs["loggingConfig"]["logGroup"]]
        assert group.inputs["retentionInDays"] == settings.log_retention_days
        assert group.inputs["kmsKeyId"].startswith("arn:aws:kms:")
        assert fn.inputs["runtime"] in ("python3.12", "python3.13")
        assert fn.inputs["architectures"] == ["arm64"]
        assert {"SERVICE_NAME", "ENVIRONMENT", "METRICS_NAMESPACE"} <= set(fn.inputs["environment"]["variables"])


def test_every_alarm_has_actions_for_its_severity(result):
    topics = {t.inputs["name"].rsplit("-", 1)[-1]: t.outputs["arn"] for t in result.of_type(TOPIC)}
    alarms = result.of_type(ALARM)
    assert {a.inputs["tags"]["platform:severity"] for a in alarms} == {"warning", "critical"}
    for alarm in alarms:
        expected = [topics[alarm.inputs["tags"]["platform:severity"]]]
        assert alarm.inputs["alarmActions"] == expected, alarm.name
        assert alarm.inputs["okActions"] == expected
        assert "Check first" in alarm.inputs["alarmDescription"]
    for composite in result.of_type(COMPOSITE):
        assert composite.inputs["alarmActions"] == [topics["warning"]]


def test_every_service_has_one_composite_health_alarm_over_its_alarms(result):
    rules = {c.inputs["alarmName"]: c.inputs["alarmRule"] for c in result.of_type(COMPOSITE)}
    stack = result.stack
    assert sorted(rules) == [f"platform-{stack}-log-shipping-health", f"platform-{stack}-orders-health"]
    # the domain's alarms roll up into the logging service's health
    owner = {"orders": "orders", "log-shipping": "log-shipping", "opensearch": "log-shipping"}
    for alarm in result.of_type(ALARM):
        service = owner[alarm.inputs["tags"]["platform:service"]]
        assert f'ALARM("{alarm.inputs["name"]}")' in rules[f"platform-{stack}-{service}-health"]


def _physical_name(registration):
    for key in ("name", "alarmName", "dashboardName", "ruleName", "groupName", "layerName", "bucket",
                "domainName", "stageName"):
        if key in registration.inputs:
            return registration.inputs[key]
    return None


KIND_BY_TYPE = {FUNCTION: "lambda", "aws:iam/role:Role": "iam_role", ALARM: "alarm", COMPOSITE: "alarm",
                LOG_GROUP: "log_group", TOPIC: "sns_topic", "aws:dynamodb/table:Table": "dynamodb_table",
                "aws:cloudwatch/dashboard:Dashboard": "dashboard", "aws:xray/group:Group": "xray_group",
                "aws:xray/samplingRule:SamplingRule": "xray_sampling_rule",
                "aws:lambda/layerVersion:LayerVersion": "lambda_layer", "aws:opensearch/domain:Domain":
                "opensearch_domain", "aws:kinesis/stream:Stream": "kinesis_stream", "aws:sqs/queue:Queue": "sqs_queue",
                "aws:s3/bucketV2:BucketV2": "s3_bucket"}


def test_names_are_unique_and_within_aws_limits(result):
    logical = Counter((r.type, r.name) for r in result.resources)
    assert [key for key, n in logical.items() if n > 1] == []
    for type_token, kind in KIND_BY_TYPE.items():
        names = [_physical_name(r) for r in result.of_type(type_token)]
        assert len(names) == len(set(names)), f"duplicate {type_token} names"
        for name in names:
            assert name and len(name) <= LIMITS[kind], (type_token, name)
            assert f"-{result.stack}-" in name or f"/{result.stack}/" in name, name


def test_prod_thresholds_and_protections_differ_from_dev_as_configured():
    dev, prod = stack_result("dev"), stack_result("prod")
    dev_settings, prod_settings = stack_settings("dev"), stack_settings("prod")
    table = {r.stack: r.of_type("aws:dynamodb/table:Table")[0].inputs for r in (dev, prod)}
    assert table["dev"]["deletionProtectionEnabled"] is False and table["prod"]["deletionProtectionEnabled"] is True
    assert table["dev"]["pointInTimeRecovery"] == {"enabled": False}
    assert table["prod"]["pointInTimeRecovery"] == {"enabled": True}
    for r in (dev, prod):
        assert table[r.stack]["billingMode"] == "PAY_PER_REQUEST"
        assert table[r.stack]["serverSideEncryption"]["enabled"] is True
        assert table[r.stack]["serverSideEncryption"]["kmsKeyArn"].startswith("arn:aws:kms:")
    fn = {r.stack: r.named("orders-api-function").inputs for r in (dev, prod)}
    assert fn["dev"]["reservedConcurrentExecutions"] == -1 and fn["prod"]["reservedConcurrentExecutions"] == 50
    assert (fn["dev"]["memorySize"], fn["prod"]["memorySize"]) == (256, 512)
    key = {r.stack: r.of_type("aws:kms/key:Key")[0].inputs for r in (dev, prod)}
    assert (key["dev"]["deletionWindowInDays"], key["prod"]["deletionWindowInDays"]) == (7, 30)
    rule = {r.stack: r.of_type("aws:xray/samplingRule:SamplingRule")[0].inputs for r in (dev, prod)}
    assert (rule["dev"]["fixedRate"], rule["prod"]["fixedRate"]) == (1.0, 0.05)

    def error_rate_critical(result):
        alarm = result.named("orders-api-lambda-api-errors-critical")
        return alarm.inputs["threshold"]
    assert error_rate_critical(dev) == dev_settings.alarms.lambda_error_rate_pct.critical == 5.0
    assert error_rate_critical(prod) == prod_settings.alarms.lambda_error_rate_pct.critical == 2.0


def test_api_stage_is_traced_throttled_and_access_logged(result, settings):
    stage = result.of_type("aws:apigateway/stage:Stage")[0].inputs
    assert stage["xrayTracingEnabled"] is True
    assert stage["accessLogSettings"]["destinationArn"].endswith(f":log-group:/platform/{result.stack}/orders/api-access")
    method_settings = result.of_type("aws:apigateway/methodSettings:MethodSettings")[0].inputs
    assert method_settings["methodPath"] == "*/*"
    assert method_settings["settings"]["throttlingRateLimit"] == settings.api.throttle_rate_limit
    assert method_settings["settings"]["throttlingBurstLimit"] == settings.api.throttle_burst_limit
    assert result.of_type("aws:apigateway/restApi:RestApi")  # REST, not HTTP API
    assert not [r for r in result.resources if r.type.startswith("aws:apigatewayv2/")]


def test_alarm_topics_are_encrypted_and_dev_pages_nobody():
    for stack in ("dev", "prod"):
        for topic in stack_result(stack).of_type(TOPIC):
            assert topic.inputs["kmsMasterKeyId"].startswith("arn:aws:kms:")
    dev = stack_settings("dev")
    assert dev.routing.page_on_critical is False
    assert stack_settings("prod").routing.page_on_critical is True


def test_xray_group_covers_every_function_and_api_stage(result):
    group = result.of_type("aws:xray/group:Group")[0].inputs
    assert group["groupName"] == f"platform-{result.stack}-traces"
    for fn in result.of_type(FUNCTION):
        assert f'service("{fn.inputs["name"]}")' in group["filterExpression"]
    assert f'service("platform-{result.stack}-orders-api/v1")' in group["filterExpression"]
    rule = result.of_type("aws:xray/samplingRule:SamplingRule")[0].inputs
    assert rule["serviceName"] == f"platform-{result.stack}-*"


def test_orders_function_may_only_put_get_and_scan_its_table(result):
    policy = json.loads(result.named("orders-api-policy").inputs["policy"])
    table = next(s for s in policy["Statement"] if s["Sid"] == "UseOwnTable")
    assert table["Action"] == ["dynamodb:PutItem", "dynamodb:GetItem", "dynamodb:Scan"]
