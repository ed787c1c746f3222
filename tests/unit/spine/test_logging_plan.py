import json

from components.iam import AccountContext
from components.logging import plan
from components.resources.buckets import deny_insecure_transport
from components.naming import Namer
from components.settings import load_settings

CTX = AccountContext("111122223333", "eu-west-1")


def test_dev_profile_is_a_single_node_and_prod_multi_az_with_masters():
    dev = plan.cluster_shape(load_settings("dev", {}).opensearch)
    assert (dev.instance_count, dev.dedicated_master_enabled, dev.zone_awareness_enabled) == (1, False, False)
    assert dev.availability_zone_count is None and dev.dedicated_master_type is None
    prod = plan.cluster_shape(load_settings("prod", {
        "platform:opensearchInstanceType": "r7g.large.search", "platform:opensearchInstanceCount": "6",
        "platform:opensearchDedicatedMasterCount": "3", "platform:opensearchAvailabilityZones": "3",
        "platform:opensearchMultiAzWithStandby": "true", "platform:opensearchReplicas": "2"}).opensearch)
    assert (prod.instance_count, prod.dedicated_master_count, prod.availability_zone_count) == (6, 3, 3)
    assert prod.multi_az_with_standby_enabled and prod.zone_awareness_enabled


def test_domain_name_fits_opensearch_limits_even_for_long_stacks():
    assert plan.domain_name(Namer("platform", "dev")) == "platform-dev-logs"
    long_name = plan.domain_name(Namer("platform", "feature-branch-1234"))
    assert len(long_name) <= 28 and long_name[0].isalpha()


def test_domain_logs_policy_is_scoped_to_the_domain_log_groups():
    policy = json.loads(plan.domain_logs_resource_policy(CTX, ["/platform/dev/opensearch/audit"]))
    statement = policy["Statement"][0]
    assert statement["Principal"] == {"Service": "es.amazonaws.com"}
    assert statement["Resource"] == ["arn:aws:logs:eu-west-1:111122223333:log-group:/platform/dev/opensearch/audit:*"]


def test_logs_may_assume_the_stream_role_only_for_the_stacks_groups():
    policy = json.loads(plan.logs_assume_role_policy(CTX, "/platform/dev/"))
    condition = policy["Statement"][0]["Condition"]["StringLike"]["aws:SourceArn"]
    assert condition == "arn:aws:logs:eu-west-1:111122223333:log-group:/platform/dev/*"


def test_dead_letter_bucket_rejects_plain_http_and_is_account_unique():
    assert plan.dead_letter_bucket_name(Namer("platform", "dev"), "111122223333") == \
        "platform-dev-log-shipping-dead-letters-111122223333"
    policy = json.loads(deny_insecure_transport("arn:aws:s3:::b"))
    assert policy["Statement"][0]["Effect"] == "Deny"
    assert policy["Statement"][0]["Condition"] == {"Bool": {"aws:SecureTransport": "false"}}


def test_logs_may_write_to_the_encrypted_stream_and_nothing_else():
    policy = json.loads(plan.logs_to_kinesis_role_policy(CTX, "arn:aws:kinesis:eu-west-1:111122223333:stream/s",
                                                          "arn:aws:kms:eu-west-1:111122223333:key/k"))
    put, key = policy["Statement"]
    assert put["Action"] == ["kinesis:PutRecord", "kinesis:PutRecords"]
    assert put["Resource"] == "arn:aws:kinesis:eu-west-1:111122223333:stream/s"
    assert key["Action"] == ["kms:GenerateDataKey"]
    assert key["Condition"] == {"StringEquals": {"kms:ViaService": ["kinesis.eu-west-1.amazonaws.com"]}}


# Kinesis actions whose resource type is the stream itself (Service Authorization Reference);
# SubscribeToShard's resource is an enhanced fan-out consumer, so on a stream ARN it grants nothing.
KINESIS_STREAM_ACTIONS = {"kinesis:DescribeStream", "kinesis:DescribeStreamSummary", "kinesis:GetRecords",
                          "kinesis:GetShardIterator", "kinesis:ListShards", "kinesis:PutRecord",
                          "kinesis:PutRecords"}


def test_the_shipper_reads_the_stream_with_stream_level_actions_only():
    stream_arn = "arn:aws:kinesis:eu-west-1:111122223333:stream/platform-prod-logs"
    statement = plan.kinesis_read_statement(stream_arn)
    assert statement["Resource"] == stream_arn
    assert set(statement["Action"]) <= KINESIS_STREAM_ACTIONS
    assert {"kinesis:GetRecords", "kinesis:GetShardIterator", "kinesis:DescribeStream",
            "kinesis:ListShards"} <= set(statement["Action"])  # what the polling event source mapping calls
