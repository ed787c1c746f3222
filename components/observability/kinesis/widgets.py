"""Dashboard widgets for a Kinesis data stream."""

from __future__ import annotations

from components.observability._factory import ResourceMetrics
from components.observability.dashboard.widgets import DEFAULT_PERIOD, Widget, metric_widget
from components.observability.kinesis.alarms import NAMESPACE
from components.observability.refs import KinesisRef


def stream_widgets(stream: KinesisRef, region: str, period: int = DEFAULT_PERIOD) -> list[Widget]:
    """Incoming records and bytes, iterator age, throttled reads/writes."""
    m = ResourceMetrics(NAMESPACE, {"StreamName": stream.stream_name}, period)
    name = stream.stream_name

    return [
        metric_widget(f"{name}: incoming records", [m.stat("IncomingRecords", "Sum")], region, stat="Sum", period=period, width=6),
        metric_widget(f"{name}: incoming bytes", [m.stat("IncomingBytes", "Sum")], region, stat="Sum", period=period, width=6),
        metric_widget(f"{name}: iterator age", [m.stat("GetRecords.IteratorAgeMilliseconds", "Maximum")], region,
                      stat="Maximum", period=period, width=6),
        metric_widget(
            f"{name}: throttled",
            [
                m.query("write_exceeded", "WriteProvisionedThroughputExceeded", "Sum", "Write"),
                m.query("read_exceeded", "ReadProvisionedThroughputExceeded", "Sum", "Read"),
            ],
            region,
            stat="Sum",
            period=period,
            width=6,
        ),
    ]
