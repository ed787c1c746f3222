"""Pure token handling: find the bearer token in an authorizer event and verify it.

Verification is PyJWT's (signature, `exp`, `aud`, `nbf`/`iat` when present), restricted to
HS256 so that a token cannot choose a weaker algorithm (`none`) or trick a key meant for HMAC
into another use. Every way a token can be wrong becomes `Rejected` with a short reason for
logs and metrics; the token itself is never logged.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Mapping

import jwt

ALGORITHM = "HS256"
MAX_TOKEN_LENGTH = 8192  # far beyond any token we issue; bounds the work a request can cause
MAX_SUBJECT_LENGTH = 256
REQUIRED_CLAIMS = ("exp", "aud", "sub")


class Rejected(Exception):
    """The request carries no acceptable token; `reason` is safe to log."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True)
class Principal:
    subject: str
    expires_at: int
    scope: str | None


def bearer_token(event: Any) -> str:
    """The token of a TOKEN authorizer (`authorizationToken`) or REQUEST authorizer (Authorization header)."""
    if not isinstance(event, Mapping):
        raise Rejected("event_not_an_object")
    if event.get("type") == "TOKEN":
        value = event.get("authorizationToken")
    else:
        headers = event.get("headers")
        value = None
        if isinstance(headers, Mapping):
            value = next((v for k, v in headers.items() if isinstance(k, str) and k.lower() == "authorization"), None)
    if not isinstance(value, str) or not value.strip():
        raise Rejected("missing_token")
    scheme, _, token = value.strip().partition(" ")
    token = token.strip()
    if scheme.lower() != "bearer" or not token or " " in token:
        raise Rejected("not_a_bearer_token")
    if len(token) > MAX_TOKEN_LENGTH:
        raise Rejected("token_too_long")
    return token


def _reason(error: jwt.PyJWTError) -> str:
    for kind, reason in (
        (jwt.ExpiredSignatureError, "token_expired"),
        (jwt.InvalidAudienceError, "wrong_audience"),
        (jwt.InvalidSignatureError, "bad_signature"),
        (jwt.MissingRequiredClaimError, "missing_claim"),
        (jwt.ImmatureSignatureError, "not_yet_valid"),
        (jwt.InvalidAlgorithmError, "wrong_algorithm"),
        (jwt.DecodeError, "malformed_token"),
    ):
        if isinstance(error, kind):
            return reason
    return "invalid_token"


def verify(token: str, secret: bytes, audience: str) -> Principal:
    """The verified principal, or Rejected."""
    try:
        claims = jwt.decode(token, secret, algorithms=[ALGORITHM], audience=audience, options={"require": list(REQUIRED_CLAIMS)})
    except jwt.PyJWTError as error:
        raise Rejected(_reason(error)) from error
    except (ValueError, TypeError, OverflowError) as error:  # e.g. a numeric claim beyond what a datetime holds
        raise Rejected("malformed_token") from error
    subject = claims["sub"]  # PyJWT has checked it is a string
    if not subject or len(subject) > MAX_SUBJECT_LENGTH:
        raise Rejected("bad_subject")
    scope = claims.get("scope")
    return Principal(subject, int(claims["exp"]), scope if isinstance(scope, str) else None)
