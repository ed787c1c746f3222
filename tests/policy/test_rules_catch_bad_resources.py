"""Every rule catches a deliberately bad resource: a rule that cannot fail is worthless.

Each case breaks one resource of the compliant prod stack (or adds a bad one) and expects the rule to
report exactly that resource, with a message that names it, the rule, why it matters and how to fix it.
"""
from __future__ import annotations

import json
from typing import Any, Callable

import pytest

from policy.platform_policy import RULES, RULES_BY_ID
from policy.platform_policy.model import Options, Resource, Stack
from tests.policy.stacks import changed, named, plus, policy_stack, without

FOREIGN_KEY = "arn:aws:kms:us-east-1:210987654321:key/not-this-stacks"
Case = Callable[[Stack], tuple[Stack, str | None]]


def _set(path: list[Any], value: Any) -> Callable[[dict[str, Any]], None]:
    def edit(props: dict[str, Any]) -> None:
        node = props
        for step in path[:-1]:
            node = node[step]
        if value is _DELETE:
            node.pop(path[-1], None)
        else:
            node[path[-1]] = value
    return edit


_DELETE = object()


def edit(name: str, path: list[Any], value: Any, type_suffix: str = "") -> Case:
    return lambda stack: (changed(stack, name, _set(path, value), type_suffix), name)


def drop(name: str, reported: str | None, type_suffix: str = "") -> Case:
    return lambda stack: (without(stack, lambda r: not (r.name == name and r.type.endswith(type_suffix))), reported)


def reported_as(case: Case, reported: str) -> Case:
    """The same breakage, reported against another resource (a bucket for its policy, a stage for its ACL)."""
    return lambda stack: (case(stack)[0], reported)


def unprotect(name: str) -> Case:
    return lambda stack: (changed(stack, name, lambda props: None, options=Options(protect=False,
                                                                                   delete_before_replace=False)), name)


def policy_with(statement: dict[str, Any]) -> Callable[[dict[str, Any]], None]:
    def edit(props: dict[str, Any]) -> None:
        document = json.loads(props["policy"])
        document["Statement"].append(statement)
        props["policy"] = json.dumps(document)
    return edit


def rogue_function(stack: Stack) -> tuple[Stack, str]:
    template = named(stack, "orders-api-function")
    props = {**template.props, "name": "platform-prod-orders-rogue", "arn": "arn:aws:lambda:us-east-1:123456789012:"
             "function:platform-prod-orders-rogue"}
    return plus(stack, Resource(type=template.type, name="orders-rogue-function", props=props,
                                options=template.options)), "orders-rogue-function"


def public_url(stack: Stack) -> tuple[Stack, str]:
    url = Resource(type="aws:lambda/functionUrl:FunctionUrl", name="orders-url",
                   props={"functionName": "platform-prod-orders-api", "authorizationType": "NONE"})
    return plus(stack, url), "orders-url"


def admin_attachment(stack: Stack) -> tuple[Stack, str]:
    attachment = Resource(type="aws:iam/rolePolicyAttachment:RolePolicyAttachment", name="orders-admin",
                          props={"role": "platform-prod-orders-api",
                                 "policyArn": "arn:aws:iam::aws:policy/AdministratorAccess"},
                          options=Options(delete_before_replace=True))
    return plus(stack, attachment), "orders-admin"


def unclassified_type(stack: Stack) -> tuple[Stack, str]:
    return plus(stack, Resource(type="aws:ec2/instance:Instance", name="stray-instance", props={})), "stray-instance"


def unlogged_trail(stack: Stack) -> tuple[Stack, str]:
    return changed(stack, "audit-trail", _set(["advancedEventSelectors"], [])), "clickstream-archive"


