"""Default alarms for a Lambda function.

Default set (each per enabled severity):
- error rate % (metric math, silent below ``min_invocations`` per period); for a low-traffic
  function (``LambdaRef.low_traffic``: schedules, workflow tasks, authorizers) instead one Critical
  alarm on any error, because a rate guarded by a minimum count can never fire for a function that
  runs once a day;
- throttles (count per period);
- p99 duration as % of the function timeout;
- concurrency near the reserved limit, only when reserved concurrency is set;
- iterator age, only for stream-triggered functions;
- lost asynchronous events (dropped, DLQ or destination failures), only for async-invoked functions.
"""

from __future__ import annotations

from components.observability._factory import (
    ONE_DATAPOINT,
    alarm_spec,
    fmt,
    guarded_percent,
    metric,
    profile_window,
    severity_alarms,
)
from components.observability.descriptions import ERRORS_QUERY, REPORT_QUERY, logs_insights_hint
from components.observability.model import AlarmSpec, MetricQuery, Severity
from components.observability.refs import LambdaRef
from components.observability.thresholds import AlarmThresholds

NAMESPACE = "AWS/Lambda"


def _dims(fn: LambdaRef) -> dict[str, str]:
    return {"FunctionName": fn.function_name}


def error_rate_expression(min_invocations: int) -> str:
    """Percent of failed invocations, forced to 0 when traffic is too low to be meaningful."""
    return guarded_percent("errors", "invocations", min_invocations)


def duration_threshold_ms(timeout_seconds: int, pct_of_timeout: float) -> float:
    """p99 Duration threshold in ms for a percentage of the function timeout."""
    return pct_of_timeout * timeout_seconds * 1000 / 100


def concurrency_threshold(reserved_concurrency: int, pct_of_reserved: float) -> float:
    return pct_of_reserved * reserved_concurrency / 100


def any_error_alarm(fn: LambdaRef, t: AlarmThresholds) -> AlarmSpec:
    """One failed run of a rarely invoked function is one lost report, step or cache period of requests."""
    return alarm_spec(
        ("lambda", fn.key_part, "errors"),
        Severity.CRITICAL,
        summary=f"{fn.function_name}: an invocation failed",
        meaning=f"{fn.function_name} runs rarely (a schedule, a workflow step or an authorizer), so any failed "
        f"invocation in a {t.period_seconds}s period alarms, with no minimum-invocation guard.",
        check_first=logs_insights_hint(fn.log_group_name, ERRORS_QUERY)
        + "; then the X-Ray trace of that invocation.",
        threshold=1.0,
        window=ONE_DATAPOINT,
        metric=metric(NAMESPACE, "Errors", _dims(fn), "Sum", t.period_seconds),
    )


def error_rate_alarms(fn: LambdaRef, t: AlarmThresholds) -> list[AlarmSpec]:
    if fn.low_traffic:
        return [any_error_alarm(fn, t)]
    dims = _dims(fn)
    queries = (
        MetricQuery(id="invocations", metric=metric(NAMESPACE, "Invocations", dims, "Sum", t.period_seconds)),
        MetricQuery(id="errors", metric=metric(NAMESPACE, "Errors", dims, "Sum", t.period_seconds)),
        MetricQuery(
            id="error_rate",
            expression=error_rate_expression(t.min_invocations),
            label="Error rate (%)",
            return_data=True,
        ),
    )
    return severity_alarms(
        t.lambda_error_rate_pct,
        ("lambda", fn.key_part, "errors"),
        window=profile_window(t),
        summary=lambda value: f"{fn.function_name}: error rate >= {fmt(value)}%",
        meaning=lambda value: (
            f"More than {fmt(value)}% of invocations of {fn.function_name} failed in {t.datapoints_to_alarm} of "
            f"{t.evaluation_periods} periods of {t.period_seconds}s (only when >= {t.min_invocations} "
            "invocations per period)."
        ),
        check_first=logs_insights_hint(fn.log_group_name, ERRORS_QUERY)
        + "; then open the X-Ray trace map for faulting segments and check recent deploys.",
        queries=queries,
    )


def throttle_alarms(fn: LambdaRef, t: AlarmThresholds) -> list[AlarmSpec]:
    limit = f"reserved concurrency {fn.reserved_concurrency}" if fn.reserved_concurrency else "account concurrency"
    return severity_alarms(
        t.lambda_throttles,
        ("lambda", fn.key_part, "throttles"),
        window=profile_window(t),
        summary=lambda value: f"{fn.function_name}: >= {fmt(value)} throttled invocations per {t.period_seconds}s",
        meaning=lambda _: (
            f"Invocations of {fn.function_name} are being rejected for lack of concurrency; "
            "synchronous callers see 429 errors and async events are retried."
        ),
        check_first=f"ConcurrentExecutions against the {limit} limit on the service dashboard, "
        "then whether a caller or event source suddenly fans out more requests.",
        metric=metric(NAMESPACE, "Throttles", _dims(fn), "Sum", t.period_seconds),
    )


