"""DynamoDB tables a service owns, emitted one way for every service kind.

On-demand capacity, the stack key, point-in-time recovery and deletion protection from the
environment profile: a table is never created without them, whichever component owns it.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal

import pulumi
import pulumi_aws as aws

from components import iam
from components.naming import is_name_part
from components.observability.refs import TableRef
from components.services.access import Access, sid, statement

if TYPE_CHECKING:
    from components.core import PlatformCore

StreamView = Literal["NEW_IMAGE", "OLD_IMAGE", "NEW_AND_OLD_IMAGES", "KEYS_ONLY"]
_STREAM_VIEWS = ("NEW_IMAGE", "OLD_IMAGE", "NEW_AND_OLD_IMAGES", "KEYS_ONLY")
_KEY_TYPES = ("S", "N", "B")
READ_ACTIONS = ("dynamodb:GetItem", "dynamodb:Query")
#: What `handlers.telemetry.idempotency` calls on its table.
IDEMPOTENCY_ACTIONS = ("dynamodb:PutItem", "dynamodb:GetItem", "dynamodb:UpdateItem", "dynamodb:DeleteItem")


@dataclass(frozen=True)
class TableSpec:
    hash_key: str
    hash_key_type: str = "S"
    range_key: str | None = None
    range_key_type: str = "S"
    ttl_attribute: str | None = None
    #: What the service's functions may do with the table; narrow it to what the handlers call.
    actions: tuple[str, ...] = iam.DYNAMODB_CRUD
    #: `<prefix>-<service>-<part>`; a service with several tables names each.
    part: str = "table"
    #: The variable that tells the handlers the table's name.
    env_var: str = "TABLE_NAME"
    #: A stream for consumers such as a `TableStream` (the outbox and Eventually Consistent patterns).
    stream: StreamView | None = None

    def __post_init__(self) -> None:
        problems = []
        if self.hash_key_type not in _KEY_TYPES or self.range_key_type not in _KEY_TYPES:
            problems.append(f"key types must be one of {', '.join(_KEY_TYPES)}")
        if self.stream is not None and self.stream not in _STREAM_VIEWS:
            problems.append(f"stream must be one of {', '.join(_STREAM_VIEWS)}")
        if not self.actions or not all(a.startswith("dynamodb:") and "*" not in a for a in self.actions):
            problems.append("actions must be named dynamodb: actions, without wildcards")
        if not is_name_part(self.part):
            problems.append("part must be lowercase letters, digits and '-', starting with a letter, "
                            "since it names the table")
        if problems:
            raise ValueError(f"table {self.part!r}: " + "; ".join(problems))


def idempotency_table_spec() -> TableSpec:
    """The layout `handlers.telemetry.idempotency` writes (the Powertools persistence layout)."""
    return TableSpec(hash_key="id", ttl_attribute="expiration", actions=IDEMPOTENCY_ACTIONS, part="idempotency",
                     env_var="IDEMPOTENCY_TABLE")


class OwnedTable:
    """A table and what a function of its service needs to use it."""

    def __init__(self, service: str, spec: TableSpec, core: PlatformCore, parent: pulumi.Resource) -> None:
        protection = core.settings.protection
        self.spec = spec
        self.service = service
        self.name = core.namer.physical(service, spec.part, "dynamodb_table")
        attributes = [aws.dynamodb.TableAttributeArgs(name=spec.hash_key, type=spec.hash_key_type)]
        if spec.range_key:
            attributes.append(aws.dynamodb.TableAttributeArgs(name=spec.range_key, type=spec.range_key_type))
        self.table = aws.dynamodb.Table(
            f"{service}-{spec.part}",
            name=self.name,
            billing_mode="PAY_PER_REQUEST",
            hash_key=spec.hash_key,
            range_key=spec.range_key,
            attributes=attributes,
            server_side_encryption=aws.dynamodb.TableServerSideEncryptionArgs(enabled=True, kms_key_arn=core.key.arn),
            point_in_time_recovery=aws.dynamodb.TablePointInTimeRecoveryArgs(enabled=protection.point_in_time_recovery),
            deletion_protection_enabled=protection.deletion_protection,
            ttl=aws.dynamodb.TableTtlArgs(attribute_name=spec.ttl_attribute, enabled=True)
            if spec.ttl_attribute else None,
            stream_enabled=spec.stream is not None,
            stream_view_type=spec.stream,
            tags=core.tags_for(service),
            opts=pulumi.ResourceOptions(parent=parent, protect=protection.deletion_protection),
        )
        self.arn: pulumi.Output[str] = self.table.arn
        self.stream_arn: pulumi.Output[str] | None = self.table.stream_arn if spec.stream else None
        self.ref = TableRef(table_name=self.name, part=spec.part)

    def access(self) -> Access:
        """For the owning service's functions: the table's name and the spec's actions on it."""
        return self._access(self.spec.actions, self.spec.env_var, sid("use", "own", self.spec.part))

    def read_access(self, env_var: str, actions: tuple[str, ...] = READ_ACTIONS) -> Access:
        """For another service's function that reads this table (given, not owned); narrow `actions`
        to the reads its handler makes."""
        if not set(actions) <= set(READ_ACTIONS):
            raise ValueError(f"read access allows only {', '.join(READ_ACTIONS)}, got {', '.join(actions)}")
        return self._access(actions, env_var, sid("read", self.service, self.spec.part))

    def _access(self, actions: tuple[str, ...], env_var: str, statement_id: str) -> Access:
        arn = self.arn
        return Access(environment={env_var: self.table.name},
                      statements=(statement(statement_id, actions, [arn, arn.apply(lambda a: f"{a}/index/*")]),),
                      key_services=("dynamodb",))
