"""Every matcher of the kit: what it accepts, what it refuses and what it says, on nested values,
secrets and unknowns. Pure: no program runs here."""
from __future__ import annotations

import json
import re

import pytest
from hypothesis import given, settings as hypothesis_settings, strategies as st

from components.testing import UNKNOWN, Match, Secret
from components.testing.match import JSON_SEGMENT, SECRET_SEGMENT, MatchResult, as_matcher, literal
from components.testing.values import MISSING

scalars = st.one_of(st.none(), st.booleans(), st.integers(-10**6, 10**6), st.text(max_size=8),
                    st.floats(allow_nan=False, allow_infinity=False, width=32))
values = st.recursive(scalars, lambda inner: st.one_of(st.lists(inner, max_size=4),
                                                       st.dictionaries(st.text(max_size=5), inner, max_size=4)),
                      max_leaves=12)
objects = st.dictionaries(st.text(min_size=1, max_size=5), values, min_size=1, max_size=5)


def failures(pattern, actual) -> list[tuple[tuple, str]]:
    return [(leaf.path, leaf.expected) for leaf in as_matcher(pattern).test(actual).failures]


def only_failure(pattern, actual) -> tuple[tuple, str]:
    found = failures(pattern, actual)
    assert len(found) == 1, found
    return found[0]


def without_nulls(value):
    """Drops None values from dicts: None in a pattern means "absent", so a pattern is written without them."""
    if isinstance(value, dict):
        return {k: without_nulls(v) for k, v in value.items() if v is not None}
    if isinstance(value, list):
        return [without_nulls(v) for v in value]
    return value


# -- literals ---------------------------------------------------------------------------------------------
@hypothesis_settings(max_examples=150, deadline=None)
@given(value=values)
def test_any_plain_value_matches_itself(value):
    assert as_matcher(without_nulls(value)).test(without_nulls(value)).ok
    assert Match.exact(without_nulls(value)).test(without_nulls(value)).ok


def test_a_scalar_mismatch_names_the_path_and_what_was_expected():
    assert only_failure({"a": {"b": [1, {"c": 2}]}}, {"a": {"b": [1, {"c": 3}]}}) == (("a", "b", 1, "c"), "2")


@pytest.mark.parametrize("expected, actual", [(True, 1), (1, True), (False, 0), (0.0, False)])
def test_a_boolean_never_matches_a_number(expected, actual):
    assert not as_matcher(expected).test(actual).ok


def test_numbers_match_across_int_and_float_as_the_engine_sends_floats():
    assert as_matcher({"timeout": 30}).test({"timeout": 30.0}).ok


def test_a_list_literal_matches_exactly_that_many_items_in_order():
    assert as_matcher([1, 2]).test([1, 2]).ok
    assert failures([1, 2], [2, 1]) == [((0,), "1"), ((1,), "2")]
    path, expected = only_failure([1, 2], [1, 2, 3])
    assert path == (2,) and "the list should have 2" in expected and "array_containing" in expected
    assert only_failure([1, 2], [1]) == ((1,), "2")


def test_none_in_a_pattern_means_the_key_is_absent():
    assert as_matcher({"a": None}).test({}).ok
    assert as_matcher({"a": None}).test({"a": None}).ok
    assert only_failure({"a": None}, {"a": 1}) == (("a",), "absent")


def test_a_dict_pattern_against_something_else_says_what_was_there():
    assert only_failure({"a": {"b": 1}}, {"a": "text"})[1].endswith("but the value is a str")
    assert only_failure({"a": {"b": 1}}, {})[1].endswith("but the value is absent")


# -- object_like and exact ------------------------------------------------------------------------------------
@hypothesis_settings(max_examples=150, deadline=None)
@given(actual=objects, data=st.data())
def test_object_like_matches_any_subset_of_the_keys_at_any_depth(actual, data):
    actual = without_nulls(actual)
    keys = data.draw(st.lists(st.sampled_from(sorted(actual)), unique=True)) if actual else []
    subset = {key: actual[key] for key in keys}
    assert Match.object_like(subset).test(actual).ok
    assert as_matcher({"outer": subset}).test({"outer": actual, "other": 1}).ok


@hypothesis_settings(max_examples=150, deadline=None)
@given(actual=objects, extra=st.text(min_size=1, max_size=5))
def test_exact_refuses_a_key_the_pattern_does_not_have_and_names_it(actual, extra):
    actual = without_nulls(actual)
    if extra in actual:
        return
    grown = {**actual, extra: 1}
    assert Match.exact(actual).test(actual).ok
    assert failures(Match.exact(actual), grown) == [((extra,), "no such key (Match.exact allows none beyond the pattern)")]
    assert as_matcher(actual).test(grown).ok  # a plain dict is partial


