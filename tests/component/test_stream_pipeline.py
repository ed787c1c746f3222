"""StreamPipeline: an encrypted Kinesis stream, a consumer that never blocks a shard, a Firehose archive in S3."""
from __future__ import annotations

import json

import pytest
from hypothesis import given, settings as hypothesis_settings, strategies as st

from components.services.internal_function import InternalFunctionArgs
from components.services.rest_api import Ingest, UsagePlan
from components.services.stream_consumer import KINESIS_READ, StreamReading
from components.services.stream_pipeline import Archive, StreamPipelineArgs
from components.services.http_service import TableSpec
from tests.component.harness import (Run, alarm_keys, alarms, arn, catalog, core_for, in_catalog, inputs,
                                     names_argument, policy, section_titles)

CLICK = {"type": "object", "required": ["session_id"], "properties": {"session_id": {"type": "string"}}}
BUCKET = "platform-dev-clicks-archive-123456789012"


@in_catalog
def declare(platform):
    platform.add("clicks", StreamPipelineArgs(
        handler="handlers.clicks.app.handler", description="Page views",
        reading=StreamReading(batch_size=250, max_record_age_seconds=7200, batching_window_seconds=2,
                              parallelization_factor=3, starting_position="LATEST"),
        archive=Archive(buffer_seconds=120, buffer_mb=16, retention_days=400),
        tables=[TableSpec(hash_key="page", range_key="minute", actions=("dynamodb:UpdateItem",))],
        ingest=Ingest(path="/clicks", auth="api_key", schema=CLICK, partition_key="$.session_id",
                      usage_plan=UsagePlan(keys=("web",), rate_limit=100, burst_limit=200))))
    audit = platform.add("audit-trail", StreamPipelineArgs(handler="handlers.audit.app.handler", mode="on-demand"))
    platform.add("producer", InternalFunctionArgs(handler="h.p.handler", access=[audit.put_access("STREAM")]))


@pytest.fixture(scope="module")
def pipes() -> Run:
    return catalog()



def test_stream_is_kms_encrypted_provisioned_or_on_demand_with_the_profiles_retention(pipes):
    clicks = inputs(pipes, "clicks-stream")
    assert (clicks["name"], clicks["encryptionType"], clicks["retentionPeriod"]) == (
        "platform-dev-clicks-stream", "KMS", 48)
    assert clicks["kmsKeyId"].startswith("arn:aws:kms:eu-west-1:")
    assert (clicks["streamModeDetails"], clicks["shardCount"]) == ({"streamMode": "PROVISIONED"}, 2)
    audit = inputs(pipes, "audit-trail-stream")
    assert audit["streamModeDetails"] == {"streamMode": "ON_DEMAND"} and "shardCount" not in audit


def test_consumer_bisects_reports_partial_batches_and_sends_failed_ranges_to_its_own_queue(pipes):
    mapping = inputs(pipes, "clicks-consumer-source")
    assert mapping["eventSourceArn"] == arn("kinesis", "stream/platform-dev-clicks-stream")
    assert mapping["functionName"] == "platform-dev-clicks-consumer"
    assert (mapping["bisectBatchOnFunctionError"], mapping["functionResponseTypes"]) == (
        True, ["ReportBatchItemFailures"])
    assert (mapping["batchSize"], mapping["maximumBatchingWindowInSeconds"], mapping["parallelizationFactor"]) == (
        250, 2, 3)
    assert (mapping["maximumRetryAttempts"], mapping["maximumRecordAgeInSeconds"]) == (7, 7200)
    assert mapping["startingPosition"] == "LATEST"
    assert mapping["destinationConfig"] == {"onFailure": {
        "destinationArn": arn("sqs", "platform-dev-clicks-consumer-failed")}}
    failed = inputs(pipes, "clicks-consumer-failed")
    assert failed["messageRetentionSeconds"] == 14 * 24 * 3600 and failed["kmsMasterKeyId"].startswith("arn:aws:kms")
    assert inputs(pipes, "audit-trail-consumer-source")["startingPosition"] == "TRIM_HORIZON"


def test_consumer_role_reads_its_stream_keeps_failed_ranges_and_nothing_else(pipes):
    statements = policy(pipes.view, "clicks-consumer-policy")
    assert set(statements) == {"WriteOwnLogs", "WriteTraces", "ReadStream", "KeepFailedRanges", "UseOwnTable",
                               "UseStackKeyViaDynamodbKinesisSqs"}
    assert (statements["ReadStream"]["Action"], statements["ReadStream"]["Resource"]) == (
        list(KINESIS_READ), arn("kinesis", "stream/platform-dev-clicks-stream"))
    assert (statements["KeepFailedRanges"]["Action"], statements["KeepFailedRanges"]["Resource"]) == (
        ["sqs:SendMessage"], arn("sqs", "platform-dev-clicks-consumer-failed"))
    fn = inputs(pipes, "clicks-consumer-function")
    assert (fn["timeout"], fn["reservedConcurrentExecutions"], fn["description"]) == (20, -1, "Page views")


