from __future__ import annotations

import io
import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from handlers.telemetry import MetricResolution, MetricUnit, MetricUnitError, instrument, metrics
from handlers.telemetry.emf import UNITS, MetricSeries, build_documents, dimension_sets
from handlers.telemetry.invocation_state import InvocationState
from handlers.telemetry.metrics import Metrics
from handlers.telemetry.structured_logger import StructuredLogger
from tests.handlers.telemetry.emf_validator import assert_valid_emf, emf_problems
from tests.handlers.telemetry.helpers import FakeLambdaContext, parse_output


def own_metrics() -> tuple[Metrics, io.StringIO, io.StringIO]:
    state = InvocationState(service="orders")
    out, log = io.StringIO(), io.StringIO()
    return Metrics(state, StructuredLogger(state, log), out), out, log


def lines(stream: io.StringIO) -> list[dict]:
    return [json.loads(line) for line in stream.getvalue().splitlines()]


def test_the_validator_rejects_broken_documents():
    assert emf_problems({"a": 1})
    assert emf_problems({"_aws": {"Timestamp": 1, "CloudWatchMetrics": [{"Namespace": "n", "Dimensions": [["Service"]], "Metrics": [{"Name": "M", "Unit": "Count"}]}]}, "M": 1})
    assert emf_problems({"_aws": {"Timestamp": 1, "CloudWatchMetrics": [{"Namespace": "n", "Dimensions": [["S"]], "Metrics": [{"Name": "M", "Unit": "Parsecs"}]}]}, "S": "x", "M": 1})


def test_metrics_are_flushed_as_emf_when_the_handler_returns(capsys):
    @instrument(service="orders")
    def handler(event, ctx):
        metrics.add_metric("OrdersCreated", 1, unit="Count")
        metrics.add_metric("OrdersCreated", 2, unit="Count")
        metrics.add_metric("Latency", 12.5, unit="Milliseconds", resolution=1)

    context = FakeLambdaContext()
    handler({}, context)
    (document,) = parse_output(capsys.readouterr().out).emf
    assert_valid_emf(document)
    directive = document["_aws"]["CloudWatchMetrics"][0]
    assert directive["Namespace"] == "platform/test"
    assert directive["Dimensions"] == [["Service"]]
    assert document["Service"] == "orders"
    assert directive["Metrics"] == [{"Name": "OrdersCreated", "Unit": "Count"}, {"Name": "Latency", "Unit": "Milliseconds", "StorageResolution": 1}]
    assert document["OrdersCreated"] == [1, 2] and document["Latency"] == 12.5
    assert document["request_id"] == context.aws_request_id


def test_metrics_are_flushed_when_the_handler_raises_and_not_carried_over(capsys):
    @instrument(service="orders")
    def handler(event, ctx):
        if event.get("fail"):
            metrics.add_metric("Failures", 1)
            raise RuntimeError("down")

    with pytest.raises(RuntimeError):
        handler({"fail": True}, FakeLambdaContext())
    handler({}, FakeLambdaContext())
    (document,) = parse_output(capsys.readouterr().out).emf
    assert document["Failures"] == 1


def test_more_than_100_metrics_are_split_into_valid_blobs():
    recorder, out, _ = own_metrics()
    for index in range(250):
        recorder.add_metric(f"M{index}", index)
    assert recorder.flush() == 3
    documents = lines(out)
    for document in documents:
        assert_valid_emf(document)
    counts = [len(document["_aws"]["CloudWatchMetrics"][0]["Metrics"]) for document in documents]
    assert counts == [100, 100, 50]
    published = {definition["Name"] for d in documents for definition in d["_aws"]["CloudWatchMetrics"][0]["Metrics"]}
    assert published == {f"M{index}" for index in range(250)}


