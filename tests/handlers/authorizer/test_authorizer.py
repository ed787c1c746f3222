"""The Gatekeeper authorizer against moto Secrets Manager: allow, every way to be denied, the secret."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import time

import boto3
import jwt
import moto
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from handlers import boto_clients
from handlers.authorizer import app, secret
from handlers.authorizer.policy import api_methods_arn
from tests.handlers.telemetry.helpers import REGION, FakeLambdaContext, parse_output
from tests.harness import LambdaHarness

SECRET = "s" * 40
AUDIENCE = "cafe-orders-api"
METHOD_ARN = "arn:aws:execute-api:us-east-1:123456789012:abc123/v1/POST/orders"
API_METHODS = "arn:aws:execute-api:us-east-1:123456789012:abc123/v1/*/*"


@pytest.fixture(scope="module")
def account():
    """One mocked account per module: starting moto costs more than most tests here."""
    with pytest.MonkeyPatch.context() as patch:
        for name in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"):
            patch.setenv(name, "testing")
        with moto.mock_aws():
            secrets = boto3.client("secretsmanager", region_name=REGION)
            yield {
                "good": secrets.create_secret(Name="platform-test-auth", SecretString=SECRET)["ARN"],
                "short": secrets.create_secret(Name="platform-test-short", SecretString="short")["ARN"],
            }


@pytest.fixture
def signing_secret(account, monkeypatch):
    arn = account["good"]
    monkeypatch.setenv("AUTH_SECRET_ARN", arn)
    monkeypatch.setenv("AUTH_AUDIENCE", AUDIENCE)
    monkeypatch.setattr(secret, "_cache", {})
    monkeypatch.setattr(boto_clients, "_clients", {})
    return arn


def token(key: str = SECRET, algorithm: str = "HS256", **overrides) -> str:
    claims = {"sub": "customer-42", "aud": AUDIENCE, "exp": int(time.time()) + 300, "scope": "orders:write"}
    claims.update(overrides)
    return jwt.encode({name: value for name, value in claims.items() if value is not None}, key, algorithm=algorithm)


def sign(claims: dict, key: str = SECRET) -> str:
    """HS256 by hand, so claims PyJWT would refuse to encode (a numeric iss...) can be tested too."""
    def part(document: dict) -> str:
        return base64.urlsafe_b64encode(json.dumps(document).encode()).rstrip(b"=").decode()

    signing_input = f"{part({'alg': 'HS256', 'typ': 'JWT'})}.{part(claims)}"
    signature = hmac.new(key.encode(), signing_input.encode(), hashlib.sha256).digest()
    return f"{signing_input}.{base64.urlsafe_b64encode(signature).rstrip(b'=').decode()}"


def token_event(value: str | None, method_arn: str = METHOD_ARN) -> dict:
    event = {"type": "TOKEN", "methodArn": method_arn}
    if value is not None:
        event["authorizationToken"] = value
    return event


def authorize(event) -> dict:
    return app.handler(event, FakeLambdaContext(function_name="platform-test-orders-authorizer"))


def assert_denied(answer: dict, reason: str) -> None:
    assert answer["principalId"] == "Unauthorized"
    (statement,) = answer["policyDocument"]["Statement"]
    assert statement["Effect"] == "Deny" and statement["Action"] == "execute-api:Invoke"
    assert answer["context"] == {"reason": reason}


def test_a_valid_token_allows_every_method_of_the_api(signing_secret):
    answer = authorize(token_event(f"Bearer {token()}"))
    assert answer["principalId"] == "customer-42"
    assert answer["policyDocument"] == {
        "Version": "2012-10-17",
        "Statement": [{"Action": "execute-api:Invoke", "Effect": "Allow", "Resource": API_METHODS}],
    }
    assert answer["context"]["sub"] == "customer-42" and answer["context"]["scope"] == "orders:write"
    assert isinstance(answer["context"]["expires_at"], int)
    assert all(isinstance(value, (str, int)) for value in answer["context"].values())  # all API Gateway accepts


def test_a_request_authorizer_reads_the_authorization_header_case_insensitively(signing_secret):
    event = {"type": "REQUEST", "methodArn": METHOD_ARN, "headers": {"authorization": f"bearer {token()}"}}
    assert authorize(event)["policyDocument"]["Statement"][0]["Effect"] == "Allow"


@pytest.mark.parametrize(
    "value, reason",
    [
        (None, "missing_token"),
        ("", "missing_token"),
        ("Basic dXNlcjpwYXNz", "not_a_bearer_token"),
        ("Bearer", "not_a_bearer_token"),
        ("Bearer a b", "not_a_bearer_token"),
        ("Bearer not.a.jwt", "malformed_token"),
        ("Bearer " + "x" * 9000, "token_too_long"),
    ],
)
def test_a_missing_or_malformed_token_is_denied(signing_secret, value, reason):
    assert_denied(authorize(token_event(value)), reason)


@pytest.mark.parametrize(
    "make, reason",
    [
        (lambda: token(exp=int(time.time()) - 1), "token_expired"),
        (lambda: token(aud="another-api"), "wrong_audience"),
        (lambda: token(key="k" * 40), "bad_signature"),
        (lambda: token(key=SECRET * 2, algorithm="HS512"), "wrong_algorithm"),
        (lambda: jwt.encode({"sub": "x", "aud": AUDIENCE, "exp": int(time.time()) + 60}, None, algorithm="none"), "wrong_algorithm"),
        (lambda: token(sub=None), "missing_claim"),
        (lambda: token(exp=None), "missing_claim"),
        (lambda: token(aud=None), "missing_claim"),
        (lambda: token(nbf=int(time.time()) + 600), "not_yet_valid"),
        (lambda: token(sub=""), "bad_subject"),
        (lambda: token(sub=12), "invalid_token"),
        (lambda: token(exp="tomorrow"), "malformed_token"),
        (lambda: token(exp=[1]), "malformed_token"),
    ],
)
def test_every_kind_of_bad_token_is_denied_with_its_reason(signing_secret, make, reason):
    assert_denied(authorize(token_event(f"Bearer {make()}")), reason)


def test_a_valid_token_for_an_unrecognised_method_arn_is_denied(signing_secret):
    assert_denied(authorize(token_event(f"Bearer {token()}", method_arn="not-an-arn")), "unrecognised_method_arn")


def test_an_event_that_is_not_an_object_is_denied(signing_secret):
    assert_denied(authorize(["not", "an", "event"]), "event_not_an_object")


def test_the_token_never_appears_in_the_logs(signing_secret, capsys):
    good, expired = token(), token(exp=int(time.time()) - 5)
    authorize(token_event(f"Bearer {good}"))
    authorize(token_event(f"Bearer {expired}"))
    out = capsys.readouterr().out
    assert good not in out and expired not in out
    logs = parse_output(out).logs
    assert [line["message"] for line in logs] == ["request allowed", "request denied"]
    assert logs[1]["reason"] == "token_expired"


def test_the_secret_is_read_once_per_container(signing_secret, monkeypatch):
    real = boto3.client("secretsmanager", region_name=REGION)
    reads = []

    class Counting:
        def get_secret_value(self, **kwargs):
            reads.append(kwargs)
            return real.get_secret_value(**kwargs)

    monkeypatch.setattr(boto_clients, "_clients", {("secretsmanager", REGION): Counting()})
    for _ in range(3):
        authorize(token_event(f"Bearer {token()}"))
    assert reads == [{"SecretId": signing_secret}]


def test_no_token_is_decided_without_reading_the_secret(signing_secret, monkeypatch):
    monkeypatch.setenv("AUTH_SECRET_ARN", "arn:aws:secretsmanager:us-east-1:123456789012:secret:absent")
    assert_denied(authorize(token_event(None)), "missing_token")


def test_an_unreadable_secret_fails_the_invocation_and_is_retried_next_time(signing_secret, monkeypatch):
    monkeypatch.setenv("AUTH_SECRET_ARN", "arn:aws:secretsmanager:us-east-1:123456789012:secret:absent")
    with pytest.raises(secret.SecretUnavailable, match="cannot read the signing secret"):
        authorize(token_event(f"Bearer {token()}"))
    monkeypatch.setenv("AUTH_SECRET_ARN", signing_secret)
    assert authorize(token_event(f"Bearer {token()}"))["principalId"] == "customer-42"


def test_a_short_secret_is_refused_rather_than_used(account, signing_secret, monkeypatch):
    monkeypatch.setenv("AUTH_SECRET_ARN", account["short"])
    with pytest.raises(secret.SecretUnavailable, match="at least 32"):
        authorize(token_event(f"Bearer {token(key='short' * 8)}"))


def test_missing_configuration_is_named(signing_secret, monkeypatch):
    monkeypatch.delenv("AUTH_AUDIENCE")
    with pytest.raises(RuntimeError, match="AUTH_AUDIENCE is not set"):
        authorize(token_event(f"Bearer {token()}"))


@settings(max_examples=300, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(value=st.one_of(st.text(max_size=300), st.text(max_size=300).map(lambda text: "Bearer " + text),
                       st.binary(max_size=200).map(lambda raw: "Bearer " + raw.hex())))
def test_arbitrary_authorization_values_are_denied_never_raised(signing_secret, value):
    answer = authorize(token_event(value))
    assert answer["principalId"] == "Unauthorized" and answer["policyDocument"]["Statement"][0]["Effect"] == "Deny"


CLAIM_VALUES = st.one_of(st.none(), st.integers(), st.text(max_size=20), st.booleans(), st.lists(st.text(max_size=5), max_size=3))


@settings(max_examples=300, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    sub=st.one_of(st.none(), st.text(max_size=300), st.integers()),
    aud=st.one_of(st.none(), st.just(AUDIENCE), st.text(max_size=20), st.lists(st.sampled_from([AUDIENCE, "other"]), max_size=3)),
    exp_offset=st.one_of(st.none(), st.integers(min_value=-10**6, max_value=10**6)),
    extra=st.dictionaries(st.sampled_from(["scope", "iss", "jti", "role"]), CLAIM_VALUES, max_size=3),
)
def test_signed_tokens_are_allowed_exactly_when_subject_audience_and_expiry_hold(signing_secret, sub, aud, exp_offset, extra):
    now = int(time.time())
    claims = {**extra, "sub": sub, "aud": aud, "exp": None if exp_offset is None else now + exp_offset}
    encoded = sign({name: value for name, value in claims.items() if value is not None})
    audience_ok = aud == AUDIENCE or (isinstance(aud, list) and AUDIENCE in aud)
    expected_allow = (
        isinstance(sub, str) and 0 < len(sub) <= 256 and audience_ok
        and exp_offset is not None and exp_offset > 2  # a margin for the seconds the check itself takes
        and (extra.get("jti") is None or isinstance(extra["jti"], str))  # RFC 7519: a jti is a string
    )
    answer = authorize(token_event(f"Bearer {encoded}"))
    effect = answer["policyDocument"]["Statement"][0]["Effect"]
    if exp_offset is not None and -2 <= exp_offset <= 2:
        return  # at the expiry boundary either answer is right
    assert (effect == "Allow") == expected_allow, (claims, answer)
    if effect == "Allow":
        assert answer["principalId"] == sub
        json.dumps(answer)  # the answer is plain JSON


@given(st.text(max_size=200))
def test_api_methods_arn_never_raises_and_only_accepts_execute_api_arns(text):
    found = api_methods_arn(text)
    assert found is None or (found.startswith("arn:") and found.endswith("/*/*") and ":execute-api:" in found)


def test_through_the_lambda_service_with_the_component_environment(signing_secret):
    with LambdaHarness(region=REGION) as lambda_harness:
        lambda_harness.deploy("platform-test-orders-authorizer", "handlers.authorizer.app.handler", service="orders",
                              environment={"AUTH_SECRET_ARN": signing_secret, "AUTH_AUDIENCE": AUDIENCE})
        invocation = lambda_harness.invoke("platform-test-orders-authorizer", token_event(f"Bearer {token()}"))
    assert not invocation.failed and invocation.outcome.json()["principalId"] == "customer-42"
