"""Observability builders for sqs."""
