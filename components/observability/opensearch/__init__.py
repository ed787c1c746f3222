"""Observability builders for opensearch."""
