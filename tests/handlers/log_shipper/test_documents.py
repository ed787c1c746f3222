"""The document layout and index naming the bootstrap's templates are written for."""
from __future__ import annotations

import json

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from handlers.log_shipper import json_codec
from handlers.log_shipper.cloudwatch_payload import LogEvent
from handlers.log_shipper.documents import IndexNaming, document_from_event, iso_timestamp, payload_context
from handlers.log_shipper.cloudwatch_payload import LogsPayload
from handlers.log_shipper.log_groups import service_from_log_group
from tests.handlers.log_shipper.json_strategies import json_object_lines

@pytest.fixture(autouse=True, params=["json", "orjson"])
def codec(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> str:
    """Every layout rule must hold with and without the optional orjson accelerator."""
    if request.param == "orjson":
        if json_codec.orjson is None:
            pytest.skip("orjson not installed")
        monkeypatch.setattr(json_codec, "loads_line", json_codec.orjson_loads_line)
        monkeypatch.setattr(json_codec, "dumps", json_codec.orjson_dumps)
    else:
        monkeypatch.setattr(json_codec, "loads_line", json_codec.stdlib_loads_line)
        monkeypatch.setattr(json_codec, "dumps", json_codec.stdlib_dumps)
    return request.param


NAMING = IndexNaming("logs-dev", "otel-v1-apm-span-dev", "/platform/dev/", "dev")
MIDNIGHT_MS = 1_795_046_400_000  # 2026-11-19T00:00:00Z


def document_for(message: str, log_group: str = "/platform/dev/orders/lambda-api", timestamp: int = MIDNIGHT_MS):
    payload = LogsPayload("DATA_MESSAGE", "123456789012", log_group, "stream-1", ("filter",), ())
    return document_from_event(LogEvent("42", timestamp, message), payload_context(payload, NAMING), NAMING)


def test_plain_line_keeps_raw_message_under_the_envelope() -> None:
    document = document_for("plain text\n")
    assert document.index == "logs-dev-orders-2026.11.19"
    assert document.source == {"@timestamp": "2026-11-19T00:00:00.000Z", "event_id": "42",
                               "log_group": "/platform/dev/orders/lambda-api", "log_stream": "stream-1",
                               "owner": "123456789012", "service": "orders", "environment": "dev",
                               "message": "plain text"}


def test_index_date_is_the_events_utc_date_not_today() -> None:
    assert document_for("x", timestamp=MIDNIGHT_MS - 1).index == "logs-dev-orders-2026.11.18"
    assert iso_timestamp(MIDNIGHT_MS - 1) == "2026-11-18T23:59:59.999Z"


def test_json_line_promotes_known_keys_and_keeps_the_rest_under_fields() -> None:
    line = json.dumps({"level": "ERROR", "message": "boom", "trace_id": "1-a-b", "span_id": "s1",
                       "request_id": "r1", "service": "spoofed", "@timestamp": "spoofed", "event_id": "spoofed",
                       "order": {"id": 7}, "amount": 3})
    source = document_for(line).source
    assert (source["level"], source["message"], source["trace_id"], source["span_id"], source["request_id"]) == (
        "ERROR", "boom", "1-a-b", "s1", "r1")
    # envelope wins: parsed keys can only reach the top level through the promoted set
    assert (source["service"], source["@timestamp"], source["event_id"]) == ("orders", "2026-11-19T00:00:00.000Z", "42")
    assert source["fields"] == {"service": "spoofed", "@timestamp": "spoofed", "event_id": "spoofed",
                                "order": {"id": 7}, "amount": 3}


def test_json_line_without_message_keeps_the_raw_line() -> None:
    source = document_for('{"level": "INFO", "k": 1}\n').source
    assert source["message"] == '{"level": "INFO", "k": 1}' and source["fields"] == {"k": 1}


def test_non_string_promoted_values_become_strings_so_keyword_mappings_hold() -> None:
    source = document_for('{"level": 30, "message": "m", "trace_id": {"nested": 1}}').source
    assert source["level"] == "30" and source["fields"] == {"trace_id": {"nested": 1}}


def test_json_array_or_broken_json_is_kept_as_plain_text() -> None:
    assert document_for("[1,2]").source["message"] == "[1,2]"
    assert document_for("{broken").source["message"] == "{broken"


def test_lambda_report_line_becomes_typed_fields() -> None:
    line = ("REPORT RequestId: r-1\tDuration: 12.34 ms\tBilled Duration: 13 ms\tMemory Size: 256 MB\t"
            "Max Memory Used: 81 MB\tInit Duration: 410.55 ms\t\nXRAY TraceId: 1-abc\tSegmentId: 0a\tSampled: true\t\n")
    source = document_for(line).source
    assert source["lambda"] == {"type": "REPORT", "request_id": "r-1", "duration_ms": 12.34,
                                "billed_duration_ms": 13.0, "memory_size_mb": 256, "max_memory_used_mb": 81,
                                "init_duration_ms": 410.55, "xray_trace_id": "1-abc", "xray_segment_id": "0a",
                                "xray_sampled": True}
    assert source["request_id"] == "r-1"


def test_lambda_start_and_end_lines() -> None:
    assert document_for("START RequestId: r-2 Version: $LATEST\n").source["lambda"] == {
        "type": "START", "request_id": "r-2", "version": "$LATEST"}
    assert document_for("END RequestId: r-2\n").source["lambda"] == {"type": "END", "request_id": "r-2"}
    assert "lambda" not in document_for("STARTUP complete").source


def test_lambda_json_format_platform_report_maps_to_the_same_fields() -> None:
    line = json.dumps({"time": "2026-11-19T00:00:00.000Z", "type": "platform.report", "record": {
        "requestId": "r-3", "metrics": {"durationMs": 5.5, "billedDurationMs": 6, "memorySizeMB": 128,
                                        "maxMemoryUsedMB": 70, "initDurationMs": 100.0},
        "tracing": {"type": "X-Amzn-Trace-Id", "value": "Root=1-abc"}, "status": "success"}})
    assert document_for(line).source["lambda"] == {
        "type": "REPORT", "request_id": "r-3", "status": "success", "duration_ms": 5.5, "billed_duration_ms": 6.0,
        "memory_size_mb": 128, "max_memory_used_mb": 70, "init_duration_ms": 100.0, "xray_trace_id": "Root=1-abc"}


def test_python_runtime_default_layout_is_split_into_level_request_and_message() -> None:
    source = document_for("[WARNING]\t2026-11-19T00:00:00.000Z\treq-9\tslow payment provider\n").source
    assert (source["level"], source["request_id"], source["message"]) == ("WARNING", "req-9", "slow payment provider")


def test_span_lines_go_to_the_trace_index_without_record_type_or_envelope() -> None:
    span = {"record_type": "span", "traceId": "abc", "spanId": "def", "name": "GET /", "serviceName": "orders"}
    document = document_for(json.dumps(span))
    assert document.index == "otel-v1-apm-span-dev-2026.11.19"
    assert document.source == {"traceId": "abc", "spanId": "def", "name": "GET /", "serviceName": "orders"}


def test_bulk_line_is_a_create_with_the_event_id() -> None:
    document = document_for("x")
    action, source, tail = document.ndjson.split(b"\n")
    assert json.loads(action) == {"create": {"_index": "logs-dev-orders-2026.11.19", "_id": "42"}}
    assert json.loads(source) == document.source and tail == b""


def test_service_comes_from_the_log_group_and_unknown_groups_never_crash() -> None:
    assert service_from_log_group("/platform/dev/orders/lambda-api", "/platform/dev/") == "orders"
    assert service_from_log_group("/platform/dev/Orders.V2/x", "/platform/dev") == "orders-v2"
    assert service_from_log_group("/aws/lambda/legacy", "/platform/dev/") == "unknown"
    assert service_from_log_group("/platform/dev/", "/platform/dev/") == "unknown"
    assert document_for("x", log_group="/aws/lambda/legacy").index == "logs-dev-unknown-2026.11.19"


def test_telemetry_package_log_record_maps_onto_typed_fields() -> None:
    record = {"timestamp": "2026-11-19T00:00:00.000Z", "level": "ERROR", "message": "payment failed",
              "service": "orders", "environment": "dev", "request_id": "r-1", "trace_id": "0af7651916cd43dd8448eb211c80319c",
              "span_id": "b7ad6b7169203331", "xray_trace_id": "1-0af76519-16cd43dd8448eb211c80319c",
              "cold_start": True, "exception": "Traceback ...", "exception_type": "TimeoutError", "order_id": "o-1"}
    source = document_for(json.dumps(record)).source
    assert {k: source[k] for k in ("level", "request_id", "trace_id", "span_id", "xray_trace_id", "exception",
                                   "exception_type")} == {k: record[k] for k in (
        "level", "request_id", "trace_id", "span_id", "xray_trace_id", "exception", "exception_type")}
    assert source["fields"] == {"timestamp": record["timestamp"], "service": "orders", "environment": "dev",
                                "cold_start": True, "order_id": "o-1"}


def test_null_correlation_ids_are_dropped_not_indexed() -> None:
    source = document_for('{"message": "m", "trace_id": null, "span_id": null}').source
    assert "trace_id" not in source and "fields" not in source


def test_spliced_bulk_lines_equal_encoding_the_whole_source() -> None:
    from handlers.log_shipper.documents import create_action, to_json_bytes
    from tests.handlers.log_shipper import fixtures

    messages = fixtures.mixed_messages(300) + ['{"message": "ü ✓", "k": "\\u00e9"}', 'tab\tand "quotes"', ""]
    for n, message in enumerate(messages):
        document = document_for(message, timestamp=MIDNIGHT_MS + n * 997)
        assert document.ndjson == create_action(document.index, document.id) + to_json_bytes(document.source) + b"\n"


def test_nan_and_infinity_lines_stay_text_so_the_bulk_body_stays_valid_json() -> None:
    document = document_for('{"message": "m", "ratio": NaN, "limit": Infinity}')
    assert document.source["message"] == '{"message": "m", "ratio": NaN, "limit": Infinity}'
    assert "fields" not in document.source
    json.loads(document.ndjson.split(b"\n")[1])  # strict JSON


def test_lone_surrogates_are_replaced_not_fatal() -> None:
    document = document_for('{"message": "bad \\ud800 char"}')
    assert json.loads(document.ndjson.split(b"\n")[1])["message"] == "bad ? char"


def test_non_finite_numbers_in_platform_lines_are_dropped() -> None:
    source = document_for("REPORT RequestId: r\tDuration: nan ms\tBilled Duration: inf ms\tMemory Size: 128 MB\t\n").source
    assert source["lambda"] == {"type": "REPORT", "request_id": "r", "memory_size_mb": 128}


def test_a_number_beyond_a_double_keeps_the_line_as_text_with_either_backend() -> None:
    line = '{"message": "m", "x": 1e400}'
    assert document_for(line).source["message"] == line and "fields" not in document_for(line).source


def test_huge_integers_and_odd_json_parse_the_same_with_either_backend() -> None:
    source = document_for('{"message": "m", "big": 123456789012345678901234567890}').source
    assert source["fields"] == {"big": 123456789012345678901234567890}
    assert json.loads(document_for('{"message": "m", "big": 123456789012345678901234567890}').ndjson.split(b"\n")[1])[
        "fields"]["big"] == 123456789012345678901234567890


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False, allow_infinity=False) | st.text(),
    lambda children: st.lists(children, max_size=3) | st.dictionaries(st.text(max_size=8), children, max_size=4),
    max_leaves=12)
any_text = st.text(st.characters(blacklist_categories=()), max_size=200)


any_message = st.one_of(any_text, st.dictionaries(st.text(max_size=10), json_values, max_size=6).map(json.dumps),
                        json_object_lines)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(message=any_message)
def test_any_message_becomes_a_valid_bulk_pair(message: str) -> None:
    """Whatever an application logs, the bulk lines are strict JSON and match the document."""
    document = document_for(message)
    action, source_line, tail = document.ndjson.split(b"\n")
    assert tail == b"" and json.loads(action)["create"]["_id"] == "42"

    def strict(constant: str) -> None:
        raise AssertionError(f"{constant} in bulk body")

    decoded = json.loads(source_line, parse_constant=strict)
    if document.index.startswith("logs-"):
        assert decoded["event_id"] == "42" and decoded["service"] == "orders" and "message" in decoded

