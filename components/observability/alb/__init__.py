"""Alarms and widgets of an Application Load Balancer in front of a container service."""
