"""Lambda: traced, bounded, private, and losing no asynchronous event."""
from __future__ import annotations

import json
from typing import Any, Iterable

from ..model import Finding, Resource, Rule, Stack, is_unknown
from .common import arn_name, arn_service, each
from .resource_types import (ALARM, EVENT_TARGET, FUNCTION, FUNCTION_URL, INVOKE_CONFIG, MAPPING, PERMISSION, QUEUE,
                             SCHEDULE, SNS_SUBSCRIPTION)

#: Runtimes Lambda still supports for creating and updating functions.
SUPPORTED_RUNTIMES = frozenset({"python3.10", "python3.11", "python3.12", "python3.13", "nodejs20.x", "nodejs22.x",
                                "java17", "java21", "dotnet8", "ruby3.3", "ruby3.4", "provided.al2023",
                                "provided.al2"})


def _tracing(stack: Stack) -> Iterable[Finding]:
    return each(stack.of_type(FUNCTION), lambda f: None if is_unknown(f.get("tracingConfig", "mode"))
                or f.get("tracingConfig", "mode") == "Active" else "X-Ray active tracing is off")


def _runtime(stack: Stack) -> Iterable[Finding]:
    return each(stack.of_type(FUNCTION), lambda f: None if is_unknown(f.get("runtime"))
                or f.get("runtime") in SUPPORTED_RUNTIMES else f"runtime {f.get('runtime')!r} is not supported")


def _functions_by_name(stack: Stack) -> dict[str, Resource]:
    return {f.get("name"): f for f in stack.of_type(FUNCTION) if isinstance(f.get("name"), str)}


def _queue_consumers_capped(stack: Stack) -> Iterable[Finding]:
    functions = _functions_by_name(stack)
    for mapping in stack.of_type(MAPPING):
        if arn_service(mapping.get("eventSourceArn")) != "sqs":
            continue
        function = functions.get(mapping.get("functionName"))
        reserved = function.get("reservedConcurrentExecutions", default=-1) if function else -1
        capped = mapping.get("scalingConfig", "maximumConcurrency")
        if not capped and not is_unknown(reserved) and (reserved is None or reserved < 0):
            yield Finding(mapping, "queue consumer with neither a maximum concurrency on the mapping nor reserved "
                                   "concurrency on the function")


def _no_public_access(stack: Stack) -> Iterable[Finding]:
    for url in stack.of_type(FUNCTION_URL):
        if url.get("authorizationType") == "NONE":
            yield Finding(url, "function URL with authorization NONE: anyone on the internet may invoke it")
    for permission in stack.of_type(PERMISSION):
        principal = permission.get("principal")
        if principal == "*":
            yield Finding(permission, "grants invoke to principal '*'")
        elif isinstance(principal, str) and principal.endswith(".amazonaws.com") and \
                permission.get("sourceArn") is None and permission.get("sourceAccount") is None:
            yield Finding(permission, f"lets {principal} invoke on behalf of any account (no source ARN or account)")


def _json(value: Any) -> dict[str, Any]:
    if isinstance(value, str):
        try:
            parsed = json.loads(value)
            return parsed if isinstance(parsed, dict) else {}
        except ValueError:
            return {}
    return value if isinstance(value, dict) else {}


def dead_letter_depth_alarmed(stack: Stack) -> set[str]:
    """Queues whose depth (messages visible) has an alarm with an action."""
    names = set()
    for alarm in stack.of_type(ALARM):
        if alarm.get("metricName") == "ApproximateNumberOfMessagesVisible" and alarm.get("alarmActions"):
            name = alarm.get("dimensions", "QueueName")
            if isinstance(name, str):
                names.add(name)
    return names


def async_invoked_functions(stack: Stack) -> set[str]:
    """Functions AWS services invoke asynchronously: schedules, EventBridge and SNS."""
    names = {arn_name(s.get("target", "arn")) for s in stack.of_type(SCHEDULE)
             if arn_service(s.get("target", "arn")) == "lambda"}
    names |= {arn_name(t.get("arn")) for t in stack.of_type(EVENT_TARGET) if arn_service(t.get("arn")) == "lambda"}
    names |= {arn_name(s.get("endpoint")) for s in stack.of_type(SNS_SUBSCRIPTION)
              if s.get("protocol") == "lambda" and isinstance(s.get("endpoint"), str)}
    return names


