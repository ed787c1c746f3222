"""Observability builders for log_shipping."""
