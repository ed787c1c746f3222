"""QueueWorker: an encrypted queue with a dead-letter queue, a partial-batch consumer, optional ingest route."""
from __future__ import annotations

import json

import pytest
from hypothesis import given, settings as hypothesis_settings, strategies as st

from components.services.internal_function import InternalFunctionArgs
from components.services.queue_worker import MAX_VISIBILITY_SECONDS, QueueWorkerArgs
from components.services.rest_api import Ingest, UsagePlan
from components.services.http_service import TableSpec
from tests.component.harness import (Run, alarm_keys, alarms, arn, catalog, core_for, dashboard_text, in_catalog,
                                     inputs, names_argument, policy, section_titles)

GET, PUT = "dynamodb:GetItem", "dynamodb:PutItem"
SCHEMA = {"type": "object", "required": ["event_id"], "properties": {"event_id": {"type": "string"}}}
CONSUMER_ACTIONS = ["sqs:ReceiveMessage", "sqs:DeleteMessage", "sqs:GetQueueAttributes"]


@in_catalog
def declare(platform):
    intake = platform.add("intake", QueueWorkerArgs(
        handler="handlers.intake.app.handler", timeout_seconds=20, batch_size=50, batching_window_seconds=5,
        max_concurrency=4, idempotency=True, tables=[TableSpec(hash_key="id", actions=(GET, PUT))],
        secrets={"API_TOKEN_ARN": "t" * 32},
        ingest=Ingest(path="/events", auth="api_key", schema=SCHEMA, headers_to_attributes={"X-Signature": "signature"},
                      usage_plan=UsagePlan(keys=("partner",), rate_limit=5, burst_limit=10, quota_per_day=500))))
    platform.add("tickets", QueueWorkerArgs(handler="handlers.tickets.app.handler", fifo=True,
                                            content_based_deduplication=True))
    platform.add("ledger", QueueWorkerArgs(handler="handlers.ledger.app.handler", fifo=True,
                                           ingest=Ingest(path="/entries")))
    platform.add("feeder", InternalFunctionArgs(handler="handlers.feeder.app.handler",
                                                access=[intake.send_access("INTAKE_QUEUE_URL")]))


@pytest.fixture(scope="module")
def workers() -> Run:
    return catalog()



def test_queue_is_encrypted_long_polled_and_redrives_to_its_dlq_after_the_profiles_receive_count(workers):
    q, dlq = inputs(workers, "intake-queue"), inputs(workers, "intake-dlq")
    assert q["name"] == "platform-dev-intake-queue" and dlq["name"] == "platform-dev-intake-dlq"
    for queue in (q, dlq):
        assert queue["kmsMasterKeyId"].startswith("arn:aws:kms:eu-west-1:123456789012:key/")
        assert queue["kmsDataKeyReusePeriodSeconds"] == 300
        assert "fifoQueue" not in queue
    assert q["receiveWaitTimeSeconds"] == 20
    assert json.loads(q["redrivePolicy"]) == {"deadLetterTargetArn": arn("sqs", "platform-dev-intake-dlq"),
                                              "maxReceiveCount": 4}
    assert dlq["messageRetentionSeconds"] == 14 * 24 * 3600 and "redrivePolicy" not in dlq


def test_visibility_is_six_times_the_consumer_timeout_plus_the_batching_window(workers):
    assert inputs(workers, "intake-queue")["visibilityTimeoutSeconds"] == 6 * 20 + 5
    assert inputs(workers, "tickets-queue")["visibilityTimeoutSeconds"] == 6 * 20  # workerTimeoutSeconds, no window


def test_consumer_reports_partial_batches_with_its_batch_window_and_concurrency_cap(workers):
    mapping = workers.view.get("intake-worker-source").inputs
    assert mapping["eventSourceArn"] == arn("sqs", "platform-dev-intake-queue")
    assert mapping["functionName"] == "platform-dev-intake-worker"
    assert (mapping["batchSize"], mapping["maximumBatchingWindowInSeconds"]) == (50, 5)
    assert mapping["functionResponseTypes"] == ["ReportBatchItemFailures"]
    assert mapping["scalingConfig"] == {"maximumConcurrency": 4}
    fn = workers.view.get("intake-worker-function").inputs
    assert fn["timeout"] == 20 and fn["reservedConcurrentExecutions"] == -1


