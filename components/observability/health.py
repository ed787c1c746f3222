"""The per-service composite "health" alarm rule.

Decision: fail loudly instead of building a tree of composite alarms. CloudWatch
allows at most 100 alarms in one rule and 10240 characters; a service that
needs more has outgrown "one service, one health alarm" and should be split,
and a hidden tree would make the alarm graph harder to follow.
"""

from __future__ import annotations

from collections.abc import Sequence

from components.observability.descriptions import alarm_description

MAX_ALARM_RULE_CHARS = 10_240
MAX_ALARMS_PER_RULE = 100


class AlarmRuleTooLargeError(ValueError):
    """Raised when a health rule would exceed a CloudWatch composite-alarm limit."""


def health_alarm_rule(alarm_names: Sequence[str]) -> str:
    """``ALARM("a") OR ALARM("b") ...`` over unique names, in the order given."""
    names = list(dict.fromkeys(alarm_names))
    if not names:
        raise ValueError("a health alarm needs at least one alarm name")
    for name in names:
        if not name or '"' in name:
            raise ValueError(f"alarm name {name!r} cannot be quoted in an alarm rule")
    if len(names) > MAX_ALARMS_PER_RULE:
        raise AlarmRuleTooLargeError(
            f"health rule would reference {len(names)} alarms; CloudWatch allows {MAX_ALARMS_PER_RULE} per composite "
            "alarm. Split the service or disable severities in its alarm profile."
        )
    rule = " OR ".join(f'ALARM("{name}")' for name in names)
    if len(rule) > MAX_ALARM_RULE_CHARS:
        raise AlarmRuleTooLargeError(
            f"health rule is {len(rule)} characters for {len(names)} alarms; CloudWatch allows "
            f"{MAX_ALARM_RULE_CHARS}. Shorten alarm names or split the service."
        )
    return rule


def health_alarm_description(service: str, stack: str) -> str:
    return alarm_description(
        f"At least one alarm of service {service} in {stack} is in ALARM.",
        f"the alarm status widget on the {service} dashboard to see which child fired, then follow its own "
        "'Check first' hint; recent deploys are the usual suspect.",
    )
