import pytest

from components.naming import LIMITS, Namer, shorten


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
