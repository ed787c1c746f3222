"""`Audit`: who changed what (CloudTrail), and whether the APIs still log and use HTTPS (AWS Config).

The whitepaper's auditing for the stack (seed 002), deployed when `audit` is on (prod):
- a multi-Region CloudTrail trail with log file validation, its files in a private, versioned bucket
  encrypted with a key of its own, its events also in a CloudWatch log group that ships to OpenSearch
  like every log; object-level events of the stack's own buckets are recorded too;
- an AWS Config custom policy rule (Guard, no function to run) that finds an API stage without access
  logs or tracing, or a custom domain accepting less than TLS 1.2, and an EventBridge rule that tells
  the Warning topic about every NON_COMPLIANT result, with a dead-letter queue whose depth is alarmed.
It is a service like any other, so it has its alarms, health alarm, dashboard and overview row.
"""
from __future__ import annotations

from dataclasses import dataclass

import pulumi
import pulumi_aws as aws

from components import auditing_plan as plan
from components.core import PlatformCore
from components.log_shipping_hook import LogGroupRegistration
from components.observability.model import Severity
from components.observability.refs import ServiceView
from components.resources.buckets import bucket_name, policy_of, private_bucket
from components.resources.queues import Queue, allow_service_to_send, dead_letter_queue
from components.services.service import ServiceArgs, ServiceComponent


@dataclass(frozen=True)
class AuditArgs(ServiceArgs["Audit"]):
    def build(self, service: str, core: PlatformCore) -> Audit:
        return Audit(service, core)