def _async_paths(stack: Stack) -> Iterable[Finding]:
    """Every asynchronous path keeps what it cannot deliver, and the depth of that store is alarmed."""
    queues = {q.get("arn"): q for q in stack.of_type(QUEUE) if isinstance(q.get("arn"), str)}
    kept: list[tuple[Resource, Any]] = []
    for mapping in stack.of_type(MAPPING):
        source = mapping.get("eventSourceArn")
        if source in queues:
            redrive = _json(queues[source].get("redrivePolicy"))
            if not redrive and not is_unknown(queues[source].get("redrivePolicy")):
                yield Finding(mapping, "its queue has no redrive policy (no dead-letter queue)")
            elif redrive:
                kept.append((mapping, redrive.get("deadLetterTargetArn")))
        elif not is_unknown(source):
            destination = mapping.get("destinationConfig", "onFailure", "destinationArn")
            if not destination:
                yield Finding(mapping, "stream consumer without an on-failure destination")
            else:
                kept.append((mapping, destination))
    for subscription in stack.of_type(SNS_SUBSCRIPTION):
        if subscription.get("protocol") in ("sqs", "lambda", "https", "http"):
            redrive = _json(subscription.get("redrivePolicy"))
            if not redrive and not is_unknown(subscription.get("redrivePolicy")):
                yield Finding(subscription, f"{subscription.get('protocol')} subscription without a dead-letter queue")
            elif redrive:
                kept.append((subscription, redrive.get("deadLetterTargetArn")))
    for target in stack.of_type(EVENT_TARGET):
        dead = target.get("deadLetterConfig", "arn")
        if not dead or not target.get("retryPolicy"):
            yield Finding(target, "EventBridge target without a dead-letter queue and a retry policy")
        else:
            kept.append((target, dead))
    for schedule in stack.of_type(SCHEDULE):
        dead = schedule.get("target", "deadLetterConfig", "arn")
        if not dead or not schedule.get("target", "retryPolicy"):
            yield Finding(schedule, "schedule without a dead-letter queue and a retry policy")
        else:
            kept.append((schedule, dead))
    configs = stack.of_type(INVOKE_CONFIG)
    for config in configs:
        destination = config.get("destinationConfig", "onFailure", "destination")
        if not destination:
            yield Finding(config, "asynchronous invocation without an on-failure destination")
        else:
            kept.append((config, destination))
    configured = {c.get("functionName") for c in configs}
    functions = _functions_by_name(stack)
    for name in sorted(async_invoked_functions(stack) - configured):
        yield Finding(functions.get(name), f"function {name} is invoked asynchronously but keeps no failed events "
                                           "(no FunctionEventInvokeConfig with an on-failure destination)")
    alarmed = dead_letter_depth_alarmed(stack)
    for where, arn in kept:
        if arn_service(arn) == "sqs" and arn_name(arn) not in alarmed:
            yield Finding(where, f"its dead-letter queue {arn_name(arn)} has no depth alarm with an action")


RULES = (
    Rule("lambda-tracing-active", "Every function traces with X-Ray (active tracing)",
         why="a request that crosses an untraced function loses its trace and its latency breakdown",
         fix="create functions through components/services/function.py ObservedFunction (tracing Active)",
         check=_tracing),
    Rule("lambda-supported-runtime", "Every function runs on a runtime Lambda still supports",
         why="a deprecated runtime gets no security patches and soon cannot be updated",
         fix="set lambdaRuntime to a supported Python version", check=_runtime, fsbp=("Lambda.2",)),
    Rule("lambda-queue-consumers-capped", "Every queue consumer has a maximum or reserved concurrency",
         why="a burst on a queue would otherwise scale the consumer until it throttles the whole account "
             "or floods what it writes to",
         fix="set QueueWorkerArgs(max_concurrency=...) (the mapping's scaling_config) or reserved_concurrency",
         check=_queue_consumers_capped),
    Rule("lambda-no-public-access", "No function is invocable by the public: no open function URL or permission",
         why="a public invoke bypasses the API's authorizer, throttling and WAF",
         fix="remove the function URL or give it AWS_IAM auth; give every service permission a source_arn",
         check=_no_public_access, fsbp=("Lambda.1",)),
    Rule("async-paths-keep-failures",
         "Every asynchronous path has a dead-letter queue or on-failure destination whose depth is alarmed",
         why="an event that fails for good is otherwise dropped without anyone knowing",
         fix="give the function async_invocation=AsyncInvocation(), the subscription or target a DLQ, and the "
             "DLQ a depth alarm (the service kinds do all three)",
         check=_async_paths),
)
