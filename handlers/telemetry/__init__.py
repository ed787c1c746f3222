"""Shared observability for every Lambda handler: `@instrument`, `logger`, `metrics`.

    from handlers.telemetry import MetricUnit, instrument, logger, metrics

    @instrument
    def handler(event, context): ...

Submodules with heavier dependencies are imported only by the handlers that need them:
`propagation` (trace context across SQS, SNS, EventBridge, Step Functions, Kinesis and
DynamoDB streams), `batch` (SQS, Kinesis and DynamoDB stream batches with partial failures)
and `idempotency`. See docs/telemetry.md.
"""

from handlers.telemetry.gc_tuning import quiet_imports

with quiet_imports():  # the SDK imports below allocate enough to trigger collections over boto3's heap
    from handlers.telemetry.decorator import flush, instrument
    from handlers.telemetry.emf import MetricResolution, MetricUnit
    from handlers.telemetry.invocation_state import current as _current
    from handlers.telemetry.metrics import MetricUnitError, metrics
    from handlers.telemetry.structured_logger import logger

while_waiting = _current.while_waiting

__all__ = ["MetricResolution", "MetricUnit", "MetricUnitError", "flush", "instrument", "logger", "metrics",
           "while_waiting"]
