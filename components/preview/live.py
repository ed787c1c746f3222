"""`python -m components.preview.live <stack> [--hours N]`: the same views, with real lines from CloudWatch.

The dashboards and alarms come from the offline preview (so what is drawn is what the stack
deploys); the data comes from the account the default AWS credentials reach: `GetMetricData`
for each metric widget over the last N hours, and `DescribeAlarms` for the alarm widgets. The
pages are written outside the repository (`build/live-dashboards/<stack>/` by default), because
live data must never end up in a commit.
"""
from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import boto3
from botocore.exceptions import BotoCoreError, ClientError, NoCredentialsError

from components.observability.dashboard.layout import DashboardValidationError
from components.preview.dashboard_files import STACK_FILE_ERRORS, rendered_views, stack_inventory
from components.preview.runner import REPO_ROOT, run_stack
from components.preview.stack_config import StackConfigError
from components.preview.views.context import LiveData, Points
from components.preview.views.metric_queries import metric_data_queries, points_by_id
from components.preview.views.metric_rows import UnknownMetricShape, graph_lines
from components.preview.views.svg_chart import TimeWindow
from components.reports.inventory import StackInventory
from components.settings import SettingsError

DEFAULT_OUT = REPO_ROOT / "build" / "live-dashboards"
ALARMS_PER_DESCRIBE = 100


def fetch_widget(client: Any, properties: dict[str, Any], window: TimeWindow) -> dict[str, Points]:
    """Every page of GetMetricData for one widget's lines."""
    queries = metric_data_queries(graph_lines(properties))
    results: list[dict[str, Any]] = []
    token: str | None = None
    while True:
        kwargs: dict[str, Any] = {"MetricDataQueries": queries, "StartTime": window.start, "EndTime": window.end,
                                  "ScanBy": "TimestampAscending"}
        if token:
            kwargs["NextToken"] = token
        page = client.get_metric_data(**kwargs)
        results += page.get("MetricDataResults", [])
        token = page.get("NextToken")
        if not token:
            return points_by_id(results)


def alarm_states(client: Any, names: Sequence[str]) -> dict[str, str]:
    states: dict[str, str] = {}
    for start in range(0, len(names), ALARMS_PER_DESCRIBE):
        chunk = list(names[start:start + ALARMS_PER_DESCRIBE])
        paginator = client.get_paginator("describe_alarms")
        for page in paginator.paginate(AlarmNames=chunk, AlarmTypes=["MetricAlarm", "CompositeAlarm"]):
            for alarm in [*page.get("MetricAlarms", []), *page.get("CompositeAlarms", [])]:
                states[alarm["AlarmName"]] = alarm["StateValue"]
    return states


def fetch_live_data(inventory: StackInventory, client: Any, hours: float, now: float | None = None) -> LiveData:
    """A failing widget is recorded with its error and drawn without lines; the rest still render."""
    end = float(int(now if now is not None else time.time()) // 60 * 60)
    window = TimeWindow(start=end - hours * 3600, end=end, live=True)
    series: dict[tuple[str, int], dict[str, Points]] = {}
    errors: dict[tuple[str, int], str] = {}
    for dashboard in inventory.dashboards:
        for index, widget in enumerate(dashboard.body.get("widgets", [])):
            if widget.get("type") != "metric":
                continue
            try:
                series[(dashboard.name, index)] = fetch_widget(client, widget["properties"], window)
            except (ClientError, BotoCoreError, UnknownMetricShape, ValueError) as error:
                if isinstance(error, NoCredentialsError):
                    raise
                errors[(dashboard.name, index)] = str(error)
    return LiveData(window=window, series=series, errors=errors,
                    alarm_states=alarm_states(client, inventory.alarm_names))


def write_live_views(inventory: StackInventory, live: LiveData, out_root: Path) -> list[Path]:
    directory = out_root / inventory.stack
    directory.mkdir(parents=True, exist_ok=True)
    written = []
    for name, text in sorted(rendered_views(inventory, live).items()):
        path = directory / name
        path.write_text(text)
        written.append(path)
    return written


def main(argv: list[str] | None = None, client: Any = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m components.preview.live", description=__doc__)
    parser.add_argument("stack", help="stack whose dashboards to draw, e.g. dev")
    parser.add_argument("--hours", type=float, default=3.0, help="how far back to fetch (default 3)")
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT, help="where to write <stack>/*.html")
    args = parser.parse_args(argv)
    if not 0 < args.hours <= 24 * 15:
        parser.error("--hours must be between 0 and 360 (CloudWatch keeps 1-minute data 15 days)")
    try:
        result = run_stack(args.stack, reclaim=False)
        inventory = stack_inventory(result)
        client = client or boto3.client("cloudwatch", region_name=inventory.region)
        live = fetch_live_data(inventory, client, args.hours)
        written = write_live_views(inventory, live, args.out)
    except (SettingsError, StackConfigError, DashboardValidationError, *STACK_FILE_ERRORS) as error:
        print(error, file=sys.stderr)
        return 2
    except NoCredentialsError:
        print("live mode needs AWS credentials for the stack's account (environment, profile or SSO); "
              "none were found", file=sys.stderr)
        return 2
    except (ClientError, BotoCoreError) as error:
        print(f"CloudWatch refused the request: {error}", file=sys.stderr)
        return 2
    failed = len(live.errors)
    print(f"Live views of {args.stack} ({args.hours:g} h, {len(live.series)} graphs fetched"
          + (f", {failed} failed" if failed else "") + "):")
    for path in written:
        print(f"  {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
