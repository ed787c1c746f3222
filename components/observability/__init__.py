"""Pure observability builders: alarm specs and CloudWatch dashboard bodies.

Nothing here imports Pulumi; components turn these plain values into resources,
so every builder can be tested directly and dashboards can be generated offline.
"""
