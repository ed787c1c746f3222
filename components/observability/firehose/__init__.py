"""Observability builders for Kinesis Data Firehose."""
