"""Observability builders for dynamodb."""
