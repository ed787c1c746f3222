"""The bootstrap input contract shared with the Pulumi components."""
from __future__ import annotations

import json

import pytest

from handlers.opensearch_bootstrap.inputs import build_bootstrap_input, parse_bootstrap_input

ROLE = "arn:aws:iam::123456789012:role/platform-dev-log-shipping-shipper"


def valid(**overrides: object) -> dict:
    arguments = dict(stack="dev", log_index_prefix="logs-dev", trace_index_prefix="otel-v1-apm-span-dev",
                     log_retention_days=14, trace_retention_days=7, writer_role_arns=[ROLE])
    arguments.update(overrides)
    return arguments


def test_builder_produces_the_documented_json_with_defaults() -> None:
    assert build_bootstrap_input(**valid()) == {
        "stack": "dev", "log_index_prefix": "logs-dev", "trace_index_prefix": "otel-v1-apm-span-dev",
        "log_retention_days": 14, "trace_retention_days": 7, "writer_role_arns": [ROLE], "number_of_shards": 1,
        "number_of_replicas": 0, "refresh_interval": "30s", "role_name": "platform-dev-log-writer",
        "endpoint": "", "reader_role_arns": []}


def test_builder_output_round_trips_through_the_handlers_parser() -> None:
    built = build_bootstrap_input(**valid(number_of_shards=3, number_of_replicas=2, refresh_interval="5s",
                                          role_name="custom-writer"))
    parsed = parse_bootstrap_input(json.loads(json.dumps(built)))
    assert parsed.as_json() == built and parsed.writer_role_name == "custom-writer"


def test_every_problem_is_reported_at_once() -> None:
    with pytest.raises(ValueError) as raised:
        build_bootstrap_input(**valid(stack="Dev!", log_retention_days=0, number_of_replicas=-1,
                                      refresh_interval="soon", writer_role_arns=["not-an-arn"]))
    message = str(raised.value)
    for fragment in ("stack", "log_retention_days", "number_of_replicas", "refresh_interval", "not-an-arn"):
        assert fragment in message


def test_identical_prefixes_are_rejected_because_policies_would_overlap() -> None:
    with pytest.raises(ValueError, match="must differ"):
        build_bootstrap_input(**valid(trace_index_prefix="logs-dev"))


def test_parser_rejects_unknown_and_missing_keys() -> None:
    event = build_bootstrap_input(**valid())
    event["log_retention"] = 3
    del event["writer_role_arns"]
    with pytest.raises(ValueError) as raised:
        parse_bootstrap_input(event)
    assert "unknown key 'log_retention'" in str(raised.value) and "missing key 'writer_role_arns'" in str(raised.value)


def test_booleans_are_not_accepted_as_numbers() -> None:
    with pytest.raises(ValueError, match="number_of_shards"):
        build_bootstrap_input(**valid(number_of_shards=True))


def test_endpoint_and_reader_roles_are_validated() -> None:
    with pytest.raises(ValueError) as info:
        build_bootstrap_input(**valid(endpoint="ftp://domain/x", reader_role_arns=["not-an-arn"]))
    assert "endpoint 'ftp://domain/x'" in str(info.value)
    assert "reader_role_arns entry 'not-an-arn'" in str(info.value)
    built = build_bootstrap_input(**valid(endpoint="https://search-x.us-east-1.es.amazonaws.com",
                                          reader_role_arns=[ROLE]))
    assert parse_bootstrap_input(json.loads(json.dumps(built))).as_json() == built
