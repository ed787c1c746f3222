"""The provider's webhook signature: `X-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256>`.

The MAC covers `"<t>.<body>"` with the shared secret, so neither the body nor the time can be
changed without the secret, and a captured request cannot be replayed more than `TOLERANCE`
seconds later. The comparison is constant-time. Several `v1` entries are accepted (any one may
match), which is how a provider signs with both secrets while one is being rotated.

Pure: the caller supplies the secret and the time the request was received.
"""

from __future__ import annotations

import hashlib
import hmac
import re
from dataclasses import dataclass

TOLERANCE_SECONDS = 300
MAX_HEADER_LENGTH = 1024
SCHEME = "v1"
HEX_DIGEST = re.compile(r"[0-9a-f]{64}")
TIMESTAMP = re.compile(r"[0-9]{1,12}")


class InvalidSignature(ValueError):
    """The message is not provably from the provider, or is too old to trust."""


@dataclass(frozen=True)
class SignatureHeader:
    timestamp: int
    signatures: tuple[str, ...]


def parse_header(header: object) -> SignatureHeader:
    if not isinstance(header, str) or not header:
        raise InvalidSignature("signature: missing")
    if len(header) > MAX_HEADER_LENGTH:
        raise InvalidSignature(f"signature: longer than {MAX_HEADER_LENGTH} characters")
    timestamps, signatures = [], []
    for part in header.split(","):
        key, separator, value = part.strip().partition("=")
        if not separator:
            raise InvalidSignature("signature: expected t=<unix seconds>,v1=<hex>")
        if key == "t":
            timestamps.append(value)
        elif key == SCHEME:
            signatures.append(value.lower())
    if len(timestamps) != 1 or not TIMESTAMP.fullmatch(timestamps[0]):
        raise InvalidSignature("signature: needs exactly one t=<unix seconds>")
    good = tuple(value for value in signatures if HEX_DIGEST.fullmatch(value))
    if not good:
        raise InvalidSignature("signature: no v1=<64 hex digits>")
    return SignatureHeader(int(timestamps[0]), good)


def sign(secret: bytes, timestamp: int, body: bytes) -> str:
    return hmac.new(secret, str(timestamp).encode() + b"." + body, hashlib.sha256).hexdigest()


def verify(secret: bytes, header: object, body: bytes, received_at: float, tolerance: int = TOLERANCE_SECONDS) -> int:
    """The signing time when the signature is valid and fresh; InvalidSignature otherwise.

    `received_at` is when the request reached us (the queue's SentTimestamp), not when the
    worker gets to it: a message that waited in the queue, or is redelivered, stays valid.
    """
    parsed = parse_header(header)
    if abs(received_at - parsed.timestamp) > tolerance:
        raise InvalidSignature(f"signature: signed {received_at - parsed.timestamp:.0f} s from receipt, more than {tolerance} s")
    expected = sign(secret, parsed.timestamp, body)
    # Check every candidate, so the time taken does not tell which one (or whether any) matched.
    matched = [hmac.compare_digest(expected, candidate) for candidate in parsed.signatures]
    if not any(matched):
        raise InvalidSignature("signature: does not match the body")
    return parsed.timestamp
