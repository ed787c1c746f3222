"""Observability builders for apigateway."""
