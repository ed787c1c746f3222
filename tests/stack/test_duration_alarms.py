"""The p99 duration alarm of every function is a share of that function's own timeout."""
from __future__ import annotations

import pytest

from components.testing import PlatformView

EXPECTED_TIMEOUTS = {"log-shipping-shipper": 60, "log-shipping-bootstrap": 300}
FUNCTION = "aws:lambda/function:Function"


def duration_alarms(view: PlatformView):
    return view.find("aws:cloudwatch/metricAlarm:MetricAlarm", {"metricName": "Duration", "namespace": "AWS/Lambda"})


def test_each_duration_alarm_uses_its_own_functions_timeout(view, settings):
    timeouts = {fn.inputs["name"]: fn.inputs["timeout"] for fn in view.of_type(FUNCTION)}
    share = settings.alarms.lambda_duration_pct_of_timeout
    alarms = duration_alarms(view)
    assert {alarm.inputs["dimensions"]["FunctionName"] for alarm in alarms} == set(timeouts)
    for alarm in alarms:
        timeout = timeouts[alarm.inputs["dimensions"]["FunctionName"]]
        pct = share.critical if alarm.name.endswith("-critical") else share.warning
        assert alarm.inputs["threshold"] == pytest.approx(pct / 100 * timeout * 1000), alarm.name


@pytest.mark.parametrize("part,timeout", sorted(EXPECTED_TIMEOUTS.items()))
def test_the_shipper_and_bootstrap_alarms_are_not_scaled_to_the_api_timeout(view, settings, part, timeout):
    """The profile's 10 s is for API-facing functions; these two run for 60 s and 300 s."""
    assert settings.lambda_.timeout_seconds == 10
    name = f"platform-{view.stack}-{part}"
    view.resource_count_is(FUNCTION, 1, {"name": name, "timeout": timeout})
    thresholds = {alarm.name.rsplit("-", 1)[1]: alarm.inputs["threshold"] for alarm in duration_alarms(view)
                  if alarm.inputs["dimensions"]["FunctionName"] == name}
    share = settings.alarms.lambda_duration_pct_of_timeout
    assert thresholds == {"warning": share.warning * timeout * 10, "critical": share.critical * timeout * 10}