class Audit(ServiceComponent):
    kind = "audit"

    def __init__(self, service: str, core: PlatformCore) -> None:
        super().__init__("platform:services:Audit", service, core)
        settings, namer, ctx = core.settings, core.namer, core.account
        profile = settings.security
        self.trail_name = plan.trail_name(namer)
        trail_arn = plan.trail_arn(ctx, self.trail_name)
        self.key = aws.kms.Key(
            f"{service}-key", description=f"{namer.prefix}: encrypts the audit trail and configuration history",
            enable_key_rotation=True, deletion_window_in_days=settings.protection.kms_key_deletion_window_days,
            policy=plan.audit_key_policy(ctx, trail_arn), tags=self.tags, opts=self.child)
        aws.kms.Alias(f"{service}-key-alias", name=f"alias/{namer.prefix}-{service}", target_key_id=self.key.key_id,
                      opts=self.child)
        self.bucket_name = bucket_name(core, service, "logs")
        bucket_arn = f"arn:aws:s3:::{self.bucket_name}"
        bucket = private_bucket(f"{service}-logs", self.bucket_name, core, service, self,
                                expire_days=profile.audit_retention_days, kms_key_arn=self.key.arn,
                                extra_policy=plan.bucket_statements(bucket_arn, trail_arn))
        self._trail(service, bucket, trail_arn)
        recorder = self._recorder(service, bucket_arn) if profile.audit_config_recorder == "create" else []
        self.config_rule_name = plan.config_rule_name(namer)
        aws.cfg.Rule(
            f"{service}-api-stage-rule", name=self.config_rule_name,
            description="API Gateway stages log every request and trace; custom domains accept TLS 1.2 or later only",
            source=aws.cfg.RuleSourceArgs(
                owner="CUSTOM_POLICY",
                source_details=[aws.cfg.RuleSourceSourceDetailArgs(message_type=kind) for kind in (
                    "ConfigurationItemChangeNotification", "OversizedConfigurationItemChangeNotification")],
                custom_policy_details=aws.cfg.RuleSourceCustomPolicyDetailsArgs(
                    policy_runtime=plan.GUARD_RUNTIME, policy_text=plan.API_STAGE_GUARD_RULE)),
            scope=aws.cfg.RuleScopeArgs(compliance_resource_types=list(plan.RECORDED_TYPES)),
            tags=self.tags, opts=pulumi.ResourceOptions(parent=self, depends_on=recorder))
        dead_letters = self._notify_warning(service)
        self.publish(ServiceView(service=service, stack=settings.stack, region=settings.region,
                                 account_id=ctx.account_id, queues=(dead_letters.ref,)),
                     outputs={"trail": self.trail_name, "bucket": self.bucket_name,
                              "configRule": self.config_rule_name})

    def _trail(self, service: str, bucket: aws.s3.Bucket, trail_arn: str) -> None:
        core, namer, ctx = self.core, self.core.namer, self.core.account
        log_group_name = namer.log_group(service, "cloudtrail")
        log_group = aws.cloudwatch.LogGroup(
            f"{service}-trail-logs", name=log_group_name, retention_in_days=self.settings.log_retention_days,
            kms_key_id=core.key.arn, tags=self.tags, opts=self.child)
        core.log_shipping.register(LogGroupRegistration(service=service, part="cloudtrail", name=log_group_name,
                                                        log_group=log_group, owner=self))
        role = aws.iam.Role(f"{service}-trail-logs-role", name=namer.physical(service, "trail-logs", "iam_role"),
                            assume_role_policy=plan.trail_logs_assume_role_policy(trail_arn), tags=self.tags,
                            opts=self.child)
        policy = aws.iam.RolePolicy(f"{service}-trail-logs-policy", role=role.id,
                                    policy=plan.trail_logs_role_policy(ctx, log_group_name), opts=self.child)
        aws.cloudtrail.Trail(
            f"{service}-trail", name=self.trail_name, s3_bucket_name=bucket.bucket, s3_key_prefix=plan.TRAIL_PREFIX,
            kms_key_id=self.key.arn, enable_log_file_validation=True, is_multi_region_trail=True,
            include_global_service_events=True,
            cloud_watch_logs_group_arn=log_group.arn.apply(lambda arn: f"{arn}:*"), cloud_watch_logs_role_arn=role.arn,
            advanced_event_selectors=[aws.cloudtrail.TrailAdvancedEventSelectorArgs(
                name=selector["name"],
                field_selectors=[aws.cloudtrail.TrailAdvancedEventSelectorFieldSelectorArgs(**field)
                                 for field in selector["field_selectors"]])
                for selector in plan.object_event_selectors(f"{namer.prefix}-", self.bucket_name)],
            tags=self.tags, opts=pulumi.ResourceOptions(parent=self, depends_on=[policy, policy_of(bucket)]))

    def _recorder(self, service: str, bucket_arn: str) -> list[pulumi.Resource]:
        """The account's one Config recorder, recording only what the rule evaluates."""
        namer, ctx = self.core.namer, self.core.account
        role = aws.iam.Role(f"{service}-recorder-role", name=namer.physical(service, "config-recorder", "iam_role"),
                            assume_role_policy=plan.recorder_assume_role_policy(ctx), tags=self.tags, opts=self.child)
        attachment = aws.iam.RolePolicyAttachment(f"{service}-recorder-read", role=role.name,
                                                  policy_arn=plan.CONFIG_ROLE_POLICY_ARN, opts=self.child)
        delivery = aws.iam.RolePolicy(
            f"{service}-recorder-policy", role=role.id, opts=self.child,
            policy=self.key.arn.apply(lambda key: plan.recorder_delivery_policy(ctx, bucket_arn, key)))
        recorder = aws.cfg.Recorder(
            f"{service}-recorder", name=namer.stack_wide(service, "config_rule"), role_arn=role.arn,
            recording_group=aws.cfg.RecorderRecordingGroupArgs(
                all_supported=False, resource_types=list(plan.RECORDED_TYPES),
                recording_strategies=[aws.cfg.RecorderRecordingGroupRecordingStrategyArgs(
                    use_only="INCLUSION_BY_RESOURCE_TYPES")]),
            opts=pulumi.ResourceOptions(parent=self, depends_on=[attachment, delivery]))
        channel = aws.cfg.DeliveryChannel(
            f"{service}-delivery-channel", name=recorder.name, s3_bucket_name=self.bucket_name,
            s3_key_prefix=plan.CONFIG_PREFIX, s3_kms_key_arn=self.key.arn,
            opts=pulumi.ResourceOptions(parent=self, depends_on=[recorder]))
        status = aws.cfg.RecorderStatus(f"{service}-recorder-status", name=recorder.name, is_enabled=True,
                                        opts=pulumi.ResourceOptions(parent=self, depends_on=[channel]))
        return [status]

    def _notify_warning(self, service: str) -> Queue:
        """NON_COMPLIANT results reach the Warning topic; one that cannot be delivered is kept and alarmed."""
        core, namer = self.core, self.core.namer
        rule = aws.cloudwatch.EventRule(
            f"{service}-noncompliant", name=plan.compliance_rule_name(namer),
            description="AWS Config found an API stage without logging or tracing, or a domain below TLS 1.2",
            event_pattern=plan.compliance_event_pattern(self.config_rule_name), tags=self.tags, opts=self.child)
        dead = dead_letter_queue(f"{service}-noncompliant-dlq", core, service, "noncompliant-dlq", parent=self)
        allow = allow_service_to_send(f"{service}-noncompliant-dlq-policy", dead, "events.amazonaws.com", [rule.arn],
                                      self)
        aws.cloudwatch.EventTarget(
            f"{service}-noncompliant-warning", rule=rule.name, target_id="warning-topic",
            arn=core.alarm_topic_arn(Severity.WARNING),
            input_transformer=aws.cloudwatch.EventTargetInputTransformerArgs(
                input_paths=dict(plan.NOTIFICATION_PATHS), input_template=plan.NOTIFICATION_TEMPLATE),
            retry_policy=aws.cloudwatch.EventTargetRetryPolicyArgs(maximum_retry_attempts=185,
                                                                   maximum_event_age_in_seconds=86400),
            dead_letter_config=aws.cloudwatch.EventTargetDeadLetterConfigArgs(arn=dead.arn),
            opts=pulumi.ResourceOptions(parent=self, depends_on=[allow]))
        return dead
