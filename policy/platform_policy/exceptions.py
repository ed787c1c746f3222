"""Rules a dev stack is excused from, each with its reason; prod is excused from none.

Only whole rules are excused, and only where the stack says it is dev (`platform:environment` tag),
so a prod stack cannot borrow a dev exception by passing the wrong enforcement configuration.
"""
from __future__ import annotations

DEV_EXCEPTIONS: dict[str, str] = {
    "apigateway-waf": "a web ACL costs a monthly fee per ACL and rule; dev serves no public traffic",
    "dynamodb-point-in-time-recovery": "dev data is disposable; continuous backups are billed per GB",
    "dynamodb-deletion-protection": "dev stacks are destroyed and rebuilt at will",
    "opensearch-three-data-nodes": "dev runs a single t3 node to keep the domain cheap; its logs are disposable",
    "stateful-resources-protected": "dev stacks are destroyed and rebuilt at will, so nothing there is protected",
    "cloudtrail-trail": "the account's organisation trail covers dev; a second trail would bill data events twice",
    "config-api-stage-rule": "AWS Config bills per recorded item and evaluation; dev APIs change by deploy only",
    "s3-object-logging": "object-level events come from the trail, which dev does not have",
}


def excused(rule_id: str, environment: str | None) -> str | None:
    """Why `rule_id` does not apply to a stack of this environment; None when it applies."""
    if environment == "dev":
        return DEV_EXCEPTIONS.get(rule_id)
    return None
