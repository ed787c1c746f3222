"""Subsegment documents, trace headers and daemon addresses: the pure half of the X-Ray emitter."""

from __future__ import annotations

import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from handlers.telemetry.xray_segments import (
    DAEMON_HEADER,
    TraceHeader,
    daemon_address,
    datagram,
    outcome_flags,
    parse_trace_header,
    subsegment,
)

ROOT = "1-5759e988-bd862e3fe1be46a994272793"
TRACE = TraceHeader(ROOT, "53995c3f42cd8ad8", True, None)


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        (f"Root={ROOT};Parent=53995c3f42cd8ad8;Sampled=1", (ROOT, "53995c3f42cd8ad8", True, None)),
        (f"Root={ROOT};Parent=53995c3f42cd8ad8;Sampled=0;Lineage=a87bd80c:1", (ROOT, "53995c3f42cd8ad8", False, "a87bd80c:1")),
        (f" Root={ROOT} ; Parent=53995C3F42CD8AD8 ", (ROOT, "53995c3f42cd8ad8", False, None)),  # ids are re-issued lower case
        (f"Root={ROOT};Sampled=1", None),  # no parent: nothing to hang a subsegment on
        ("Root=1-5759e988-bd862e3f;Parent=53995c3f42cd8ad8;Sampled=1", None),
        (f"Root={ROOT};Parent=xyz;Sampled=1", None),
        ("", None),
        (None, None),
    ],
)
def test_trace_headers(header, expected):
    found = parse_trace_header(header)
    assert (found and (found.root, found.parent, found.sampled, found.lineage)) == expected


@settings(max_examples=300, deadline=None)
@given(header=st.one_of(st.text(max_size=120), st.builds(
    lambda parent, sampled, lineage: f"Root={ROOT};Parent={parent};Sampled={sampled}" + (f";Lineage={lineage}" if lineage else ""),
    st.text(alphabet="0123456789abcdef", min_size=16, max_size=16), st.sampled_from(["0", "1", "?"]),
    st.one_of(st.none(), st.from_regex(r"[0-9a-f]{8}:[0-9]", fullmatch=True)))))
def test_any_header_parses_to_nothing_or_to_one_that_round_trips(header):
    """Never raises; a parsed header, re-issued for a subsegment, parses back to the same trace."""
    found = parse_trace_header(header)
    if found is not None:
        again = parse_trace_header(found.downstream("0123456789abcdef"))
        assert (again.root, again.parent, again.sampled, again.lineage) == (found.root, "0123456789abcdef", found.sampled, found.lineage)


@pytest.mark.parametrize(
    ("value", "expected"),
    [(None, ("127.0.0.1", 2000)), ("169.254.79.129:2000", ("169.254.79.129", 2000)),
     ("tcp:127.0.0.1:2000 udp:127.0.0.2:2001", ("127.0.0.2", 2001)), ("nonsense", ("127.0.0.1", 2000)), ("host:port", ("127.0.0.1", 2000))],
)
def test_daemon_address(value, expected):
    assert daemon_address(value) == expected


def document(**overrides):
    arguments = dict(subsegment_id="0123456789abcdef", trace=TRACE, service_id="SQS", operation="SendMessage", region="eu-west-1",
                     params={"QueueUrl": "https://sqs/q", "MessageBody": "secret"}, start=1.5, end=2.5,
                     response={"ResponseMetadata": {"RequestId": "r-1", "HTTPStatusCode": 200, "RetryAttempts": 2}}, error=None)
    arguments.update(overrides)
    return subsegment(**arguments)


def test_a_successful_call_names_its_resource_but_not_its_payload():
    found = document()
    assert found == {
        "id": "0123456789abcdef", "trace_id": ROOT, "parent_id": "53995c3f42cd8ad8", "type": "subsegment", "name": "SQS",
        "namespace": "aws", "start_time": 1.5, "end_time": 2.5, "http": {"response": {"status": 200}},
        "aws": {"operation": "SendMessage", "region": "eu-west-1", "request_id": "r-1", "retries": 2, "queue_url": "https://sqs/q"},
    }


def test_batch_calls_name_every_table():
    found = document(service_id="DynamoDB", operation="BatchWriteItem", params={"RequestItems": {"b": [], "a": []}})
    assert found["aws"]["table_names"] == ["a", "b"]


def test_a_call_that_got_no_answer_is_a_local_fault():
    found = document(response=None, error=ConnectionError("refused"))
    assert found["fault"] is True and "http" not in found
    assert found["cause"]["exceptions"] == [{"id": "0123456789abcdef", "type": "ConnectionError", "message": "refused", "remote": False}]


@settings(max_examples=200, deadline=None)
@given(status=st.integers(min_value=100, max_value=599), failed=st.booleans())
def test_outcome_flags_follow_the_status_class(status, failed):
    flags = outcome_flags(status, failed)
    assert flags.get("error", False) == (400 <= status < 500)
    assert flags.get("throttle", False) == (status == 429)
    assert flags.get("fault", False) == (status >= 500)


JSON_VALUES = st.recursive(st.none() | st.booleans() | st.integers() | st.text(max_size=300),
                           lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=10), inner, max_size=3), max_leaves=10)


@settings(max_examples=200, deadline=None)
@given(service=st.sampled_from(["DynamoDB", "SQS", "SNS", "Lambda", "S3", "SFN", "Kinesis", "STS"]),
       params=st.dictionaries(st.sampled_from(["TableName", "QueueUrl", "TopicArn", "FunctionName", "Bucket", "Key", "RequestItems",
                                               "stateMachineArn", "StreamName", "Other"]), JSON_VALUES, max_size=5),
       message=st.text(max_size=5000))
def test_any_parameters_give_a_small_well_formed_datagram(service, params, message):
    found = document(service_id=service, params=params, response={"Error": {}, "ResponseMetadata": {"HTTPStatusCode": 500}},
                     error=RuntimeError(message))
    payload = datagram(found)
    assert payload.startswith(DAEMON_HEADER) and len(payload) < 64 * 1024
    assert json.loads(payload[len(DAEMON_HEADER):]) == json.loads(json.dumps(found, default=str))
    assert all(isinstance(value, (str, int, list)) for value in found["aws"].values())
