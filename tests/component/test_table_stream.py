"""TableStream: another service's DynamoDB stream feeding a function, with the stream consumer's failure handling."""
from __future__ import annotations

import json

import pytest
from hypothesis import given, settings as hypothesis_settings, strategies as st

from components.services.http_plan import Route
from components.services.http_service import HttpServiceArgs, TableSpec
from components.services.stream_consumer import DYNAMODB_STREAM_READ, StreamReading
from components.services.table_stream import EVENT_NAMES, TableStreamArgs, event_filter
from components.services.topic import TopicArgs
from tests.component.harness import Run, alarm_keys, alarms, arn, catalog, core_for, in_catalog, policy, section_titles

ORDERS = "platform-dev-shop-table"


@in_catalog
def declare(platform):
    shop = platform.add("shop", HttpServiceArgs(handler="h.shop.handler", routes=[Route("POST", "/orders")],
                                                table=TableSpec(hash_key="order_id", stream="NEW_AND_OLD_IMAGES")))
    alerts = platform.add("change-alerts", TopicArgs())
    platform.add("mirror", TableStreamArgs(
        source=shop.tables["table"], handler="h.mirror.handler", event_names=["INSERT", "MODIFY"], idempotency=True,
        tables=[TableSpec(hash_key="day", range_key="sku", actions=("dynamodb:UpdateItem",))],
        access=[alerts.publish_access("ALERTS_TOPIC_ARN")],
        reading=StreamReading(max_retries=0, parallelization_factor=2)))
    platform.add("every-change", TableStreamArgs(source=shop.tables["table"], handler="h.all.handler"))
    platform.add("unstreamed", HttpServiceArgs(handler="h.app.handler", routes=[Route("GET", "/a")],
                                          table=TableSpec(hash_key="id")))


@pytest.fixture(scope="module")
def streams() -> Run:
    return catalog()


def test_consumer_reads_the_source_tables_stream_with_only_the_declared_changes(streams):
    mapping = streams.view.get("mirror-consumer-source").inputs
    assert mapping["eventSourceArn"].startswith(arn("dynamodb", f"table/{ORDERS}/stream/"))
    assert mapping["filterCriteria"] == {"filters": [{"pattern": json.dumps({"eventName": ["INSERT", "MODIFY"]})}]}
    assert "filterCriteria" not in streams.view.get("every-change-consumer-source").inputs


def test_consumer_isolates_poison_records_and_keeps_failed_ranges(streams):
    mapping = streams.view.get("mirror-consumer-source").inputs
    assert (mapping["bisectBatchOnFunctionError"], mapping["functionResponseTypes"]) == (
        True, ["ReportBatchItemFailures"])
    assert (mapping["batchSize"], mapping["maximumRetryAttempts"], mapping["maximumRecordAgeInSeconds"]) == (
        40, 0, 900)                    # max_retries=0 is declared, not replaced by the profile's 7
    assert mapping["parallelizationFactor"] == 2 and mapping["startingPosition"] == "TRIM_HORIZON"
    assert mapping["destinationConfig"]["onFailure"]["destinationArn"] == arn("sqs", "platform-dev-mirror-consumer-failed")
    other = streams.view.get("every-change-consumer-source").inputs
    assert (other["maximumRetryAttempts"], other["parallelizationFactor"]) == (7, 1)


def test_role_reads_any_stream_of_the_source_table_and_owns_only_its_own_tables(streams):
    statements = policy(streams.view, "mirror-consumer-policy")
    assert set(statements) == {"WriteOwnLogs", "WriteTraces", "ReadStream", "KeepFailedRanges", "UseOwnTable",
                               "UseOwnIdempotency", "PublishChangeAlerts", "UseStackKeyViaDynamodbSnsSqs"}
    assert (statements["ReadStream"]["Action"], statements["ReadStream"]["Resource"]) == (
        list(DYNAMODB_STREAM_READ), arn("dynamodb", f"table/{ORDERS}/stream/*"))
    own = arn("dynamodb", "table/platform-dev-mirror-table")
    assert statements["UseOwnTable"]["Resource"] == [own, f"{own}/index/*"]
    assert not [s for s in statements.values() if ORDERS in json.dumps(s) and s["Sid"] != "ReadStream"]