def test_archive_is_firehose_into_a_private_encrypted_expiring_bucket_with_error_output_and_buffering(pipes):
    delivery = inputs(pipes, "clicks-archive-delivery")
    assert (delivery["name"], delivery["destination"]) == ("platform-dev-clicks-archive", "extended_s3")
    assert delivery["kinesisSourceConfiguration"] == {
        "kinesisStreamArn": arn("kinesis", "stream/platform-dev-clicks-stream"),
        "roleArn": "arn:aws:iam::123456789012:role/platform-dev-clicks-firehose"}
    s3 = delivery["extendedS3Configuration"]
    assert s3["bucketArn"] == f"arn:aws:s3:::{BUCKET}"
    assert (s3["bufferingInterval"], s3["bufferingSize"], s3["compressionFormat"]) == (120, 16, "GZIP")
    assert s3["kmsKeyArn"].startswith("arn:aws:kms:eu-west-1:")
    assert s3["prefix"].startswith("records/") and s3["errorOutputPrefix"].startswith("errors/")
    assert s3["cloudwatchLoggingOptions"] == {"enabled": True, "logGroupName": "/platform/dev/clicks/firehose",
                                              "logStreamName": "DestinationDelivery"}
    assert inputs(pipes, "clicks-archive")["bucket"] == BUCKET
    private = inputs(pipes, "clicks-archive-private")
    assert all(private[k] is True for k in ("blockPublicAcls", "blockPublicPolicy", "ignorePublicAcls",
                                             "restrictPublicBuckets"))
    rule = inputs(pipes, "clicks-archive-encryption")["rules"][0]
    assert rule["applyServerSideEncryptionByDefault"]["sseAlgorithm"] == "aws:kms"
    expiry = inputs(pipes, "clicks-archive-expiry")["rules"][0]
    assert expiry["expiration"] == {"days": 400} and expiry["noncurrentVersionExpiration"] == {"noncurrentDays": 400}
    (deny,) = json.loads(inputs(pipes, "clicks-archive-tls")["policy"])["Statement"]
    assert deny["Effect"] == "Deny" and deny["Condition"] == {"Bool": {"aws:SecureTransport": "false"}}
    assert "archiveBucket" not in pipes.view.outputs["services"]["audit-trail"]


def test_firehose_role_reads_this_stream_writes_this_bucket_and_logs_its_errors(pipes):
    trust = json.loads(inputs(pipes, "clicks-firehose")["assumeRolePolicy"])["Statement"][0]
    assert trust["Principal"] == {"Service": "firehose.amazonaws.com"}
    assert trust["Condition"] == {"StringEquals": {"sts:ExternalId": "123456789012"}}
    statements = policy(pipes.view, "clicks-firehose-policy")
    assert set(statements) == {"ReadStream", "WriteArchive", "LogDeliveryErrors", "UseStackKeyViaKinesisS3"}
    assert statements["WriteArchive"]["Resource"] == [f"arn:aws:s3:::{BUCKET}", f"arn:aws:s3:::{BUCKET}/*"]
    assert "s3:DeleteObject" not in statements["WriteArchive"]["Action"]
    assert statements["LogDeliveryErrors"]["Resource"] == arn("logs", "log-group:/platform/dev/clicks/firehose:*")
    shipped = {f.inputs["logGroup"] for f in pipes.view.of_type(
        "aws:cloudwatch/logSubscriptionFilter:LogSubscriptionFilter")}
    assert "/platform/dev/clicks/firehose" in shipped


def test_ingest_puts_validated_requests_on_the_stream_behind_an_api_key(pipes):
    integration = inputs(pipes, "clicks-post-clicks-integration")
    assert integration["uri"] == "arn:aws:apigateway:eu-west-1:kinesis:action/PutRecord"
    template = json.loads(integration["requestTemplates"]["application/json"])
    assert template["PartitionKey"] == "$util.escapeJavaScript($input.path('$.session_id'))"
    method = inputs(pipes, "clicks-post-clicks")
    assert method["apiKeyRequired"] is True and method["requestValidatorId"]
    assert policy(pipes.view, "clicks-api-integration-policy")["PostClicks"]["Resource"] == arn(
        "kinesis", "stream/platform-dev-clicks-stream")
    entry = pipes.view.outputs["services"]["clicks"]
    assert (entry["kind"], entry["streamName"], entry["archiveBucket"]) == ("stream-pipeline",
                                                                            "platform-dev-clicks-stream", BUCKET)
    assert set(entry["apiKeyIds"]) == {"web"} and entry["url"].endswith("/v1")


def test_put_access_is_put_on_this_stream_through_the_key(pipes):
    statements = policy(pipes.view, "producer-function-policy")
    assert statements["PutAuditTrail"] == {"Sid": "PutAuditTrail", "Effect": "Allow",
                                           "Action": ["kinesis:PutRecord", "kinesis:PutRecords"],
                                           "Resource": arn("kinesis", "stream/platform-dev-audit-trail-stream")}
    assert statements["UseStackKeyViaKinesis"]["Action"] == ["kms:Decrypt", "kms:GenerateDataKey"]