def duration_alarms(fn: LambdaRef, t: AlarmThresholds) -> list[AlarmSpec]:
    """Configured as % of the timeout, so one profile fits functions with any timeout."""

    def threshold_ms(pct: float) -> float:
        return duration_threshold_ms(fn.timeout_seconds, pct)

    return severity_alarms(
        t.lambda_duration_pct_of_timeout,
        ("lambda", fn.key_part, "duration"),
        window=profile_window(t),
        summary=lambda pct: f"{fn.function_name}: p99 duration >= {fmt(pct)}% of the {fn.timeout_seconds}s timeout",
        meaning=lambda pct: (
            f"p99 Duration of {fn.function_name} reached {fmt(threshold_ms(pct))} ms, {fmt(pct)}% of its "
            f"{fn.timeout_seconds}s timeout; slower calls will start timing out."
        ),
        check_first=logs_insights_hint(fn.log_group_name, REPORT_QUERY)
        + "; then the X-Ray trace map for the slow downstream call (DynamoDB, HTTP).",
        threshold=threshold_ms,
        metric=metric(NAMESPACE, "Duration", _dims(fn), "p99", t.period_seconds),
    )


def concurrency_alarms(fn: LambdaRef, t: AlarmThresholds) -> list[AlarmSpec]:
    """Only meaningful with reserved concurrency: otherwise the limit is account-wide."""
    if not fn.reserved_concurrency:
        return []
    reserved = fn.reserved_concurrency
    return severity_alarms(
        t.lambda_concurrency_pct_of_reserved,
        ("lambda", fn.key_part, "concurrency"),
        window=profile_window(t),
        summary=lambda pct: f"{fn.function_name}: concurrency >= {fmt(pct)}% of reserved {reserved}",
        meaning=lambda pct: (
            f"ConcurrentExecutions of {fn.function_name} reached {fmt(concurrency_threshold(reserved, pct))}, "
            f"{fmt(pct)}% of its reserved concurrency of {reserved}; throttling is next."
        ),
        check_first="the Invocations and Duration graphs: more traffic or slower calls? Raise the reservation "
        "or slow the event source.",
        threshold=lambda pct: concurrency_threshold(reserved, pct),
        metric=metric(NAMESPACE, "ConcurrentExecutions", _dims(fn), "Maximum", t.period_seconds),
    )


def iterator_age_alarms(fn: LambdaRef, t: AlarmThresholds) -> list[AlarmSpec]:
    """Stream consumers only: IteratorAge is how far behind the function reads."""
    if not fn.reads_stream:
        return []
    return severity_alarms(
        t.kinesis_iterator_age_ms,
        ("lambda", fn.key_part, "iterator-age"),
        window=profile_window(t),
        summary=lambda value: f"{fn.function_name}: iterator age >= {fmt(value)} ms",
        meaning=lambda value: (
            f"{fn.function_name} is falling behind its stream: the newest record it read was "
            f"{fmt(value)} ms old. Records expire at the end of the stream retention."
        ),
        check_first=f"errors and duration of {fn.function_name} (a poison batch retries forever), "
        "then batch size and parallelization factor of the event source mapping.",
        metric=metric(NAMESPACE, "IteratorAge", _dims(fn), "Maximum", t.period_seconds),
    )


def async_delivery_alarms(fn: LambdaRef, t: AlarmThresholds) -> list[AlarmSpec]:
    """Async-invoked functions only: events Lambda dropped or failed to hand to a DLQ/destination.

    Any such event is lost data, so this is always critical at >= 1.
    """
    if not fn.invoked_async:
        return []
    dims = _dims(fn)
    queries = (
        MetricQuery(id="dropped", metric=metric(NAMESPACE, "AsyncEventsDropped", dims, "Sum", t.period_seconds)),
        MetricQuery(id="dlq_errors", metric=metric(NAMESPACE, "DeadLetterErrors", dims, "Sum", t.period_seconds)),
        MetricQuery(
            id="destination_failures",
            metric=metric(NAMESPACE, "DestinationDeliveryFailures", dims, "Sum", t.period_seconds),
        ),
        MetricQuery(
            id="lost_events",
            expression="SUM([dropped, dlq_errors, destination_failures])",
            label="Async events lost",
            return_data=True,
        ),
    )
    return [
        alarm_spec(
            ("lambda", fn.key_part, "async-lost"),
            Severity.CRITICAL,
            summary=f"{fn.function_name}: asynchronous events dropped or not delivered to DLQ/destination",
            meaning=f"Lambda discarded events for {fn.function_name} (maximum event age or retries exceeded) or "
            "could not write them to the dead-letter queue or on-failure destination.",
            check_first="the function role's permissions on its DLQ/destination and the AsyncEventAge metric, then "
            + logs_insights_hint(fn.log_group_name, ERRORS_QUERY),
            threshold=1.0,
            window=ONE_DATAPOINT,
            queries=queries,
        )
    ]


def lambda_alarms(fn: LambdaRef, t: AlarmThresholds) -> list[AlarmSpec]:
    """The default alarm set for one function."""
    return [
        *error_rate_alarms(fn, t),
        *throttle_alarms(fn, t),
        *duration_alarms(fn, t),
        *concurrency_alarms(fn, t),
        *iterator_age_alarms(fn, t),
        *async_delivery_alarms(fn, t),
    ]
