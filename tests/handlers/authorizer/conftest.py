from tests.handlers.telemetry.fixtures import clean_telemetry

__all__ = ["clean_telemetry"]
