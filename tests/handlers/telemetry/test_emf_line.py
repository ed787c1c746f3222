"""The EMF line writer writes exactly what the documents encode to; the accepted-metric cache
changes no outcome of `add_metric`."""

from __future__ import annotations

import io
import json
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from handlers.telemetry import MetricResolution, MetricUnit, MetricUnitError
from handlers.telemetry import emf_line as emf_line_module
from handlers.telemetry.emf import UNITS, MetricSeries, build_documents
from handlers.telemetry.emf_line import emf_lines
from handlers.telemetry.invocation_state import InvocationState
from handlers.telemetry.metrics import MAX_ACCEPTED_SPECS, Metrics
from handlers.telemetry.structured_logger import StructuredLogger, json_default

numbers = st.one_of(st.integers(min_value=-(2**70), max_value=2**70), st.floats(allow_nan=True, allow_infinity=True))
names = st.one_of(st.text(max_size=8), st.text(max_size=8), st.text(max_size=8), st.sampled_from(["Service", "_aws", "Orders", "request_id", "Region"]))
series = st.builds(
    MetricSeries,
    unit=st.sampled_from(sorted(UNITS)),
    resolution=st.sampled_from([1, 60]),
    values=st.one_of(st.lists(numbers, min_size=1, max_size=3), st.lists(numbers, max_size=120)),
)
json_values = st.recursive(st.one_of(st.none(), st.booleans(), numbers, st.text(max_size=8)),
                           lambda children: st.lists(children, max_size=3) | st.dictionaries(st.text(max_size=4), children, max_size=3),
                           max_leaves=6)
metadata_keys = st.one_of(names, st.integers(min_value=0, max_value=3))


def reference(namespace, dimensions, metrics, metadata, timestamp) -> list[str]:
    return [json.dumps(document, default=json_default, separators=(",", ":"))
            for document in build_documents(namespace, dimensions, metrics, metadata, timestamp)]


@settings(max_examples=150, deadline=None)
@given(
    namespace=st.text(max_size=12),
    dimensions=st.one_of(st.dictionaries(names, st.text(max_size=8), max_size=4),
                         st.dictionaries(st.text(min_size=1, max_size=6), st.text(max_size=3), min_size=31, max_size=35)),
    metrics=st.one_of(st.dictionaries(names, series, max_size=4), st.dictionaries(st.text(max_size=6), series, min_size=101, max_size=103)),
    metadata=st.dictionaries(metadata_keys, json_values, max_size=3),
    timestamp=st.integers(min_value=0, max_value=2**45),
)
def test_lines_are_exactly_the_encoded_documents(namespace, dimensions, metrics, metadata, timestamp):
    assert emf_lines(namespace, dimensions, metrics, metadata, timestamp) == reference(namespace, dimensions, metrics, metadata, timestamp)


def test_a_handlers_usual_metrics_take_the_fast_path(monkeypatch):
    metrics = {"EventsShipped": MetricSeries("Count", 60, [10]), "Lag": MetricSeries("Milliseconds", 1, [1.5, 2])}
    arguments = ("platform/dev", {"Service": "log-shipping"}, metrics, {"request_id": "r-1"}, 1795324529854)
    expected = reference(*arguments)
    monkeypatch.setattr(emf_line_module, "build_documents", lambda *args: pytest.fail("slow path"))
    assert emf_lines(*arguments) == expected == emf_lines(*arguments)  # the second time from the cache


def cacheless() -> Metrics:
    """The same recorder with the accepted-metric cache turned off: the reference behaviour."""

    class NeverStored(dict):
        def __setitem__(self, key: Any, value: Any) -> None:
            pass

    recorder = recorder_with_output()[0]
    recorder._accepted = NeverStored()
    return recorder


def recorder_with_output() -> tuple[Metrics, io.StringIO, io.StringIO]:
    state = InvocationState(service="orders")
    out, log = io.StringIO(), io.StringIO()
    return Metrics(state, StructuredLogger(state, log), out), out, log


call_names = st.sampled_from(["Orders", "Latency", "", "_aws", "Region", 7, None])
call_units = st.sampled_from(["Count", "Milliseconds", MetricUnit.Count, MetricUnit.Seconds, "Millisecond", ["Count"], None])
call_resolutions = st.sampled_from([60, 1, MetricResolution.High, MetricResolution.Standard, 60.0, True, 5, "60"])
call_values = st.one_of(numbers, st.booleans(), st.just("1"), st.none())


@settings(max_examples=300, deadline=None)
@given(calls=st.lists(st.tuples(call_names, call_values, call_units, call_resolutions), max_size=12),
       dimension=st.sampled_from([None, "Region", "Orders"]), in_lambda=st.booleans())
def test_the_accepted_metric_cache_changes_no_outcome(calls, dimension, in_lambda):
    with pytest.MonkeyPatch.context() as patch:
        if in_lambda:
            patch.setenv("AWS_LAMBDA_FUNCTION_NAME", "f")
        else:
            patch.delenv("AWS_LAMBDA_FUNCTION_NAME", raising=False)
        outcomes = []
        for recorder in (recorder_with_output()[0], cacheless()):
            out, log = io.StringIO(), io.StringIO()
            recorder.set_stream(out)
            recorder._log = StructuredLogger(recorder._state, log)
            if dimension:
                recorder.add_dimension(dimension, "eu-west-1")
            results = []
            for name, value, unit, resolution in calls * 2:  # every call again, now with a warm cache
                try:
                    results.append(recorder.add_metric(name, value, unit=unit, resolution=resolution))
                except MetricUnitError as error:
                    results.append(str(error))
            recorder.flush()
            warnings = [(line["message"], line.get("reason")) for line in map(json.loads, log.getvalue().splitlines())]
            emf = [{key: value for key, value in json.loads(line).items() if key != "_aws"} | {"_aws": json.loads(line)["_aws"]["CloudWatchMetrics"]}
                   for line in out.getvalue().splitlines()]
            outcomes.append((results, warnings, emf))
        assert outcomes[0] == outcomes[1]


def test_the_accepted_metric_cache_is_bounded():
    recorder, _, _ = recorder_with_output()
    for index in range(MAX_ACCEPTED_SPECS + 5):
        assert recorder.add_metric(f"M{index}", 1)
    assert len(recorder._accepted) <= MAX_ACCEPTED_SPECS
