"""The recorder behind the handler declarations: IAM names for operations, and only handler code counts."""
from __future__ import annotations

import boto3
import moto
import pytest

from handlers.orders.repository import OrdersRepository
from handlers.permissions import declaration_of, merged
from tests.handlers.aws_calls import iam_actions, recording
from tests.handlers.telemetry.fixtures import clean_telemetry, spans

REGION = "us-east-1"


@pytest.mark.parametrize("service,operation,params,expected", [
    ("dynamodb", "GetItem", {}, ("dynamodb:GetItem",)),
    ("dynamodb", "TransactWriteItems", {"TransactItems": [{"Update": {}}, {"Put": {}}, {"ConditionCheck": {}}]},
     ("dynamodb:ConditionCheckItem", "dynamodb:PutItem", "dynamodb:UpdateItem")),
    ("s3", "ListObjectsV2", {}, ("s3:ListBucket",)),
    ("lambda", "Invoke", {}, ("lambda:InvokeFunction",)),
    ("sqs", "SendMessageBatch", {}, ("sqs:SendMessage",)),
    ("monitoring", "PutMetricData", {}, ("cloudwatch:PutMetricData",)),
])
def test_operations_are_named_as_iam_names_them(service: str, operation: str, params: dict,
                                                expected: tuple[str, ...]) -> None:
    assert iam_actions(service, operation, params) == expected


@pytest.fixture
def table(monkeypatch: pytest.MonkeyPatch, clean_telemetry, spans):  # noqa: F811 - spans stay in memory
    for name in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"):
        monkeypatch.setenv(name, "testing")
    with moto.mock_aws():
        client = boto3.client("dynamodb", region_name=REGION)
        client.create_table(TableName="t", KeySchema=[{"AttributeName": "order_id", "KeyType": "HASH"}],
                            AttributeDefinitions=[{"AttributeName": "order_id", "AttributeType": "S"}],
                            BillingMode="PAY_PER_REQUEST")
        yield client


def test_only_calls_made_by_handler_code_are_recorded(table) -> None:
    with recording() as actions:
        table.scan(TableName="t")                         # the test's own call
        OrdersRepository(table, "t").get("o-1")           # the handler's
    assert actions == {"orders": {"dynamodb:GetItem"}}


def test_each_package_answers_for_its_own_calls(table) -> None:
    """A test of one handler may run another's real code; each call counts for the code that made it."""
    from handlers.telemetry.idempotency import IdempotencyStore

    table.create_table(TableName="idempotency", KeySchema=[{"AttributeName": "id", "KeyType": "HASH"}],
                       AttributeDefinitions=[{"AttributeName": "id", "AttributeType": "S"}],
                       BillingMode="PAY_PER_REQUEST")
    with recording() as actions:
        OrdersRepository(table, "t").get("o-1")
        IdempotencyStore("idempotency", table, 60).try_start("k")
    assert actions == {"orders": {"dynamodb:GetItem"}, "telemetry": {"dynamodb:PutItem"}}


def test_calls_under_an_operator_module_are_not_the_functions(table) -> None:
    with recording(excluded_modules=("handlers.orders.repository",)) as actions:
        OrdersRepository(table, "t").get("o-1")
    assert actions == {}


def test_declarations_merge_and_a_package_without_one_declares_nothing() -> None:
    assert merged({"A": ("x:One",)}, {"A": ("x:Two",), "B": ("y:One",)}) == {"A": ("x:One", "x:Two"),
                                                                            "B": ("y:One",)}
    assert declaration_of("no_such_package") is None
    shipper = declaration_of("log_shipper")
    assert shipper is not None and shipper.run_by_operators == ("handlers.log_shipper.replay",)


__all__ = ["clean_telemetry", "spans"]
