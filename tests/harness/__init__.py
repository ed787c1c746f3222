"""An in-process stand-in for exactly two behaviours of the Lambda service that moto lacks.

moto runs Lambda functions only in Docker, and it has no event source mapping pollers (what it
has invokes inline, on write, with none of the retry semantics). Everything else in a handler
test stays moto's real implementation: tables, streams, queues and their redrive policies,
topics, buses, state machines, and the Lambda API itself (CreateFunction, configurations,
event invoke configs).

1. **Invoke** (`lambda_service`). moto's `LambdaFunction.invoke` is replaced while a
   `LambdaHarness` is active, so every Invoke reaches the real handler in this process: boto3
   `lambda.invoke` from handler code or tests, and moto's Step Functions interpreter
   (`mock_aws(config={"stepfunctions": {"execute_state_machine": True}})`), whose Task states
   call Invoke through their own boto3 client for both `arn:aws:lambda:...` resources and the
   `arn:aws:states:::lambda:invoke` integration. The handler gets the event as Lambda parses it,
   a context like the Python runtime's (`runtime.LambdaContext`) and, for the invocation only,
   exactly the function's environment plus Lambda's reserved variables (`_HANDLER`,
   `AWS_LAMBDA_FUNCTION_NAME`, `_X_AMZN_TRACE_ID`...); nothing else of the test process leaks in.
   Errors come back as Lambda reports them (FunctionError `Unhandled`, the runtime's error
   document). `InvocationType=Event` queues the event; `run_async()` runs the queue with
   Lambda's retries and OnSuccess/OnFailure destinations.
2. **Event source mappings** (`event_sources`). `create_event_source_mapping(**params)` takes
   the CreateEventSourceMapping parameters and returns a poller whose `poll()` runs one batch
   and `drain()` runs until the source is empty, for SQS (standard and FIFO), Kinesis and
   DynamoDB streams, with the AWS semantics described in `event_sources`.

Usage:

    with moto.mock_aws(), LambdaHarness(region="us-east-1") as lam:
        lam.deploy("platform-test-kitchen", "handlers.kitchen.app.handler", service="kitchen",
                   environment={"TABLE_NAME": table})
        mapping = lam.create_event_source_mapping(
            FunctionName="platform-test-kitchen", EventSourceArn=queue_arn, BatchSize=10,
            FunctionResponseTypes=["ReportBatchItemFailures"])
        results = mapping.drain()                  # list of BatchResult
        lam.invoke("platform-test-kitchen", event) # an Invocation; lam.invocations has them all

Also here, for handler tests: `fixtures` (`lambda_harness` over the test's own moto account,
`shared_aws`/`shared_harness`/`harness` for a module-wide account, `workflow_harness` with moto's
Step Functions interpreter on), `aws_resources` (queues with their DLQ, topics with a queue to
read what they publish, publishing an order event as its producers do) and `cafe_tables` (the
café's tables as docs/cafe.md defines them). A note for code that reads DynamoDB streams in
tests: botocore now sends stream calls for an ARN with an account id to
`<account>.streams-ddb.<region>.amazonaws.com`, which moto does not answer; the pollers create
their `dynamodbstreams` client with `account_id_endpoint_mode="disabled"`.

Limits (what differs from Lambda, on purpose or for want of a way):
- One process plays every function: a module is imported (its init phase) once per process,
  not once per function container, and module globals and the telemetry package's state
  (cold start flag, tracer providers, buffered spans) are shared between functions.
- Invocations are serialised (the environment is process-wide): no concurrency, no reserved
  concurrency or throttling. A handler that waits for another invocation to finish on another
  thread (e.g. StartSyncExecution) would deadlock.
- Timeouts are detected after the fact: a handler that overruns is reported as timed out
  (`Sandbox.Timedout`) but runs to its end; memory limits are not enforced.
- The code run is this checkout's `Handler` module, not the zip given to CreateFunction, and
  dependencies are the test environment's, not the layer's.
- The X-Ray SDK's botocore patch is off (`TELEMETRY_XRAY_PATCH=off`) unless the function's
  environment sets it: it would patch botocore for the whole test process. So the Invoke
  request carries no X-Ray header unless a handler adds one, and OpenTelemetry spans (not
  X-Ray subsegments) are what tests assert. Active tracing samples every invocation.
- Handler output goes to this process's stdout, not to CloudWatch Logs; the log group and
  stream names in the context and environment are Lambda's defaults (`/aws/lambda/<name>`).
- Time is compressed: SQS failures become visible again at once instead of after the
  visibility timeout, and asynchronous retries and stream retries run back to back.
- Event source mappings honour FunctionName, EventSourceArn, BatchSize, FunctionResponseTypes,
  BisectBatchOnFunctionError, MaximumRetryAttempts, DestinationConfig.OnFailure (SQS queue or
  SNS topic), StartingPosition (TRIM_HORIZON, LATEST) and Enabled, and refuse any other
  parameter (filters, batching windows, MaximumRecordAgeInSeconds, tumbling windows,
  ParallelizationFactor, AT_TIMESTAMP). They are not visible through the Lambda API.
- Asynchronous invocation honours the function's event invoke config (MaximumRetryAttempts,
  destinations); not MaximumEventAgeInSeconds, not a function DeadLetterConfig (moto drops it).
- moto's own deliveries to Lambda (SNS subscriptions, EventBridge targets) reach the harness
  as synchronous invocations with moto's event shapes.
"""

from tests.harness.event_sources import BatchResult, MappingStuck, SqsMapping, StreamMapping
from tests.harness.lambda_service import Invocation, LambdaHarness, telemetry_environment
from tests.harness.runtime import LambdaContext, Outcome

__all__ = [
    "BatchResult",
    "Invocation",
    "LambdaContext",
    "LambdaHarness",
    "MappingStuck",
    "Outcome",
    "SqsMapping",
    "StreamMapping",
    "telemetry_environment",
]
