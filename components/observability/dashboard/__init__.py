"""Observability builders for dashboard."""
