"""Observability builders for stepfunctions."""
