"""The payment provider client against a fake provider on 127.0.0.1, and the payment settings."""

from __future__ import annotations

import socket
import threading
from http.server import BaseHTTPRequestHandler, HTTPServer
from typing import Any
import pytest
from hypothesis import given
from hypothesis import strategies as st

from handlers.fulfilment import config
from handlers.fulfilment.errors import ConfigurationError, PaymentDeclined, PaymentProviderRejected, PaymentProviderUnavailable
from handlers.fulfilment.order import parse_order
from handlers.fulfilment.provider import DECLINED, NOT_FOUND, OK, REJECTED, UNAVAILABLE, PaymentProvider, outcome_of, timeout_seconds
from handlers.telemetry.invocation_state import current
from tests.handlers.fulfilment.payment_provider import FakePaymentProvider
from tests.handlers.fulfilment.test_order import ORDER
from tests.handlers.local_http import POLL_SECONDS
from tests.handlers.telemetry.helpers import FakeLambdaContext

order = parse_order({"order": ORDER})


@given(st.integers(100, 599))
def test_every_status_has_one_meaning(status: int) -> None:
    outcome = outcome_of(status)
    expected = {402: DECLINED, 404: NOT_FOUND, 408: UNAVAILABLE, 409: UNAVAILABLE, 425: UNAVAILABLE, 429: UNAVAILABLE}
    if 200 <= status < 300:
        assert outcome == OK
    elif status in expected:
        assert outcome == expected[status]
    else:
        assert outcome == (UNAVAILABLE if status >= 500 else REJECTED)


def test_a_charge_carries_the_order_id_as_idempotency_key_and_the_exact_amount(provider: FakePaymentProvider) -> None:
    charge = PaymentProvider(provider.url).charge(order)
    assert charge.payment_id == "pay_1" and charge.status == "succeeded"
    request = provider.requests[0]
    assert request.path == "/charges" and request.headers["idempotency-key"] == order.order_id
    assert request.body == {"order_id": order.order_id, "customer_id": "c-1", "amount": "7.60", "currency": "EUR"}


def test_a_repeated_charge_gets_the_first_answer(provider: FakePaymentProvider) -> None:
    client = PaymentProvider(provider.url)
    assert client.charge(order) == client.charge(order)
    assert len(provider.charges) == 1


def test_a_decline_is_payment_declined(provider: FakePaymentProvider) -> None:
    provider.mode = "decline"
    with pytest.raises(PaymentDeclined, match="insufficient funds"):
        PaymentProvider(provider.url).charge(order)


def test_a_5xx_is_unavailable_and_a_400_is_rejected(provider: FakePaymentProvider) -> None:
    provider.mode = "down"
    with pytest.raises(PaymentProviderUnavailable, match="HTTP 503"):
        PaymentProvider(provider.url).charge(order)
    provider.mode = "bad_request"
    with pytest.raises(PaymentProviderRejected, match="HTTP 400 amount: must be positive"):
        PaymentProvider(provider.url).charge(order)


def test_a_redirect_is_not_followed(provider: FakePaymentProvider) -> None:
    """Even to a host that would answer: a redirect could take the payment off HTTPS."""

    class Redirect(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            self.send_response(302)
            self.send_header("Location", provider.url + "/charges")
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, *args: Any) -> None:
            pass

    server = HTTPServer(("127.0.0.1", 0), Redirect)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": POLL_SECONDS}, daemon=True)
    thread.start()
    try:
        with pytest.raises(PaymentProviderRejected, match="HTTP 302"):
            PaymentProvider(f"http://127.0.0.1:{server.server_address[1]}").charge(order)
    finally:
        server.shutdown()
        server.server_close()
    assert provider.requests == []


def test_no_listener_is_unavailable() -> None:
    with socket.socket() as placeholder:  # a port that was just free: nothing listens on it
        placeholder.bind(("127.0.0.1", 0))
        port = placeholder.getsockname()[1]
    with pytest.raises(PaymentProviderUnavailable, match="ConnectionRefusedError"):
        PaymentProvider(f"http://127.0.0.1:{port}").charge(order)


