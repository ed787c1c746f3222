"""CloudWatch Logs to OpenSearch shipper.

The shipping logic lives in small pure modules so it can be tested and benchmarked without
Lambda, AWS or the telemetry package; only ``app.py`` wires it to the Lambda runtime.
"""