def test_fifo_queues_and_their_dlqs_end_in_fifo_and_deduplicate_as_declared(workers):
    for service, content_based in (("tickets", True), ("ledger", False)):
        q, dlq = inputs(workers, f"{service}-queue"), inputs(workers, f"{service}-dlq")
        assert q["name"] == f"platform-dev-{service}-queue.fifo" and dlq["name"] == f"platform-dev-{service}-dlq.fifo"
        assert q["fifoQueue"] is True and dlq["fifoQueue"] is True
        assert q["contentBasedDeduplication"] is content_based
        mapping = workers.view.get(f"{service}-worker-source").inputs
        assert mapping["batchSize"] == 10 and "maximumBatchingWindowInSeconds" not in mapping


def test_worker_role_consumes_only_its_queue_and_uses_only_its_tables_secret_and_key(workers):
    statements = policy(workers.view, "intake-worker-policy")
    assert set(statements) == {"WriteOwnLogs", "WriteTraces", "ConsumeOwnQueue", "UseOwnTable", "UseOwnIdempotency",
                               "ReadApiTokenArn", "UseStackKeyViaDynamodbSecretsmanagerSqs"}
    assert statements["ConsumeOwnQueue"]["Action"] == CONSUMER_ACTIONS
    assert statements["ConsumeOwnQueue"]["Resource"] == arn("sqs", "platform-dev-intake-queue")
    table = arn("dynamodb", "table/platform-dev-intake-table")
    assert statements["UseOwnTable"] == {"Sid": "UseOwnTable", "Effect": "Allow", "Action": [GET, PUT],
                                         "Resource": [table, f"{table}/index/*"]}
    assert statements["ReadApiTokenArn"]["Action"] == ["secretsmanager:GetSecretValue"]
    assert statements["ReadApiTokenArn"]["Resource"].startswith(
        arn("secretsmanager", "secret:platform/dev/intake/api-token-arn"))
    assert statements["WriteOwnLogs"]["Resource"] == [
        arn("logs", "log-group:/platform/dev/intake/lambda-worker:*")]
    key = statements["UseStackKeyViaDynamodbSecretsmanagerSqs"]
    assert key["Condition"] == {"StringEquals": {"kms:ViaService": [
        "dynamodb.eu-west-1.amazonaws.com", "secretsmanager.eu-west-1.amazonaws.com", "sqs.eu-west-1.amazonaws.com"]}}
    env = workers.view.get("intake-worker-function").inputs["environment"]["variables"]
    assert env["TABLE_NAME"] == "platform-dev-intake-table"
    assert env["IDEMPOTENCY_TABLE"] == "platform-dev-intake-idempotency"
    assert env["API_TOKEN_ARN"].startswith(arn("secretsmanager", "secret:platform/dev/intake/"))
    assert "t" * 32 not in json.dumps(env)


def test_send_access_grants_send_on_this_queue_only_and_names_its_url(workers):
    statements = policy(workers.view, "feeder-function-policy")
    assert statements["SendToIntake"]["Action"] == ["sqs:SendMessage"]
    assert statements["SendToIntake"]["Resource"] == arn("sqs", "platform-dev-intake-queue")
    assert statements["UseStackKeyViaSqs"]["Resource"].startswith("arn:aws:kms:")
    env = workers.view.get("feeder-function-function").inputs["environment"]["variables"]
    assert env["INTAKE_QUEUE_URL"] == "https://sqs.eu-west-1.amazonaws.com/123456789012/platform-dev-intake-queue"