CASES: dict[str, list[Case]] = {
    "dynamodb-encrypted-with-stack-key": [edit("orders-table", ["serverSideEncryption", "kmsKeyArn"], FOREIGN_KEY),
                                          edit("kitchen-table", ["serverSideEncryption", "enabled"], False)],
    "sqs-encrypted-with-stack-key": [edit("kitchen-dlq", ["kmsMasterKeyId"], _DELETE, "sqs/queue:Queue")],
    "sns-encrypted-with-stack-key": [edit("order-events-topic", ["kmsMasterKeyId"], "alias/aws/sns")],
    "s3-encrypted-with-stack-key": [
        drop("platform-logging-dead-letters-encryption", "platform-logging-dead-letters"),
        # SSE-S3 is accepted only where ELB requires it, and a load balancer's log bucket still needs it.
        reported_as(edit("platform-logging-dead-letters-encryption",
                         ["rules", 0, "applyServerSideEncryptionByDefault"], {"sseAlgorithm": "AES256"}),
                    "platform-logging-dead-letters"),
        drop("menu-alb-logs-encryption", "menu-alb-logs")],
    "s3-block-public-access": [reported_as(edit("audit-logs-private", ["restrictPublicBuckets"], False), "audit-logs")],
    "kinesis-encrypted-with-stack-key": [edit("clickstream-stream", ["encryptionType"], "NONE",
                                              "kinesis/stream:Stream")],
    "firehose-encrypted-with-stack-key": [edit("clickstream-archive-delivery",
                                               ["extendedS3Configuration", "kmsKeyArn"], _DELETE)],
    "opensearch-encrypted-at-rest": [edit("platform-logging-domain", ["encryptAtRest", "enabled"], False)],
    "log-groups-encrypted-with-stack-key": [edit("orders-api-access-logs", ["kmsKeyId"], _DELETE)],
    "stores-encrypted-with-stack-key": [edit("orders-secret-auth-secret-arn", ["kmsKeyId"], _DELETE)],
    "kms-key-rotation": [edit("audit-key", ["enableKeyRotation"], False)],
    "opensearch-https-tls12": [edit("platform-logging-domain", ["domainEndpointOptions", "tlsSecurityPolicy"],
                                    "Policy-Min-TLS-1-0-2019-07"),
                               edit("platform-logging-domain", ["domainEndpointOptions", "enforceHttps"], False)],
    "opensearch-node-to-node-encryption": [edit("platform-logging-domain", ["nodeToNodeEncryption", "enabled"], False)],
    "opensearch-fine-grained-access": [edit("platform-logging-domain", ["advancedSecurityOptions",
                                                                        "anonymousAuthEnabled"], True)],
    "opensearch-not-public": [edit("platform-logging-domain", ["accessPolicies"], json.dumps({"Statement": [
        {"Effect": "Allow", "Principal": {"AWS": "*"}, "Action": "es:*", "Resource": "*"}]}))],
    "s3-tls-only": [reported_as(edit("clickstream-archive-tls", ["policy"], json.dumps({"Statement": []})),
                                "clickstream-archive")],
    "iam-no-wildcard-actions": [lambda s: (changed(s, "kitchen-worker-policy", policy_with(
        {"Sid": "Everything", "Effect": "Allow", "Action": "s3:*", "Resource": "arn:aws:s3:::x"})),
        "kitchen-worker-policy")],
    "iam-no-wildcard-resources": [lambda s: (changed(s, "kitchen-worker-policy", policy_with(
        {"Sid": "AnyTable", "Effect": "Allow", "Action": "dynamodb:GetItem", "Resource": "*"})),
        "kitchen-worker-policy")],
    "iam-no-admin-rights": [admin_attachment,
                            lambda s: (changed(s, "kitchen-worker-policy", policy_with(
                                {"Effect": "Allow", "Action": "*", "Resource": "*"})), "kitchen-worker-policy")],
    "iam-trust-one-service": [edit("kitchen-worker-role", ["assumeRolePolicy"], json.dumps({"Statement": [
        {"Effect": "Allow", "Principal": {"AWS": "*"}, "Action": "sts:AssumeRole"}]}))],
    "lambda-tracing-active": [edit("orders-api-function", ["tracingConfig", "mode"], "PassThrough")],
    "lambda-supported-runtime": [edit("orders-api-function", ["runtime"], "python3.8")],
    "lambda-queue-consumers-capped": [edit("kitchen-worker-source", ["scalingConfig"], _DELETE)],
    "lambda-no-public-access": [public_url, edit("orders-api-invoke", ["sourceArn"], _DELETE)],
    "async-paths-keep-failures": [drop("daily-sales-report-job-async", "daily-sales-report-job-function"),
                                  edit("order-routing-order-placed-fulfilment", ["deadLetterConfig"], _DELETE)],
    "apigateway-stage-xray": [edit("orders-stage", ["xrayTracingEnabled"], False)],
    "apigateway-stage-access-logs": [edit("orders-stage", ["accessLogSettings"], _DELETE)],
    "apigateway-routes-authorized": [edit("orders-get-orders", ["authorization"], "NONE")],
    "apigateway-throttled": [drop("orders-stage-settings", "orders-stage")],
    "apigateway-waf": [drop("orders-stage-waf", "orders-stage"),
                       reported_as(edit("platform-core-api-waf", ["rules"], []), "orders-stage")],
    "apigateway-cache-encrypted": [edit("orders-stage-settings", ["settings", "cachingEnabled"], True)],
    "apigateway-regional-endpoint": [edit("orders-rest-api", ["endpointConfiguration", "types"], "EDGE")],
    "default-alarms": [lambda s: (without(s, lambda r: not (r.type.endswith("metricAlarm:MetricAlarm") and
                                                            "platform-prod-kitchen-table" in json.dumps(r.props))),
                                  "kitchen-table"),
                       lambda s: (without(s, lambda r: not (r.type.endswith("metricAlarm:MetricAlarm") and
                                                            r.parent == "order-events")), "order-events-topic")],
    "log-groups-retained-and-shipped": [drop("orders-api-lambda-api-shipping", "orders-api-logs"),
                                        edit("orders-api-access-logs", ["retentionInDays"], _DELETE)],
    "services-on-dashboards": [rogue_function],
    "opensearch-logs-published": [edit("platform-logging-domain", ["logPublishingOptions"], [])],
    "dynamodb-point-in-time-recovery": [edit("orders-table", ["pointInTimeRecovery", "enabled"], False)],
    "dynamodb-deletion-protection": [edit("orders-table", ["deletionProtectionEnabled"], False)],
    "s3-versioning": [reported_as(edit("clickstream-archive-versioning", ["versioningConfiguration", "status"],
                                       "Suspended"), "clickstream-archive")],
    "opensearch-three-data-nodes": [edit("platform-logging-domain", ["clusterConfig", "instanceCount"], 1)],
    "stateful-resources-protected": [unprotect("platform-core-key"), unprotect("platform-logging-domain"),
                                     unprotect("platform-logging-dead-letters"),
                                     edit("platform-logging-dead-letters", ["forceDestroy"], True)],
    "replacement-never-deletes-data-first": [
        lambda s: (changed(s, "orders-table", lambda p: None,
                           options=Options(protect=True, delete_before_replace=True)), "orders-table"),
        lambda s: (changed(s, "orders-api-lambda-api-shipping", lambda p: None, options=Options()),
                   "orders-api-lambda-api-shipping"),
        unclassified_type],
    "explicit-physical-names": [edit("orders-table", ["name"], _DELETE)],
    "cloudtrail-trail": [edit("audit-trail", ["enableLogFileValidation"], False),
                         drop("audit-cloudtrail-shipping", "audit-trail"),
                         lambda s: (without(s, lambda r: not r.type.endswith("trail:Trail")), None)],
    "config-api-stage-rule": [drop("audit-noncompliant-warning", "audit-api-stage-rule")],
    "s3-object-logging": [unlogged_trail],
}


