"""`QueueWorker`: an SQS queue feeding a Lambda function (the Frugal Consumer, and the FIFOer).

The queue is encrypted with the stack key, long-polled, and hands a message to its dead-letter
queue after `max_receive_count` receives, so a poison message never blocks the queue and is never
lost. The consumer reports partial batch failures, so one bad message does not redeliver its batch,
and its concurrency is capped on the event source mapping to protect what it writes to. With an
`ingest` route, API Gateway writes requests straight into the queue (the Scalable Webhook).
"""
from __future__ import annotations

from dataclasses import dataclass

import pulumi
import pulumi_aws as aws

from components.core import PlatformCore
from components.observability.refs import ServiceView
from components.resources.queues import Queue, dead_letter_queue
from components.services.access import Access, statement
from components.services.function import FunctionArgs, Reservation
from components.services.rest_api import Ingest, RestApiFront
from components.services.own_function import OwnFunction
from components.services.service import ServiceArgs, ServiceComponent, declared

#: AWS: "set the source queue's visibility timeout to at least six times the timeout that you configure
#: on your function", plus the batching window, so a batch being retried is never handed out twice.
VISIBILITY_FACTOR = 6
MAX_VISIBILITY_SECONDS = 12 * 3600
MAX_FIFO_BATCH = 10
MAX_STANDARD_BATCH = 10000
#: A batch over 10 messages needs a batching window (Lambda refuses the mapping otherwise).
MAX_BATCH_WITHOUT_WINDOW = 10
LONG_POLL_SECONDS = 20
#: What Lambda's SQS poller does with the function's role (AWS's AWSLambdaSQSQueueExecutionRole). With
#: partial batch responses Lambda leaves failed messages to reappear; it never changes their visibility.
CONSUMER_ACTIONS = ("sqs:ReceiveMessage", "sqs:DeleteMessage", "sqs:GetQueueAttributes")


def visibility_timeout(function_timeout: int, batching_window: int) -> int:
    return VISIBILITY_FACTOR * function_timeout + batching_window


@dataclass(frozen=True)
class QueueWorkerArgs(OwnFunction, ServiceArgs["QueueWorker"]):
    fifo: bool = False
    #: FIFO only: deduplicate by a hash of the body instead of an explicit MessageDeduplicationId.
    content_based_deduplication: bool = False
    batch_size: int | None = None           # None: the profile's queueBatchSize (at most 10 on FIFO)
    batching_window_seconds: int | None = None
    max_concurrency: int | None = None
    max_receive_count: int | None = None
    visibility_timeout_seconds: int | None = None   # None: 6 x the function timeout + the batching window
    reserved_concurrency: Reservation = None
    ingest: Ingest | None = None

    def function_args(self, core: PlatformCore) -> FunctionArgs:
        return self.own_function(core, reserved_concurrency=self.reserved_concurrency)

    def resolved(self, core: PlatformCore) -> tuple[int, int, int, int, int]:
        """(batch size, batching window, max concurrency, max receive count, visibility timeout)."""
        profile = core.settings.services.queues
        batch = declared(self.batch_size, min(profile.batch_size, MAX_FIFO_BATCH if self.fifo else profile.batch_size))
        # FIFO mappings take no batching window, so the profile's applies to standard queues only.
        default_window = 0 if self.fifo else profile.batching_window_seconds
        window = default_window if self.batching_window_seconds is None else self.batching_window_seconds
        timeout = self.function_args(core).timeout(core)
        return (batch, window, declared(self.max_concurrency, profile.max_concurrency),
                declared(self.max_receive_count, profile.max_receive_count),
                declared(self.visibility_timeout_seconds, visibility_timeout(timeout, window)))

    def problems(self, core: PlatformCore) -> list[str]:
        found = self.function_args(core).problems()
        batch, window, concurrency, receives, visibility = self.resolved(core)
        timeout = self.function_args(core).timeout(core)
        limit = MAX_FIFO_BATCH if self.fifo else MAX_STANDARD_BATCH
        if not 1 <= batch <= limit:
            found.append(f"batch_size = {batch}: {'FIFO' if self.fifo else 'standard'} queues take 1 to {limit}")
        if batch > MAX_BATCH_WITHOUT_WINDOW and window == 0:
            found.append(f"batch_size = {batch}: batches over {MAX_BATCH_WITHOUT_WINDOW} need batching_window_seconds")
        if not 0 <= window <= 300:
            found.append(f"batching_window_seconds = {window}: 0 to 300")
        if self.fifo and window:
            found.append(f"batching_window_seconds = {window}: FIFO queues take no batching window")
        if not 2 <= concurrency <= 1000:
            found.append(f"max_concurrency = {concurrency}: the event source mapping allows 2 to 1000")
        if not 1 <= receives <= 1000:
            found.append(f"max_receive_count = {receives}: 1 to 1000")
        minimum = visibility_timeout(timeout, window)
        if visibility < minimum:
            found.append(f"visibility_timeout_seconds = {visibility}: below {VISIBILITY_FACTOR} x the consumer's "
                         f"{timeout} s timeout + the {window} s batching window ({minimum} s); a message would be "
                         "handed to a second consumer while the first still works on it")
        if visibility > MAX_VISIBILITY_SECONDS:
            found.append(f"visibility_timeout_seconds = {visibility}: SQS allows at most {MAX_VISIBILITY_SECONDS}; "
                         "shorten the consumer's timeout")
        if self.content_based_deduplication and not self.fifo:
            found.append("content_based_deduplication: only FIFO queues deduplicate")
        if self.ingest is not None:
            found += self.ingest.problems()
        return found

    def build(self, service: str, core: PlatformCore) -> QueueWorker:
        return QueueWorker(service, self, core)


