"""The Lambda trace header's fast reading agrees with the AWS propagator's wherever it answers."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st
from opentelemetry import context as otel_context
from opentelemetry import trace

from handlers.telemetry.decorator import parent_context, propagated_parent
from handlers.telemetry.xray_header import LINEAGE_KEY, parse_lambda_form

hex_digits = "0123456789abcdef"


def hex_text(size: int) -> st.SearchStrategy[str]:
    return st.text(alphabet=hex_digits, min_size=size, max_size=size)


lambda_headers = st.builds(
    lambda epoch, unique, parent, sampled, lineage: f"Root=1-{epoch}-{unique};Parent={parent};Sampled={sampled}" + (
        f";Lineage={lineage}" if lineage else ""),
    hex_text(8), hex_text(24), hex_text(16), st.sampled_from("01"),
    st.one_of(st.none(), st.builds(lambda h, n: f"{h}:{n}", hex_text(8), st.integers(min_value=0, max_value=10**9))),
)


def mutated(header: str, where: int, mutation: str) -> str:
    position = where % (len(header) + 1)
    if mutation == "upper":
        return header.upper()
    if mutation == "space":
        return header[:position] + " " + header[position:]
    if mutation == "newline":
        return header + "\n"
    if mutation == "drop":
        return header[:position] + header[position + 1:]
    if mutation == "reorder":
        return ";".join(reversed(header.split(";")))
    if mutation == "extra":
        return header + ";Self=1-5759e988-bd862e3fe1be46a994272793"
    if mutation == "zero_trace":
        return "Root=1-00000000-000000000000000000000000" + header[header.index(";"):]
    return header.replace("Parent=", "Parent=0000000000000000;Old=", 1)


headers = st.one_of(
    lambda_headers,
    st.builds(mutated, lambda_headers, st.integers(min_value=0),
              st.sampled_from(["upper", "space", "newline", "drop", "reorder", "extra", "zero_trace", "parent"])),
    st.text(max_size=80),
)


def reading(ctx: otel_context.Context) -> tuple:
    return trace.get_current_span(ctx).get_span_context(), otel_context.get_value(LINEAGE_KEY, ctx)


@settings(max_examples=500, deadline=None)
@given(headers)
def test_the_fast_reading_equals_the_propagators(header):
    assert reading(parent_context(header)) == reading(propagated_parent(header))


@settings(max_examples=100, deadline=None)
@given(lambda_headers)
def test_every_header_lambda_writes_takes_the_fast_path(header):
    parsed = parse_lambda_form(header)
    assert (parsed is not None) == (int(header[7:15] + header[16:40], 16) != 0 and int(header[48:64], 16) != 0)
