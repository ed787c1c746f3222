from tests.handlers.telemetry.fixtures import aws, clean_telemetry, spans
from tests.harness.fixtures import lambda_harness

__all__ = ["aws", "clean_telemetry", "lambda_harness", "spans"]
