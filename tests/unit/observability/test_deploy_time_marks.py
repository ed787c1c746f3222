"""A dashboard body's text carries the deploy-time mark whenever the body holds a deploy-time value.

`resources/dashboards.deployed_body` relies on it to skip the walk through every widget for the
bodies without one: a stand-in found in a body is always found in its text, wherever it sits.
"""
from __future__ import annotations

import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from components.observability.deploy_time import MARK, DeployTimeValue, deploy_time_values
from components.resources import dashboards

LABELS = st.text(alphabet="abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789:._/-", min_size=1, max_size=20)
STAND_INS = st.builds(DeployTimeValue, LABELS, st.text(max_size=10))
LEAVES = st.one_of(st.none(), st.booleans(), st.integers(), st.text(max_size=10), STAND_INS)
BODIES = st.recursive(LEAVES, lambda children: st.one_of(
    st.lists(children, max_size=4),
    st.dictionaries(st.one_of(st.text(max_size=6), STAND_INS), children, max_size=4)), max_leaves=30)


@settings(max_examples=300, deadline=None)
@given(BODIES)
def test_a_body_holding_a_stand_in_serialises_with_the_mark(body):
    text = json.dumps(body, separators=(",", ":"), sort_keys=True)  # as `serialise_body` writes it
    if deploy_time_values(body):
        assert MARK in text


def test_the_emitter_sends_the_value_of_a_stand_in_and_a_plain_body_as_it_is(monkeypatch):
    monkeypatch.setattr(dashboards, "validate_dashboard_body", lambda body: None)
    plain = {"widgets": [{"properties": {"markdown": "# orders"}}]}
    assert dashboards.deployed_body(plain) == json.dumps(plain, separators=(",", ":"), sort_keys=True)
    with pytest.raises(ValueError, match="lost its value"):
        dashboards.deployed_body({"widgets": [{"dimension": str.__str__(DeployTimeValue("lb", "app/x/1"))}]})
