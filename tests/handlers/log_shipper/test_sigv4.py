"""The shipper's own SigV4 signer against botocore's, over any body, time and credentials."""
from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from handlers.log_shipper.bulk_client import BULK_FILTER_PATH
from handlers.log_shipper.sigv4 import FrozenCredentials, SigV4Signer, canonical_query
from tests.handlers.log_shipper.fake_bulk_server import expected_authorization

QUERY = canonical_query({"filter_path": BULK_FILTER_PATH})
keys = st.text(st.characters(min_codepoint=33, max_codepoint=126), min_size=1, max_size=40)
access_keys = st.text("ABCDEFGHIJKLMNOPQRSTUVWXYZ234567", min_size=16, max_size=20)


@given(body=st.binary(max_size=2_000), now=st.floats(0, 4_102_444_800), access_key=access_keys, secret_key=keys,
       token=st.none() | keys, region=st.sampled_from(["us-east-1", "eu-west-1", "ap-southeast-2"]),
       host=st.sampled_from(["search-x.us-east-1.es.amazonaws.com", "127.0.0.1:9200"]),
       gzip=st.booleans())
def test_every_signature_is_the_one_botocore_computes(body: bytes, now: float, access_key: str, secret_key: str,
                                                      token: str | None, region: str, host: str, gzip: bool) -> None:
    headers = {"content-type": "application/x-ndjson", **({"content-encoding": "gzip"} if gzip else {})}
    signer = SigV4Signer(region, "es", host, "/_bulk", QUERY)
    signed = signer.sign(body, headers, FrozenCredentials(access_key, secret_key, token), now=now)
    assert signed["authorization"] == expected_authorization(f"/_bulk?{QUERY}", signed, body, secret_key)
    assert ("x-amz-security-token" in signed) is bool(token)
    # The signing key is cached per day and secret: a second request must not reuse a stale one.
    again = signer.sign(body, headers, FrozenCredentials(access_key, secret_key + "x", token), now=now + 86_400)
    assert again["authorization"] == expected_authorization(f"/_bulk?{QUERY}", again, body, secret_key + "x")


def test_the_query_is_encoded_as_sigv4_requires() -> None:
    assert QUERY == "filter_path=errors%2Citems.%2A.status%2Citems.%2A.error.type%2Citems.%2A.error.reason"