class QueueWorker(ServiceComponent):
    kind = "queue-worker"

    def __init__(self, service: str, args: QueueWorkerArgs, core: PlatformCore) -> None:
        super().__init__("platform:services:QueueWorker", service, core)
        batch, window, concurrency, receives, visibility = args.resolved(core)
        self.fifo = args.fifo
        #: The topic whose subscription owns this queue's policy; a queue takes one topic.
        self.subscribed_to: str | None = None
        self.add_tables(args.tables, idempotency=args.idempotency)
        self.dead_letters = dead_letter_queue(f"{service}-dlq", core, service, "dlq", parent=self, fifo=args.fifo)
        self.queue = Queue(f"{service}-queue", core, service, "queue", parent=self, fifo=args.fifo,
                           visibility_timeout_seconds=visibility, redrive_to=self.dead_letters,
                           max_receive_count=receives, content_based_deduplication=args.content_based_deduplication,
                           receive_wait_seconds=LONG_POLL_SECONDS)
        consume = Access(statements=(statement("ConsumeOwnQueue", list(CONSUMER_ACTIONS), self.queue.arn),),
                         key_services=("sqs",))
        self.function = self.add_function("worker", args.function_args(core), extra=[consume])
        self.mapping = aws.lambda_.EventSourceMapping(
            f"{service}-worker-source", event_source_arn=self.queue.arn, function_name=self.function.function.name,
            batch_size=batch, maximum_batching_window_in_seconds=window or None,
            function_response_types=["ReportBatchItemFailures"],
            scaling_config=aws.lambda_.EventSourceMappingScalingConfigArgs(maximum_concurrency=concurrency),
            opts=pulumi.ResourceOptions(parent=self, depends_on=[self.function.policy]))
        self.front = None
        outputs: dict[str, pulumi.Input[str]] = {"queueUrl": self.queue.url}
        if args.ingest is not None:
            self.front = RestApiFront(self, [args.ingest.queue_route(self)], description=f"{service} ingest API",
                                      usage_plan=args.ingest.usage_plan)
            outputs["url"] = self.front.url
        self.publish(ServiceView(service=service, stack=self.settings.stack, region=self.settings.region,
                                 account_id=core.account.account_id,
                                 apis=(self.front.ref,) if self.front else (),
                                 queues=(self.queue.ref, self.dead_letters.ref)),
                     outputs=outputs)

    def send_access(self, env_var: str) -> Access:
        """For another function that sends to this worker's queue."""
        return Access(environment={env_var: self.queue.url},
                      statements=(statement("SendTo" + "".join(w.capitalize() for w in self.service.split("-")),
                                            ["sqs:SendMessage"], self.queue.arn),),
                      key_services=("sqs",))
