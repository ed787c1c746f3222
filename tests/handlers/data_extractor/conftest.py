from tests.handlers.telemetry.fixtures import clean_telemetry, spans
from tests.harness.fixtures import harness, shared_aws, shared_harness

__all__ = ["clean_telemetry", "harness", "shared_aws", "shared_harness", "spans"]
