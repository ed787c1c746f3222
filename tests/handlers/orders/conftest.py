from tests.handlers.telemetry.fixtures import aws, clean_telemetry, idempotency_table, log_exporter, spans

__all__ = ["aws", "clean_telemetry", "idempotency_table", "log_exporter", "spans"]
