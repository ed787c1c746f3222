"""Dashboard widgets for a Kinesis data stream."""

from __future__ import annotations

from components.observability._factory import metric
from components.observability.dashboard.widgets import DEFAULT_PERIOD, Widget, metric_widget
from components.observability.kinesis.alarms import NAMESPACE
from components.observability.model import MetricQuery
from components.observability.refs import KinesisRef


def stream_widgets(stream: KinesisRef, region: str, period: int = DEFAULT_PERIOD) -> list[Widget]:
    """Incoming records and bytes, iterator age, throttled reads/writes."""
    dims = {"StreamName": stream.stream_name}
    name = stream.stream_name

    def m(metric_name: str, stat: str):
        return metric(NAMESPACE, metric_name, dims, stat, period)

    return [
        metric_widget(f"{name}: incoming records", [m("IncomingRecords", "Sum")], region, stat="Sum", period=period, width=6),
        metric_widget(f"{name}: incoming bytes", [m("IncomingBytes", "Sum")], region, stat="Sum", period=period, width=6),
        metric_widget(f"{name}: iterator age", [m("GetRecords.IteratorAgeMilliseconds", "Maximum")], region,
                      stat="Maximum", period=period, width=6),
        metric_widget(
            f"{name}: throttled",
            [
                MetricQuery(id="write_exceeded", metric=m("WriteProvisionedThroughputExceeded", "Sum"), label="Write"),
                MetricQuery(id="read_exceeded", metric=m("ReadProvisionedThroughputExceeded", "Sum"), label="Read"),
            ],
            region,
            stat="Sum",
            period=period,
            width=6,
        ),
    ]
