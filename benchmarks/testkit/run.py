"""What the testing kit costs: one stack run through it, and 100 assertions over the result.

    .venv/bin/python benchmarks/testkit/run.py            # --runs 7 --stack dev

In one process, as a test session pays it (imports once, then runs):

1. the stack's program through the kit (`components.testing.run_stack`) and through the preview's
   runner alone (`components.preview.runner.run_stack`), interleaved run by run, so the kit's own
   share (its monitor, the view's indexes) is the difference of two medians taken under the same load;
2. 100 assertions over one view: first on a fresh view (each resource's values are converted to
   plain ones on first use, so this is what a test module pays), then again on the same view;
3. one failing `has_resource` over every alarm of the stack, with its closest candidates rendered.

Prints medians with the range, and the load average before and after.
"""
from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path
from typing import Any, Callable

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from components.preview import runner  # noqa: E402
from components.testing import KitAssertionError, Match, PlatformView, run_stack  # noqa: E402

ALARM = "aws:cloudwatch/metricAlarm:MetricAlarm"
FUNCTION = "aws:lambda/function:Function"
QUEUE = "aws:sqs/queue:Queue"
TABLE = "aws:dynamodb/table:Table"


def assertions(view: PlatformView) -> list[Callable[[], Any]]:
    """100 assertions of the kinds the project's tests make, over any stack of the reference platform."""
    stack = view.stack
    services = sorted(view.services())
    checks: list[Callable[[], Any]] = []
    for service in services[:10]:  # 10 services x 6 questions
        checks += [
            lambda s=service: view.alarms_of(s, severity="warning"),
            lambda s=service: view.health_alarm(s),
            lambda s=service: view.dashboard_widgets(s),
            lambda s=service: [view.is_shipped(g) for g in view.log_groups_of(s)],
            lambda s=service: view.descendants(s),
            lambda s=service: view.has_output("services", {s: {"kind": Match.any_value()}}),
        ]
    functions = view.of_type(FUNCTION)
    for function in functions[:10]:  # 10 functions x 2
        checks += [
            lambda f=function: view.permissions_of(f.name).allows("xray:PutTraceSegments"),
            lambda f=function: view.has_resource(FUNCTION, {"name": f.inputs["name"], "tracingConfig": {"mode": "Active"},
                                                            "environment": {"variables": Match.any_value()}}),
        ]
    checks += [
        lambda: view.resource_count_is(TABLE, len(view.of_type(TABLE)), {
            "serverSideEncryption": {"enabled": True, "kmsKeyArn": Match.string_like("^arn:aws:kms:")}}),
        lambda: view.find(QUEUE, {"redrivePolicy": Match.serialized_json({"maxReceiveCount": Match.any_value()})}),
        lambda: view.find(ALARM, {"metricName": "Duration", "namespace": "AWS/Lambda"}),
        lambda: view.find(ALARM, {"alarmActions": Match.array_containing(Match.string_like("-alarms-critical$"))}),
        lambda: view.has_resource("aws:xray/group:Group", {"groupName": f"platform-{stack}-traces"}),
        lambda: view.has_resource("aws:opensearch/domain:Domain", {"domainEndpointOptions": {"enforceHttps": True}}),
        lambda: view.has_resource("aws:iam/rolePolicy:RolePolicy", {"policy": Match.serialized_json(
            {"Statement": Match.array_containing({"Sid": "WriteTraces"})})}),
        lambda: view.resource_count_is("aws:sns/topic:Topic", len(view.of_type("aws:sns/topic:Topic")),
                                       {"kmsMasterKeyId": Match.any_value()}),
        lambda: view.get("orders-api-function"),
        lambda: view.tree("orders"),
    ]
    while len(checks) < 100:
        checks.append(lambda: view.has_resource(ALARM, {"alarmDescription": Match.string_like("Check first")}))
    return checks[:100]


def timed(call: Callable[[], Any]) -> float:
    start = time.perf_counter()
    call()
    return time.perf_counter() - start


def summary(samples: list[float], unit: float = 1.0, digits: int = 2) -> str:
    scaled = [s * unit for s in samples]
    return f"{statistics.median(scaled):.{digits}f} ({min(scaled):.{digits}f}-{max(scaled):.{digits}f})"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--stack", default="dev")
    args = parser.parse_args()
    print(f"load average before: {os.getloadavg()}", flush=True)
    run_stack(args.stack)  # imports and first-run caches, as the first test of a session pays them
    kit, plain, cold, warm, failing = [], [], [], [], []
    for _ in range(args.runs):
        plain.append(timed(lambda: runner.run_stack(args.stack)))
        holder: dict[str, PlatformView] = {}
        kit.append(timed(lambda: holder.setdefault("view", run_stack(args.stack))))
        view = holder["view"]
        checks = assertions(view)
        cold.append(timed(lambda: [check() for check in checks]))
        warm.append(timed(lambda: [check() for check in checks]))

        def fail() -> None:
            try:
                view.has_resource(ALARM, {"threshold": -1, "alarmActions": ["nowhere"]})
            except KitAssertionError as error:
                assert "!!" in str(error)
        failing.append(timed(fail))
    resources = len(view)
    print(f"stack {args.stack}: {resources} resources, {args.runs} runs each, interleaved")
    print("| measurement | median (min-max) |\n| --- | --- |")
    print(f"| stack run through the runner alone, s | {summary(plain)} |")
    print(f"| stack run through the kit, s | {summary(kit)} |")
    print(f"| 100 assertions on a fresh view, ms | {summary(cold, 1000, 1)} |")
    print(f"| the same 100 again on the same view, ms | {summary(warm, 1000, 1)} |")
    print(f"| one failing has_resource over {len(view.of_type(ALARM))} alarms, closest rendered, ms | "
          f"{summary(failing, 1000, 1)} |")
    print(f"load average after: {os.getloadavg()}")


if __name__ == "__main__":
    main()
