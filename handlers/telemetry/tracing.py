"""Tracer providers with X-Ray compatible ids, and an invocation-scoped span buffer.

Spans are buffered during an invocation and exported when it ends, so that every span line
can carry its invocation's trace group, and so that exporting is one bounded step that
`instrument` runs before Lambda freezes the process (a frozen process exports nothing).
"""

from __future__ import annotations

import os
import threading
import time
from typing import TYPE_CHECKING, Any, Callable

from opentelemetry import trace
from opentelemetry.sdk.extension.aws.trace import AwsXRayIdGenerator
from opentelemetry.sdk.resources import Resource
from opentelemetry.sdk.trace import ReadableSpan, SpanLimits, SpanProcessor, TracerProvider

if TYPE_CHECKING:  # the export module is only needed by network exporters
    from opentelemetry.sdk.trace.export import SpanExporter

from handlers.telemetry import settings

INSTRUMENTATION_NAME = "handlers.telemetry"
MAX_BUFFERED_SPANS = 5000
DEFAULT_FLUSH_BUDGET_MS = 5000


class InvocationSpanProcessor(SpanProcessor):
    def __init__(self, exporter: SpanExporter | None, on_warning: Callable[..., None] | None = None) -> None:
        self.exporter = exporter
        self._spans: list[ReadableSpan] = []
        self._lock = threading.Lock()
        self.on_warning = on_warning
        self.dropped = 0

    def on_start(self, span: Any, parent_context: Any = None) -> None:
        return None

    def on_end(self, span: ReadableSpan) -> None:
        if self.exporter is None:
            return
        with self._lock:
            if len(self._spans) < MAX_BUFFERED_SPANS:
                self._spans.append(span)
            else:
                self.dropped += 1

    def pending(self) -> int:
        return len(self._spans)

    def take(self) -> list[ReadableSpan]:
        with self._lock:
            spans, self._spans = self._spans, []
        return spans

    def flush(self, budget_ms: float, into: list[str] | None = None) -> int:
        """Export buffered spans within `budget_ms`; returns how many spans were dropped.

        `into` goes to an exporter that writes lines (`LogLineSpanExporter.export_until`): its
        lines are appended there, for the caller to write with others at once."""
        spans = self.take()
        if not spans or self.exporter is None:
            return 0
        if budget_ms <= 0:
            self._warn("spans dropped: no time left before the Lambda timeout", dropped_spans=len(spans))
            return len(spans)
        deadline = time.monotonic() + budget_ms / 1000
        export_until = getattr(self.exporter, "export_until", None)
        if export_until is not None:
            left = int(export_until(spans, deadline, into))
        else:
            left = 0 if _export_in_time(self.exporter, spans, budget_ms / 1000) else len(spans)
        if left:
            self._warn("spans dropped: flush budget exhausted", dropped_spans=left, budget_ms=int(budget_ms))
        return left

    def _warn(self, message: str, **keys: Any) -> None:
        if self.on_warning is not None:
            self.on_warning(message, **keys)

    def shutdown(self) -> None:
        self.flush(DEFAULT_FLUSH_BUDGET_MS)

    def force_flush(self, timeout_millis: int = 30000) -> bool:
        return self.flush(timeout_millis) == 0


def _export_in_time(exporter: SpanExporter, spans: list[ReadableSpan], budget_s: float) -> bool:
    """Network exporters may hang; a daemon thread lets the invocation return on time anyway."""
    outcome: list[Any] = []
    worker = threading.Thread(target=lambda: outcome.append(exporter.export(spans)), daemon=True)
    worker.start()
    worker.join(budget_s)
    if not outcome:
        return False
    return outcome[0].name == "SUCCESS"


def build_exporter(name: str) -> SpanExporter | None:
    """Only the chosen exporter's modules are imported; OTLP pulls in protobuf and requests."""
    if name == "none":
        return None
    if name == "otlp":
        from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter

        endpoint = os.environ.get("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT")
        if not endpoint and os.environ.get("OTEL_EXPORTER_OTLP_ENDPOINT"):
            endpoint = os.environ["OTEL_EXPORTER_OTLP_ENDPOINT"].rstrip("/") + "/v1/traces"
        return OTLPSpanExporter(endpoint=endpoint) if endpoint else OTLPSpanExporter()
    from handlers.telemetry.log_span_exporter import LogLineSpanExporter

    return LogLineSpanExporter()


def resource_attributes(service: str) -> dict[str, Any]:
    attributes: dict[str, Any] = {
        "service.name": service,
        "cloud.provider": "aws",
        "cloud.platform": "aws_lambda",
        "telemetry.sdk.language": "python",
        "telemetry.sdk.name": "opentelemetry",
    }
    optional = {
        "cloud.region": settings.region(),
        "faas.name": os.environ.get("AWS_LAMBDA_FUNCTION_NAME"),
        "faas.version": os.environ.get("AWS_LAMBDA_FUNCTION_VERSION"),
        "faas.instance": os.environ.get("AWS_LAMBDA_LOG_STREAM_NAME"),
        "deployment.environment.name": settings.environment(),
    }
    attributes.update({key: value for key, value in optional.items() if value})
    memory = os.environ.get("AWS_LAMBDA_FUNCTION_MEMORY_SIZE")
    if memory and memory.isdigit():
        attributes["faas.max_memory"] = int(memory) * 1024 * 1024
    return attributes


class Tracing:
    """One span processor for the process, one provider per service name (its resource)."""

    def __init__(self) -> None:
        self.processor = InvocationSpanProcessor(None)
        self._exporter_chosen = False
        self._providers: dict[str, TracerProvider] = {}
        self._limits: dict[str, SpanLimits] = {}
        self._tracers: dict[str, trace.Tracer] = {}
        self._id_generator = AwsXRayIdGenerator()

    def _ensure_exporter(self) -> None:
        if not self._exporter_chosen:
            self._exporter_chosen = True
            self.processor.exporter = build_exporter(settings.exporter_name())

    def set_exporter(self, exporter: SpanExporter | None) -> SpanExporter | None:
        """Swap where spans go (tests use an in-memory exporter); returns the previous one."""
        self._exporter_chosen = True
        previous, self.processor.exporter = self.processor.exporter, exporter
        return previous

    def provider(self, service: str) -> TracerProvider:
        found = self._providers.get(service)
        if found is None:
            self._ensure_exporter()
            limits = self._limits[service] = SpanLimits()  # from OTEL_SPAN_* / OTEL_ATTRIBUTE_*, as the SDK reads them
            found = TracerProvider(resource=Resource(resource_attributes(service)), id_generator=self._id_generator,
                                   span_limits=limits)
            found.add_span_processor(self.processor)
            self._providers[service] = found
            if isinstance(trace.get_tracer_provider(), trace.ProxyTracerProvider):
                trace.set_tracer_provider(found)
        return found

    def limits(self, service: str) -> SpanLimits:
        """The span limits the service's provider applies (attribute count and value length)."""
        self.provider(service)
        return self._limits[service]

    def tracer(self, service: str) -> trace.Tracer:
        """One tracer per service, kept: the SDK builds a new one (and its scope) on every call."""
        found = self._tracers.get(service)
        if found is None:
            found = self._tracers[service] = self.provider(service).get_tracer(INSTRUMENTATION_NAME)
        return found


tracing = Tracing()
