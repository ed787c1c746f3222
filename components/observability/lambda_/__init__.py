"""Observability builders for lambda."""
