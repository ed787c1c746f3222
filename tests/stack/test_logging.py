"""Centralized logging invariants for dev and prod."""
import json

from tests.stack.conftest import stack_result

SUBSCRIPTION = "aws:cloudwatch/logSubscriptionFilter:LogSubscriptionFilter"
LOG_GROUP = "aws:cloudwatch/logGroup:LogGroup"
DOMAIN = "aws:opensearch/domain:Domain"


def test_every_log_group_but_the_shippers_and_domains_own_has_exactly_one_subscription(result):
    stack = result.stack
    subscriptions = [s.inputs["logGroup"] for s in result.of_type(SUBSCRIPTION)]
    groups = [g.inputs["name"] for g in result.of_type(LOG_GROUP)]
    excluded = {g for g in groups if g.startswith(f"/platform/{stack}/opensearch/")} | {
        f"/platform/{stack}/log-shipping/lambda-shipper"}
    assert f"/platform/{stack}/log-shipping/lambda-shipper" in groups
    assert sorted(subscriptions) == sorted(g for g in groups if g not in excluded)
    assert len(subscriptions) == len(set(subscriptions))
    assert len(excluded) == 5


def test_subscriptions_point_at_the_environments_delivery_path():
    dev, prod = stack_result("dev"), stack_result("prod")
    for s in dev.of_type(SUBSCRIPTION):
        assert s.inputs["destinationArn"] == "arn:aws:lambda:us-east-1:123456789012:function:platform-dev-log-shipping-shipper"
        assert "roleArn" not in s.inputs
        assert s.inputs["filterPattern"] == ""
    invoke = dev.named("platform-logging-shipper-async").inputs
    assert invoke["maximumRetryAttempts"] == 2
    assert invoke["destinationConfig"]["onFailure"]["destination"].endswith(":platform-dev-log-shipping-failed")
    assert not dev.of_type("aws:kinesis/stream:Stream")
    for s in prod.of_type(SUBSCRIPTION):
        assert s.inputs["destinationArn"] == "arn:aws:kinesis:us-east-1:123456789012:stream/platform-prod-log-shipping-stream"
        assert s.inputs["roleArn"].endswith(":role/platform-prod-log-shipping-logs-to-stream")
    mapping = prod.of_type("aws:lambda/eventSourceMapping:EventSourceMapping")[0].inputs
    assert mapping["bisectBatchOnFunctionError"] is True
    assert mapping["functionResponseTypes"] == ["ReportBatchItemFailures"]
    assert mapping["destinationConfig"]["onFailure"]["destinationArn"].endswith(":platform-prod-log-shipping-failed")
    assert mapping["startingPosition"] == "TRIM_HORIZON"
    stream = prod.of_type("aws:kinesis/stream:Stream")[0].inputs
    assert stream["encryptionType"] == "KMS" and stream["shardCount"] == 2


def test_prod_domain_is_multi_az_with_dedicated_masters_and_dev_is_a_single_node():
    dev = stack_result("dev").of_type(DOMAIN)[0].inputs["clusterConfig"]
    prod = stack_result("prod").of_type(DOMAIN)[0].inputs["clusterConfig"]
    assert dev["instanceCount"] == 1 and dev["dedicatedMasterEnabled"] is False
    assert dev["zoneAwarenessEnabled"] is False and dev["multiAzWithStandbyEnabled"] is False
    assert prod["multiAzWithStandbyEnabled"] is True and prod["zoneAwarenessEnabled"] is True
    assert prod["zoneAwarenessConfig"] == {"availabilityZoneCount": 3}
    assert prod["dedicatedMasterEnabled"] is True and prod["dedicatedMasterCount"] == 3
    assert prod["instanceCount"] % 3 == 0


