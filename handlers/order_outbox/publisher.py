"""Publishing OrderPlaced, once per order, in the order's own trace.

The event was created by the request that placed the order (the transactional outbox
pattern: the table row is the outbox), so each send span is a child of the order's trace
context stored in the item, linked to the outbox record span that relays it, and the messages
carry that context. Every consumer downstream (kitchen, loyalty, the fulfilment workflow)
therefore links to the order's trace: one trace id ties the whole flow together.

Each destination is idempotent on its own (`@idempotent`, keyed by order id): a retry after
the topic accepted the message but the bus did not publishes to the bus only.
"""

from __future__ import annotations

from contextlib import contextmanager
from typing import Any, Iterator, Mapping

from opentelemetry import context as otel_context
from opentelemetry import trace
from opentelemetry.trace import Link, NonRecordingSpan, SpanKind

from handlers.boto_clients import client
from handlers.order_outbox import events
from handlers.telemetry.idempotency import idempotent
from handlers.telemetry.invocation_state import current
from handlers.telemetry.propagation import extract_record, inject_eventbridge, inject_sns
from handlers.telemetry.tracing import tracing

class PublishFailed(RuntimeError):
    """A destination did not accept the event; the record fails and is retried."""


def order_context(raw_record: Mapping[str, Any]) -> otel_context.Context:
    """The placing request's context (from the item's `trace_context`), else the current one."""
    found = extract_record(raw_record)
    if found is None:
        return otel_context.get_current()
    return trace.set_span_in_context(NonRecordingSpan(found.span_context))


@contextmanager
def send_span(destination: str, system: str, parent: otel_context.Context) -> Iterator[trace.Span]:
    """A PRODUCER span in the order's trace, linked to the relaying record span; current inside."""
    relay = trace.get_current_span().get_span_context()
    attributes = {"messaging.system": system, "messaging.operation.type": "send", "messaging.destination.name": destination}
    with tracing.tracer(current.service).start_as_current_span(
        f"{destination} send", context=parent, kind=SpanKind.PRODUCER, attributes=attributes,
        links=[Link(relay, {"messaging.relay": "order-outbox"})] if relay.is_valid else [],
    ) as span:
        yield span


@idempotent(key=lambda order, parent, topic_arn: f"topic#{order['order_id']}")
def publish_to_topic(order: Mapping[str, Any], parent: otel_context.Context, topic_arn: str) -> str:
    with send_span(topic_arn.rsplit(":", 1)[-1], "aws_sns", parent):
        return client("sns").publish(**inject_sns(events.topic_message(topic_arn, order)))["MessageId"]


@idempotent(key=lambda order, parent, bus_name: f"bus#{order['order_id']}")
def put_on_bus(order: Mapping[str, Any], parent: otel_context.Context, bus_name: str) -> str:
    with send_span(bus_name, "aws_eventbridge", parent):
        answer = client("events").put_events(Entries=[inject_eventbridge(events.bus_entry(bus_name, order))])
    (entry,) = answer["Entries"]
    if answer.get("FailedEntryCount") or "EventId" not in entry:
        # PutEvents reports a refused entry in its answer instead of raising.
        raise PublishFailed(f"event bus {bus_name} refused OrderPlaced: {entry.get('ErrorCode')} {entry.get('ErrorMessage')}")
    return entry["EventId"]
