"""Alarms and widgets of an ECS service on Fargate."""
