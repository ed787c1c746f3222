"""The stack's Lambda concurrency reservations against the account's quota.

Reserved concurrency is carved out of one regional pool, of which AWS keeps at least 100 unreserved
for every other function; a reservation that does not fit fails `pulumi up` halfway through, on
whichever function comes last. The preview adds up what the stack reserves and compares it with the
quota from settings (new accounts start well below 1,000), before anything is created.
"""
from __future__ import annotations

from typing import Mapping

#: Lambda keeps this much of the account's concurrency unreserved.
UNRESERVED_MINIMUM = 100
#: Warn once the stack takes this share of what may be reserved, while there is still room to plan.
WARN_SHARE = 0.8


class ConcurrencyQuotaError(ValueError):
    pass


def check_reservations(stack: str, reservations: Mapping[str, int | None], quota: int) -> list[str]:
    """Warnings when close to the quota; raises when the reservations cannot all be made."""
    reserved = {name: value for name, value in reservations.items() if value}
    total = sum(reserved.values())
    reservable = quota - UNRESERVED_MINIMUM
    if total > reservable:
        largest = ", ".join(f"{name} ({value})" for name, value in sorted(reserved.items(), key=lambda kv: -kv[1])[:5])
        raise ConcurrencyQuotaError(
            f"stack '{stack}': functions reserve {total} concurrent executions, but a quota of {quota} leaves only "
            f"{reservable} reservable ({UNRESERVED_MINIMUM} stay unreserved); lower lambdaReservedConcurrency, give "
            f"the largest reservations back ({largest}), or raise the quota and set lambdaConcurrencyQuota")
    if total > WARN_SHARE * reservable:
        return [f"stack '{stack}': functions reserve {total} of the {reservable} reservable concurrent executions "
                f"({total / reservable:.0%}) under a quota of {quota}; the next services may not fit"]
    return []
