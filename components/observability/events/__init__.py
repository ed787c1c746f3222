"""Observability builders for events."""
