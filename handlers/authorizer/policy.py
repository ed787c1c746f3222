"""Pure builders for the authorizer's answer: an IAM policy over the API's methods.

The Allow covers every method of the API stage, not only the one called: API Gateway caches
an authorizer's answer per token, and a policy naming one method would deny the token's next
call to another method until the cache expires. Context values are strings and numbers only,
which is all API Gateway accepts there.
"""

from __future__ import annotations

import re
from typing import Any

from handlers.authorizer.tokens import Principal

METHOD_ARN = re.compile(r"^arn:(aws[a-z-]*):execute-api:([a-z0-9-]+):(\d{12}):([A-Za-z0-9]+)/([^/]+)/")
DENIED_PRINCIPAL = "Unauthorized"


def api_methods_arn(method_arn: Any) -> str | None:
    """arn:aws:execute-api:<region>:<account>:<api>/<stage>/*/* for the API of `method_arn`."""
    if not isinstance(method_arn, str):
        return None
    found = METHOD_ARN.match(method_arn)
    if found is None:
        return None
    partition, region, account, api, stage = found.groups()
    return f"arn:{partition}:execute-api:{region}:{account}:{api}/{stage}/*/*"


def _policy(effect: str, resource: str) -> dict[str, Any]:
    return {"Version": "2012-10-17", "Statement": [{"Action": "execute-api:Invoke", "Effect": effect, "Resource": resource}]}


def allow(principal: Principal, resource: str) -> dict[str, Any]:
    context: dict[str, Any] = {"sub": principal.subject, "expires_at": principal.expires_at}
    if principal.scope is not None:
        context["scope"] = principal.scope
    return {"principalId": principal.subject, "policyDocument": _policy("Allow", resource), "context": context}


def deny(reason: str, resource: str | None) -> dict[str, Any]:
    """Every method of the API denied; `reason` is there for a gateway response template
    ($context.authorizer.reason) and for the access log."""
    return {"principalId": DENIED_PRINCIPAL, "policyDocument": _policy("Deny", resource or "*"), "context": {"reason": reason}}
