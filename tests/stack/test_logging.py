"""Centralized logging invariants for dev and prod."""
from components.testing import Match
from tests.stack.conftest import stack_view

SUBSCRIPTION = "aws:cloudwatch/logSubscriptionFilter:LogSubscriptionFilter"
LOG_GROUP = "aws:cloudwatch/logGroup:LogGroup"
DOMAIN = "aws:opensearch/domain:Domain"
ALARM = "aws:cloudwatch/metricAlarm:MetricAlarm"


def test_every_log_group_but_the_shippers_and_domains_own_has_exactly_one_subscription(view):
    stack = view.stack
    groups = [g.inputs["name"] for g in view.of_type(LOG_GROUP)]
    excluded = {g for g in groups if g.startswith(f"/platform/{stack}/opensearch/")} | {
        f"/platform/{stack}/log-shipping/lambda-shipper"}
    assert f"/platform/{stack}/log-shipping/lambda-shipper" in groups
    assert sorted(g for g in groups if view.is_shipped(g)) == sorted(g for g in groups if g not in excluded)
    assert sorted(s.inputs["logGroup"] for s in view.of_type(SUBSCRIPTION)) == sorted(set(groups) - excluded)
    assert len(excluded) == 5


def test_subscriptions_point_at_the_environments_delivery_path():
    dev, prod = stack_view("dev"), stack_view("prod")
    shipper = "arn:aws:lambda:us-east-1:123456789012:function:platform-dev-log-shipping-shipper"
    dev.resource_count_is(SUBSCRIPTION, len(dev.of_type(SUBSCRIPTION)),
                          {"destinationArn": shipper, "roleArn": Match.absent(), "filterPattern": ""})
    dev.has_resource("aws:lambda/functionEventInvokeConfig:FunctionEventInvokeConfig", name="platform-logging-shipper-async",
                     props={"maximumRetryAttempts": 2, "destinationConfig": {"onFailure": {
                         "destination": Match.string_like(":platform-dev-log-shipping-failed$")}}})
    dev.resource_count_is("aws:kinesis/stream:Stream", 0, parent="platform-logging")
    prod.resource_count_is(SUBSCRIPTION, len(prod.of_type(SUBSCRIPTION)), {
        "destinationArn": "arn:aws:kinesis:us-east-1:123456789012:stream/platform-prod-log-shipping-stream",
        "roleArn": Match.string_like(":role/platform-prod-log-shipping-logs-to-stream$")})
    prod.has_resource("aws:lambda/eventSourceMapping:EventSourceMapping", name="platform-logging-shipper-stream", props={
        "bisectBatchOnFunctionError": True, "functionResponseTypes": ["ReportBatchItemFailures"],
        "destinationConfig": {"onFailure": {"destinationArn": Match.string_like(":platform-prod-log-shipping-failed$")}},
        "startingPosition": "TRIM_HORIZON"})
    prod.has_resource("aws:kinesis/stream:Stream", {"encryptionType": "KMS", "shardCount": 2},
                      name="platform-logging-stream")


def test_prod_domain_is_multi_az_with_dedicated_masters_and_dev_is_a_single_node():
    stack_view("dev").has_resource(DOMAIN, {"clusterConfig": {
        "instanceCount": 1, "dedicatedMasterEnabled": False, "zoneAwarenessEnabled": False,
        "multiAzWithStandbyEnabled": False}})
    prod = stack_view("prod").has_resource(DOMAIN, {"clusterConfig": {
        "multiAzWithStandbyEnabled": True, "zoneAwarenessEnabled": True,
        "zoneAwarenessConfig": Match.exact({"availabilityZoneCount": 3}),
        "dedicatedMasterEnabled": True, "dedicatedMasterCount": 3}})
    assert prod.inputs["clusterConfig"]["instanceCount"] % 3 == 0


def test_domain_is_hardened_in_both_environments(view):
    view.has_resource(DOMAIN, {
        "encryptAtRest": {"enabled": True, "kmsKeyId": Match.string_like("^arn:aws:kms:")},
        "nodeToNodeEncryption": Match.exact({"enabled": True}),
        "domainEndpointOptions": Match.exact({"enforceHttps": True,
                                              "tlsSecurityPolicy": "Policy-Min-TLS-1-2-PFS-2023-10"}),
        "advancedSecurityOptions": {"enabled": True, "internalUserDatabaseEnabled": False, "masterUserOptions": {
            "masterUserArn": Match.string_like(f":role/platform-{view.stack}-log-shipping-bootstrap$")}},
        "ebsOptions": {"volumeType": "gp3"},
        "accessPolicies": Match.serialized_json({"Statement": [
            {"Principal": Match.exact({"AWS": "arn:aws:iam::123456789012:root"})}]}),
    })
    published = {o["logType"] for o in view.of_type(DOMAIN)[0].inputs["logPublishingOptions"]}
    assert published == {"INDEX_SLOW_LOGS", "SEARCH_SLOW_LOGS", "ES_APPLICATION_LOGS", "AUDIT_LOGS"}


def test_bootstrap_runs_at_deploy_with_the_shipper_role_and_retention(view):
    domain = view.of_type(DOMAIN)[0]
    retention, replicas = {"dev": (7, 0), "prod": (30, 2)}[view.stack]
    view.has_resource("aws:lambda/invocation:Invocation", {"input": Match.serialized_json({
        "endpoint": f"https://{domain.outputs['endpoint']}",
        "writer_role_arns": [f"arn:aws:iam::123456789012:role/platform-{view.stack}-log-shipping-shipper"],
        "log_retention_days": retention, "number_of_replicas": replicas})})


def test_shipper_is_told_where_to_ship_and_where_to_dead_letter(view):
    stack = view.stack
    view.has_resource("aws:lambda/function:Function", name="platform-logging-shipper-function", props={
        "environment": {"variables": {
            "OPENSEARCH_ENDPOINT": Match.string_like("^https://search-platform-"),
            "DEAD_LETTER_BUCKET": f"platform-{stack}-log-shipping-dead-letters-123456789012",
            "LOG_INDEX_PREFIX": f"logs-{stack}", "TRACE_INDEX_PREFIX": f"otel-v1-apm-span-{stack}",
            "LOG_GROUP_PREFIX": f"/platform/{stack}/"}}})


def test_logging_alarms_cover_the_domain_the_shipper_and_the_path(view):
    metrics = {a.inputs.get("metricName") for a in view.of_type(ALARM)}
    for metric in ("ClusterStatus.red", "ClusterStatus.yellow", "FreeStorageSpace", "ClusterIndexWritesBlocked",
                   "JVMMemoryPressure", "CPUUtilization", "AutomatedSnapshotFailure", "KMSKeyError",
                   "KMSKeyInaccessible", "EventsDeadLettered", "ShippingLagMs", "NumberOfObjects",
                   "ApproximateNumberOfMessagesVisible"):
        assert metric in metrics, metric
    if view.stack == "prod":
        view.has_resource(ALARM, {"metricName": "MasterReachableFromNode"})
        view.has_resource(ALARM, {"name": Match.string_like("kinesis.*iterator")})
    assert view.alarm(f"platform-{view.stack}-log-shipping-health").composite


def test_stack_outputs_name_the_dashboards_url_and_index_patterns(view):
    view.has_output("opensearchDashboardsUrl", Match.string_like("/_dashboards$"))
    view.has_output("indexPatterns", Match.exact({"logs": f"logs-{view.stack}-*",
                                                  "traces": f"otel-v1-apm-span-{view.stack}-*"}))
