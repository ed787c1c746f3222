"""Shared observability for every Lambda handler: `@instrument`, `logger`, `metrics`.

    from handlers.telemetry import instrument, logger, metrics

    @instrument
    def handler(event, context): ...

Submodules with heavier dependencies are imported only by the handlers that need them:
`propagation` (trace context across SQS, SNS, EventBridge, Step Functions), `batch`
(SQS partial batch failures) and `idempotency`. See docs/telemetry.md.
"""

from handlers.telemetry.decorator import flush, instrument
from handlers.telemetry.metrics import metrics
from handlers.telemetry.structured_logger import logger

__all__ = ["flush", "instrument", "logger", "metrics"]
