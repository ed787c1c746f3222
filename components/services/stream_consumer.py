"""A Lambda function reading a Kinesis or DynamoDB stream, with the failure handling both need.

A stream keeps records in order per shard, so one poison record would block its shard until it
expires. Every consumer therefore reports partial batch failures (only the failed record and what
follows are retried), bisects a failing batch to isolate the poison record, stops retrying after
`max_retries` or `max_record_age_seconds`, and sends the failed range's position to an on-failure
queue of its own, from which it can be re-read while the stream still holds it.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal

import pulumi
import pulumi_aws as aws

from components.resources.queues import Queue, dead_letter_queue
from components.services.access import Access, statement
from components.services.service import declared

if TYPE_CHECKING:
    from components.services.function import ObservedFunction
    from components.services.service import ServiceComponent

SourceKind = Literal["kinesis", "dynamodb"]
KINESIS_READ = ("kinesis:DescribeStream", "kinesis:DescribeStreamSummary", "kinesis:GetRecords",
                "kinesis:GetShardIterator", "kinesis:ListShards")
DYNAMODB_STREAM_READ = ("dynamodb:DescribeStream", "dynamodb:GetRecords", "dynamodb:GetShardIterator",
                        "dynamodb:ListStreams")
#: Lambda's limits on stream event source mappings.
MAX_RETRIES = 10000
RECORD_AGE_RANGE = (60, 604800)
MAX_BATCH = 10000
MAX_PARALLELIZATION = 10


@dataclass(frozen=True)
class StreamReading:
    """How a consumer reads; None fields take the environment profile's stream settings."""

    batch_size: int | None = None
    max_retries: int | None = None
    max_record_age_seconds: int | None = None
    batching_window_seconds: int = 0
    parallelization_factor: int = 1
    starting_position: Literal["TRIM_HORIZON", "LATEST"] = "TRIM_HORIZON"

    def resolved(self, owner_settings) -> tuple[int, int, int]:  # type: ignore[no-untyped-def]
        profile = owner_settings.services.streams
        return (declared(self.batch_size, profile.batch_size), declared(self.max_retries, profile.max_retries),
                declared(self.max_record_age_seconds, profile.max_record_age_seconds))

    def problems(self, settings) -> list[str]:  # type: ignore[no-untyped-def]
        batch, retries, age = self.resolved(settings)
        found = []
        if not 1 <= batch <= MAX_BATCH:
            found.append(f"batch_size = {batch}: 1 to {MAX_BATCH}")
        if not 0 <= retries <= MAX_RETRIES:
            found.append(f"max_retries = {retries}: 0 to {MAX_RETRIES}")
        if not RECORD_AGE_RANGE[0] <= age <= RECORD_AGE_RANGE[1]:
            found.append(f"max_record_age_seconds = {age}: {RECORD_AGE_RANGE[0]} to {RECORD_AGE_RANGE[1]}")
        if not 0 <= self.batching_window_seconds <= 300:
            found.append(f"batching_window_seconds = {self.batching_window_seconds}: 0 to 300")
        if not 1 <= self.parallelization_factor <= MAX_PARALLELIZATION:
            found.append(f"parallelization_factor = {self.parallelization_factor}: 1 to {MAX_PARALLELIZATION}")
        return found


class StreamConsumer:
    """Create it before the function (its `access` goes into the role), then `connect` the function."""

    def __init__(self, owner: ServiceComponent, kind: SourceKind, source_arn: pulumi.Input[str],
                 reading: StreamReading) -> None:
        self.owner, self.kind, self.source_arn, self.reading = owner, kind, source_arn, reading
        self.failures: Queue = dead_letter_queue(f"{owner.service}-consumer-failed", owner.core, owner.service,
                                                 "consumer-failed", parent=owner)
        read = KINESIS_READ if kind == "kinesis" else DYNAMODB_STREAM_READ
        resource = pulumi.Output.from_input(source_arn)
        if kind == "dynamodb":  # a table's stream ARN changes when the stream is re-enabled
            resource = resource.apply(lambda arn: arn.split("/stream/")[0] + "/stream/*")
        self.access = Access(statements=(
            statement("ReadStream", list(read), resource),
            statement("KeepFailedRanges", ["sqs:SendMessage"], self.failures.arn)),
            key_services=("sqs",) + (("kinesis",) if kind == "kinesis" else ()))

    def connect(self, function: ObservedFunction, filter_pattern: str | None = None) -> aws.lambda_.EventSourceMapping:
        owner = self.owner
        batch, retries, age = self.reading.resolved(owner.settings)
        return aws.lambda_.EventSourceMapping(
            f"{owner.service}-consumer-source", event_source_arn=self.source_arn, function_name=function.function.name,
            starting_position=self.reading.starting_position, batch_size=batch,
            maximum_batching_window_in_seconds=self.reading.batching_window_seconds or None,
            parallelization_factor=self.reading.parallelization_factor,
            bisect_batch_on_function_error=True, function_response_types=["ReportBatchItemFailures"],
            maximum_retry_attempts=retries, maximum_record_age_in_seconds=age,
            destination_config=aws.lambda_.EventSourceMappingDestinationConfigArgs(
                on_failure=aws.lambda_.EventSourceMappingDestinationConfigOnFailureArgs(
                    destination_arn=self.failures.arn)),
            filter_criteria=aws.lambda_.EventSourceMappingFilterCriteriaArgs(
                filters=[aws.lambda_.EventSourceMappingFilterCriteriaFilterArgs(pattern=filter_pattern)])
            if filter_pattern else None,
            opts=pulumi.ResourceOptions(parent=owner, depends_on=[function.policy]))
