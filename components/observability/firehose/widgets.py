"""Dashboard widgets for a Firehose delivery stream into S3."""

from __future__ import annotations

from components.observability._factory import ResourceMetrics
from components.observability.dashboard.widgets import DEFAULT_PERIOD, HorizontalAnnotation, Widget, metric_widget
from components.observability.firehose.alarms import NAMESPACE
from components.observability.refs import DeliveryStreamRef


def delivery_stream_widgets(stream: DeliveryStreamRef, region: str, period: int = DEFAULT_PERIOD) -> list[Widget]:
    m = ResourceMetrics(NAMESPACE, {"DeliveryStreamName": stream.stream_name}, period)
    name = stream.stream_name
    return [
        metric_widget(f"{name}: records", [m.query("read", "DataReadFromKinesisStream.Records", "Sum", "read"),
                                           m.query("delivered", "DeliveryToS3.Records", "Sum", "archived")],
                      region, stat="Sum", period=period, width=8),
        metric_widget(f"{name}: freshness (s)", [m.stat("DeliveryToS3.DataFreshness", "Maximum")], region,
                      stat="Maximum", period=period, width=8,
                      annotations=[HorizontalAnnotation("buffer interval", stream.buffer_seconds, "#ff7f0e")]),
        metric_widget(f"{name}: S3 write success", [m.stat("DeliveryToS3.Success", "Minimum")], region,
                      stat="Minimum", period=period, width=8, y_axis={"left": {"min": 0, "max": 1}}),
    ]
