"""Observability builders for sns."""
