"""Page views per page per minute, each Kinesis record counted exactly once.

A record is counted by one DynamoDB transaction: a marker item for the record (`page =
"record#<event id>"`, `minute = "-"`, put only if absent) and the increment of its
`(page, minute)` counter. A retried, bisected or replayed record finds its marker and the
transaction is cancelled whole, so it never counts twice; a failure before the commit
counts nothing, so the retry counts it once. Pages start with '/', so a marker never
collides with one. Markers expire (TTL `expires_at`) after `MARKER_TTL_SECONDS`, beyond any
stream retention the platform configures.
"""

from __future__ import annotations

from typing import Any

MARKER_PREFIX = "record#"
MARKER_MINUTE = "-"
MARKER_TTL_SECONDS = 8 * 24 * 3600  # a Kinesis stream keeps records 24 h by default, 7 days at the most the platform uses


def count_items(table: str, record_id: str, page: str, minute: str, arrived: float) -> list[dict[str, Any]]:
    marker = {
        "page": {"S": MARKER_PREFIX + record_id},
        "minute": {"S": MARKER_MINUTE},
        "expires_at": {"N": str(int(arrived) + MARKER_TTL_SECONDS)},
    }
    return [
        {"Put": {"TableName": table, "Item": marker, "ConditionExpression": "attribute_not_exists(page)"}},
        {
            "Update": {
                "TableName": table,
                "Key": {"page": {"S": page}, "minute": {"S": minute}},
                "UpdateExpression": "ADD #views :one",
                "ExpressionAttributeNames": {"#views": "views"},
                "ExpressionAttributeValues": {":one": {"N": "1"}},
            }
        },
    ]


class PageViews:
    def __init__(self, client: Any, table: str) -> None:
        self.client = client
        self.table = table

    def count_once(self, record_id: str, page: str, minute: str, arrived: float) -> bool:
        """True when counted now; False when this record was counted before."""
        try:
            self.client.transact_write_items(TransactItems=count_items(self.table, record_id, page, minute, arrived))
        except self.client.exceptions.TransactionCanceledException as error:
            reasons = error.response.get("CancellationReasons") or []
            if reasons and reasons[0].get("Code") == "ConditionalCheckFailed":
                return False
            raise  # a conflict or throttling: the record fails and the stream retries it
        return True