def test_a_slow_provider_times_out_within_the_invocation(provider: FakePaymentProvider) -> None:
    provider.mode, provider.delay = "slow", 1.0
    current.begin("fulfilment", "r", False, FakeLambdaContext(remaining_ms=1200))
    try:
        with pytest.raises(PaymentProviderUnavailable, match="timed out"):
            PaymentProvider(provider.url).charge(order)
    finally:
        current.end()


@given(st.one_of(st.none(), st.floats(-1e6, 1e7)))
def test_the_timeout_stays_within_bounds_and_leaves_the_handler_time(remaining_ms: float | None) -> None:
    timeout = timeout_seconds(remaining_ms)
    assert 0.5 <= timeout <= 5.0
    if remaining_ms is not None and remaining_ms > 1500:
        assert timeout <= (remaining_ms - 1000) / 1000


def test_a_success_without_a_payment_id_is_not_trusted(provider: FakePaymentProvider, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(provider, "_answer", lambda path, payload: (200, {"status": "succeeded"}))
    with pytest.raises(PaymentProviderUnavailable, match="without a payment_id"):
        PaymentProvider(provider.url).charge(order)
    monkeypatch.setattr(provider, "encode", lambda response: b"<html>")
    with pytest.raises(PaymentProviderUnavailable, match="not a JSON object"):
        PaymentProvider(provider.url).charge(order)


def test_a_refund_finds_the_charge_by_order_and_nothing_to_refund_is_a_success(provider: FakePaymentProvider) -> None:
    client = PaymentProvider(provider.url)
    never_charged = parse_order({"order": dict(ORDER, order_id="1c7f3b0f-5d2e-4b9f-8a4c-3e6d7f8a9b0c")})
    assert client.refund(never_charged).refunded is False
    client.charge(order)
    refund = client.refund(order)
    assert refund.refunded and refund.refund_id == "re_1"
    assert provider.requests[-1].headers["idempotency-key"] == order.order_id


ENV = {"PAYMENT_PROVIDER_URL": "https://pay.example/v1/", "CIRCUIT_TABLE": "circuit"}


def test_settings_have_defaults_and_drop_a_trailing_slash() -> None:
    settings = config.payment_settings(ENV)
    assert (settings.provider_url, settings.failure_threshold, settings.open_seconds) == ("https://pay.example/v1", 5, 30.0)


@pytest.mark.parametrize(
    ("name", "value", "message"),
    [
        ("PAYMENT_PROVIDER_URL", "", "PAYMENT_PROVIDER_URL is not set"),
        ("PAYMENT_PROVIDER_URL", "http://pay.example", "must use https"),
        ("PAYMENT_PROVIDER_URL", "ftp://pay.example", "must be an https:// URL"),
        ("PAYMENT_PROVIDER_URL", "https://user:secret@pay.example", "credentials"),
        ("CIRCUIT_TABLE", " ", "CIRCUIT_TABLE is not set"),
        ("CIRCUIT_FAILURE_THRESHOLD", "0", "CIRCUIT_FAILURE_THRESHOLD must be from 1 to 1000"),
        ("CIRCUIT_FAILURE_THRESHOLD", "2.5", "CIRCUIT_FAILURE_THRESHOLD must be an integer"),
        ("CIRCUIT_OPEN_SECONDS", "nan", "CIRCUIT_OPEN_SECONDS must be from 1 to 3600"),
        ("CIRCUIT_OPEN_SECONDS", "soon", "CIRCUIT_OPEN_SECONDS must be a number of seconds"),
    ],
)
def test_a_bad_setting_is_named(name: str, value: str, message: str) -> None:
    with pytest.raises(ConfigurationError, match=message):
        config.payment_settings({**ENV, name: value})


@pytest.mark.parametrize("url", ["http://127.0.0.1:8080", "http://localhost:1", "http://[::1]:9"])
def test_plain_http_is_allowed_to_loopback_only(url: str) -> None:
    assert config.provider_url(url) == url


def test_the_stock_table_is_required() -> None:
    with pytest.raises(ConfigurationError, match="STOCK_TABLE is not set"):
        config.stock_table({})
