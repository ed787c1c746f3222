"""``python -m handlers.log_shipper.replay``: re-ship dead-lettered logs once the cause is fixed.

Sources: the S3 dead-letter bucket (document and payload objects) and the on-failure
destination queue (Lambda async failure records with the original event, and Kinesis
failure records whose range is re-read from the stream). Prints a JSON summary.
"""
from __future__ import annotations

import argparse
import json
import os
import sys
from typing import Any, Sequence

from handlers.log_shipper.config import ShipperConfig
from handlers.log_shipper.dead_letters import DeadLetterStore
from handlers.log_shipper.delivery import Deliverer
from handlers.log_shipper.replay_sources import (ReplayReport, replay_document_letters, replay_payload_letters,
                                                 replay_queue)
from handlers.log_shipper.retry_policy import RetryPolicy
from handlers.log_shipper.wiring import build_shipper, policy_from, transport_from


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    env = os.environ
    parser = argparse.ArgumentParser(
        prog="python -m handlers.log_shipper.replay",
        description="Re-ship dead-lettered log records to OpenSearch. Objects and messages are deleted only after "
                    "every document they hold is indexed or confirmed already present (409); re-running is safe.")
    parser.add_argument("--endpoint", default=env.get("OPENSEARCH_ENDPOINT"),
                        help="OpenSearch endpoint, https://... (env OPENSEARCH_ENDPOINT)")
    parser.add_argument("--region", default=env.get("AWS_REGION") or env.get("AWS_DEFAULT_REGION") or "us-east-1")
    parser.add_argument("--bucket", default=env.get("DEAD_LETTER_BUCKET"),
                        help="S3 dead-letter bucket (env DEAD_LETTER_BUCKET)")
    parser.add_argument("--skip-bucket", action="store_true", help="do not replay the S3 dead letters")
    parser.add_argument("--queue-url", action="append", default=[],
                        help="on-failure destination SQS queue URL; repeatable")
    parser.add_argument("--stream", help="Kinesis stream name or ARN to re-read ranges from "
                                         "(default: the streamArn in each failure record)")
    parser.add_argument("--max-messages", type=int, default=1_000, help="upper bound of queue messages per run")
    parser.add_argument("--log-index-prefix", default=env.get("LOG_INDEX_PREFIX"))
    parser.add_argument("--trace-index-prefix", default=env.get("TRACE_INDEX_PREFIX"))
    parser.add_argument("--log-group-prefix", default=env.get("LOG_GROUP_PREFIX"))
    parser.add_argument("--environment", default=env.get("ENVIRONMENT", ""))
    parser.add_argument("--dry-run", action="store_true",
                        help="read and decode only: report what would be shipped, write and delete nothing")
    args = parser.parse_args(argv)
    missing = [flag for flag, value in (("--endpoint", args.endpoint), ("--log-index-prefix", args.log_index_prefix),
                                        ("--trace-index-prefix", args.trace_index_prefix)) if not value]
    if args.bucket is None and not args.skip_bucket:
        missing.append("--bucket (or --skip-bucket)")
    if missing:
        parser.error("missing " + ", ".join(missing))
    return args


def config_from(args: argparse.Namespace) -> ShipperConfig:
    return ShipperConfig(endpoint=args.endpoint.rstrip("/"), dead_letter_bucket=args.bucket or "",
                         log_index_prefix=args.log_index_prefix, trace_index_prefix=args.trace_index_prefix,
                         log_group_prefix=args.log_group_prefix or f"/platform/{args.environment}/",
                         environment=args.environment, region=args.region)


def run(args: argparse.Namespace, clients: dict[str, Any] | None = None,
        policy: RetryPolicy | None = None) -> ReplayReport:
    import boto3

    clients = clients or {}
    config = config_from(args)
    s3 = clients.get("s3") or boto3.client("s3", region_name=config.region)
    transport = clients.get("transport") or transport_from(config)
    policy = policy or policy_from(config)
    shipper = build_shipper(config, transport, s3, policy=policy)
    report = ReplayReport()
    if args.bucket and not args.skip_bucket:
        store = DeadLetterStore(s3, args.bucket)
        deliverer = Deliverer(transport, policy, max_chunk_bytes=config.max_chunk_bytes)
        replay_document_letters(s3, args.bucket, deliverer, store, report, args.dry_run)
        replay_payload_letters(s3, args.bucket, shipper, report, args.dry_run)
    if args.queue_url:
        sqs = clients.get("sqs") or boto3.client("sqs", region_name=config.region)
        kinesis = clients.get("kinesis") or boto3.client("kinesis", region_name=config.region)
        for queue_url in args.queue_url:
            replay_queue(sqs, queue_url, kinesis, shipper, report, args.dry_run, args.max_messages, args.stream)
    return report


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    report = run(args)
    json.dump({"dry_run": args.dry_run, **report.as_json()}, sys.stdout, indent=2)
    sys.stdout.write("\n")
    # Non-zero while anything is left to replay, so a wrapper script can loop or alert.
    nothing_left = report.kept_objects == 0 and report.kept_messages == 0
    return 0 if nothing_left or args.dry_run else 1


if __name__ == "__main__":
    sys.exit(main())
