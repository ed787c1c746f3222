import re

import pytest
from hypothesis import given, strategies as st

from components.naming import LIMITS, NameCollisionError, Namer, shorten
from components.resources.tables import TableSpec


def test_physical_names_follow_the_convention():
    namer = Namer("platform", "dev")
    assert namer.physical("orders", "api", "lambda") == "platform-dev-orders-api"
    assert namer.log_group("orders", "lambda-api") == "/platform/dev/orders/lambda-api"
    assert namer.stack_wide("alarms-warning", "sns_topic") == "platform-dev-alarms-warning"


def test_long_names_are_shortened_deterministically_and_stay_unique():
    namer = Namer("platform", "production-eu")
    a = namer.physical("customer-notifications-service", "high-balance-alert-consumer", "lambda")
    b = namer.physical("customer-notifications-service", "high-balance-alert-producer", "lambda")
    assert len(a) <= LIMITS["lambda"] and len(b) <= LIMITS["lambda"]
    assert a != b
    assert a == namer.physical("customer-notifications-service", "high-balance-alert-consumer", "lambda")
    assert a.startswith("platform-production-eu-customer")


def test_shorten_keeps_short_names_untouched():
    assert shorten("abc", 10) == "abc"
    assert len(shorten("x" * 100, 28)) == 28


@pytest.mark.parametrize("service,part", [("Orders", "api"), ("orders", "api_v1"), ("", "api"), ("orders", "-api")])
def test_invalid_name_parts_are_rejected(service, part):
    with pytest.raises(ValueError, match="lowercase"):
        Namer("platform", "dev").physical(service, part, "lambda")


def test_invalid_stack_names_are_rejected():
    with pytest.raises(ValueError, match="lowercase"):
        Namer("platform", "Dev")


# Any text a user may pass as a service or part name: ASCII letters, digits, separators, whitespace, newlines.
name_text = st.text(st.sampled_from("abcxyzAZ019-_ .\n\t/é"), max_size=12)


@given(service=name_text, part=name_text)
def test_a_name_is_refused_or_made_only_of_lowercase_letters_digits_and_dashes(service, part):
    try:
        name = Namer("platform", "dev").physical(service, part, "lambda")
    except ValueError as error:
        assert "lowercase letters" in str(error)
    else:
        assert re.fullmatch(r"[a-z][a-z0-9-]*", name), name


@given(part=name_text)
def test_a_table_part_is_refused_where_it_is_declared_unless_it_can_name_the_table(part):
    try:
        TableSpec(hash_key="id", part=part)
    except ValueError as error:
        assert "part must be lowercase letters" in str(error)
        assert not re.fullmatch(r"[a-z][a-z0-9-]*", part)
    else:
        assert re.fullmatch(r"[a-z][a-z0-9-]*", part)


def test_a_trailing_newline_is_not_a_name():
    with pytest.raises(ValueError, match="lowercase letters"):
        Namer("platform", "dev").physical("shop\n", "api", "lambda")


@given(service=st.from_regex(r"[a-z]{1,4}", fullmatch=True), middle=st.from_regex(r"[a-z]{1,4}", fullmatch=True),
       part=st.from_regex(r"[a-z]{1,4}", fullmatch=True))
def test_two_services_never_share_a_name(service, middle, part):
    """`a` + `b-c` and `a-b` + `c` spell the same name: the second is refused, naming both."""
    namer = Namer("platform", "dev")
    first = namer.physical(service, f"{middle}-{part}", "sqs_queue")
    assert namer.physical(service, f"{middle}-{part}", "sqs_queue") == first  # the same resource, asked again
    assert namer.physical(f"{service}-{middle}", part, "lambda")  # another kind of resource may share it
    with pytest.raises(NameCollisionError, match=f"service '{service}-{middle}' .*service '{service}'"):
        namer.physical(f"{service}-{middle}", part, "sqs_queue")


def test_a_service_may_not_take_a_stack_wide_name():
    namer = Namer("platform", "dev")
    namer.stack_wide("alarms-warning", "sns_topic")
    with pytest.raises(NameCollisionError, match="the stack"):
        namer.physical("alarms", "warning", "sns_topic")
