"""What one service lets another's function do: environment variables plus IAM, in one value.

A function that publishes to a topic needs the topic's ARN in its environment, `sns:Publish` on
that topic, and the stack key through SNS (the topic is encrypted). Handing those over as one
`Access` means a wiring line in `__main__.py` can never grant without telling the code where, or
tell the code without granting. Every statement names the resources it was given, never `*`.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Iterable, Mapping, Sequence

import pulumi

from components import iam


@dataclass(frozen=True)
class Access:
    environment: Mapping[str, pulumi.Input[str]] = field(default_factory=dict)
    statements: tuple[pulumi.Input[dict[str, Any]], ...] = ()
    #: AWS services through which the function must use the stack key (e.g. "sns" for an encrypted topic).
    key_services: tuple[str, ...] = ()


def merge(accesses: Iterable[Access]) -> Access:
    """One Access from many; a variable given twice with different values is a wiring mistake."""
    environment: dict[str, pulumi.Input[str]] = {}
    statements: list[pulumi.Input[dict[str, Any]]] = []
    services: list[str] = []
    for access in accesses:
        for name, value in access.environment.items():
            if name in environment and environment[name] is not value:
                raise ValueError(f"environment variable {name} is given twice")
            environment[name] = value
        statements += access.statements
        services += access.key_services
    return Access(environment=environment, statements=tuple(statements),
                  key_services=tuple(sorted(set(services))))


def statement(sid: str, actions: Sequence[str], resources: pulumi.Input[str] | Sequence[pulumi.Input[str]],
              condition: Mapping[str, Any] | None = None) -> pulumi.Output[dict[str, Any]]:
    """An Allow statement over resources that may still be unknown (ARNs of resources being created)."""
    listed = [resources] if isinstance(resources, (str, pulumi.Output)) else list(resources)

    def build(arns: list[str]) -> dict[str, Any]:
        body: dict[str, Any] = {"Sid": sid, "Effect": "Allow", "Action": list(actions),
                                "Resource": arns[0] if len(arns) == 1 else sorted(arns)}
        if condition:
            body["Condition"] = dict(condition)
        return body

    return pulumi.Output.all(*listed).apply(build)


def sid(*parts: str) -> str:
    """IAM statement ids allow only alphanumerics: `publish`, `order-events` -> `PublishOrderEvents`."""
    return "".join(word.capitalize() for part in parts for word in part.replace("_", "-").split("-") if word)


def key_statement(ctx: iam.AccountContext, key_arn: pulumi.Input[str], services: Sequence[str]) -> pulumi.Output[dict]:
    return pulumi.Output.from_input(key_arn).apply(lambda arn: iam.use_key_via(ctx, arn, sorted(set(services))))