def test_exact_is_strict_at_every_depth_and_object_like_relaxes_it_where_named():
    actual = {"a": {"b": 1, "c": 2}, "d": 3}
    assert failures(Match.exact({"a": {"b": 1}, "d": 3}), actual) == [
        (("a", "c"), "no such key (Match.exact allows none beyond the pattern)")]
    assert Match.exact({"a": Match.object_like({"b": 1}), "d": 3}).test(actual).ok


def test_every_difference_is_reported_not_only_the_first():
    result = as_matcher({"a": 1, "b": {"c": 2, "d": 3}}).test({"a": 0, "b": {"c": 0, "d": 3}})
    assert [leaf.path for leaf in result.failures] == [("a",), ("b", "c")]
    assert result.passed == 1 and result.closeness() == (2, -1)


# -- any_value and absent ------------------------------------------------------------------------------------------
@pytest.mark.parametrize("actual", [0, "", False, [], {}, "x", Secret("s"), UNKNOWN])
def test_any_value_matches_whatever_is_present_even_falsy_secret_or_unknown(actual):
    assert as_matcher({"k": Match.any_value()}).test({"k": actual}).ok


@pytest.mark.parametrize("actual", [{}, {"k": None}])
def test_any_value_refuses_an_absent_or_null_key(actual):
    assert only_failure({"k": Match.any_value()}, actual) == (("k",), "any value, but there is none")


def test_absent_matches_a_missing_or_null_key_and_refuses_any_value():
    assert as_matcher({"k": Match.absent()}).test({}).ok and as_matcher({"k": Match.absent()}).test({"k": None}).ok
    assert only_failure({"k": Match.absent()}, {"k": 0}) == (("k",), "absent")


# -- array_containing ---------------------------------------------------------------------------------------------
@hypothesis_settings(max_examples=150, deadline=None)
@given(items=st.lists(st.one_of(st.integers(0, 5), st.text(max_size=2)), max_size=6), data=st.data())
def test_array_containing_matches_any_sub_multiset_in_any_order(items, data):
    chosen = data.draw(st.lists(st.sampled_from(range(len(items))), unique=True)) if items else []
    wanted = [items[i] for i in chosen]
    wanted = data.draw(st.permutations(wanted))
    assert Match.array_containing(*wanted).test(items).ok


def test_array_containing_needs_a_different_item_for_each_pattern():
    assert Match.array_containing("a", "a").test(["a", "b", "a"]).ok
    path, expected = only_failure(Match.array_containing("a", "a"), ["a", "b"])
    assert path == () and expected == 'an item like "a": each item that matches it is needed by another pattern'


def test_array_containing_assigns_patterns_to_items_without_greedy_mistakes():
    # a greedy choice would give the first item to the partial pattern and leave the exact one unmatched
    items = [{"Sid": "A", "Effect": "Allow"}, {"Sid": "B", "Effect": "Allow"}]
    assert Match.array_containing({"Effect": "Allow"}, {"Sid": "A"}).test(items).ok


def test_array_containing_shows_the_closest_item_for_a_pattern_nothing_matches():
    statements = [{"Sid": "Read", "Action": ["s3:GetObject"]}, {"Sid": "Write", "Action": ["s3:PutObject"]}]
    found = failures(Match.array_containing({"Sid": "Read", "Action": ["s3:ListBucket"]}), statements)
    assert found[0] == ((), 'an item like {"Sid": "Read", "Action": ["s3:ListBucket"]}: no item matches it')
    assert found[1] == ((0, "Action", 0), '"s3:ListBucket"')  # the closest item is the one with the same Sid


def test_array_containing_refuses_what_is_not_a_list():
    assert only_failure({"a": Match.array_containing(1)}, {"a": 1})[1].endswith("but the value is a int")
    assert only_failure(Match.array_containing(1), []) == ((), "a list containing 1, but the list is empty")


# -- string_like ---------------------------------------------------------------------------------------------------
def test_string_like_searches_the_regular_expression():
    arn = "arn:aws:sqs:eu-west-1:123456789012:platform-dev-intake-queue"
    assert Match.string_like(r"^arn:aws:sqs:[^:]+:\d{12}:platform-dev-").test(arn).ok
    assert Match.string_like("intake").test(arn).ok
    assert only_failure(Match.string_like("^intake"), arn) == ((), "a string like /^intake/")
    assert only_failure(Match.string_like("1"), 1) == ((), "a string like /1/")


@hypothesis_settings(max_examples=100, deadline=None)
@given(text=st.text(max_size=20))
def test_string_like_of_an_escaped_text_matches_every_string_containing_it(text):
    assert Match.string_like(re.escape(text)).test(f"<{text}>").ok


# -- serialized_json -----------------------------------------------------------------------------------------------
@hypothesis_settings(max_examples=150, deadline=None)
@given(document=values)
def test_serialized_json_matches_any_document_against_its_own_value(document):
    document = without_nulls(document)
    assert Match.serialized_json(document).test(json.dumps(document)).ok


