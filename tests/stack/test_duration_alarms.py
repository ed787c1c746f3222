"""The p99 duration alarm of every function is a share of that function's own timeout."""
from __future__ import annotations

import pytest

EXPECTED_TIMEOUTS = {"log-shipping-shipper": 60, "log-shipping-bootstrap": 300}


def duration_alarms(result):
    return [alarm for alarm in result.of_type("aws:cloudwatch/metricAlarm:MetricAlarm")
            if alarm.inputs.get("metricName") == "Duration" and alarm.inputs.get("namespace") == "AWS/Lambda"]


def test_each_duration_alarm_uses_its_own_functions_timeout(result, settings):
    timeouts = {fn.inputs["name"]: fn.inputs["timeout"] for fn in result.of_type("aws:lambda/function:Function")}
    share = settings.alarms.lambda_duration_pct_of_timeout
    alarms = duration_alarms(result)
    assert {alarm.inputs["dimensions"]["FunctionName"] for alarm in alarms} == set(timeouts)
    for alarm in alarms:
        timeout = timeouts[alarm.inputs["dimensions"]["FunctionName"]]
        pct = share.critical if alarm.name.endswith("-critical") else share.warning
        assert alarm.inputs["threshold"] == pytest.approx(pct / 100 * timeout * 1000), alarm.name


@pytest.mark.parametrize("part,timeout", sorted(EXPECTED_TIMEOUTS.items()))
def test_the_shipper_and_bootstrap_alarms_are_not_scaled_to_the_api_timeout(result, settings, part, timeout):
    """The profile's 10 s is for API-facing functions; these two run for 60 s and 300 s."""
    assert settings.lambda_.timeout_seconds == 10
    name = f"platform-{result.stack}-{part}"
    (function,) = [fn for fn in result.of_type("aws:lambda/function:Function") if fn.inputs["name"] == name]
    assert function.inputs["timeout"] == timeout
    thresholds = {alarm.name.rsplit("-", 1)[1]: alarm.inputs["threshold"] for alarm in duration_alarms(result)
                  if alarm.inputs["dimensions"]["FunctionName"] == name}
    share = settings.alarms.lambda_duration_pct_of_timeout
    assert thresholds == {"warning": share.warning * timeout * 10, "critical": share.critical * timeout * 10}
