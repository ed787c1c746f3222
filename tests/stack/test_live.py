"""Live mode against moto: metric data the test puts is fetched with GetMetricData and drawn as real lines."""
from __future__ import annotations

import re
import time
from datetime import datetime, timezone

import boto3
import pytest
from moto import mock_aws

from components.preview import live
from components.preview.dashboard_files import stack_inventory
from components.preview.views.metric_queries import metric_data_queries, points_by_id
from components.preview.views.metric_rows import graph_lines
from tests.stack.conftest import stack_result, stack_view

REGION = "us-east-1"
pytestmark = pytest.mark.usefixtures("clis_share_stack_runs")


@pytest.fixture
def cloudwatch(monkeypatch):
    for key, value in {"AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing",
                       "AWS_DEFAULT_REGION": REGION}.items():
        monkeypatch.setenv(key, value)
    with mock_aws():
        yield boto3.client("cloudwatch", region_name=REGION)


def _widget(html: str, title: str) -> str:
    start = html.index(f'<h3 class="title">{title}</h3>')
    return html[start:html.index("</section>", start)]


def test_live_views_draw_the_metrics_put_in_cloudwatch(cloudwatch, tmp_path) -> None:
    now = time.time()
    shipped = [{"MetricName": "EventsShipped", "Dimensions": [{"Name": "Service", "Value": "log-shipping"}],
                "Timestamp": datetime.fromtimestamp(now - minutes * 60, timezone.utc), "Value": float(10 * minutes)}
               for minutes in (5, 20, 40, 70, 100)]
    cloudwatch.put_metric_data(Namespace="platform/dev", MetricData=shipped)
    invocations = [{"MetricName": "Invocations", "Dimensions": [{"Name": "FunctionName", "Value": "platform-dev-orders-api"}],
                    "Timestamp": datetime.fromtimestamp(now - minutes * 60, timezone.utc), "Value": 3.0}
                   for minutes in (10, 30, 50)]
    cloudwatch.put_metric_data(Namespace="AWS/Lambda", MetricData=invocations)
    cloudwatch.put_metric_alarm(AlarmName="platform-dev-orders-lambda-api-throttles-warning", Namespace="AWS/Lambda",
                                MetricName="Throttles", Statistic="Sum", Period=60, EvaluationPeriods=1, Threshold=1,
                                ComparisonOperator="GreaterThanOrEqualToThreshold")
    cloudwatch.set_alarm_state(AlarmName="platform-dev-orders-lambda-api-throttles-warning", StateValue="ALARM",
                               StateReason="test")

    assert live.main(["dev", "--hours", "3", "--out", str(tmp_path)], client=cloudwatch) == 0

    overview = (tmp_path / "dev" / "platform-dev-overview.html").read_text()
    events = _widget(overview, "log shipping: events")
    assert 'data-points="5"' in events and "EventsShipped" in events and "5 points" in events
    orders = (tmp_path / "dev" / "platform-dev-orders-dashboard.html").read_text()
    invocation_graph = _widget(orders, "platform-dev-orders-api: invocations")
    assert 'data-points="3"' in invocation_graph
    assert re.search(r'state-alarm">ALARM</span> <span class="alarm-name">platform-dev-orders-lambda-api-throttles-warning',
                     orders)
    assert "live data from CloudWatch" in orders and "no data offline" not in orders
    assert "NOT DEPLOYED" not in orders  # alarms that do not exist yet say UNKNOWN, not a made-up state
    assert (tmp_path / "dev" / "index.html").exists()


def test_a_widget_cloudwatch_refuses_is_drawn_with_the_error_and_the_rest_still_render(cloudwatch) -> None:
    class Refusing:
        def __init__(self, inner):
            self.inner = inner

        def get_metric_data(self, **kwargs):
            if any(q.get("MetricStat", {}).get("Metric", {}).get("MetricName") == "Duration" for q in kwargs["MetricDataQueries"]):
                from botocore.exceptions import ClientError
                raise ClientError({"Error": {"Code": "InvalidParameterValue", "Message": "no p99 here"}}, "GetMetricData")
            return self.inner.get_metric_data(**kwargs)

        def __getattr__(self, name):
            return getattr(self.inner, name)

    data = live.fetch_live_data(stack_inventory(stack_result("dev")), Refusing(cloudwatch), hours=1)
    failed = {key for key in data.errors}
    assert failed and all("no p99 here" in data.errors[key] for key in failed)
    assert len(data.series) > len(failed)


def test_queries_keep_the_widgets_ids_and_hide_expression_inputs() -> None:
    graph = next(w for w in stack_view("dev").dashboard_widgets("orders") if w.title == "platform-dev-orders-api: errors")
    queries = {q["Id"]: q for q in metric_data_queries(graph_lines(graph.properties))}
    assert queries["invocations"]["ReturnData"] is False and queries["errors"]["ReturnData"] is True
    assert queries["error_rate"]["Expression"] == "100 * errors / invocations"
    assert queries["errors"]["MetricStat"]["Metric"]["Dimensions"] == [{"Name": "FunctionName",
                                                                         "Value": "platform-dev-orders-api"}]
    results = [{"Id": "errors", "Timestamps": [datetime(2026, 1, 1, 0, 5, tzinfo=timezone.utc),
                                               datetime(2026, 1, 1, 0, 0, tzinfo=timezone.utc)], "Values": [2.0, 1.0]},
               {"Id": "errors", "Timestamps": [datetime(2026, 1, 1, 0, 10, tzinfo=timezone.utc)], "Values": [float("nan")]}]
    assert points_by_id(results) == {"errors": ((1767225600.0, 1.0), (1767225900.0, 2.0))}


def test_no_credentials_is_a_clear_message(monkeypatch, capsys, tmp_path) -> None:
    from botocore.exceptions import NoCredentialsError

    class NoCredentials:
        def get_metric_data(self, **kwargs):
            raise NoCredentialsError()

    assert live.main(["dev", "--out", str(tmp_path)], client=NoCredentials()) == 2
    assert "live mode needs AWS credentials" in capsys.readouterr().err
