"""Observability builders for EventBridge Scheduler."""
