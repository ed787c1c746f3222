"""The bootstrap's input: built by the Pulumi components, validated again by the handler.

The builder is a pure function so the components can import it and their tests can pin the
exact JSON the deployed ``aws.lambda_.Invocation`` sends (its input change triggers a re-run).
"""
from __future__ import annotations

import re
from dataclasses import asdict, dataclass
from typing import Any, Mapping, Sequence

_INDEX_PREFIX = re.compile(r"^[a-z0-9][a-z0-9_\-]*$")
_INTERVAL = re.compile(r"^(-1|\d+(ms|s|m|h))$")
_ROLE_ARN = re.compile(r"^arn:aws[a-z\-]*:(iam|sts)::\d{12}:(role|assumed-role)/.+$")
_STACK = re.compile(r"^[a-z0-9][a-z0-9\-]*$")
_ENDPOINT = re.compile(r"^https?://[A-Za-z0-9.\-]+(:\d+)?$")


@dataclass(frozen=True)
class BootstrapInput:
    stack: str
    log_index_prefix: str
    trace_index_prefix: str
    log_retention_days: int
    trace_retention_days: int
    writer_role_arns: tuple[str, ...]
    number_of_shards: int = 1
    number_of_replicas: int = 0
    refresh_interval: str = "30s"
    role_name: str = ""
    #: The domain endpoint. It travels in the input because the bootstrap function exists before the
    #: domain (its role is the domain's master user); empty means OPENSEARCH_ENDPOINT.
    endpoint: str = ""
    reader_role_arns: tuple[str, ...] = ()

    @property
    def writer_role_name(self) -> str:
        return self.role_name or f"platform-{self.stack}-log-writer"

    @property
    def reader_role_name(self) -> str:
        return f"platform-{self.stack}-log-reader"

    @property
    def log_index_pattern(self) -> str:
        return f"{self.log_index_prefix}-*"

    @property
    def trace_index_pattern(self) -> str:
        return f"{self.trace_index_prefix}-*"

    def as_json(self) -> dict[str, Any]:
        document = asdict(self)
        document["writer_role_arns"] = list(self.writer_role_arns)
        document["reader_role_arns"] = list(self.reader_role_arns)
        document["role_name"] = self.writer_role_name
        return document


def build_bootstrap_input(*, stack: str, log_index_prefix: str, trace_index_prefix: str, log_retention_days: int,
                          trace_retention_days: int, writer_role_arns: Sequence[str], number_of_shards: int = 1,
                          number_of_replicas: int = 0, refresh_interval: str = "30s",
                          role_name: str | None = None, endpoint: str = "",
                          reader_role_arns: Sequence[str] = ()) -> dict[str, Any]:
    """The JSON object for ``aws.lambda_.Invocation(input=json.dumps(...))``; raises on bad values."""
    candidate = BootstrapInput(stack, log_index_prefix, trace_index_prefix, log_retention_days, trace_retention_days,
                               tuple(writer_role_arns), number_of_shards, number_of_replicas, refresh_interval,
                               role_name or "", endpoint, tuple(reader_role_arns))
    _raise_if_invalid(candidate)
    return candidate.as_json()


def parse_bootstrap_input(event: Mapping[str, Any]) -> BootstrapInput:
    """Validate what arrived; a deploy should fail with every problem listed, not the first."""
    if not isinstance(event, Mapping):
        raise ValueError("bootstrap input must be a JSON object")
    known = set(BootstrapInput.__dataclass_fields__)
    unknown = sorted(set(event) - known)
    missing = sorted(name for name in ("stack", "log_index_prefix", "trace_index_prefix", "log_retention_days",
                                       "trace_retention_days", "writer_role_arns") if name not in event)
    problems = [f"unknown key {name!r}" for name in unknown] + [f"missing key {name!r}" for name in missing]
    if problems:
        raise ValueError("invalid bootstrap input: " + "; ".join(problems))
    arns = event["writer_role_arns"]
    readers = event.get("reader_role_arns", [])
    candidate = BootstrapInput(
        stack=event["stack"], log_index_prefix=event["log_index_prefix"],
        trace_index_prefix=event["trace_index_prefix"], log_retention_days=event["log_retention_days"],
        trace_retention_days=event["trace_retention_days"],
        writer_role_arns=tuple(arns) if isinstance(arns, (list, tuple)) else arns,
        number_of_shards=event.get("number_of_shards", 1), number_of_replicas=event.get("number_of_replicas", 0),
        refresh_interval=event.get("refresh_interval", "30s"), role_name=event.get("role_name") or "",
        endpoint=event.get("endpoint", ""),
        reader_role_arns=tuple(readers) if isinstance(readers, (list, tuple)) else readers)
    _raise_if_invalid(candidate)
    return candidate


def _raise_if_invalid(value: BootstrapInput) -> None:
    problems = _problems(value)
    if problems:
        raise ValueError("invalid bootstrap input: " + "; ".join(problems))


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _problems(value: BootstrapInput) -> list[str]:
    problems = []
    if not isinstance(value.stack, str) or not _STACK.match(value.stack):
        problems.append(f"stack {value.stack!r} must be lowercase letters, digits and '-'")
    for name in ("log_index_prefix", "trace_index_prefix"):
        prefix = getattr(value, name)
        if not isinstance(prefix, str) or not _INDEX_PREFIX.match(prefix):
            problems.append(f"{name} {prefix!r} must be a lowercase index name prefix")
    if value.log_index_prefix == value.trace_index_prefix:
        problems.append("log_index_prefix and trace_index_prefix must differ (their ISM policies would overlap)")
    for name in ("log_retention_days", "trace_retention_days"):
        days = getattr(value, name)
        if not _is_int(days) or not 1 <= days <= 3650:
            problems.append(f"{name} {days!r} must be an integer between 1 and 3650")
    if not _is_int(value.number_of_shards) or not 1 <= value.number_of_shards <= 1024:
        problems.append(f"number_of_shards {value.number_of_shards!r} must be an integer between 1 and 1024")
    if not _is_int(value.number_of_replicas) or not 0 <= value.number_of_replicas <= 15:
        problems.append(f"number_of_replicas {value.number_of_replicas!r} must be an integer between 0 and 15")
    if not isinstance(value.refresh_interval, str) or not _INTERVAL.match(value.refresh_interval):
        problems.append(f"refresh_interval {value.refresh_interval!r} must look like '30s', '1m' or '-1'")
    arns = value.writer_role_arns
    if not isinstance(arns, tuple) or not arns:
        problems.append("writer_role_arns must be a non-empty list of IAM role ARNs")
    else:
        problems.extend(f"writer_role_arns entry {arn!r} is not an IAM role ARN"
                        for arn in arns if not isinstance(arn, str) or not _ROLE_ARN.match(arn))
    readers = value.reader_role_arns
    if not isinstance(readers, tuple):
        problems.append("reader_role_arns must be a list of IAM role ARNs")
    else:
        problems.extend(f"reader_role_arns entry {arn!r} is not an IAM role ARN"
                        for arn in readers if not isinstance(arn, str) or not _ROLE_ARN.match(arn))
    if not isinstance(value.endpoint, str) or (value.endpoint and not _ENDPOINT.match(value.endpoint)):
        problems.append(f"endpoint {value.endpoint!r} must be an http(s) URL without a path")
    if not isinstance(value.role_name, str):
        problems.append("role_name must be a string")
    return problems
