"""Auditing's pure plan and what the stacks deploy of it; the WAF in front of every prod API stage."""
from __future__ import annotations

import json

from components import auditing_plan as plan
from components.iam import AccountContext
from components.naming import LIMITS, Namer
from tests.stack.conftest import stack_result

CTX = AccountContext(account_id="123456789012", region="us-east-1")
NAMER = Namer("platform", "prod")


def test_the_config_rule_checks_stage_logging_tracing_and_domain_tls() -> None:
    rule = plan.API_STAGE_GUARD_RULE
    assert 'when resourceType == "AWS::ApiGateway::Stage"' in rule
    assert "configuration.accessLogSettings.destinationArn exists" in rule
    assert "configuration.tracingEnabled == true" in rule
    assert 'configuration.securityPolicy == "TLS_1_2"' in rule
    assert set(plan.RECORDED_TYPES) == {"AWS::ApiGateway::Stage", "AWS::ApiGateway::DomainName"}


def test_only_non_compliant_results_of_that_rule_reach_the_topic() -> None:
    pattern = json.loads(plan.compliance_event_pattern("the-rule"))
    assert pattern == {"source": ["aws.config"], "detail-type": ["Config Rules Compliance Change"],
                       "detail": {"configRuleName": ["the-rule"],
                                  "newEvaluationResult": {"complianceType": ["NON_COMPLIANT"]}}}
    for placeholder in plan.NOTIFICATION_PATHS:
        assert f"<{placeholder}>" in plan.NOTIFICATION_TEMPLATE
    assert json.loads(plan.NOTIFICATION_TEMPLATE).startswith("<type> <resource>")


def test_cloudtrail_may_write_only_its_own_trail_and_use_the_key_only_for_it() -> None:
    trail = plan.trail_arn(CTX, plan.trail_name(NAMER))
    statements = plan.bucket_statements("arn:aws:s3:::audit", trail)
    assert {s["Condition"]["StringEquals"]["aws:SourceArn"] for s in statements} == {trail}
    write = next(s for s in statements if s["Action"] == "s3:PutObject")
    assert write["Resource"] == "arn:aws:s3:::audit/cloudtrail/AWSLogs/*"
    key = json.loads(plan.audit_key_policy(CTX, trail))["Statement"]
    cloudtrail = [s for s in key if s.get("Principal", {}).get("Service") == "cloudtrail.amazonaws.com"]
    assert cloudtrail and all(s["Condition"]["StringEquals"]["aws:SourceArn"] == trail for s in cloudtrail)


def test_object_events_cover_the_stacks_buckets_but_not_the_audit_bucket() -> None:
    data = plan.object_event_selectors("platform-prod-", "platform-prod-audit-logs-1")[1]["field_selectors"]
    arn = next(f for f in data if f["field"] == "resources.ARN")
    assert arn == {"field": "resources.ARN", "starts_withs": ["arn:aws:s3:::platform-prod-"],
                   "not_starts_withs": ["arn:aws:s3:::platform-prod-audit-logs-1/"]}


def test_names_fit_their_limits() -> None:
    assert len(plan.trail_name(NAMER)) <= LIMITS["cloudtrail"]
    assert len(plan.config_rule_name(NAMER)) <= LIMITS["config_rule"]
    assert len(plan.compliance_rule_name(NAMER)) <= LIMITS["event_rule"]


def test_prod_audits_and_dev_does_not() -> None:
    prod, dev = stack_result("prod"), stack_result("dev")
    assert [t.inputs["name"] for t in prod.of_type("aws:cloudtrail/trail:Trail")] == ["platform-prod-audit"]
    assert prod.outputs["services"]["audit"]["kind"] == "audit"
    assert not dev.of_type("aws:cloudtrail/trail:Trail") and "audit" not in dev.outputs["services"]
    warning = next(p for p in prod.of_type("aws:sns/topicPolicy:TopicPolicy") if "warning" in p.name)
    publishers = json.loads(warning.inputs["policy"])["Statement"]
    assert publishers[-1]["Condition"]["ArnEquals"]["aws:SourceArn"] == [plan.compliance_rule_arn(CTX, NAMER)]


def test_every_prod_stage_is_behind_the_stacks_one_web_acl_and_dev_has_none() -> None:
    prod = stack_result("prod")
    acls = prod.of_type("aws:wafv2/webAcl:WebAcl")
    assert len(acls) == 1
    associations = prod.of_type("aws:wafv2/webAclAssociation:WebAclAssociation")
    assert sorted(a.inputs["resourceArn"] for a in associations) == sorted(
        s.outputs["arn"] for s in prod.of_type("aws:apigateway/stage:Stage"))
    assert {a.inputs["webAclArn"] for a in associations} == {acls[0].outputs["arn"]}
    rule = acls[0].inputs["rules"][0]
    assert rule["statement"]["managedRuleGroupStatement"] == {"vendorName": "AWS",
                                                              "name": "AWSManagedRulesCommonRuleSet"}
    assert rule["overrideAction"] == {"none": {}}
    dev = stack_result("dev")
    assert not dev.of_type("aws:wafv2/webAcl:WebAcl") and not dev.of_type(
        "aws:wafv2/webAclAssociation:WebAclAssociation")
