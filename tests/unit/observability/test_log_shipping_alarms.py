from __future__ import annotations

import dataclasses

from components.observability.log_shipping.alarms import log_shipping_alarms
from components.observability.model import Severity, SeverityThresholds

from .conftest import only


def _by_key(specs):
    return {s.key: s for s in specs}


def test_dead_lettered_is_always_critical(shipping, thresholds) -> None:
    spec = _by_key(log_shipping_alarms(shipping, thresholds))["shipping-dead-lettered-critical"]
    assert spec.severity is Severity.CRITICAL
    assert (spec.metric.namespace, spec.metric.metric_name, spec.metric.stat) == ("platform/prod", "EventsDeadLettered", "Sum")
    assert spec.metric.dimensions == (("Service", "log-shipping"),)
    assert (spec.comparison, spec.threshold, spec.evaluation_periods) == ("GreaterThanOrEqualToThreshold", 1.0, 1)


def test_dead_letter_bucket_objects_use_daily_s3_storage_metric(shipping, thresholds) -> None:
    spec = _by_key(log_shipping_alarms(shipping, thresholds))["shipping-dead-letter-backlog-warning"]
    assert (spec.metric.namespace, spec.metric.metric_name, spec.metric.period) == ("AWS/S3", "NumberOfObjects", 86_400)
    assert spec.metric.dimensions == (
        ("BucketName", "platform-prod-log-shipping-dead-letter"),
        ("StorageType", "AllStorageTypes"),
    )
    assert spec.threshold == 1.0


def test_lag_uses_maximum_against_profile(shipping, thresholds) -> None:
    specs = _by_key(log_shipping_alarms(shipping, thresholds))
    assert specs["shipping-lag-warning"].metric.metric_name == "ShippingLagMs"
    assert specs["shipping-lag-warning"].metric.stat == "Maximum"
    assert specs["shipping-lag-critical"].threshold == 900_000.0
    t = only(thresholds, shipping_lag_ms=SeverityThresholds(None, None))
    assert not any(k.startswith("shipping-lag") for k in _by_key(log_shipping_alarms(shipping, t)))


def test_reuses_lambda_factory_for_the_shipper(shipping, thresholds) -> None:
    keys = _by_key(log_shipping_alarms(shipping, thresholds))
    assert "lambda-shipper-errors-critical" in keys
    assert "lambda-shipper-duration-warning" in keys


def test_kinesis_iterator_age_only_on_kinesis_path(shipping, thresholds) -> None:
    with_kinesis = _by_key(log_shipping_alarms(shipping, thresholds))
    assert with_kinesis["shipping-kinesis-stream-iterator-age-warning"].metric.metric_name == "GetRecords.IteratorAgeMilliseconds"
    without = _by_key(log_shipping_alarms(dataclasses.replace(shipping, kinesis=None), thresholds))
    assert not any("kinesis" in k for k in without)
