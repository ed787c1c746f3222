"""Observability builders for kinesis."""
