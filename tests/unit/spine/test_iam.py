import json

from components import iam

CTX = iam.AccountContext(account_id="111122223333", region="eu-west-1")


def test_function_log_permissions_are_limited_to_its_own_group_and_cannot_create_groups():
    statement = iam.write_logs(CTX, ["/platform/dev/orders/lambda-api"])
    assert statement["Action"] == ["logs:CreateLogStream", "logs:PutLogEvents"]
    assert statement["Resource"] == ["arn:aws:logs:eu-west-1:111122223333:log-group:/platform/dev/orders/lambda-api:*"]


def test_table_access_is_scoped_to_the_table_and_its_indexes():
    arn = "arn:aws:dynamodb:eu-west-1:111122223333:table/platform-dev-orders-table"
    statement = iam.dynamodb_access(arn)
    assert statement["Resource"] == [arn, f"{arn}/index/*"]
    assert all(action.startswith("dynamodb:") and "*" not in action for action in statement["Action"])


def test_key_use_is_only_via_named_services():
    statement = iam.use_key_via(CTX, "arn:aws:kms:eu-west-1:111122223333:key/k", ["dynamodb"])
    assert statement["Condition"] == {"StringEquals": {"kms:ViaService": ["dynamodb.eu-west-1.amazonaws.com"]}}


def test_stack_key_policy_lets_logs_alarms_and_sns_use_the_key():
    policy = json.loads(iam.stack_key_policy(CTX, "platform", "dev"))
    by_sid = {s["Sid"]: s for s in policy["Statement"]}
    logs = by_sid["CloudWatchLogsEncrypts"]
    assert logs["Principal"] == {"Service": "logs.eu-west-1.amazonaws.com"}
    assert logs["Condition"]["ArnLike"]["kms:EncryptionContext:aws:logs:arn"] == \
        "arn:aws:logs:eu-west-1:111122223333:log-group:/platform/dev/*"
    assert by_sid["AlarmsPublishToEncryptedTopics"]["Principal"] == {"Service": "cloudwatch.amazonaws.com"}
    assert by_sid["SnsDeliversEncryptedMessages"]["Principal"] == {"Service": "sns.amazonaws.com"}
    for sid in ("AlarmsPublishToEncryptedTopics", "SnsDeliversEncryptedMessages"):
        assert by_sid[sid]["Condition"] == {"StringEquals": {"aws:SourceAccount": "111122223333"}}


def test_documents_are_deterministic():
    assert iam.assume_role_policy("lambda.amazonaws.com") == iam.assume_role_policy("lambda.amazonaws.com")


def test_xray_group_filter_lists_every_traced_node_once_in_a_stable_order():
    from components.core import xray_group_filter

    assert xray_group_filter(["platform-dev-b", "platform-dev-a/v1", "platform-dev-b"]) == \
        'service("platform-dev-a/v1") OR service("platform-dev-b")'
