"""The stack's concurrency reservations against the account quota."""
import pytest
from hypothesis import given, strategies as st

from components.capacity import UNRESERVED_MINIMUM, ConcurrencyQuotaError, check_reservations


def test_reservations_that_fit_pass_quietly_and_unreserved_functions_cost_nothing():
    assert check_reservations("prod", {"a": 50, "b": 50, "c": None}, 1000) == []


def test_close_to_the_quota_warns_with_the_share_taken():
    (warning,) = check_reservations("prod", {f"f{i}": 50 for i in range(15)}, 1000)
    assert "750 of the 900 reservable" in warning and "83%" in warning


def test_over_the_quota_fails_naming_the_largest_reservations():
    with pytest.raises(ConcurrencyQuotaError, match=r"reserve 950 .* leaves only 900 reservable.*f0 \(50\)"):
        check_reservations("prod", {f"f{i}": 50 for i in range(19)}, 1000)


@given(st.dictionaries(st.text(min_size=1, max_size=5), st.one_of(st.none(), st.integers(1, 500)), max_size=30),
       st.integers(100, 5000))
def test_fails_exactly_when_less_than_the_unreserved_minimum_would_remain(reservations, quota):
    total = sum(v for v in reservations.values() if v)
    if total > quota - UNRESERVED_MINIMUM:
        with pytest.raises(ConcurrencyQuotaError):
            check_reservations("s", reservations, quota)
    else:
        check_reservations("s", reservations, quota)