def test_alarm_set_iterator_age_consumer_errors_and_failed_range_depth(streams):
    keys = alarm_keys(streams.view, "mirror")
    assert {"lambda-consumer-iterator-age-warning", "lambda-consumer-iterator-age-critical",
            "lambda-consumer-errors-warning", "lambda-consumer-errors-critical",
            "sqs-consumer-failed-dlq-depth-critical"} <= keys
    age = alarms(streams.view, "mirror")["platform-dev-mirror-lambda-consumer-iterator-age-warning"]
    assert (age["metricName"], age["dimensions"], age["statistic"]) == (
        "IteratorAge", {"FunctionName": "platform-dev-mirror-consumer"}, "Maximum")


def test_dashboard_and_output(streams):
    assert section_titles(streams.view, "mirror") == [
        "Lambda platform-dev-mirror-consumer", "DynamoDB platform-dev-mirror-table",
        "DynamoDB platform-dev-mirror-idempotency", "SQS dead-letter queue platform-dev-mirror-consumer-failed", "Logs"]
    entry = streams.view.outputs["services"]["mirror"]
    assert (entry["kind"], entry["source"], entry["functionName"]) == ("table-stream", ORDERS,
                                                                       "platform-dev-mirror-consumer")


# -- bad arguments --------------------------------------------------------------------------------
CORE = core_for()


class Table:
    """What TableStreamArgs.problems reads of an OwnedTable (the check is by type, so this one fails it)."""

    name, stream_arn = "platform-dev-x-table", "arn:aws:dynamodb:eu-west-1:123456789012:table/x/stream/1"


@hypothesis_settings(max_examples=100, deadline=None)
@given(names=st.lists(st.sampled_from([*EVENT_NAMES, "DELETE", "insert", ""]), max_size=5))
def test_event_names_are_a_non_empty_subset_of_dynamodbs_change_types(names):
    problems = TableStreamArgs(source=Table(), handler="h.app.handler", event_names=names).problems(CORE)
    valid = bool(names) and set(names) <= set(EVENT_NAMES)
    assert any(p.startswith("event_names") for p in problems) == (not valid)
    if valid:
        pattern = event_filter(names)
        if set(names) == set(EVENT_NAMES):
            assert pattern is None                   # every change wanted: no filter at all
        else:
            assert set(json.loads(pattern)["eventName"]) == set(names)


def test_a_source_must_be_a_streamed_table_of_another_service(streams):
    problems = TableStreamArgs(source=Table(), handler="h.app.handler").problems(CORE)
    assert problems == ["source: a table of another service, e.g. orders.tables['table']"]
    plain = next(s for s in streams.platform.services if s.service == "unstreamed")
    problems = TableStreamArgs(source=plain.tables["table"], handler="h.app.handler").problems(CORE)
    assert problems == ["source: table platform-dev-unstreamed-table has no stream; declare it with stream='NEW_IMAGE'"]


@hypothesis_settings(max_examples=100, deadline=None)
@given(age=st.integers(60, 604800))
def test_a_failed_record_must_reach_the_on_failure_queue_before_dynamodb_trims_it(streams, age):
    source = next(s for s in streams.platform.services if s.service == "shop").tables["table"]
    problems = TableStreamArgs(source=source, handler="h.app.handler",
                               reading=StreamReading(max_record_age_seconds=age)).problems(CORE)
    assert any(p.startswith("reading.max_record_age_seconds") for p in problems) == (age > 24 * 3600)


@pytest.mark.parametrize("args, argument", [
    ({"reading": StreamReading(batch_size=0)}, "batch_size = 0"),
    ({"reading": StreamReading(max_record_age_seconds=30)}, "max_record_age_seconds = 30"),
    ({"timeout_seconds": 901}, "timeout_seconds = 901"),
    ({"handler": "consumer"}, "handler = 'consumer'"),
])
def test_each_bad_argument_is_named(streams, args, argument):
    source = next(s for s in streams.platform.services if s.service == "shop").tables["table"]
    problems = TableStreamArgs(source=source, handler=args.pop("handler", "h.app.handler"), **args).problems(CORE)
    assert any(p.startswith(argument) for p in problems), problems