def test_serialized_json_reaches_inside_a_policy_document_and_names_the_path():
    policy = json.dumps({"Version": "2012-10-17", "Statement": [
        {"Sid": "Send", "Effect": "Allow", "Action": ["sqs:SendMessage"], "Resource": "arn:aws:sqs:::q"}]})
    pattern = {"policy": Match.serialized_json({"Statement": Match.array_containing(
        {"Action": Match.array_containing("sqs:SendMessage")})})}
    assert as_matcher(pattern).test({"policy": policy}).ok
    wrong = {"policy": Match.serialized_json({"Statement": [{"Effect": "Deny"}]})}
    assert only_failure(wrong, {"policy": policy}) == (("policy", JSON_SEGMENT, "Statement", 0, "Effect"), '"Deny"')


def test_serialized_json_refuses_text_that_does_not_parse_or_is_not_text():
    path, expected = only_failure(Match.serialized_json({}), "{not json")
    assert expected.startswith("a JSON document, but it does not parse: ")
    assert only_failure({"b": Match.serialized_json({})}, {})[1] == "a JSON document, but the value is absent"
    assert only_failure(Match.serialized_json({}), {"already": "parsed"})[1] == (
        "a JSON document, but the value is a dict")


# -- not_ ----------------------------------------------------------------------------------------------------------
def test_not_refuses_what_its_pattern_matches():
    assert Match.not_(Match.string_like(r":\*$")).test("s3:GetObject").ok
    assert only_failure(Match.not_(Match.string_like(r":\*$")), "s3:*") == ((), "anything but Match.string_like(':\\\\*$')")
    assert as_matcher({"Action": Match.not_(Match.array_containing("*"))}).test({"Action": ["s3:GetObject"]}).ok


# -- secrets and unknowns ----------------------------------------------------------------------------------------------
def test_a_secret_matches_only_through_match_secret_which_looks_inside():
    actual = {"endpoint": Secret("ops@example.com")}
    assert as_matcher({"endpoint": Match.secret()}).test(actual).ok
    assert as_matcher({"endpoint": Match.secret("ops@example.com")}).test(actual).ok
    assert as_matcher({"endpoint": Match.secret(Match.string_like("@example.com$"))}).test(actual).ok
    path, expected = only_failure({"endpoint": "ops@example.com"}, actual)
    assert expected == '"ops@example.com", but the value is a secret (Match.secret(...) looks inside it)'
    assert only_failure({"endpoint": Match.secret("x@example.com")}, actual) == (
        ("endpoint", SECRET_SEGMENT), '"x@example.com"')


def test_match_secret_refuses_a_value_in_plain_text_or_absent():
    assert only_failure({"k": Match.secret()}, {"k": "plain"}) == (("k",), "a secret, but the value is in plain text")
    assert only_failure({"k": Match.secret()}, {}) == (("k",), "a secret, but the value is absent")


def test_a_nested_secret_is_matched_by_its_structure():
    actual = {"tags": Secret({"token": "t", "team": "cafe"})}
    assert as_matcher({"tags": Match.secret({"team": "cafe"})}).test(actual).ok
    assert only_failure({"tags": Match.secret({"team": "bar"})}, actual) == (("tags", SECRET_SEGMENT, "team"), '"bar"')


def test_a_secret_is_never_shown_in_a_message():
    assert literal(Secret("hunter2")) == "[secret]" and "hunter2" not in repr(Secret("hunter2"))
    assert Secret("a") == Secret("a") and Secret("a") != "a" and Secret("a") != Secret("b")


def test_an_unknown_value_matches_only_match_unknown_or_any_value():
    actual = {"arn": UNKNOWN}
    assert as_matcher({"arn": Match.unknown()}).test(actual).ok
    assert as_matcher({"arn": Match.any_value()}).test(actual).ok
    assert only_failure({"arn": "arn:aws:sqs:::q"}, actual)[1] == (
        '"arn:aws:sqs:::q", but the value is unknown until deployment (Match.unknown() matches it)')
    assert only_failure({"arn": Match.string_like("sqs")}, actual)[1].endswith("but the value is unknown until "
                                                                               "deployment (Match.unknown() matches it)")
    assert only_failure({"arn": Match.unknown()}, {"arn": "known"}) == (("arn",), "a value unknown until deployment")
    assert only_failure({"arn": {"x": 1}}, actual)[1].endswith("unknown until deployment (Match.unknown() matches it)")


# -- how values are shown --------------------------------------------------------------------------------------------
def test_patterns_show_matchers_by_name_and_numbers_as_written():
    assert literal({"a": Match.string_like("x"), "n": 30.0, "l": [Match.absent()]}) == (
        '{"a": Match.string_like(\'x\'), "n": 30, "l": [Match.absent()]}')
    assert literal("x" * 500).endswith("...") and len(literal("x" * 500)) == 160
    assert literal(MISSING) == "<missing>" and literal(UNKNOWN) == "<unknown>"


def test_an_empty_pattern_is_a_check_that_passes_on_an_object():
    result = as_matcher({}).test({"anything": 1})
    assert isinstance(result, MatchResult) and result.ok and result.leaves