def test_domain_is_hardened_in_both_environments(result):
    domain = result.of_type(DOMAIN)[0].inputs
    assert domain["encryptAtRest"]["enabled"] is True and domain["encryptAtRest"]["kmsKeyId"].startswith("arn:aws:kms:")
    assert domain["nodeToNodeEncryption"] == {"enabled": True}
    assert domain["domainEndpointOptions"] == {"enforceHttps": True, "tlsSecurityPolicy": "Policy-Min-TLS-1-2-PFS-2023-10"}
    security = domain["advancedSecurityOptions"]
    assert security["enabled"] is True and security["internalUserDatabaseEnabled"] is False
    assert security["masterUserOptions"]["masterUserArn"].endswith(f":role/platform-{result.stack}-log-shipping-bootstrap")
    assert domain["ebsOptions"]["volumeType"] == "gp3"
    published = {o["logType"] for o in domain["logPublishingOptions"]}
    assert published == {"INDEX_SLOW_LOGS", "SEARCH_SLOW_LOGS", "ES_APPLICATION_LOGS", "AUDIT_LOGS"}
    policy = json.loads(domain["accessPolicies"])
    assert policy["Statement"][0]["Principal"] == {"AWS": "arn:aws:iam::123456789012:root"}


def test_bootstrap_runs_at_deploy_with_the_shipper_role_and_retention(result):
    invocation = result.of_type("aws:lambda/invocation:Invocation")[0].inputs
    payload = json.loads(invocation["input"])
    domain = result.of_type(DOMAIN)[0]
    assert payload["endpoint"] == f"https://{domain.outputs['endpoint']}"
    assert payload["writer_role_arns"] == [f"arn:aws:iam::123456789012:role/platform-{result.stack}-log-shipping-shipper"]
    expected = {"dev": (7, 0), "prod": (30, 2)}[result.stack]
    assert (payload["log_retention_days"], payload["number_of_replicas"]) == expected


def test_shipper_is_told_where_to_ship_and_where_to_dead_letter(result):
    stack = result.stack
    env = result.named("platform-logging-shipper-function").inputs["environment"]["variables"]
    assert env["OPENSEARCH_ENDPOINT"].startswith("https://search-platform-")
    assert env["DEAD_LETTER_BUCKET"] == f"platform-{stack}-log-shipping-dead-letters-123456789012"
    assert (env["LOG_INDEX_PREFIX"], env["TRACE_INDEX_PREFIX"], env["LOG_GROUP_PREFIX"]) == (
        f"logs-{stack}", f"otel-v1-apm-span-{stack}", f"/platform/{stack}/")


def test_logging_alarms_cover_the_domain_the_shipper_and_the_path(result):
    names = {a.inputs["name"] for a in result.of_type("aws:cloudwatch/metricAlarm:MetricAlarm")}
    metrics = {a.inputs.get("metricName") for a in result.of_type("aws:cloudwatch/metricAlarm:MetricAlarm")}
    for metric in ("ClusterStatus.red", "ClusterStatus.yellow", "FreeStorageSpace", "ClusterIndexWritesBlocked",
                   "JVMMemoryPressure", "CPUUtilization", "AutomatedSnapshotFailure", "KMSKeyError",
                   "KMSKeyInaccessible", "EventsDeadLettered", "ShippingLagMs", "NumberOfObjects",
                   "ApproximateNumberOfMessagesVisible"):
        assert metric in metrics, metric
    if result.stack == "prod":
        assert "MasterReachableFromNode" in metrics
        assert any("kinesis" in n and "iterator" in n for n in names)
    assert f"platform-{result.stack}-log-shipping-health" in {
        c.inputs["alarmName"] for c in result.of_type("aws:cloudwatch/compositeAlarm:CompositeAlarm")}


def test_stack_outputs_name_the_dashboards_url_and_index_patterns(result):
    assert result.outputs["opensearchDashboardsUrl"].endswith("/_dashboards")
    assert result.outputs["indexPatterns"] == {"logs": f"logs-{result.stack}-*",
                                               "traces": f"otel-v1-apm-span-{result.stack}-*"}