def test_more_than_100_values_of_one_metric_are_split_not_dropped():
    recorder, out, _ = own_metrics()
    for value in range(230):
        recorder.add_metric("Latency", value, unit="Milliseconds")
    recorder.add_metric("Other", 1)
    recorder.flush()
    documents = lines(out)
    for document in documents:
        assert_valid_emf(document)
    values = []
    for document in documents:
        chunk = document["Latency"]
        values.extend(chunk if isinstance(chunk, list) else [chunk])
    assert values == list(range(230))
    assert sum(1 for document in documents if "Other" in document) == 1


def test_more_than_30_dimensions_are_split_and_keep_service_in_every_set():
    recorder, out, _ = own_metrics()
    for index in range(45):
        recorder.add_dimension(f"D{index}", f"v{index}")
    recorder.add_metric("M", 1)
    recorder.flush()
    documents = lines(out)
    assert len(documents) == 2
    covered = set()
    for document in documents:
        assert_valid_emf(document)
        (dimension_set,) = document["_aws"]["CloudWatchMetrics"][0]["Dimensions"]
        assert len(dimension_set) <= 30 and dimension_set[0] == "Service"
        covered.update(dimension_set)
    assert covered == {"Service", *(f"D{index}" for index in range(45))}


def test_dimension_sets_are_untouched_within_the_limit():
    names = [f"D{index}" for index in range(30)]
    assert dimension_sets(names, "D0") == [names]


@pytest.mark.parametrize(
    ("name", "value", "unit", "resolution"),
    [
        ("", 1, "Count", 60),
        ("x" * 256, 1, "Count", 60),
        ("Bad", "1", "Count", 60),
        ("Bad", float("nan"), "Count", 60),
        ("Bad", True, "Count", 60),
        (None, 1, "Count", 60),
        ("_aws", 1, "Count", 60),
    ],
)
def test_invalid_metrics_are_rejected_with_a_warning_not_an_exception(name, value, unit, resolution):
    recorder, out, log = own_metrics()
    assert recorder.add_metric(name, value, unit=unit, resolution=resolution) is False
    warning = json.loads(log.getvalue())
    assert warning["level"] == "WARNING" and warning["message"] == "metric rejected" and warning["reason"]
    assert recorder.flush() == 0 and out.getvalue() == ""


def test_a_metric_keeps_its_first_unit():
    recorder, out, log = own_metrics()
    recorder.add_metric("M", 1, unit="Count")
    assert recorder.add_metric("M", 2, unit="Seconds") is False
    recorder.flush()
    assert lines(out)[0]["M"] == 1


@pytest.mark.parametrize(("name", "value"), [("", "v"), (":x", "v"), ("Ok", ""), ("Ok", "x" * 1025), ("_aws", "v")])
def test_invalid_dimensions_are_rejected_with_a_warning(name, value):
    recorder, _, log = own_metrics()
    assert recorder.add_dimension(name, value) is False
    assert json.loads(log.getvalue())["message"] == "dimension rejected"


def test_build_documents_is_empty_without_metrics():
    assert build_documents("n", {"Service": "s"}, {}, {}, 0) == []


def test_high_resolution_flag_is_set_only_for_one_second_metrics():
    (document,) = build_documents("n", {"Service": "s"}, {"A": MetricSeries("Count", 1, [1]), "B": MetricSeries("Count", 60, [1])}, {}, 5)
    assert_valid_emf(document)
    assert document["_aws"]["CloudWatchMetrics"][0]["Metrics"] == [{"Name": "A", "Unit": "Count", "StorageResolution": 1}, {"Name": "B", "Unit": "Count"}]


def test_metric_unit_enum_is_published_as_cloudwatch_spells_it():
    recorder, out, _ = own_metrics()
    recorder.add_metric("Latency", 12, unit=MetricUnit.Milliseconds, resolution=MetricResolution.High)
    recorder.add_metric("Throughput", 3, unit=MetricUnit.BytesPerSecond)
    recorder.add_metric("Ratio", 0.5, unit=MetricUnit.NoUnit)
    recorder.flush()
    (document,) = lines(out)
    assert_valid_emf(document)
    assert document["_aws"]["CloudWatchMetrics"][0]["Metrics"] == [
        {"Name": "Latency", "Unit": "Milliseconds", "StorageResolution": 1},
        {"Name": "Throughput", "Unit": "Bytes/Second"},
        {"Name": "Ratio", "Unit": "None"},
    ]