def test_alarm_set_iterator_age_throughput_firehose_freshness_and_failures_consumer_errors(pipes):
    keys = alarm_keys(pipes.view, "clicks")
    assert {"kinesis-stream-iterator-age-warning", "kinesis-stream-iterator-age-critical",
            "kinesis-stream-write-throttled-warning", "kinesis-stream-read-throttled-warning",
            "firehose-archive-freshness-warning", "firehose-archive-delivery-warning",
            "lambda-consumer-errors-warning", "lambda-consumer-errors-critical",
            "lambda-consumer-iterator-age-warning", "sqs-consumer-failed-dlq-depth-critical"} <= keys
    assert "firehose-archive-freshness-critical" not in keys     # switched off in CATALOG_CONFIG
    by_name = alarms(pipes.view, "clicks")
    fresh = by_name["platform-dev-clicks-firehose-archive-freshness-warning"]
    assert (fresh["metricName"], fresh["dimensions"], fresh["threshold"]) == (
        "DeliveryToS3.DataFreshness", {"DeliveryStreamName": "platform-dev-clicks-archive"}, 240)   # 200 % of 120 s
    delivery = by_name["platform-dev-clicks-firehose-archive-delivery-warning"]
    assert (delivery["metricName"], delivery["comparisonOperator"], delivery["threshold"]) == (
        "DeliveryToS3.Success", "LessThanThreshold", 1)
    write = by_name["platform-dev-clicks-kinesis-stream-write-throttled-warning"]
    assert (write["metricName"], write["dimensions"]) == (
        "WriteProvisionedThroughputExceeded", {"StreamName": "platform-dev-clicks-stream"})
    assert not [k for k in alarm_keys(pipes.view, "audit-trail") if k.startswith("firehose-")]


def test_dashboard_has_a_section_per_resource(pipes):
    assert section_titles(pipes.view, "clicks") == [
        "API platform-dev-clicks-api/v1", "Lambda platform-dev-clicks-consumer", "DynamoDB platform-dev-clicks-table",
        "Kinesis platform-dev-clicks-stream", "SQS dead-letter queue platform-dev-clicks-consumer-failed",
        "Firehose platform-dev-clicks-archive", "Logs"]


# -- bad arguments --------------------------------------------------------------------------------
CORE = core_for()


def problems_of(**args) -> list[str]:
    return StreamPipelineArgs(handler=args.pop("handler", "h.app.handler"), **args).problems(CORE)



@hypothesis_settings(max_examples=150, deadline=None)
@given(batch=st.integers(-1, 12000), retries=st.integers(-2, 12000), age=st.integers(0, 700000),
       window=st.integers(-1, 400), parallel=st.integers(0, 12))
def test_reading_stays_within_the_event_source_mapping_limits(batch, retries, age, window, parallel):
    problems = problems_of(retention_hours=8760, reading=StreamReading(
        batch_size=batch, max_retries=retries, max_record_age_seconds=age, batching_window_seconds=window,
        parallelization_factor=parallel))
    assert names_argument(problems, "batch_size") == (not 1 <= batch <= 10000)
    assert names_argument(problems, "max_retries") == (not 0 <= retries <= 10000)
    assert names_argument(problems, "max_record_age_seconds") == (not 60 <= age <= 604800)
    assert names_argument(problems, "batching_window_seconds") == (not 0 <= window <= 300)
    assert names_argument(problems, "parallelization_factor") == (not 1 <= parallel <= 10)


@hypothesis_settings(max_examples=100, deadline=None)
@given(hours=st.integers(24, 8760), age=st.integers(60, 604800))
def test_a_failed_record_must_reach_the_on_failure_queue_before_the_stream_forgets_it(hours, age):
    problems = problems_of(retention_hours=hours, reading=StreamReading(max_record_age_seconds=age))
    assert names_argument(problems, "reading.max_record_age_seconds") == (age > hours * 3600)


@pytest.mark.parametrize("args, argument", [
    ({"mode": "elastic"}, "mode = 'elastic'"),
    ({"mode": ""}, "mode = ''"),
    ({"shard_count": 0}, "shard_count = 0"),
    ({"shard_count": 501}, "shard_count = 501"),
    ({"retention_hours": 23}, "retention_hours = 23"),
    ({"archive": Archive(buffer_seconds=901)}, "archive.buffer_seconds = 901"),
    ({"archive": Archive(buffer_mb=0)}, "archive.buffer_mb = 0"),
    ({"archive": Archive(buffer_mb=129)}, "archive.buffer_mb = 129"),
    ({"archive": Archive(retention_days=0)}, "archive.retention_days = 0"),
    ({"ingest": Ingest(path="/clicks", method="GET")}, "ingest: route GET /clicks: only POST or PUT"),
    ({"ingest": Ingest(path="/clicks", partition_key="session")}, "ingest: route POST /clicks: partition_key"),
    ({"timeout_seconds": 0}, "timeout_seconds = 0"),
])
def test_each_bad_argument_is_named(args, argument):
    problems = problems_of(**args)
    assert names_argument(problems, argument), problems
