"""`StreamPipeline`: a Kinesis data stream with a Lambda consumer and an optional S3 archive (the Streamer).

The stream is encrypted with the stack key, on-demand or provisioned from the environment profile.
The consumer has the stream consumer's failure handling. With `archive`, a Firehose delivery stream
copies every record, untouched, into an encrypted, private bucket (event sourcing: the archive can
rebuild whatever the consumer derived), with its delivery errors logged and shipped like every log.
With `ingest`, API Gateway puts requests on the stream with no function in between.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import pulumi
import pulumi_aws as aws

from components import iam
from components.core import PlatformCore
from components.log_shipping_hook import LogGroupRegistration
from components.observability.refs import DeliveryStreamRef, KinesisRef, ServiceView
from components.resources.buckets import bucket_name, private_bucket
from components.services.access import Access, sid, statement
from components.services.function import FunctionArgs
from components.services.rest_api import Ingest, RestApiFront
from components.services.own_function import OwnFunction
from components.services.service import ServiceArgs, ServiceComponent, declared
from components.services.stream_consumer import KINESIS_READ, StreamConsumer, StreamReading

FIREHOSE_LOG_STREAM = "DestinationDelivery"
#: Firehose buffers 0-900 s and 1-128 MiB; each batch is compressed and keyed by arrival hour.
RECORD_PREFIX = "records/!{timestamp:yyyy/MM/dd/HH}/"
ERROR_PREFIX = "errors/!{firehose:error-output-type}/!{timestamp:yyyy/MM/dd}/"


@dataclass(frozen=True)
class Archive:
    """Firehose into S3; None fields take the profile's firehoseBuffer* and archiveRetentionDays."""

    buffer_seconds: int | None = None
    buffer_mb: int | None = None
    retention_days: int | None = None


@dataclass(frozen=True)
class StreamPipelineArgs(OwnFunction, ServiceArgs["StreamPipeline"]):
    reading: StreamReading = field(default_factory=StreamReading)
    mode: str | None = None                  # None: the profile's streamMode
    shard_count: int | None = None
    retention_hours: int | None = None
    archive: Archive | None = None
    ingest: Ingest | None = None

    def function_args(self, core: PlatformCore) -> FunctionArgs:
        return self.own_function(core)

    def resolved(self, core: PlatformCore) -> tuple[str, int, int]:
        profile = core.settings.services.streams
        return (declared(self.mode, profile.mode), declared(self.shard_count, profile.shard_count),
                declared(self.retention_hours, profile.retention_hours))

    def archive_settings(self, core: PlatformCore) -> tuple[int, int, int]:
        profile, archive = core.settings.services.streams, self.archive or Archive()
        return (declared(archive.buffer_seconds, profile.firehose_buffer_seconds),
                declared(archive.buffer_mb, profile.firehose_buffer_mb),
                declared(archive.retention_days, profile.archive_retention_days))

    def problems(self, core: PlatformCore) -> list[str]:
        found = self.function_args(core).problems() + self.reading.problems(core.settings)
        mode, shards, retention = self.resolved(core)
        if mode not in ("provisioned", "on-demand"):
            found.append(f"mode = {mode!r}: provisioned or on-demand")
        if not 1 <= shards <= 500:
            found.append(f"shard_count = {shards}: 1 to 500")
        if not 24 <= retention <= 8760:
            found.append(f"retention_hours = {retention}: Kinesis keeps records 24 to 8760 hours")
        _, _, age = self.reading.resolved(core.settings)
        if age > retention * 3600:
            found.append(f"reading.max_record_age_seconds = {age}: longer than the stream keeps records "
                         f"({retention} h); a failed record would expire before it reached the on-failure queue")
        if self.archive is not None:
            seconds, mb, days = self.archive_settings(core)
            if not 0 <= seconds <= 900:
                found.append(f"archive.buffer_seconds = {seconds}: Firehose buffers 0 to 900 s")
            if not 1 <= mb <= 128:
                found.append(f"archive.buffer_mb = {mb}: Firehose buffers 1 to 128 MiB")
            if days < 1:
                found.append(f"archive.retention_days = {days}: at least 1")
        if self.ingest is not None:
            found += self.ingest.problems()
        return found

    def build(self, service: str, core: PlatformCore) -> StreamPipeline:
        return StreamPipeline(service, self, core)