def test_powertools_enums_are_accepted_too():
    from aws_lambda_powertools.metrics import MetricResolution as PowertoolsResolution
    from aws_lambda_powertools.metrics import MetricUnit as PowertoolsUnit

    recorder, out, _ = own_metrics()
    assert recorder.add_metric("Latency", 1, unit=PowertoolsUnit.Milliseconds, resolution=PowertoolsResolution.High)
    recorder.flush()
    assert lines(out)[0]["_aws"]["CloudWatchMetrics"][0]["Metrics"] == [{"Name": "Latency", "Unit": "Milliseconds", "StorageResolution": 1}]


def test_a_misspelt_unit_raises_in_tests_with_a_suggestion():
    recorder, out, _ = own_metrics()
    with pytest.raises(MetricUnitError, match="did you mean 'Milliseconds'"):
        recorder.add_metric("Latency", 12, unit="Millisecond")
    with pytest.raises(MetricUnitError, match="resolution"):
        recorder.add_metric("Latency", 12, unit="Milliseconds", resolution=5)
    assert recorder.flush() == 0


def test_a_misspelt_unit_inside_lambda_warns_without_failing_the_invocation(monkeypatch, capsys):
    monkeypatch.setenv("AWS_LAMBDA_FUNCTION_NAME", "platform-test-orders-api")
    monkeypatch.setenv("TELEMETRY_XRAY_PATCH", "off")
    monkeypatch.setenv("TELEMETRY_GC_FREEZE", "off")
    monkeypatch.setenv("TELEMETRY_STDLIB_LOGGING", "off")

    @instrument(service="orders")
    def handler(event, ctx):
        accepted = metrics.add_metric("Latency", 12, unit="Millisecond")
        metrics.add_metric("Served", 1, unit=MetricUnit.Count)
        return {"statusCode": 200, "accepted": accepted}

    assert handler({}, FakeLambdaContext()) == {"statusCode": 200, "accepted": False}
    output = parse_output(capsys.readouterr().out)
    (warning,) = [log for log in output.logs if log["message"] == "metric rejected"]
    assert "'Millisecond' is not a CloudWatch unit" in warning["reason"] and warning["level"] == "WARNING"
    (document,) = output.emf
    assert "Served" in document and "Latency" not in document


ANY_UNIT = st.one_of(st.sampled_from(sorted(UNITS)), st.text(max_size=20), st.integers(), st.none(), st.lists(st.text(max_size=3), max_size=2))


@settings(max_examples=200, deadline=None)
@given(unit=ANY_UNIT, in_lambda=st.booleans())
def test_any_unit_is_published_exactly_when_cloudwatch_knows_it(unit, in_lambda):
    """Over every unit value: a CloudWatch unit is published; anything else raises outside Lambda and,
    inside Lambda, is a warning with nothing published and no exception."""
    recorder, out, log = own_metrics()
    valid = isinstance(unit, str) and unit in UNITS
    with pytest.MonkeyPatch.context() as patch:
        if in_lambda:
            patch.setenv("AWS_LAMBDA_FUNCTION_NAME", "f")
        else:
            patch.delenv("AWS_LAMBDA_FUNCTION_NAME", raising=False)
        if valid or in_lambda:
            assert recorder.add_metric("M", 1, unit=unit) is valid
        else:
            with pytest.raises(MetricUnitError):
                recorder.add_metric("M", 1, unit=unit)
    recorder.flush()
    if valid:
        assert lines(out)[0]["_aws"]["CloudWatchMetrics"][0]["Metrics"] == [{"Name": "M", "Unit": unit}]
    else:
        assert out.getvalue() == ""
        assert (json.loads(log.getvalue())["message"] == "metric rejected") if in_lambda else log.getvalue() == ""
