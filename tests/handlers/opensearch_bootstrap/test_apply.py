"""Applying the bootstrap against a local cluster fake: first run, safe re-runs, updates."""
from __future__ import annotations

from typing import Any, Iterator

import pytest

from handlers.log_shipper.bulk_client import build_client
from handlers.opensearch_bootstrap import app
from handlers.opensearch_bootstrap.apply import apply_bootstrap
from handlers.opensearch_bootstrap.cluster import OpenSearchClusterApi
from handlers.opensearch_bootstrap.inputs import build_bootstrap_input, parse_bootstrap_input
from tests.handlers.opensearch_bootstrap.fake_cluster import FakeCluster
from botocore.credentials import Credentials

ROLE = "arn:aws:iam::123456789012:role/platform-dev-log-shipping-shipper"
EVENT = build_bootstrap_input(stack="dev", log_index_prefix="logs-dev", trace_index_prefix="otel-v1-apm-span-dev",
                              log_retention_days=14, trace_retention_days=7, writer_role_arns=[ROLE])


class Context:
    function_name = "platform-dev-log-shipping-bootstrap"
    aws_request_id = "bootstrap-request"

    def get_remaining_time_in_millis(self) -> int:
        return 60_000


@pytest.fixture
def cluster(monkeypatch: pytest.MonkeyPatch) -> Iterator[FakeCluster]:
    with FakeCluster() as running:
        for name, value in {"OPENSEARCH_ENDPOINT": running.url, "AWS_REGION": "us-east-1",
                            "AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing",
                            "AWS_SESSION_TOKEN": "testing", "TELEMETRY_EXPORTER": "none"}.items():
            monkeypatch.setenv(name, value)
        yield running


def api_for(cluster: FakeCluster) -> OpenSearchClusterApi:
    return OpenSearchClusterApi(build_client(cluster.url, "us-east-1", Credentials("k", "s", "t"), compress=False))


def test_first_run_creates_everything_signed(cluster: FakeCluster) -> None:
    summary = app.handler(dict(EVENT), Context())
    assert summary["changed"] is True
    assert summary["index_templates"] == {"logs-dev": "created", "otel-v1-apm-span-dev": "created"}
    assert summary["ism_policies"] == {"logs-dev-retention": "created", "otel-v1-apm-span-dev-retention": "created"}
    assert summary["security"] == {"role/platform-dev-log-writer": "created",
                                   "rolesmapping/platform-dev-log-writer": "created"}
    assert all(r.authorization.startswith("AWS4-HMAC-SHA256 Credential=") and "/es/aws4_request" in r.authorization
               for r in cluster.requests)
    logs = cluster.templates["logs-dev"]
    assert logs["index_patterns"] == ["logs-dev-*"]
    assert logs["template"]["settings"]["index"] == {"number_of_shards": 1, "number_of_replicas": 0,
                                                      "refresh_interval": "30s"}
    assert cluster.templates["otel-v1-apm-span-dev"]["index_patterns"] == ["otel-v1-apm-span-dev-*"]
    policy = cluster.policies["logs-dev-retention"]["policy"]
    assert policy["ism_template"] == [{"index_patterns": ["logs-dev-*"], "priority": 100}]
    assert policy["states"][0]["transitions"][0]["conditions"] == {"min_index_age": "14d"}
    assert policy["states"][1]["actions"] == [{"delete": {}}]
    assert cluster.policies["otel-v1-apm-span-dev-retention"]["policy"]["states"][0]["transitions"][0][
        "conditions"] == {"min_index_age": "7d"}
    role = cluster.roles["platform-dev-log-writer"]
    assert role["index_permissions"][0]["index_patterns"] == ["logs-dev-*", "otel-v1-apm-span-dev-*"]
    assert cluster.mappings["platform-dev-log-writer"]["backend_roles"] == [ROLE]


def test_re_running_changes_nothing(cluster: FakeCluster) -> None:
    app.handler(dict(EVENT), Context())
    writes_before = len(cluster.writes())
    summary = app.handler(dict(EVENT), Context())
    assert summary["changed"] is False
    assert set(summary["index_templates"].values()) | set(summary["ism_policies"].values()) | set(
        summary["security"].values()) == {"unchanged"}
    new_writes = cluster.writes()[writes_before:]
    assert [(w.method, w.path.split("/")[2]) for w in new_writes] == [("POST", "_ism"), ("POST", "_ism")]


