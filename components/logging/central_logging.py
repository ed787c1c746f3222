"""`CentralLogging`: the environment's OpenSearch domain and the path every log group ships by.

It attaches itself to the core's log-shipping hook, so every log group any component registers,
before or after, gets exactly one subscription, except the shipper's own and the domain's own.
Creation order avoids cycles: bootstrap function (its role is the domain's master user) -> domain
-> shipper (which needs the endpoint) -> bootstrap invocation -> subscriptions.
"""
from __future__ import annotations

import json

import pulumi
import pulumi_aws as aws

from components import iam
from components.core import PlatformCore
from components.log_shipping_hook import LogGroupRegistration
from components.resources.buckets import private_bucket
from components.logging import plan
from components.observability.kinesis.alarms import throughput_exceeded_alarms
from components.observability.log_shipping.alarms import log_shipping_alarms
from components.observability.opensearch.alarms import opensearch_alarms
from components.observability.refs import KinesisRef, LogShippingRef, OpenSearchRef, QueueRef
from components.observability.sqs.alarms import queue_alarms
from components.observability.model import Severity
from components.resources.alarms import EmittedAlarms, emit_alarms, emit_health_alarm
from components.services.function import FunctionSpec, ObservedFunction
from handlers.opensearch_bootstrap.inputs import build_bootstrap_input

#: Lambda retries a failed asynchronous invocation twice, then hands the event to the on-failure queue.
ASYNC_RETRIES = 2
MAX_EVENT_AGE_SECONDS = 6 * 3600
STREAM_BATCH_SIZE = 100
STREAM_RETRIES = 20
STREAM_RETENTION_HOURS = 72
FAILURE_RETENTION_SECONDS = 14 * 24 * 3600


