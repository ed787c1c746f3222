"""The EMF line writer writes exactly what the documents encode to; the accepted-metric cache
changes no outcome of `add_metric`."""

from __future__ import annotations

import importlib
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


def templateless(recorder: Metrics) -> Metrics:
    """The recorder without line templates: every line written by `emf_lines`, the reference."""
    recorder._repeated_line = lambda namespace, timestamp_ms: None  # type: ignore[method-assign]
    return recorder


invocation_metrics = st.lists(st.tuples(st.sampled_from(["Orders", "Latency", "request_id", "Service", "Stage"]),
                                        st.one_of(numbers, st.booleans()), st.sampled_from(["Count", "Milliseconds"]),
                                        st.sampled_from([60, 1])), max_size=4)
invocations = st.lists(st.tuples(
    invocation_metrics,
    st.sampled_from([None, "", "r-1", 'r-\u00e9"2', 7]),  # the request id Lambda's context gave
    st.sampled_from([None, ("Region", "eu-west-1")]),  # a dimension of this invocation only
    st.sampled_from([None, ("tenant", "t-1")]),  # metadata
    st.sampled_from(["platform/dev", "platform/prod"]),  # METRICS_NAMESPACE
    st.sampled_from([None, ("Stage", "blue"), ("Stage", "green")]),  # a default dimension set from now on
    # the calls: its own; the invocation before's again (a handler's usual set); those with other
    # values, or with another unit or resolution
    st.sampled_from(["own", "again", "other values", "other unit", "other resolution"]),
), max_size=8)


def varied(calls: list[Any], how: str) -> list[Any]:
    other_unit = {"Count": "Milliseconds", "Milliseconds": "Count"}
    if how == "other values":
        return [(name, value + 1 if type(value) is int else 0.5, unit, resolution) for name, value, unit, resolution in calls]
    if how == "other unit":
        return [(name, value, other_unit[unit], resolution) for name, value, unit, resolution in calls]
    if how == "other resolution":
        return [(name, value, unit, 61 - resolution) for name, value, unit, resolution in calls]
    return calls


@settings(max_examples=200, deadline=None)
@given(invocations=invocations)
def test_a_line_filled_into_a_template_is_the_line_written_without_one(invocations):
    with pytest.MonkeyPatch.context() as patch:
        outputs = []
        for recorder, out, log in (recorder_with_output(), recorder_with_output()):
            if not outputs:
                templateless(recorder)
            timestamps = iter(range(1_795_324_529_000, 1_795_324_530_000, 7))
            patch.setattr("time.time", lambda: next(timestamps) / 1000)
            previous: list[Any] = []
            for calls, request_id, dimension, metadata, namespace, default, how in invocations:
                patch.setenv("METRICS_NAMESPACE", namespace)
                recorder._state.request_id = request_id
                if default:
                    recorder.set_default_dimensions(**dict([default]))
                if dimension:
                    recorder.add_dimension(*dimension)
                if metadata:
                    recorder.add_metadata(*metadata)
                previous = calls if how == "own" or not previous else varied(previous, how)
                for name, value, unit, resolution in previous:
                    recorder.add_metric(name, value, unit=unit, resolution=resolution)
                recorder.flush()
            outputs.append((out.getvalue(), log.getvalue()))
        assert outputs[0] == outputs[1]


def test_a_handlers_usual_metric_set_is_filled_into_its_template(monkeypatch):
    recorder, out, _ = recorder_with_output()
    recorder._state.request_id = "r-1"
    for shipped in (10, 20):
        recorder.add_metric("EventsShipped", shipped)
        recorder.add_metric("ShippingLagMs", 1.5, unit="Milliseconds")
        recorder.flush()
        monkeypatch.setattr(importlib.import_module("handlers.telemetry.metrics"), "emf_lines",
                            lambda *args: pytest.fail("not from the template"))
    first, second = map(json.loads, out.getvalue().splitlines())
    assert (first["EventsShipped"], second["EventsShipped"]) == (10, 20) and second["request_id"] == "r-1"


def test_a_default_dimension_set_later_reaches_the_next_line_of_a_templated_set():
    recorder, out, _ = recorder_with_output()
    for stage in (None, "blue", "green"):
        if stage:
            recorder.set_default_dimensions(Stage=stage)
        recorder.add_metric("Orders", 1)
        recorder.flush()
    lines = [json.loads(line) for line in out.getvalue().splitlines()]
    assert [line.get("Stage") for line in lines] == [None, "blue", "green"]
    assert lines[-1]["_aws"]["CloudWatchMetrics"][0]["Dimensions"] == [["Service", "Stage"]]
