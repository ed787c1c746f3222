"""Event source mapping pollers: what Lambda does between a queue or stream and a function.

The harness reads the source through its real (moto) API, invokes the function through the
Lambda API (so the hook in `lambda_service` runs it) and then does what the Lambda service
documents for the outcome:

SQS (standard and FIFO): receive up to BatchSize messages with every attribute, invoke once.
On success delete them; with `ReportBatchItemFailures` delete only those not reported. A failed
message is not deleted, so its receive count grows and moto's real redrive policy moves it to
the dead-letter queue on the receive after `maxReceiveCount`. Instead of waiting out the
visibility timeout, the harness ends it at once (ChangeMessageVisibility 0) for failed messages:
time is compressed, the order of events is not changed.

Kinesis and DynamoDB streams: per shard, in order, from StartingPosition (TRIM_HORIZON, or
LATEST = after the newest record when the mapping is created). A batch that succeeds moves the
checkpoint past it. A partial batch response moves it to the lowest reported sequence number and
retries from there (only the remaining records when bisecting). A function error bisects the
batch when `BisectBatchOnFunctionError` is on (bisecting does not use up retries), else retries
it. After `MaximumRetryAttempts` retries (-1 = forever, the default) the batch is discarded: the
checkpoint moves past it and, with an OnFailure destination, the invocation record describing
the shard and sequence range goes to that SQS queue or SNS topic.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Mapping, Protocol, Sequence

import boto3
from botocore.config import Config

from tests.harness.batch_response import Verdict, judge
from tests.harness.event_records import dynamodb_event_record, kinesis_event_record, sqs_event_record, stream_failure_record
from tests.harness.lambda_service import Invocation, deliver

if TYPE_CHECKING:
    from tests.harness.lambda_service import LambdaHarness

SUPPORTED_PARAMETERS = frozenset(
    (
        "FunctionName",
        "EventSourceArn",
        "BatchSize",
        "FunctionResponseTypes",
        "BisectBatchOnFunctionError",
        "MaximumRetryAttempts",
        "DestinationConfig",
        "StartingPosition",
        "Enabled",
    )
)
DEFAULT_BATCH_SIZE = {"sqs": 10, "kinesis": 100, "dynamodb": 100}
MAX_BATCH_SIZE = {"sqs": 10, "kinesis": 10_000, "dynamodb": 1_000}  # SQS beyond 10 needs a batching window


class MappingStuck(RuntimeError):
    """`drain` gave up: the source still had work after the allowed number of batches."""


@dataclass(frozen=True)
class MappingSpec:
    """The CreateEventSourceMapping parameters the harness honours, validated."""

    function_name: str
    event_source_arn: str
    source: str  # sqs, kinesis or dynamodb
    batch_size: int
    report_batch_item_failures: bool
    bisect_on_error: bool
    maximum_retry_attempts: int
    on_failure_destination: str | None
    starting_position: str | None
    enabled: bool

    @classmethod
    def from_api(cls, spec: Mapping[str, Any]) -> MappingSpec:
        unknown = sorted(set(spec) - SUPPORTED_PARAMETERS)
        if unknown:
            raise ValueError(f"event source mapping parameters not supported by the harness: {unknown}; supported: {sorted(SUPPORTED_PARAMETERS)}")
        for required in ("FunctionName", "EventSourceArn"):
            if not spec.get(required):
                raise ValueError(f"{required} is required")
        arn = str(spec["EventSourceArn"])
        service = arn.split(":")[2] if arn.count(":") >= 5 else ""
        source = {"sqs": "sqs", "kinesis": "kinesis", "dynamodb": "dynamodb"}.get(service)
        if source is None or (source == "dynamodb" and "/stream/" not in arn):
            raise ValueError(f"EventSourceArn {arn!r} is not an SQS queue, Kinesis stream or DynamoDB stream")
        batch_size = int(spec.get("BatchSize", DEFAULT_BATCH_SIZE[source]))
        if not 1 <= batch_size <= MAX_BATCH_SIZE[source]:
            raise ValueError(f"BatchSize must be 1-{MAX_BATCH_SIZE[source]} for {source}, got {batch_size}")
        response_types = list(spec.get("FunctionResponseTypes") or [])
        if set(response_types) - {"ReportBatchItemFailures"}:
            raise ValueError(f"FunctionResponseTypes may only contain ReportBatchItemFailures, got {response_types}")
        stream_only = {"BisectBatchOnFunctionError", "MaximumRetryAttempts", "DestinationConfig", "StartingPosition"} & set(spec)
        if source == "sqs" and stream_only:
            raise ValueError(f"{sorted(stream_only)} apply to stream sources only; SQS retries through the queue's redrive policy")
        starting_position = spec.get("StartingPosition")
        if source != "sqs" and starting_position not in ("TRIM_HORIZON", "LATEST"):
            raise ValueError(f"StartingPosition must be TRIM_HORIZON or LATEST for a stream, got {starting_position!r}")
        retries = int(spec.get("MaximumRetryAttempts", -1))
        if not -1 <= retries <= 10_000:
            raise ValueError(f"MaximumRetryAttempts must be -1 (forever) to 10000, got {retries}")
        return cls(
            function_name=str(spec["FunctionName"]),
            event_source_arn=arn,
            source=source,
            batch_size=batch_size,
            report_batch_item_failures="ReportBatchItemFailures" in response_types,
            bisect_on_error=bool(spec.get("BisectBatchOnFunctionError", False)),
            maximum_retry_attempts=retries,
            on_failure_destination=((spec.get("DestinationConfig") or {}).get("OnFailure") or {}).get("Destination"),
            starting_position=starting_position,
            enabled=bool(spec.get("Enabled", True)),
        )

    @property
    def region(self) -> str:
        return self.event_source_arn.split(":")[3]


@dataclass(frozen=True)
class BatchResult:
    """One poll: the records handed to the function, its answer, and what the poller did."""

    records: list[dict[str, Any]]
    invocation: Invocation
    verdict: Verdict
    succeeded: list[str]  # message ids (SQS) or sequence numbers (streams)
    failed: list[str]
    action: str  # deleted, checkpointed, retry, bisected, discarded
    shard_id: str | None = None


def _drain(mapping: Any, max_batches: int) -> list[BatchResult]:
    results: list[BatchResult] = []
    while True:
        result = mapping.poll()
        if result is None:
            return results
        results.append(result)
        if len(results) >= max_batches:
            raise MappingStuck(
                f"{mapping.spec.event_source_arn} still has work after {max_batches} batches; the last failed "
                f"with {result.verdict.kind} ({result.verdict.reason}); is MaximumRetryAttempts -1, or is there no DLQ?"
            )


class SqsMapping:
    def __init__(self, harness: LambdaHarness, spec: MappingSpec) -> None:
        self.harness = harness
        self.spec = spec
        self.sqs = boto3.client("sqs", region_name=spec.region)
        parts = spec.event_source_arn.split(":")
        self.queue_url = self.sqs.get_queue_url(QueueName=parts[5], QueueOwnerAWSAccountId=parts[4])["QueueUrl"]

    def _receive(self) -> list[dict[str, Any]]:
        messages: list[dict[str, Any]] = []
        while len(messages) < self.spec.batch_size:
            batch = self.sqs.receive_message(
                QueueUrl=self.queue_url,
                MaxNumberOfMessages=min(10, self.spec.batch_size - len(messages)),
                AttributeNames=["All"],
                MessageSystemAttributeNames=["All"],
                MessageAttributeNames=["All"],
                WaitTimeSeconds=0,
            ).get("Messages", [])
            if not batch:
                break
            messages.extend(batch)
        return messages

    def poll(self) -> BatchResult | None:
        """Receive one batch, invoke, delete what succeeded; None when nothing was receivable."""
        if not self.spec.enabled:
            return None
        messages = self._receive()
        if not messages:
            return None
        records = [sqs_event_record(message, self.spec.event_source_arn) for message in messages]
        invocation = self.harness.invoke(self.spec.function_name, {"Records": records})
        assert invocation is not None
        ids = [record["messageId"] for record in records]
        verdict = judge(invocation.outcome.function_error, invocation.outcome.payload, self.spec.report_batch_item_failures, ids)
        failed = ids if verdict.kind == "failure" else list(verdict.failed)
        handles = {record["messageId"]: record["receiptHandle"] for record in records}
        succeeded = [identifier for identifier in ids if identifier not in failed]
        for start in range(0, len(succeeded), 10):
            chunk = succeeded[start:start + 10]
            self.sqs.delete_message_batch(QueueUrl=self.queue_url, Entries=[{"Id": str(i), "ReceiptHandle": handles[m]} for i, m in enumerate(chunk)])
        for start in range(0, len(failed), 10):
            chunk = failed[start:start + 10]
            self.sqs.change_message_visibility_batch(
                QueueUrl=self.queue_url,
                Entries=[{"Id": str(i), "ReceiptHandle": handles[m], "VisibilityTimeout": 0} for i, m in enumerate(chunk)],
            )
        return BatchResult(records, invocation, verdict, succeeded, failed, "deleted" if not failed else "retry")

    def drain(self, max_batches: int = 200) -> list[BatchResult]:
        """Poll until nothing is receivable (failed messages come back until the DLQ takes them)."""
        return _drain(self, max_batches)


class StreamSource(Protocol):
    kind: str

    def shard_ids(self) -> list[str]: ...

    def read(self, shard_id: str, after: str | None, limit: int) -> list[dict[str, Any]]: ...

    @staticmethod
    def sequence(record: Mapping[str, Any]) -> str: ...


def _read_records(client: Any, iterator: str | None, limit: int) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = []
    while iterator and len(found) < limit:
        page = client.get_records(ShardIterator=iterator, Limit=min(1000, limit - len(found)))
        if not page.get("Records"):
            break
        found.extend(page["Records"])
        iterator = page.get("NextShardIterator")
    return found


class KinesisSource:
    kind = "kinesis"

    def __init__(self, stream_arn: str, role_arn: str) -> None:
        self.stream_arn = stream_arn
        self.role_arn = role_arn
        self.client = boto3.client("kinesis", region_name=stream_arn.split(":")[3])
        self.name = stream_arn.split("/", 1)[1]

    def shard_ids(self) -> list[str]:
        return [shard["ShardId"] for shard in self.client.describe_stream(StreamName=self.name)["StreamDescription"]["Shards"]]

    def read(self, shard_id: str, after: str | None, limit: int) -> list[dict[str, Any]]:
        position = {"ShardIteratorType": "AFTER_SEQUENCE_NUMBER", "StartingSequenceNumber": after} if after else {"ShardIteratorType": "TRIM_HORIZON"}
        iterator = self.client.get_shard_iterator(StreamName=self.name, ShardId=shard_id, **position)["ShardIterator"]
        return [kinesis_event_record(record, shard_id, self.stream_arn, self.role_arn) for record in _read_records(self.client, iterator, limit)]

    @staticmethod
    def sequence(record: Mapping[str, Any]) -> str:
        return str(record["kinesis"]["sequenceNumber"])


class DynamoDBStreamSource:
    kind = "dynamodb"

    def __init__(self, stream_arn: str) -> None:
        self.stream_arn = stream_arn
        # botocore sends stream calls to <account>.streams-ddb.<region>.amazonaws.com when the ARN
        # names an account; moto only answers on streams.dynamodb.<region>.amazonaws.com.
        self.client = boto3.client("dynamodbstreams", region_name=stream_arn.split(":")[3],
                                   config=Config(account_id_endpoint_mode="disabled"))

    def shard_ids(self) -> list[str]:
        return [shard["ShardId"] for shard in self.client.describe_stream(StreamArn=self.stream_arn)["StreamDescription"]["Shards"]]

    def read(self, shard_id: str, after: str | None, limit: int) -> list[dict[str, Any]]:
        position = {"ShardIteratorType": "AFTER_SEQUENCE_NUMBER", "SequenceNumber": after} if after else {"ShardIteratorType": "TRIM_HORIZON"}
        iterator = self.client.get_shard_iterator(StreamArn=self.stream_arn, ShardId=shard_id, **position)["ShardIterator"]
        return [dynamodb_event_record(record, self.stream_arn) for record in _read_records(self.client, iterator, limit)]

    @staticmethod
    def sequence(record: Mapping[str, Any]) -> str:
        return str(record["dynamodb"]["SequenceNumber"])


@dataclass
class ShardState:
    checkpoint: str | None = None  # last sequence number done with (processed or discarded)
    attempts: int = 0  # failed invocations of the batch that starts after the checkpoint
    retries: list[tuple[list[dict[str, Any]], int]] = field(default_factory=list)  # explicit batches (bisect)

    def advance(self, sequence_number: str) -> None:
        self.checkpoint = sequence_number
        self.attempts = 0


class StreamMapping:
    def __init__(self, harness: LambdaHarness, spec: MappingSpec, source: StreamSource) -> None:
        self.harness = harness
        self.spec = spec
        self.source = source
        self.shards: dict[str, ShardState] = {}
        for shard_id in source.shard_ids():
            state = self.shards[shard_id] = ShardState()
            if spec.starting_position == "LATEST":
                existing = source.read(shard_id, None, 10_000_000)
                state.checkpoint = source.sequence(existing[-1]) if existing else None

    def poll(self) -> BatchResult | None:
        """One batch from the first shard that has work; None when every shard is caught up."""
        if not self.spec.enabled:
            return None
        for shard_id in self.source.shard_ids():
            result = self._poll_shard(shard_id, self.shards.setdefault(shard_id, ShardState()))
            if result is not None:
                return result
        return None

    def drain(self, max_batches: int = 200) -> list[BatchResult]:
        """Poll until every shard is caught up; raises MappingStuck for a record retried forever."""
        return _drain(self, max_batches)

    def _exhausted(self, attempts: int) -> bool:
        return self.spec.maximum_retry_attempts != -1 and attempts > self.spec.maximum_retry_attempts

    def _retry(self, state: ShardState, records: list[dict[str, Any]], attempts: int) -> None:
        """Bisecting mappings retry exactly these records; others re-read from the checkpoint."""
        if self.spec.bisect_on_error:
            state.retries.insert(0, (records, attempts))
        else:
            state.attempts = attempts

    def _discard(self, shard_id: str, state: ShardState, records: Sequence[dict[str, Any]], invocation: Invocation, attempts: int) -> None:
        if self.spec.on_failure_destination:
            function = self.harness.lambda_client.get_function_configuration(FunctionName=self.spec.function_name)
            deliver(self.spec.region, self.spec.on_failure_destination, stream_failure_record(
                self.source.kind, function_arn=function["FunctionArn"], request_id=invocation.outcome.request_id,
                invoke_count=attempts, function_error=invocation.outcome.function_error, shard_id=shard_id,
                records=records, stream_arn=self.spec.event_source_arn,
            ))
        state.advance(self.source.sequence(records[-1]))

    def _poll_shard(self, shard_id: str, state: ShardState) -> BatchResult | None:
        if state.retries:
            records, attempts = state.retries.pop(0)
        else:
            records = self.source.read(shard_id, state.checkpoint, self.spec.batch_size)
            if not records:
                return None
            attempts = state.attempts
        invocation = self.harness.invoke(self.spec.function_name, {"Records": records})
        assert invocation is not None
        ids = [self.source.sequence(record) for record in records]
        verdict = judge(invocation.outcome.function_error, invocation.outcome.payload, self.spec.report_batch_item_failures, ids)
        if verdict.kind == "success":
            state.advance(ids[-1])
            return BatchResult(records, invocation, verdict, ids, [], "checkpointed", shard_id)
        if verdict.kind == "partial":
            first = ids.index(min(verdict.failed, key=int))
            if first:
                state.advance(ids[first - 1])
            remaining, attempts = records[first:], attempts + 1
            failed = ids[first:]
            if self._exhausted(attempts):
                self._discard(shard_id, state, remaining, invocation, attempts)
                return BatchResult(records, invocation, verdict, ids[:first], failed, "discarded", shard_id)
            self._retry(state, remaining, attempts)
            return BatchResult(records, invocation, verdict, ids[:first], failed, "retry", shard_id)
        if self.spec.bisect_on_error and len(records) > 1:
            half = (len(records) + 1) // 2
            state.retries[0:0] = [(records[:half], attempts), (records[half:], attempts)]
            return BatchResult(records, invocation, verdict, [], ids, "bisected", shard_id)
        attempts += 1
        if self._exhausted(attempts):
            self._discard(shard_id, state, records, invocation, attempts)
            return BatchResult(records, invocation, verdict, [], ids, "discarded", shard_id)
        self._retry(state, records, attempts)
        return BatchResult(records, invocation, verdict, [], ids, "retry", shard_id)


def create_mapping(harness: LambdaHarness, parameters: Mapping[str, Any]) -> SqsMapping | StreamMapping:
    spec = MappingSpec.from_api(parameters)
    function = harness.lambda_client.get_function_configuration(FunctionName=spec.function_name)  # it must exist
    if spec.source == "sqs":
        return SqsMapping(harness, spec)
    if spec.source == "kinesis":
        return StreamMapping(harness, spec, KinesisSource(spec.event_source_arn, function["Role"]))
    return StreamMapping(harness, spec, DynamoDBStreamSource(spec.event_source_arn))