def test_every_rule_has_a_bad_resource_case():
    assert set(CASES) == set(RULES_BY_ID), "add a case for every rule, and a rule for every case"


@pytest.mark.parametrize("rule_id,index", [(rule.id, i) for rule in RULES for i in range(len(CASES[rule.id]))])
def test_the_rule_catches_the_bad_resource(rule_id: str, index: int) -> None:
    rule = RULES_BY_ID[rule_id]
    baseline = policy_stack("prod")
    assert rule.findings(baseline) == [], f"{rule_id} must pass on the compliant prod stack"
    broken, expected = CASES[rule_id][index](baseline)
    findings = rule.findings(broken)
    assert findings, f"{rule_id} did not catch case {index}"
    reported = [f.resource.name if f.resource is not None else None for f in findings]
    assert expected in reported, (rule_id, reported)
    message = rule.message(findings[reported.index(expected)])
    assert f"rule {rule_id}" in message and "Why: " in message and "Fix: " in message
    assert expected is None or expected in message
    for control in rule.fsbp:
        assert control in message


def test_a_value_a_rule_cannot_read_fails_closed_with_a_finding() -> None:
    alarm = next(r for r in policy_stack("prod") if r.type.endswith("metricAlarm:MetricAlarm") and r.get("dimensions"))
    broken = changed(policy_stack("prod"), alarm.name, _set(["dimensions"], True))
    findings = RULES_BY_ID["default-alarms"].findings(broken)
    assert len(findings) == 1 and findings[0].resource is None and "unexpected shape" in findings[0].detail
