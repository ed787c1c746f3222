"""Auditing (the whitepaper's): a trail of every API call, kept safe and shipped, and an AWS Config rule
that tells someone when an API stage stops logging or a domain stops requiring TLS 1.2."""
from __future__ import annotations

import json
from typing import Any, Iterable

from ..model import Finding, Resource, Rule, Stack, is_unknown
from .common import is_true, uses_stack_key
from .encryption import BUCKET_TYPES
from .resource_types import CONFIG_RULE, EVENT_RULE, EVENT_TARGET, LOG_GROUP, SUBSCRIPTION_FILTER, TOPIC, TRAIL

BUCKET_LOGGING = ("aws:s3/bucketLogging:BucketLogging", "aws:s3/bucketLoggingV2:BucketLoggingV2")
API_STAGE = "AWS::ApiGateway::Stage"


def _trail_problems(stack: Stack, trail: Resource) -> list[str]:
    found = []
    if not is_true(trail.get("enableLogFileValidation")):
        found.append("log file validation is off")
    if not uses_stack_key(stack, trail.get("kmsKeyId")):
        found.append("its files are not encrypted with a KMS key of the stack")
    if not is_true(trail.get("isMultiRegionTrail")) or not is_true(trail.get("includeGlobalServiceEvents")):
        found.append("it is not multi-Region with global service events")
    group_arn = trail.get("cloudWatchLogsGroupArn")
    if not is_unknown(group_arn):
        group = str(group_arn or "").split("log-group:", 1)[-1].removesuffix(":*")
        shipped = {f.get("logGroup") for f in stack.of_type(SUBSCRIPTION_FILTER)}
        if not group_arn:
            found.append("it does not send its events to CloudWatch Logs")
        elif group not in {g.get("name") for g in stack.of_type(LOG_GROUP)} or group not in shipped:
            found.append(f"its log group {group} is not a shipped log group of the stack")
    bucket = trail.get("s3BucketName")
    if not is_unknown(bucket) and bucket not in {b.get("bucket") for b in stack.of_type(*BUCKET_TYPES)}:
        found.append(f"its bucket {bucket} is not a bucket of the stack (whose encryption and TLS rules apply)")
    return found


def _cloudtrail(stack: Stack) -> Iterable[Finding]:
    trails = stack.of_type(TRAIL)
    if not trails:
        yield Finding(None, "the stack has no CloudTrail trail")
    for trail in trails:
        for problem in _trail_problems(stack, trail):
            yield Finding(trail, problem)


def _pattern(rule: Resource) -> dict[str, Any]:
    try:
        parsed = json.loads(rule.get("eventPattern") or "{}")
    except (TypeError, ValueError):
        return {}
    return parsed if isinstance(parsed, dict) else {}


def _warning_topics(stack: Stack) -> set[Any]:
    return {t.get("arn") for t in stack.of_type(TOPIC) if str(t.get("name", default="")).endswith("-alarms-warning")}


def _notified(stack: Stack, config_rule: Resource) -> bool:
    """An EventBridge rule matches the Config rule's NON_COMPLIANT changes and targets the Warning topic."""
    name = config_rule.get("name")
    warning = _warning_topics(stack)
    for rule in stack.of_type(EVENT_RULE):
        detail = _pattern(rule).get("detail") or {}
        if name not in (detail.get("configRuleName") or []) or \
                "NON_COMPLIANT" not in ((detail.get("newEvaluationResult") or {}).get("complianceType") or []):
            continue
        for target in stack.of_type(EVENT_TARGET):
            arn = target.get("arn")
            if target.get("rule") == rule.get("name") and (arn in warning or is_unknown(arn)):
                return True
    return False


def _config_rule(stack: Stack) -> Iterable[Finding]:
    rules = [r for r in stack.of_type(CONFIG_RULE) if API_STAGE in (r.get("scope", "complianceResourceTypes") or [])]
    if not rules:
        yield Finding(None, "no AWS Config rule evaluates API Gateway stages")
    for rule in rules:
        text = str(rule.get("source", "customPolicyDetails", "policyText", default="")) + \
            str(rule.get("source", "sourceIdentifier", default=""))
        if not is_unknown(text) and not ("accessLogSettings" in text or "EXECUTION_LOGGING" in text):
            yield Finding(rule, "does not check the stage's logging")
        if not _notified(stack, rule):
            yield Finding(rule, "its NON_COMPLIANT results reach no Warning topic (no EventBridge rule and target)")


def _object_logging(stack: Stack) -> Iterable[Finding]:
    """Server access logging or a trail's object-level events, for every bucket except a trail's own."""
    logged = {b.get("bucket") for b in stack.of_type(*BUCKET_LOGGING)}
    selectors: list[tuple[list[str], list[str]]] = []
    trail_buckets = set()
    for trail in stack.of_type(TRAIL):
        trail_buckets.add(trail.get("s3BucketName"))
        for selector in trail.get("advancedEventSelectors") or []:
            fields = {f.get("field"): f for f in selector.get("fieldSelectors") or [] if isinstance(f, dict)}
            if "Data" in (fields.get("eventCategory") or {}).get("equals", []) and \
                    "AWS::S3::Object" in (fields.get("resources.type") or {}).get("equals", []):
                arn = fields.get("resources.ARN") or {}
                selectors.append((arn.get("startsWiths") or [], arn.get("notStartsWiths") or []))
    for bucket in stack.of_type(*BUCKET_TYPES):
        name = bucket.get("bucket")
        if is_unknown(name) or name in logged or name in trail_buckets:
            continue
        objects = f"arn:aws:s3:::{name}/"
        if any(any(objects.startswith(p) for p in include) and not any(objects.startswith(p) for p in exclude)
               for include, exclude in selectors):
            continue
        yield Finding(bucket, "neither server access logging nor a trail's object-level events record its objects")


RULES = (
    Rule("cloudtrail-trail", "The stack has a multi-Region CloudTrail trail: validated, encrypted, in CloudWatch "
         "Logs and shipped",
         why="who changed what, and when, is the first question of every incident review",
         fix="set audit: true for the stack (components/auditing.py)",
         check=_cloudtrail, fsbp=("CloudTrail.1", "CloudTrail.2", "CloudTrail.4", "CloudTrail.5")),
    Rule("config-api-stage-rule", "An AWS Config rule finds API stages without logging (or domains without TLS 1.2) "
         "and tells the Warning topic",
         why="a stage changed by hand after deploy stops logging unseen; Config sees the change, the topic "
             "tells on-call",
         fix="set audit: true for the stack (components/auditing.py); keep auditConfigRecorder: existing only where "
             "the account already records",
         check=_config_rule, fsbp=("Config.1",)),
    Rule("s3-object-logging", "Every bucket's object-level requests are recorded, except the audit bucket's own",
         why="reads and writes of dead letters and archives must be attributable to a principal",
         fix="set audit: true (the trail records the stack's buckets), or add server access logging to the bucket",
         check=_object_logging, fsbp=("S3.9",), awsguard=("s3-bucket-logging-enabled",)),
)
