"""The per-environment core every service shares: key, alarm topics, X-Ray, code and the log hook.

Services receive the core instead of creating their own copies, so a stack has one key, one pair
of alarm topics and one sampling policy, and every log group passes through one shipping hook.
"""
from __future__ import annotations

from typing import Any, Sequence

import pulumi
import pulumi_aws as aws

from components import auditing_plan, iam
from components.log_shipping_hook import LogShippingHook
from components.naming import Namer
from components.observability.model import Severity
from components.resources.code import FunctionCode, function_code
from components.settings import Settings
from components.tagging import tags as platform_tags

CORE_SERVICE = "core"


def xray_group_filter(service_names: Sequence[str]) -> str:
    """Every trace that touches one of the stack's traced nodes (function names, `<api>/<stage>`).

    X-Ray's filter language matches service nodes by exact name, so the stack's nodes are listed.
    """
    names = sorted(set(service_names))
    if not names:
        raise ValueError("an X-Ray group needs at least one traced service")
    return " OR ".join(f'service("{name}")' for name in names)


class PlatformCore(pulumi.ComponentResource):
    def __init__(self, name: str, settings: Settings, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__("platform:core:PlatformCore", name, None, opts)
        self.settings = settings
        self.namer = Namer(settings.project, settings.stack)
        identity = aws.get_caller_identity()
        self.account = iam.AccountContext(account_id=identity.account_id, region=settings.region)
        self.log_shipping = LogShippingHook()
        self.tags = platform_tags(settings, CORE_SERVICE)
        child = pulumi.ResourceOptions(parent=self)
        protect = settings.protection.deletion_protection

        self.key = aws.kms.Key(
            f"{name}-key",
            description=f"{self.namer.prefix}: encrypts logs, tables, topics and queues of the stack",
            enable_key_rotation=True,
            deletion_window_in_days=settings.protection.kms_key_deletion_window_days,
            policy=iam.stack_key_policy(self.account, settings.project, settings.stack),
            tags=self.tags,
            opts=pulumi.ResourceOptions(parent=self, protect=protect),
        )
        aws.kms.Alias(f"{name}-key-alias", name=f"alias/{self.namer.prefix}", target_key_id=self.key.key_id,
                      opts=child)

        self.topics: dict[Severity, aws.sns.Topic] = {}
        recipients = {Severity.WARNING: settings.routing.warning_emails,
                      Severity.CRITICAL: settings.routing.critical_recipients}
        # Auditing tells the Warning topic about non-compliant API stages through an EventBridge rule.
        audit_rules = [auditing_plan.compliance_rule_arn(self.account, self.namer)] if settings.security.audit else []
        for severity in (Severity.WARNING, Severity.CRITICAL):
            topic_name = self.namer.stack_wide(f"alarms-{severity.value}", "sns_topic")
            topic = aws.sns.Topic(f"{name}-alarms-{severity.value}", name=topic_name,
                                  kms_master_key_id=self.key.arn, tags=self.tags, opts=child)
            publishers = audit_rules if severity is Severity.WARNING else []
            aws.sns.TopicPolicy(f"{name}-alarms-{severity.value}-policy", arn=topic.arn,
                                policy=topic.arn.apply(lambda arn, rules=publishers: iam.topic_policy(
                                    self.account, arn, rules)), opts=child)
            for index, email in enumerate(recipients[severity]):
                aws.sns.TopicSubscription(
                    f"{name}-alarms-{severity.value}-email-{index}", topic=topic.arn, protocol="email",
                    endpoint=pulumi.Output.secret(email), opts=child)
            self.topics[severity] = topic

        self.sampling_rule = aws.xray.SamplingRule(
            f"{name}-sampling",
            rule_name=self.namer.stack_wide("sampling", "xray_sampling_rule"),
            priority=1000,
            version=1,
            reservoir_size=settings.tracing.reservoir_per_second,
            fixed_rate=settings.tracing.sampling_rate,
            service_name=f"{self.namer.prefix}-*",
            service_type="*", host="*", http_method="*", url_path="*", resource_arn="*",
            tags=self.tags, opts=child)
        self.xray_group_name = self.namer.stack_wide("traces", "xray_group")
        self.traced_services: list[str] = []

        self.code: FunctionCode = function_code(settings)
        self.layer = aws.lambda_.LayerVersion(
            f"{name}-deps",
            layer_name=self.namer.stack_wide("handler-deps", "lambda_layer"),
            description="Third-party dependencies of every handler (handlers/requirements.txt)",
            code=self.code.layer_archive,
            compatible_runtimes=[settings.lambda_.runtime],
            compatible_architectures=[settings.lambda_.architecture],
            opts=child)

        self.api_gateway_logging = self._api_gateway_account(name)
        #: Every function of the stack, for the stack-wide concurrency reservation check.
        self.functions: list[Any] = []
        self.register_outputs({"keyArn": self.key.arn,
                               "warningTopicArn": self.topics[Severity.WARNING].arn,
                               "criticalTopicArn": self.topics[Severity.CRITICAL].arn})

    def _api_gateway_account(self, name: str) -> list[pulumi.Resource]:
        """API Gateway writes access logs only through a role set once per account and region.

        Only one stack may own that setting: with two owners the last deploy wins, and destroying one
        would delete the role the other's stages log through. So exactly one stack per account says
        `apiGatewayAccountRole: create`; every other stack names the role that owner created and creates
        nothing account-wide. The owner's role is protected in prod, like the stack's data.
        """
        if self.settings.api_gateway_account_role != "create":
            return []
        role = aws.iam.Role(
            f"{name}-apigw-logs",
            name=self.namer.stack_wide("apigw-logs", "iam_role"),
            assume_role_policy=iam.assume_role_policy("apigateway.amazonaws.com"),
            tags=self.tags, opts=pulumi.ResourceOptions(parent=self,
                                                        protect=self.settings.protection.deletion_protection))
        attachment = aws.iam.RolePolicyAttachment(
            f"{name}-apigw-logs-push", role=role.name,
            policy_arn="arn:aws:iam::aws:policy/service-role/AmazonAPIGatewayPushToCloudWatchLogs",
            opts=pulumi.ResourceOptions(parent=self))
        return [aws.apigateway.Account(f"{name}-apigw-account", cloudwatch_role_arn=role.arn,
                                       opts=pulumi.ResourceOptions(parent=self, depends_on=[attachment]))]

    def tags_for(self, service: str) -> dict[str, str]:
        return platform_tags(self.settings, service)

    def trace(self, service_name: str) -> None:
        """Adds an X-Ray node name (a function, or `<api>/<stage>`) to the stack's group."""
        self.traced_services.append(service_name)

    def finish(self) -> aws.xray.Group:
        """Creates what depends on every service being declared: the stack's X-Ray group."""
        return aws.xray.Group(
            f"{self._name}-traces", group_name=self.xray_group_name,
            filter_expression=xray_group_filter(self.traced_services),
            insights_configuration=aws.xray.GroupInsightsConfigurationArgs(insights_enabled=True,
                                                                           notifications_enabled=False),
            tags=self.tags, opts=pulumi.ResourceOptions(parent=self))

    def alarm_topic_arn(self, severity: Severity) -> pulumi.Output[str]:
        return self.topics[severity].arn

    @property
    def alarm_topics(self) -> dict[Severity, pulumi.Output[str]]:
        return {severity: topic.arn for severity, topic in self.topics.items()}
