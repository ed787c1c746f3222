"""Lambda authorizer (TOKEN or REQUEST) for the orders API: the Gatekeeper pattern.

Env: AUTH_SECRET_ARN (Secrets Manager secret whose SecretString is the HS256 key, at least 32
bytes), AUTH_AUDIENCE (the `aud` every token must carry), plus the telemetry variables.

A valid token (HS256 signature, `aud`, unexpired `exp`, a `sub`) gets an Allow on every method
of the API with the subject as principalId and `{sub, expires_at, scope?}` as context. Anything
else about the token gets a Deny with principalId "Unauthorized" and the reason in the context;
no token problem ever raises. Only an unusable secret raises (see `secret`).
"""

from __future__ import annotations

from typing import Any

from handlers.authorizer import policy, secret, tokens
from handlers.environment import required
from handlers.telemetry import instrument, logger, metrics


def decide(event: Any) -> dict[str, Any]:
    method_arn = event.get("methodArn") if isinstance(event, dict) else None
    resource = policy.api_methods_arn(method_arn)
    try:
        token = tokens.bearer_token(event)
        principal = tokens.verify(token, secret.signing_secret(required("AUTH_SECRET_ARN")), required("AUTH_AUDIENCE"))
        if resource is None:
            raise tokens.Rejected("unrecognised_method_arn")
    except tokens.Rejected as rejected:
        logger.info("request denied", reason=rejected.reason)
        metrics.add_metric("AuthorizationDenied", 1, unit="Count")
        return policy.deny(rejected.reason, resource)
    logger.info("request allowed", subject=principal.subject)
    metrics.add_metric("AuthorizationAllowed", 1, unit="Count")
    return policy.allow(principal, resource)


@instrument(service="orders")
def handler(event: Any, context: Any) -> dict[str, Any]:
    return decide(event)
