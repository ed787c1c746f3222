"""(d) What the ADOT layer's `otel-instrument` exec wrapper does before the runtime loads a handler.

The wrapper runs the runtime under `opentelemetry-instrument`: auto-instrumentation starts
(distro, configurator, SDK with an OTLP exporter, every installed instrumentor including
botocore and aws-lambda, which wraps ORIG_HANDLER), then the bare handler module is loaded.
"""

import os

os.environ.setdefault("OTEL_TRACES_EXPORTER", "otlp")
os.environ.setdefault("OTEL_METRICS_EXPORTER", "none")
os.environ.setdefault("OTEL_LOGS_EXPORTER", "none")
os.environ.setdefault("OTEL_EXPORTER_OTLP_PROTOCOL", "http/protobuf")
os.environ.setdefault("OTEL_EXPORTER_OTLP_ENDPOINT", "http://127.0.0.1:4318")
os.environ.setdefault("OTEL_PROPAGATORS", "tracecontext,baggage,xray")
os.environ.setdefault("OTEL_PYTHON_ID_GENERATOR", "xray")
os.environ.setdefault("ORIG_HANDLER", "benchmarks.cold_start.subjects.bare.handler")
os.environ.setdefault("_HANDLER", "benchmarks.cold_start.subjects.bare.handler")

from opentelemetry.instrumentation.auto_instrumentation import initialize  # noqa: E402

initialize()

from benchmarks.cold_start.subjects.bare import client, handler  # noqa: E402,F401