class CentralLogging(pulumi.ComponentResource):
    def __init__(self, name: str, core: PlatformCore, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__("platform:logging:CentralLogging", name, None, opts)
        self.core = core
        settings, namer, ctx = core.settings, core.namer, core.account
        self.tags = core.tags_for(plan.LOGGING_SERVICE)
        child = pulumi.ResourceOptions(parent=self)
        protect = settings.protection.deletion_protection
        self.domain_name = plan.domain_name(namer)
        self.domain_arn = plan.domain_arn(ctx, self.domain_name)
        self.index_patterns = plan.index_patterns(namer)

        self.bucket_name = plan.dead_letter_bucket_name(namer, ctx.account_id)
        self.bucket = self._dead_letter_bucket(name, protect)
        self.failure_queue_name = namer.physical(plan.LOGGING_SERVICE, "failed", "sqs_queue")
        self.failure_queue = aws.sqs.Queue(
            f"{name}-failed", name=self.failure_queue_name, kms_master_key_id=core.key.arn,
            message_retention_seconds=FAILURE_RETENTION_SECONDS, tags=self.tags, opts=child)
        self.stream: aws.kinesis.Stream | None = None
        self.stream_name = namer.physical(plan.LOGGING_SERVICE, "stream", "kinesis_stream")
        if settings.shipping.path == "kinesis":
            self.stream = aws.kinesis.Stream(
                f"{name}-stream", name=self.stream_name,
                shard_count=settings.shipping.kinesis_shard_count, retention_period=STREAM_RETENTION_HOURS,
                encryption_type="KMS", kms_key_id=core.key.arn, tags=self.tags, opts=child)

        self.bootstrap = ObservedFunction(
            f"{name}-bootstrap",
            FunctionSpec(service=plan.LOGGING_SERVICE, part="bootstrap",
                         handler="handlers.opensearch_bootstrap.app.handler",
                         description="Applies index templates, ISM policies and role mappings; safe to re-run",
                         statements=[plan.http_statement(self.domain_arn, ["Get", "Put", "Post"],
                                                         "ConfigureDomain")],
                         timeout_seconds=300, reserved_concurrency=None),
            core, opts=child)
        self.domain_log_groups = self._domain_log_groups(name)
        self.domain = self._domain(name, protect)
        self.endpoint = self.domain.endpoint.apply(lambda endpoint: f"https://{endpoint}")
        self.dashboards_url = self.domain.dashboard_endpoint.apply(lambda url: f"https://{url}")

        self.shipper = ObservedFunction(
            f"{name}-shipper",
            FunctionSpec(
                service=plan.LOGGING_SERVICE, part="shipper", handler="handlers.log_shipper.app.handler",
                description="Ships CloudWatch Logs to OpenSearch; failed documents are kept, never dropped",
                environment={"OPENSEARCH_ENDPOINT": self.endpoint, "DEAD_LETTER_BUCKET": self.bucket_name,
                             "LOG_INDEX_PREFIX": namer.log_index_prefix(),
                             "TRACE_INDEX_PREFIX": namer.trace_index_prefix(),
                             "LOG_GROUP_PREFIX": namer.log_group_prefix},
                statements=self._shipper_statements(),
                memory_mb=settings.shipping.memory_mb, timeout_seconds=settings.shipping.timeout_seconds,
                reserved_concurrency=None, ship_logs=False,
                not_shipped_reason="the shipper's own logs would ship themselves in a loop",
                reads_stream=self.stream is not None, invoked_async=self.stream is None),
            core, opts=child)
        self._bootstrap_invocation(name)
        self._delivery = self._delivery_path(name)
        self.alarms = self._alarms(name)
        self.health_alarm_name, self.health_alarm_arn = emit_health_alarm(
            self.alarms, namer=namer, ctx=ctx, service=plan.LOGGING_SERVICE, stack=settings.stack,
            topic=core.alarm_topic_arn(Severity.WARNING), tags=self.tags, parent=self, logical_prefix=name)
        core.log_shipping.attach(self)
        self.register_outputs({"dashboardsUrl": self.dashboards_url, "indexPatterns": self.index_patterns})

    # -- resources -------------------------------------------------------------------------------
    def _dead_letter_bucket(self, name: str, protect: bool) -> aws.s3.Bucket:
        return private_bucket(f"{name}-dead-letters", self.bucket_name, self.core, plan.LOGGING_SERVICE, self)

    def _domain_log_groups(self, name: str) -> dict[str, aws.cloudwatch.LogGroup]:
        settings, namer = self.core.settings, self.core.namer
        groups: dict[str, aws.cloudwatch.LogGroup] = {}
        for log_type, part in plan.DOMAIN_LOG_TYPES.items():
            group_name = namer.log_group(plan.OPENSEARCH_SERVICE, part)
            group = aws.cloudwatch.LogGroup(
                f"{name}-domain-{part}", name=group_name, retention_in_days=settings.log_retention_days,
                kms_key_id=self.core.key.arn, tags=self.tags, opts=pulumi.ResourceOptions(parent=self))
            self.core.log_shipping.register(LogGroupRegistration(
                service=plan.OPENSEARCH_SERVICE, part=part, name=group_name, log_group=group, owner=self, ship=False,
                reason="the domain's own logs must not depend on the domain being healthy"))
            groups[log_type] = group
        self.domain_logs_policy = aws.cloudwatch.LogResourcePolicy(
            f"{name}-domain-logs-policy", policy_name=namer.stack_wide("opensearch-logs", "iam_policy"),
            policy_document=plan.domain_logs_resource_policy(
                self.core.account, [namer.log_group(plan.OPENSEARCH_SERVICE, p) for p in plan.DOMAIN_LOG_TYPES.values()]),
            opts=pulumi.ResourceOptions(parent=self))
        return groups

    def _domain(self, name: str, protect: bool) -> aws.opensearch.Domain:
        settings, ctx = self.core.settings, self.core.account
        profile = settings.opensearch
        shape = plan.cluster_shape(profile)
        return aws.opensearch.Domain(
            f"{name}-domain",
            domain_name=self.domain_name,
            engine_version=profile.engine_version,
            cluster_config=aws.opensearch.DomainClusterConfigArgs(
                instance_type=shape.instance_type, instance_count=shape.instance_count,
                dedicated_master_enabled=shape.dedicated_master_enabled,
                dedicated_master_count=shape.dedicated_master_count,
                dedicated_master_type=shape.dedicated_master_type,
                zone_awareness_enabled=shape.zone_awareness_enabled,
                zone_awareness_config=aws.opensearch.DomainClusterConfigZoneAwarenessConfigArgs(
                    availability_zone_count=shape.availability_zone_count) if shape.zone_awareness_enabled else None,
                multi_az_with_standby_enabled=shape.multi_az_with_standby_enabled),
            ebs_options=aws.opensearch.DomainEbsOptionsArgs(ebs_enabled=True, volume_type="gp3",
                                                            volume_size=profile.volume_gb),
            encrypt_at_rest=aws.opensearch.DomainEncryptAtRestArgs(enabled=True, kms_key_id=self.core.key.arn),
            node_to_node_encryption=aws.opensearch.DomainNodeToNodeEncryptionArgs(enabled=True),
            domain_endpoint_options=aws.opensearch.DomainDomainEndpointOptionsArgs(
                enforce_https=True, tls_security_policy=plan.TLS_POLICY),
            advanced_security_options=aws.opensearch.DomainAdvancedSecurityOptionsArgs(
                enabled=True, anonymous_auth_enabled=False, internal_user_database_enabled=False,
                master_user_options=aws.opensearch.DomainAdvancedSecurityOptionsMasterUserOptionsArgs(
                    master_user_arn=self.bootstrap.role.arn)),
            access_policies=plan.domain_access_policy(ctx, self.domain_name),
            log_publishing_options=[
                aws.opensearch.DomainLogPublishingOptionArgs(log_type=log_type, cloudwatch_log_group_arn=group.arn,
                                                             enabled=True)
                for log_type, group in self.domain_log_groups.items()],
            software_update_options=aws.opensearch.DomainSoftwareUpdateOptionsArgs(auto_software_update_enabled=True),
            tags=self.core.tags_for(plan.OPENSEARCH_SERVICE),
            opts=pulumi.ResourceOptions(parent=self, protect=protect,
                                        depends_on=[self.domain_logs_policy, self.bootstrap.role]),
        )

    def _shipper_statements(self) -> list[pulumi.Input[dict]]:
        ctx = self.core.account
        statements: list[pulumi.Input[dict]] = [
            plan.http_statement(self.domain_arn, ["Post"], "BulkIndex"),
            plan.s3_dead_letter_statement(f"arn:aws:s3:::{self.bucket_name}"),
            # The key through Kinesis only where the shipper reads the (encrypted) log stream.
            self.core.key.arn.apply(lambda arn: iam.use_key_via(
                ctx, arn, ["s3", "sqs", *(["kinesis"] if self.stream is not None else [])])),
            self.failure_queue.arn.apply(plan.queue_send_statement),
        ]
        if self.stream is not None:
            statements.append(self.stream.arn.apply(plan.kinesis_read_statement))
        return statements

    def _bootstrap_invocation(self, name: str) -> None:
        settings, namer = self.core.settings, self.core.namer
        profile = settings.opensearch
        payload = pulumi.Output.all(self.endpoint, self.shipper.role.arn).apply(lambda values: json.dumps(
            build_bootstrap_input(
                endpoint=values[0], stack=settings.stack, log_index_prefix=namer.log_index_prefix(),
                trace_index_prefix=namer.trace_index_prefix(), log_retention_days=profile.log_retention_days,
                trace_retention_days=profile.trace_retention_days, number_of_shards=profile.shards,
                number_of_replicas=profile.replicas, refresh_interval=profile.refresh_interval,
                writer_role_arns=[values[1], *profile.writer_role_arns],
                reader_role_arns=list(profile.reader_role_arns)),
            sort_keys=True))
        aws.lambda_.Invocation(
            f"{name}-bootstrap-run", function_name=self.bootstrap.function.name, input=payload,
            triggers={"input": payload},
            opts=pulumi.ResourceOptions(parent=self, depends_on=[self.domain, self.bootstrap.function]))

    def _delivery_path(self, name: str) -> list[pulumi.Resource]:
        """What the subscriptions point at; see README "Delivery guarantees" for what each path promises."""
        ctx, namer = self.core.account, self.core.namer
        child = pulumi.ResourceOptions(parent=self)
        if self.stream is None:
            aws.lambda_.FunctionEventInvokeConfig(
                f"{name}-shipper-async", function_name=self.shipper.function.name,
                maximum_retry_attempts=ASYNC_RETRIES, maximum_event_age_in_seconds=MAX_EVENT_AGE_SECONDS,
                destination_config=aws.lambda_.FunctionEventInvokeConfigDestinationConfigArgs(
                    on_failure=aws.lambda_.FunctionEventInvokeConfigDestinationConfigOnFailureArgs(
                        destination=self.failure_queue.arn)),
                opts=child)
            permission = aws.lambda_.Permission(
                f"{name}-shipper-invoke", action="lambda:InvokeFunction", function=self.shipper.function.name,
                principal="logs.amazonaws.com", source_account=ctx.account_id,
                source_arn=iam.log_group_arn(ctx, f"{namer.log_group_prefix}*"), opts=child)
            self.destination_arn: pulumi.Output[str] = self.shipper.function.arn
            self.subscription_role_arn: pulumi.Output[str] | None = None
            return [permission]
        aws.lambda_.EventSourceMapping(
            f"{name}-shipper-stream", function_name=self.shipper.function.name, event_source_arn=self.stream.arn,
            starting_position="TRIM_HORIZON", batch_size=STREAM_BATCH_SIZE, maximum_batching_window_in_seconds=5,
            bisect_batch_on_function_error=True, function_response_types=["ReportBatchItemFailures"],
            maximum_retry_attempts=STREAM_RETRIES, maximum_record_age_in_seconds=STREAM_RETENTION_HOURS * 3600 - 3600,
            destination_config=aws.lambda_.EventSourceMappingDestinationConfigArgs(
                on_failure=aws.lambda_.EventSourceMappingDestinationConfigOnFailureArgs(
                    destination_arn=self.failure_queue.arn)),
            opts=pulumi.ResourceOptions(parent=self, depends_on=[self.shipper]))
        role = aws.iam.Role(
            f"{name}-logs-to-stream", name=namer.physical(plan.LOGGING_SERVICE, "logs-to-stream", "iam_role"),
            assume_role_policy=plan.logs_assume_role_policy(ctx, namer.log_group_prefix), tags=self.tags, opts=child)
        policy = aws.iam.RolePolicy(
            f"{name}-logs-to-stream-policy", role=role.id,
            policy=pulumi.Output.all(self.stream.arn, self.core.key.arn).apply(
                lambda arns: plan.logs_to_kinesis_role_policy(ctx, arns[0], arns[1])), opts=child)
        self.destination_arn = self.stream.arn
        self.subscription_role_arn = role.arn
        return [policy]

    def subscribe(self, registration: LogGroupRegistration) -> None:
        aws.cloudwatch.LogSubscriptionFilter(
            f"{registration.logical_prefix}-shipping", name=plan.SUBSCRIPTION_FILTER_NAME,
            log_group=registration.name, filter_pattern="", destination_arn=self.destination_arn,
            role_arn=self.subscription_role_arn,
            opts=pulumi.ResourceOptions(parent=registration.owner,
                                        depends_on=[registration.log_group, *self._delivery]))

    def _alarms(self, name: str) -> EmittedAlarms:
        settings, namer, ctx = self.core.settings, self.core.namer, self.core.account
        profile = settings.opensearch
        self.opensearch_ref = OpenSearchRef(
            domain_name=self.domain_name, account_id=ctx.account_id, instance_count=profile.instance_count,
            volume_size_gb=profile.volume_gb, dedicated_master=profile.dedicated_master_count > 0,
            kms_encrypted=True, dedicated_master_count=profile.dedicated_master_count or 3,
            # The console page of the domain, not the Dashboards endpoint: the endpoint holds a random id,
            # and dashboard bodies must be known before deploy to equal the committed ones.
            dashboards_url=plan.domain_console_url(settings.region, self.domain_name))
        stream_ref = KinesisRef(stream_name=self.stream_name, part="logs") if self.stream is not None else None
        failure_queue = QueueRef(queue_name=self.failure_queue_name, visibility_timeout_seconds=30,
                                 is_dead_letter=True, part="failed")
        self.shipping_ref = LogShippingRef(function=self.shipper.ref, dead_letter_bucket=self.bucket_name,
                                           metrics_namespace=namer.metrics_namespace(), kinesis=stream_ref,
                                           bootstrap=self.bootstrap.ref, failure_queue=failure_queue)
        # The shipper's Lambda alarms were already emitted by its ObservedFunction.
        already = {spec_key for spec_key in (n.removeprefix(f"{namer.prefix}-{plan.LOGGING_SERVICE}-")
                                             for n in self.shipper.alarms.names)}
        specs = [s for s in log_shipping_alarms(self.shipping_ref, settings.alarms) if s.key not in already]
        specs += queue_alarms(failure_queue, settings.alarms)
        if stream_ref is not None:
            specs += throughput_exceeded_alarms(stream_ref, settings.alarms)
        own = emit_alarms(specs, namer=namer, ctx=ctx, service=plan.LOGGING_SERVICE, topics=self.core.alarm_topics,
                          tags=self.tags, parent=self, logical_prefix=name)
        domain = emit_alarms(opensearch_alarms(self.opensearch_ref), namer=namer, ctx=ctx,
                             service=plan.OPENSEARCH_SERVICE, topics=self.core.alarm_topics,
                             tags=self.core.tags_for(plan.OPENSEARCH_SERVICE), parent=self,
                             logical_prefix=f"{name}-domain")
        parts = [self.shipper.alarms, self.bootstrap.alarms, own, domain]
        return EmittedAlarms(names=[n for p in parts for n in p.names], arns=[a for p in parts for a in p.arns],
                             resources=[r for p in parts for r in p.resources])