class StreamPipeline(ServiceComponent):
    kind = "stream-pipeline"

    def __init__(self, service: str, args: StreamPipelineArgs, core: PlatformCore) -> None:
        super().__init__("platform:services:StreamPipeline", service, core)
        mode, shards, retention = args.resolved(core)
        self.stream_name = core.namer.physical(service, "stream", "kinesis_stream")
        self.stream = aws.kinesis.Stream(
            f"{service}-stream", name=self.stream_name, retention_period=retention,
            shard_count=shards if mode == "provisioned" else None,
            stream_mode_details=aws.kinesis.StreamStreamModeDetailsArgs(
                stream_mode="PROVISIONED" if mode == "provisioned" else "ON_DEMAND"),
            encryption_type="KMS", kms_key_id=core.key.arn, tags=self.tags, opts=self.child)
        self.stream_arn: pulumi.Output[str] = self.stream.arn
        self.add_tables(args.tables, idempotency=args.idempotency)
        self.consumer = StreamConsumer(self, "kinesis", self.stream_arn, args.reading)
        self.function = self.add_function("consumer", args.function_args(core), extra=[self.consumer.access],
                                          reads_stream=True)
        self.consumer.connect(self.function)
        outputs: dict[str, pulumi.Input[str]] = {"streamName": self.stream_name}
        deliveries: tuple[DeliveryStreamRef, ...] = ()
        if args.archive is not None:
            deliveries = (self._archive(args),)
            outputs["archiveBucket"] = self.archive_bucket_name
        self.front = None
        if args.ingest is not None:
            self.front = RestApiFront(self, [args.ingest.stream_route(self)], description=f"{service} ingest API",
                                      usage_plan=args.ingest.usage_plan)
            outputs["url"] = self.front.url
            if self.front.api_keys:
                outputs["apiKeyIds"] = self.front.api_keys  # type: ignore[assignment]
        self.publish(ServiceView(service=service, stack=self.settings.stack, region=self.settings.region,
                                 account_id=core.account.account_id,
                                 apis=(self.front.ref,) if self.front else (),
                                 streams=(KinesisRef(stream_name=self.stream_name, part="stream"),),
                                 queues=(self.consumer.failures.ref,), delivery_streams=deliveries),
                     outputs=outputs)

    def _archive(self, args: StreamPipelineArgs) -> DeliveryStreamRef:
        core, service = self.core, self.service
        seconds, mb, days = args.archive_settings(core)
        self.archive_bucket_name = bucket_name(core, service, "archive")
        bucket = private_bucket(f"{service}-archive", self.archive_bucket_name, core, service, self, expire_days=days)
        log_group_name = core.namer.log_group(service, "firehose")
        log_group = aws.cloudwatch.LogGroup(f"{service}-firehose-logs", name=log_group_name,
                                            retention_in_days=self.settings.log_retention_days,
                                            kms_key_id=core.key.arn, tags=self.tags, opts=self.child)
        aws.cloudwatch.LogStream(f"{service}-firehose-log-stream", name=FIREHOSE_LOG_STREAM,
                                 log_group_name=log_group.name, opts=self.child)
        core.log_shipping.register(LogGroupRegistration(service=service, part="firehose", name=log_group_name,
                                                        log_group=log_group, owner=self))
        role = aws.iam.Role(
            f"{service}-firehose", name=core.namer.physical(service, "firehose", "iam_role"),
            assume_role_policy=iam.document([{
                "Effect": "Allow", "Principal": {"Service": "firehose.amazonaws.com"}, "Action": "sts:AssumeRole",
                "Condition": {"StringEquals": {"sts:ExternalId": core.account.account_id}}}]),
            tags=self.tags, opts=self.child)
        policy = aws.iam.RolePolicy(
            f"{service}-firehose-policy", role=role.id, opts=self.child,
            policy=pulumi.Output.all(
                statement("ReadStream", list(KINESIS_READ), self.stream_arn),
                statement("WriteArchive", ["s3:AbortMultipartUpload", "s3:GetBucketLocation", "s3:GetObject",
                                           "s3:ListBucket", "s3:ListBucketMultipartUploads", "s3:PutObject"],
                          [bucket.arn, bucket.arn.apply(lambda arn: f"{arn}/*")]),
                statement("LogDeliveryErrors", ["logs:PutLogEvents"],
                          iam.log_group_arn(core.account, log_group_name) + ":*"),
                core.key.arn.apply(lambda arn: iam.use_key_via(core.account, arn, ["kinesis", "s3"]))).apply(
                iam.document))
        name = core.namer.physical(service, "archive", "firehose")
        aws.kinesis.FirehoseDeliveryStream(
            f"{service}-archive-delivery", name=name, destination="extended_s3",
            kinesis_source_configuration=aws.kinesis.FirehoseDeliveryStreamKinesisSourceConfigurationArgs(
                kinesis_stream_arn=self.stream_arn, role_arn=role.arn),
            extended_s3_configuration=aws.kinesis.FirehoseDeliveryStreamExtendedS3ConfigurationArgs(
                bucket_arn=bucket.arn, role_arn=role.arn, prefix=RECORD_PREFIX, error_output_prefix=ERROR_PREFIX,
                buffering_interval=seconds, buffering_size=mb, compression_format="GZIP", kms_key_arn=core.key.arn,
                cloudwatch_logging_options=aws.kinesis.FirehoseDeliveryStreamExtendedS3ConfigurationCloudwatchLoggingOptionsArgs(
                    enabled=True, log_group_name=log_group_name, log_stream_name=FIREHOSE_LOG_STREAM)),
            tags=self.tags, opts=pulumi.ResourceOptions(parent=self, depends_on=[policy]))
        return DeliveryStreamRef(stream_name=name, buffer_seconds=seconds, part="archive")

    def put_access(self, env_var: str) -> Access:
        """For a function that writes to this stream."""
        return Access(environment={env_var: self.stream_name},
                      statements=(statement(sid("put", self.service), ["kinesis:PutRecord", "kinesis:PutRecords"],
                                            self.stream_arn),),
                      key_services=("kinesis",))