def test_ingest_route_writes_the_validated_body_and_signature_header_to_the_queue(workers):
    view = workers.view
    integration = view.get("intake-post-events-integration").inputs
    assert integration["type"] == "AWS" and integration["integrationHttpMethod"] == "POST"
    assert integration["uri"] == "arn:aws:apigateway:eu-west-1:sqs:path/123456789012/platform-dev-intake-queue"
    assert integration["passthroughBehavior"] == "NEVER"
    assert integration["credentials"] == "arn:aws:iam::123456789012:role/platform-dev-intake-api-integration"
    template = integration["requestTemplates"]["application/json"]
    assert template.startswith("Action=SendMessage&MessageBody=$util.urlEncode($input.body)")
    assert "MessageAttribute.1.Name=signature" in template and "X-Signature" in template
    method = view.get("intake-post-events").inputs
    assert method["apiKeyRequired"] is True and method["authorization"] == "NONE"
    assert method["requestValidatorId"]
    assert view.get("intake-validate-body").inputs["validateRequestBody"] is True
    model = view.get("intake-post-events-model").inputs
    assert method["requestModels"] == {"application/json": model["name"]}
    assert json.loads(model["schema"]) == SCHEMA
    role = policy(view, "intake-api-integration-policy")
    assert set(role) == {"PostEvents", "UseStackKeyViaSqs"}
    assert role["PostEvents"]["Action"] == ["sqs:SendMessage"]
    assert role["PostEvents"]["Resource"] == arn("sqs", "platform-dev-intake-queue")
    assert role["UseStackKeyViaSqs"]["Action"] == ["kms:GenerateDataKey"]


def test_ingest_usage_plan_throttles_and_caps_its_keys(workers):
    plan = workers.view.get("intake-usage-plan").inputs
    assert plan["throttleSettings"] == {"rateLimit": 5, "burstLimit": 10}
    assert plan["quotaSettings"] == {"limit": 500, "period": "DAY"}
    assert workers.view.get("intake-key-partner").inputs["name"] == "platform-dev-intake-key-partner"


def test_fifo_ingest_makes_each_request_its_own_group_and_deduplication_id(workers):
    template = workers.view.get("ledger-post-entries-integration").inputs["requestTemplates"]["application/json"]
    assert "MessageGroupId=$context.requestId&MessageDeduplicationId=$context.requestId" in template
    assert workers.view.get("ledger-post-entries").inputs["apiKeyRequired"] is False


def test_alarm_set_dlq_depth_critical_at_one_age_against_visibility_and_consumer_errors(workers):
    keys = alarm_keys(workers.view, "intake")
    assert {"sqs-dlq-dlq-depth-critical", "sqs-queue-age-warning", "lambda-worker-errors-warning",
            "lambda-worker-errors-critical", "lambda-worker-throttles-warning", "lambda-worker-duration-warning",
            "api-api-5xx-warning", "dynamodb-table-throttles-warning",
            "dynamodb-idempotency-throttles-warning"} <= keys
    assert "sqs-queue-age-critical" not in keys          # switched off in CATALOG_CONFIG
    by_name = alarms(workers.view, "intake")
    depth = by_name["platform-dev-intake-sqs-dlq-dlq-depth-critical"]
    assert (depth["metricName"], depth["dimensions"], depth["threshold"], depth["evaluationPeriods"]) == (
        "ApproximateNumberOfMessagesVisible", {"QueueName": "platform-dev-intake-dlq"}, 1, 1)
    assert depth["tags"]["platform:severity"] == "critical"
    age = by_name["platform-dev-intake-sqs-queue-age-warning"]
    assert age["metricName"] == "ApproximateAgeOfOldestMessage"
    assert age["threshold"] == 1.5 * (6 * 20 + 5)       # 150 % of the visibility timeout
    errors = by_name["platform-dev-intake-lambda-worker-errors-warning"]
    assert [q["id"] for q in errors["metricQueries"]] == ["invocations", "errors", "error_rate"]


def test_dashboard_has_a_section_per_resource_and_output_names_queue_and_url(workers):
    assert section_titles(workers.view, "intake") == [
        "API platform-dev-intake-api/v1", "Lambda platform-dev-intake-worker", "DynamoDB platform-dev-intake-table",
        "DynamoDB platform-dev-intake-idempotency", "SQS platform-dev-intake-queue",
        "SQS dead-letter queue platform-dev-intake-dlq", "Logs"]
    assert any("platform-dev-intake-worker" in text for text in dashboard_text(workers.view, "intake"))
    entry = workers.view.outputs["services"]["intake"]
    assert entry["kind"] == "queue-worker"
    assert entry["queueUrl"] == "https://sqs.eu-west-1.amazonaws.com/123456789012/platform-dev-intake-queue"
    assert entry["url"].endswith(".execute-api.eu-west-1.amazonaws.com/v1")
    assert "url" not in workers.view.outputs["services"]["tickets"]


