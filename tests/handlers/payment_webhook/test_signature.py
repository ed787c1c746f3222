"""The webhook signature, over arbitrary bodies, secrets, times and headers."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from handlers.payment_webhook.signature import TOLERANCE_SECONDS, InvalidSignature, parse_header, sign, verify

secrets = st.binary(min_size=1, max_size=64)
bodies = st.binary(max_size=2048)
times = st.integers(0, 10**11)


def header(secret: bytes, timestamp: int, body: bytes) -> str:
    return f"t={timestamp},v1={sign(secret, timestamp, body)}"


@given(secrets, bodies, times, st.integers(-TOLERANCE_SECONDS, TOLERANCE_SECONDS))
def test_a_fresh_signature_over_the_body_verifies(secret: bytes, body: bytes, timestamp: int, delay: int) -> None:
    assert verify(secret, header(secret, timestamp, body), body, timestamp + delay) == timestamp


@given(secrets, bodies, bodies, times)
def test_any_other_body_fails(secret: bytes, body: bytes, other: bytes, timestamp: int) -> None:
    if other != body:
        with pytest.raises(InvalidSignature, match="does not match"):
            verify(secret, header(secret, timestamp, body), other, timestamp)


@given(secrets, secrets, bodies, times)
def test_another_secret_fails(secret: bytes, other: bytes, body: bytes, timestamp: int) -> None:
    if other != secret:
        with pytest.raises(InvalidSignature):
            verify(other, header(secret, timestamp, body), body, timestamp)


@given(secrets, bodies, times, st.integers(1, 10**6))
def test_changing_the_signed_time_fails(secret: bytes, body: bytes, timestamp: int, shift: int) -> None:
    signature = sign(secret, timestamp, body)
    with pytest.raises(InvalidSignature):
        verify(secret, f"t={timestamp + shift},v1={signature}", body, timestamp + shift)


@given(secrets, bodies, times, st.integers(TOLERANCE_SECONDS + 1, 10**6), st.sampled_from([1, -1]))
def test_a_signature_further_than_the_tolerance_from_receipt_fails(secret: bytes, body: bytes, timestamp: int, gap: int, sign_of_gap: int) -> None:
    with pytest.raises(InvalidSignature, match="more than 300 s"):
        verify(secret, header(secret, timestamp, body), body, timestamp + gap * sign_of_gap)


@given(st.one_of(st.text(max_size=200), st.none(), st.integers(), st.binary()), secrets, bodies, times)
def test_any_header_is_either_valid_or_invalid_signature(value: object, secret: bytes, body: bytes, now: int) -> None:
    try:
        verify(secret, value, body, now)
    except InvalidSignature as error:
        assert str(error).startswith("signature:")
    else:
        raise AssertionError(f"{value!r} verified")


def test_one_matching_signature_among_several_is_enough_during_rotation() -> None:
    body, now = b'{"event_id":"e1"}', 1_800_000_000
    rotated = f"t={now},v1={sign(b'old', now, body)},v1={sign(b'new', now, body).upper()},v0=ignored"
    assert verify(b"new", rotated, body, now) == now


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("", "missing"),
        ("t=1", "no v1"),
        ("v1=" + "a" * 64, "exactly one t"),
        ("t=1,t=2,v1=" + "a" * 64, "exactly one t"),
        ("t=-1,v1=" + "a" * 64, "exactly one t"),
        ("t=1²,v1=" + "a" * 64, "exactly one t"),
        ("t=1,v1=xyz", "no v1"),
        ("t=1;v1=" + "a" * 64, "exactly one t"),
        ("t=1,junk,v1=" + "a" * 64, "expected t="),
        ("t=1,v1=" + "a" * 2000, "longer than"),
    ],
)
def test_malformed_headers_say_what_is_wrong(value: str, message: str) -> None:
    with pytest.raises(InvalidSignature, match=message):
        parse_header(value)
