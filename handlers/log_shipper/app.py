"""Lambda entry point ``handlers.log_shipper.app.handler``: wiring and telemetry only.

Clients and the shipper are created once per container (connection reuse, fewer credential
look-ups); the shipper is bound to each invocation's deadline as the invocation starts.
"""
from __future__ import annotations

import os
from functools import lru_cache
from typing import Any, NamedTuple

from handlers.log_shipper.bulk_client import SignedBulkTransport
from handlers.log_shipper.config import ShipperConfig
from handlers.log_shipper.events import IncompleteShipmentError, handle_event
from handlers.log_shipper.outage import OutageGuard
from handlers.log_shipper.pipeline import Shipper, ShipmentResult
from handlers.log_shipper.wiring import LazyS3Client, bind_to_invocation, build_shipper, transport_from
from handlers.telemetry import instrument, logger, metrics, while_waiting


class Container(NamedTuple):
    """What lives as long as the Lambda container: reused connection, credentials, outage state,
    and the shipper built on them."""

    config: ShipperConfig
    transport: SignedBulkTransport
    s3: LazyS3Client
    guard: OutageGuard
    shipper: Shipper


@lru_cache(maxsize=1)
def _clients() -> Container:
    config = ShipperConfig.from_env()
    # A span line, where one is written (TELEMETRY_EXPORTER=log), is written while each request is in flight.
    transport = transport_from(config, while_waiting=while_waiting)
    s3, guard = LazyS3Client(config.region), OutageGuard(config.outage_budget_ms)
    return Container(config, transport, s3, guard, build_shipper(config, transport, s3, guard=guard))


if os.environ.get("AWS_LAMBDA_FUNCTION_NAME"):
    # Inside Lambda, set up during the init phase: a missing setting fails the cold start
    # instead of a batch, and the first invocation does not pay for the credentials and the
    # TLS context (see benchmarks/README.md, "Cold start").
    _clients()


@instrument(service="log-shipping", lean_span=True)
def handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    container = _clients()
    shipper = bind_to_invocation(container.shipper, container.config, context.get_remaining_time_in_millis)
    try:
        response, result = handle_event(event, shipper)
    except IncompleteShipmentError as incomplete:
        _emit(incomplete.result)
        logger.info("shipment incomplete, leaving the event to Lambda's retry", error=str(incomplete),
                    endpoint_refusing=incomplete.result.endpoint_refusing)
        raise
    _emit(result)
    # A routine shipment is fully described by its metrics; its line is DEBUG, so at the default
    # level it is not even built. Anything that needed retries or left a trace is INFO.
    noteworthy = (result.retried or result.dead_lettered or result.unsafe_keys or result.loop_guarded_events
                  or result.endpoint_refusing)
    if noteworthy or logger.is_enabled_for("DEBUG"):
        (logger.info if noteworthy else logger.debug)(
            "shipment complete", received=result.received, shipped=result.shipped,
            dead_lettered=result.dead_lettered, retried=result.retried, unsafe_records=len(result.unsafe_keys),
            max_lag_ms=result.max_lag_ms, loop_guarded_events=result.loop_guarded_events,
            endpoint_refusing=result.endpoint_refusing)
    return response


def _emit(result: ShipmentResult) -> None:
    """Metric names are a contract with the alarms (docs/conventions.md)."""
    metrics.add_metric("EventsReceived", result.received, unit="Count")
    metrics.add_metric("EventsShipped", result.shipped, unit="Count")
    metrics.add_metric("EventsRetried", result.retried, unit="Count")
    metrics.add_metric("EventsDeadLettered", result.dead_lettered, unit="Count")
    metrics.add_metric("ShippingLagMs", result.max_lag_ms, unit="Milliseconds")