def test_profile_defaults_size_the_queue_when_the_service_says_nothing():
    core = core_for(workerTimeoutSeconds="45", queueBatchingWindowSeconds="10", queueBatchSize="200",
                    queueMaxConcurrency="7", queueMaxReceiveCount="9")
    standard, fifo = QueueWorkerArgs(handler="h.app.handler"), QueueWorkerArgs(handler="h.app.handler", fifo=True)
    assert standard.resolved(core) == (200, 10, 7, 9, 6 * 45 + 10)
    assert fifo.resolved(core) == (10, 0, 7, 9, 6 * 45)   # FIFO: at most 10, no window
    assert standard.problems(core) == [] and fifo.problems(core) == []


# -- bad arguments --------------------------------------------------------------------------------
CORE = core_for()


def problems_of(**args) -> list[str]:
    return QueueWorkerArgs(handler=args.pop("handler", "h.app.handler"), **args).problems(CORE)



@hypothesis_settings(max_examples=200, deadline=None)
@given(timeout=st.integers(1, 900), window=st.integers(0, 300), visibility=st.integers(0, 60000))
def test_visibility_below_six_consumer_timeouts_or_above_twelve_hours_is_rejected(timeout, window, visibility):
    problems = problems_of(timeout_seconds=timeout, batching_window_seconds=window, visibility_timeout_seconds=visibility)
    too_short = visibility < 6 * timeout + window
    assert names_argument(problems, "visibility_timeout_seconds") == (too_short or visibility > MAX_VISIBILITY_SECONDS)
    if too_short:
        assert any(f"consumer's {timeout} s timeout" in p for p in problems)


@hypothesis_settings(max_examples=200, deadline=None)
@given(fifo=st.booleans(), batch=st.integers(-5, 12000), window=st.integers(0, 300))
def test_batch_sizes_follow_the_queue_type_and_the_batching_window(fifo, batch, window):
    problems = problems_of(fifo=fifo, batch_size=batch, batching_window_seconds=window)
    limit = 10 if fifo else 10000
    assert names_argument(problems, "batch_size") == (not 1 <= batch <= limit or (batch > 10 and window == 0))
    assert names_argument(problems, "batching_window_seconds") == (fifo and window > 0)


@hypothesis_settings(max_examples=100, deadline=None)
@given(concurrency=st.integers(-1, 1500), receives=st.integers(-1, 1500))
def test_concurrency_and_receive_count_stay_within_the_mapping_and_sqs_limits(concurrency, receives):
    problems = problems_of(max_concurrency=concurrency, max_receive_count=receives)
    assert names_argument(problems, "max_concurrency") == (not 2 <= concurrency <= 1000)
    assert names_argument(problems, "max_receive_count") == (not 1 <= receives <= 1000)


@pytest.mark.parametrize("args, argument", [
    ({"content_based_deduplication": True}, "content_based_deduplication"),
    ({"handler": "app"}, "handler"),
    ({"handler": "handlers.bad-name.app.handler"}, "handler"),
    ({"timeout_seconds": 901}, "timeout_seconds"),
    ({"timeout_seconds": 0}, "timeout_seconds = 0"),
    ({"memory_mb": 100}, "memory_mb"),
    ({"reserved_concurrency": -1}, "reserved_concurrency"),
    ({"secrets": {"token": "x"}}, "secrets"),
    ({"ingest": Ingest(path="/events", method="GET")}, "ingest: route GET /events: only POST or PUT"),
    ({"ingest": Ingest(path="/events", auth="api_key")}, "ingest: route POST /events: auth='api_key' needs"),
    ({"ingest": Ingest(path="events")}, "ingest: route POST events: path must be"),
    ({"ingest": Ingest(path="/e", auth="api_key", usage_plan=UsagePlan(keys=()))}, "ingest.usage_plan.keys"),
])
def test_each_bad_argument_is_named(args, argument):
    problems = problems_of(**args)
    assert names_argument(problems, argument), problems


def test_every_problem_is_reported_at_once():
    problems = problems_of(fifo=True, batch_size=11, batching_window_seconds=5, max_concurrency=1,
                           visibility_timeout_seconds=10)
    assert [p.split(" ")[0] for p in problems] == ["batch_size", "batching_window_seconds", "max_concurrency",
                                                   "visibility_timeout_seconds"]
