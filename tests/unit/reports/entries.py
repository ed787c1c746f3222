"""Inventory entries as the preview records them, for hand-built stacks in report tests."""
from __future__ import annotations

import json
from typing import Any

TOPIC = "arn:aws:sns:us-east-1:123456789012:platform-dev-alarms-warning"


def entry(type_token: str, logical: str, **inputs: Any) -> dict[str, Any]:
    return {"type": type_token, "name": logical, "parent": None, "inputs": inputs}


def alarm(name: str, *, period: int = 60, service: str = "orders", severity: str = "warning", threshold: float = 1,
          math_metrics: int = 0, description: str = "Something broke. Check first: the logs.") -> dict[str, Any]:
    inputs: dict[str, Any] = {
        "name": name, "alarmDescription": description, "comparisonOperator": "GreaterThanOrEqualToThreshold",
        "threshold": float(threshold), "evaluationPeriods": 5.0, "datapointsToAlarm": 3.0,
        "treatMissingData": "notBreaching", "alarmActions": [TOPIC], "okActions": [TOPIC],
        "tags": {"platform:service": service, "platform:severity": severity}}
    if math_metrics:
        inputs["metricQueries"] = [
            {"id": f"m{i}", "returnData": False, "metric": {"namespace": "AWS/Lambda", "metricName": f"M{i}",
                                                          "dimensions": {"FunctionName": "fn"}, "period": float(period),
                                                          "stat": "Sum"}} for i in range(math_metrics)]
        inputs["metricQueries"].append({"id": "e", "expression": "m0 + 1", "label": "sum", "returnData": True})
    else:
        inputs.update(namespace="AWS/Lambda", metricName="Errors", dimensions={"FunctionName": "fn"},
                      period=float(period), statistic="Sum")
    return entry("aws:cloudwatch/metricAlarm:MetricAlarm", name, **inputs)


def composite(name: str, children: list[str]) -> dict[str, Any]:
    return entry("aws:cloudwatch/compositeAlarm:CompositeAlarm", name, alarmName=name,
                 alarmRule=" OR ".join(f'ALARM("{c}")' for c in children), alarmActions=[TOPIC],
                 alarmDescription="Any child fired. Check first: the service dashboard.",
                 tags={"platform:service": "orders"})


def dashboard(name: str, widgets: list[dict[str, Any]] | None = None) -> dict[str, Any]:
    return entry("aws:cloudwatch/dashboard:Dashboard", name, dashboardName=name,
                 dashboardBody=json.dumps({"widgets": widgets or []}))


def log_group(name: str, retention: int | None) -> dict[str, Any]:
    inputs: dict[str, Any] = {"name": name, "tags": {"platform:service": "orders"}}
    if retention is not None:
        inputs["retentionInDays"] = float(retention)
    return entry("aws:cloudwatch/logGroup:LogGroup", name, **inputs)


def function(name: str, log_group_name: str) -> dict[str, Any]:
    return entry("aws:lambda/function:Function", name, name=name, loggingConfig={"logGroup": log_group_name})


def domain(name: str, instance_type: str, count: int, volume_gb: int, masters: int = 0,
           master_type: str = "m7g.large.search") -> dict[str, Any]:
    cluster: dict[str, Any] = {"instanceType": instance_type, "instanceCount": float(count),
                               "dedicatedMasterEnabled": masters > 0}
    if masters:
        cluster.update(dedicatedMasterCount=float(masters), dedicatedMasterType=master_type)
    return entry("aws:opensearch/domain:Domain", name, domainName=name, clusterConfig=cluster,
                 ebsOptions={"volumeSize": float(volume_gb), "volumeType": "gp3"})


def stream(name: str, shards: int) -> dict[str, Any]:
    return entry("aws:kinesis/stream:Stream", name, name=name, shardCount=float(shards))


def sampling(rate: float, reservoir: int) -> dict[str, Any]:
    return entry("aws:xray/samplingRule:SamplingRule", "rule", ruleName="rule", fixedRate=rate,
                 reservoirSize=float(reservoir))


def stage(access_log_group: str) -> dict[str, Any]:
    return entry("aws:apigateway/stage:Stage", "stage", stageName="v1", accessLogSettings={
        "destinationArn": f"arn:aws:logs:us-east-1:123456789012:log-group:{access_log_group}"})
