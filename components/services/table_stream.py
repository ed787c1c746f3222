"""`TableStream`: a function fed by another service's DynamoDB stream (Eventually Consistent, Outbox).

The source service keeps owning its table; this service reads the table's change stream and owns
what it derives (an aggregate table, published events). A write is committed once, in the source
table, and its effects follow from the stream, so a failed publish can neither lose the event nor
fail the request that wrote it. The failure handling is the stream consumer's (partial batch
responses, bisect, bounded retries, an on-failure queue), with an iterator-age alarm.
"""
from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Sequence


from components.core import PlatformCore
from components.observability.refs import ServiceView
from components.resources.tables import OwnedTable
from components.services.function import FunctionArgs
from components.services.own_function import OwnFunction
from components.services.service import ServiceArgs, ServiceComponent
from components.services.stream_consumer import StreamConsumer, StreamReading

EVENT_NAMES = ("INSERT", "MODIFY", "REMOVE")
#: DynamoDB keeps a table's stream records for 24 hours, whatever the consumer is told.
STREAM_RETENTION_SECONDS = 24 * 3600


@dataclass(frozen=True)
class TableStreamArgs(OwnFunction, ServiceArgs["TableStream"]):
    source: OwnedTable                       # e.g. orders.tables["table"], declared with stream="NEW_IMAGE"
    #: Only these changes reach the function (an event source filter; the rest are skipped, not retried).
    event_names: Sequence[str] = EVENT_NAMES
    reading: StreamReading = field(default_factory=StreamReading)

    def function_args(self, core: PlatformCore) -> FunctionArgs:
        return self.own_function(core)

    def problems(self, core: PlatformCore) -> list[str]:
        found = self.function_args(core).problems()
        found += self.reading.problems(core.settings)
        if not isinstance(self.source, OwnedTable):
            found.append("source: a table of another service, e.g. orders.tables['table']")
        elif self.source.stream_arn is None:
            found.append(f"source: table {self.source.name} has no stream; declare it with stream='NEW_IMAGE'")
        _, _, age = self.reading.resolved(core.settings)
        if age > STREAM_RETENTION_SECONDS:
            found.append(f"reading.max_record_age_seconds = {age}: longer than a DynamoDB stream keeps records (24 h); "
                         "a failed record would expire before it reached the on-failure queue")
        bad = [name for name in self.event_names if name not in EVENT_NAMES]
        if bad or not self.event_names:
            found.append(f"event_names = {list(self.event_names)}: a non-empty subset of {', '.join(EVENT_NAMES)}")
        return found

    def build(self, service: str, core: PlatformCore) -> TableStream:
        return TableStream(service, self, core)


def event_filter(event_names: Sequence[str]) -> str | None:
    """An event source filter on the change type; None when every change is wanted."""
    if set(event_names) == set(EVENT_NAMES):
        return None
    return json.dumps({"eventName": sorted(event_names)})


class TableStream(ServiceComponent):
    kind = "table-stream"

    def __init__(self, service: str, args: TableStreamArgs, core: PlatformCore) -> None:
        super().__init__("platform:services:TableStream", service, core)
        self.add_tables(args.tables, idempotency=args.idempotency)
        assert args.source.stream_arn is not None
        self.consumer = StreamConsumer(self, "dynamodb", args.source.stream_arn, args.reading)
        self.function = self.add_function("consumer", args.function_args(core), extra=[self.consumer.access],
                                          reads_stream=True)
        pattern = event_filter(args.event_names)
        self.mapping = self.consumer.connect(self.function, filter_pattern=pattern)
        self.publish(ServiceView(service=service, stack=self.settings.stack, region=self.settings.region,
                                 account_id=core.account.account_id, queues=(self.consumer.failures.ref,)),
                     outputs={"source": args.source.name, "functionName": self.function.function_name})
