from tests.handlers.telemetry.fixtures import aws, clean_telemetry, spans
from tests.harness.fixtures import aws_with_state_machines, lambda_harness, workflow_harness

__all__ = ["aws", "aws_with_state_machines", "clean_telemetry", "lambda_harness", "spans", "workflow_harness"]