def test_changed_retention_updates_the_policy_with_seq_no_and_primary_term(cluster: FakeCluster) -> None:
    app.handler(dict(EVENT), Context())
    seq_no = cluster.policies["logs-dev-retention"]["seq_no"]
    summary = app.handler({**EVENT, "log_retention_days": 30}, Context())
    assert summary["ism_policies"] == {"logs-dev-retention": "updated", "otel-v1-apm-span-dev-retention": "unchanged"}
    [update] = [r for r in cluster.writes() if r.path.endswith("/logs-dev-retention") and r.query]
    assert update.query == {"if_seq_no": str(seq_no), "if_primary_term": "1"}
    assert cluster.policies["logs-dev-retention"]["policy"]["states"][0]["transitions"][0]["conditions"] == {
        "min_index_age": "30d"}


def test_changed_shards_and_writer_roles_are_updated(cluster: FakeCluster) -> None:
    app.handler(dict(EVENT), Context())
    other = "arn:aws:iam::123456789012:role/platform-dev-log-shipping-replay"
    summary = app.handler({**EVENT, "number_of_shards": 2, "writer_role_arns": [ROLE, other]}, Context())
    assert summary["index_templates"] == {"logs-dev": "updated", "otel-v1-apm-span-dev": "updated"}
    assert summary["security"]["rolesmapping/platform-dev-log-writer"] == "updated"
    assert summary["security"]["role/platform-dev-log-writer"] == "unchanged"
    assert cluster.mappings["platform-dev-log-writer"]["backend_roles"] == sorted([ROLE, other])


def test_existing_indices_get_the_retention_policy(cluster: FakeCluster) -> None:
    cluster.existing_indices = ["logs-dev-orders-2026.11.01", "otel-v1-apm-span-dev-2026.11.01"]
    summary = app.handler(dict(EVENT), Context())
    assert summary["existing_indices_attached"] == {"logs-dev-retention": 1, "otel-v1-apm-span-dev-retention": 1}
    assert app.handler(dict(EVENT), Context())["existing_indices_attached"] == {
        "logs-dev-retention": 0, "otel-v1-apm-span-dev-retention": 0}


def test_a_concurrent_policy_change_fails_loudly_instead_of_being_overwritten(cluster: FakeCluster) -> None:
    app.handler(dict(EVENT), Context())
    api = api_for(cluster)

    class RacingApi:
        """Someone edits the policy between our read and our write."""

        def get(self, path: str) -> Any:
            result = api.get(path)
            if path.endswith("/logs-dev-retention"):
                cluster.policies["logs-dev-retention"]["seq_no"] += 1
            return result

        def send(self, *args: Any, **kwargs: Any) -> Any:
            return api.send(*args, **kwargs)

    from opensearchpy.exceptions import ConflictError

    with pytest.raises(ConflictError):
        apply_bootstrap(parse_bootstrap_input({**EVENT, "log_retention_days": 3}), RacingApi())


def test_invalid_input_fails_the_deployment(cluster: FakeCluster) -> None:
    with pytest.raises(ValueError):
        app.handler({**EVENT, "log_retention_days": "forever"}, Context())
    assert cluster.requests == []


def test_endpoint_comes_from_the_input_when_the_function_has_none(cluster: FakeCluster,
                                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("OPENSEARCH_ENDPOINT")
    summary = app.handler({**EVENT, "endpoint": cluster.url}, Context())
    assert summary["changed"] is True and cluster.templates
    with pytest.raises(ValueError, match="no endpoint"):
        app.handler(dict(EVENT), Context())


def test_reader_roles_get_read_only_access_to_both_index_families(cluster: FakeCluster) -> None:
    reader = "arn:aws:iam::123456789012:role/analyst"
    summary = app.handler({**EVENT, "reader_role_arns": [reader]}, Context())
    assert summary["security"]["role/platform-dev-log-reader"] == "created"
    role = cluster.roles["platform-dev-log-reader"]
    assert role["index_permissions"][0]["index_patterns"] == ["logs-dev-*", "otel-v1-apm-span-dev-*"]
    assert "read" in role["index_permissions"][0]["allowed_actions"]
    assert not [a for a in role["index_permissions"][0]["allowed_actions"] if "write" in a]
    assert cluster.mappings["platform-dev-log-reader"]["backend_roles"] == [reader]
    again = app.handler({**EVENT, "reader_role_arns": [reader]}, Context())
    assert again["changed"] is False
