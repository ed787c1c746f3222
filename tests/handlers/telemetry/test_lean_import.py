"""The default import path stays lean: heavy modules load only when their feature is used."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]
HEAVY = ("aws_xray_sdk", "aws_lambda_powertools", "opentelemetry.exporter", "google.protobuf", "requests")


def loaded_after(code: str, env: dict[str, str] | None = None) -> list[str]:
    script = code + "\nimport sys, json\nprint(json.dumps(sorted(sys.modules)))"
    result = subprocess.run([sys.executable, "-c", script], cwd=ROOT, capture_output=True, text=True, timeout=60, env=env)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_instrumenting_a_handler_imports_no_heavy_module():
    modules = loaded_after("from handlers.telemetry import instrument\n@instrument(service='s')\ndef h(e, c): return 1\nh({}, None)")
    assert not [name for name in modules if name.startswith(HEAVY)]


def test_a_direct_invocation_without_a_producer_context_does_not_load_propagation():
    modules = loaded_after("from handlers.telemetry import instrument\n@instrument(service='s')\ndef h(e, c): return 1\nh({'day': '2026-11-22'}, None)")
    assert "handlers.telemetry.propagation" not in modules


def test_otlp_exporter_is_imported_only_when_chosen():
    import os

    env = dict(os.environ, TELEMETRY_EXPORTER="otlp", OTEL_EXPORTER_OTLP_ENDPOINT="http://127.0.0.1:9")
    modules = loaded_after("from handlers.telemetry import instrument\n@instrument(service='s')\ndef h(e, c): return 1", env)
    assert "opentelemetry.exporter.otlp.proto.http.trace_exporter" in modules


def test_the_lean_span_module_loads_only_for_handlers_that_ask_for_it():
    handler = "def h(e, c): return 1\nh({}, None)"
    assert "handlers.telemetry.lean_span" not in loaded_after(f"from handlers.telemetry import instrument\n@instrument(service='s')\n{handler}")
    assert "handlers.telemetry.lean_span" in loaded_after(f"from handlers.telemetry import instrument\n@instrument(service='s', lean_span=True)\n{handler}")
