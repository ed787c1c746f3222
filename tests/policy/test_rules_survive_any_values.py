"""A rule that raises takes its whole area down in CrossGuard, so no value may make one raise: not a
foreign shape, not a value `pulumi preview` cannot know yet."""
from __future__ import annotations

from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pulumi_policy.proxy import (UNKNOWN_BOOLEAN_VALUE, UNKNOWN_OBJECT_VALUE, UNKNOWN_STRING_VALUE,
                                 unknown_checking_proxy)

from policy.platform_policy import RULES
from policy.platform_policy.crossguard import plain
from policy.platform_policy.model import UNKNOWN, Resource, Stack
from tests.policy.stacks import policy_stack

SENTINELS = (UNKNOWN_STRING_VALUE, UNKNOWN_BOOLEAN_VALUE, UNKNOWN_OBJECT_VALUE)
scalars = st.one_of(st.none(), st.booleans(), st.integers(-5, 5), st.floats(allow_nan=False),
                    st.text(max_size=12), st.sampled_from(SENTINELS))
values = st.recursive(scalars, lambda inner: st.one_of(st.lists(inner, max_size=3),
                                                       st.dictionaries(st.text(max_size=8), inner, max_size=3)),
                      max_leaves=8)


def _contains_sentinel(value: Any) -> bool:
    if isinstance(value, dict):
        return any(_contains_sentinel(v) for v in value.values())
    if isinstance(value, list):
        return any(_contains_sentinel(v) for v in value)
    return value in SENTINELS


@given(st.dictionaries(st.text(max_size=8), values, max_size=4))
def test_plain_unwraps_crossguard_proxies_and_marks_unknowns(props: dict[str, Any]) -> None:
    unwrapped = plain(unknown_checking_proxy(props))
    assert isinstance(unwrapped, dict) and set(unwrapped) == set(props)
    assert not _contains_sentinel(unwrapped)
    for key, value in props.items():
        if value in SENTINELS:
            assert unwrapped[key] is UNKNOWN


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(index=st.integers(min_value=0), key_choice=st.integers(min_value=0), value=values)
def test_no_rule_raises_whatever_one_property_holds(index: int, key_choice: int, value: Any) -> None:
    stack = policy_stack("prod")
    custom = [r for r in stack if r.type.startswith("aws:")]
    target = custom[index % len(custom)]
    keys = sorted(target.props) or ["name"]
    props = {**target.props, keys[key_choice % len(keys)]: plain(value)}
    broken = Stack([Resource(r.type, r.name, props, r.parent, r.options, r.urn, r.dependencies)
                    if r is target else r for r in stack])
    for rule in RULES:
        for finding in rule.findings(broken):     # never raises; a value it cannot read fails closed
            assert finding.resource is not None or finding.detail
