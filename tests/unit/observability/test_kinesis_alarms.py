from __future__ import annotations

from components.observability.kinesis.alarms import iterator_age_alarms, stream_alarms, throughput_exceeded_alarms
from components.observability.model import SeverityThresholds

from .conftest import only


def test_iterator_age_maximum_against_profile(stream, thresholds) -> None:
    specs = iterator_age_alarms(stream, thresholds)
    assert [(s.metric.metric_name, s.metric.stat, s.threshold) for s in specs] == [
        ("GetRecords.IteratorAgeMilliseconds", "Maximum", 60_000.0),
        ("GetRecords.IteratorAgeMilliseconds", "Maximum", 600_000.0),
    ]
    assert specs[0].metric.namespace == "AWS/Kinesis"
    assert specs[0].metric.dimensions == (("StreamName", "platform-prod-clickstream-stream"),)


def test_read_and_write_throughput_exceeded(stream, thresholds) -> None:
    specs = throughput_exceeded_alarms(stream, thresholds)
    assert [s.metric.metric_name for s in specs] == ["WriteProvisionedThroughputExceeded", "ReadProvisionedThroughputExceeded"]
    assert len({s.key for s in specs}) == 2


def test_disable_throughput_alarms(stream, thresholds) -> None:
    t = only(thresholds, kinesis_throughput_exceeded=SeverityThresholds(None, None))
    assert {s.metric.metric_name for s in stream_alarms(stream, t)} == {"GetRecords.IteratorAgeMilliseconds"}
