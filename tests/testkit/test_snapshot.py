"""Inventory snapshots: stable, sorted, secret-free documents; a difference is listed resource by resource."""
from __future__ import annotations

import json
from dataclasses import replace

import pytest
from hypothesis import given, settings as hypothesis_settings, strategies as st

from components.testing import HIDDEN, UNKNOWN, KitAssertionError, Secret, run_program
from components.testing.snapshot import Snapshots, differences, digest, dumps, inventory, stable
from tests.testkit.test_view import shops


@pytest.fixture(scope="module")
def view():
    return run_program(shops)


def test_values_are_stored_stable_readable_and_without_secrets():
    assert stable({"n": 30.0, "f": 0.5, "s": Secret("hunter2"), "u": UNKNOWN, "h": Secret(HIDDEN)}) == {
        "n": 30, "f": 0.5, "s": "[secret]", "u": "<unknown>", "h": "[secret]"}
    assert stable('{"Statement": [{"Effect": "Allow"}]}') == {"<json>": {"Statement": [{"Effect": "Allow"}]}}
    assert stable("{not json}") == "{not json}"
    assert stable("build/function-handlers-python3.12-8baf16b9ccfff679db35.zip") == (
        "build/function-handlers-python3.12-<hash>.zip")
    assert stable("build/plain.zip") == "build/plain.zip"


@hypothesis_settings(max_examples=100, deadline=None)
@given(document=st.recursive(st.one_of(st.integers(-1000, 1000), st.text(max_size=6), st.booleans()),
                             lambda inner: st.one_of(st.lists(inner, max_size=3),
                                                     st.dictionaries(st.text(max_size=4), inner, max_size=3)),
                             max_leaves=10))
def test_a_json_string_is_stored_as_the_document_it_holds(document):
    text = json.dumps(document)
    stored = stable(text)
    expected = stable(document)
    if isinstance(document, (dict, list)):
        assert stored == {"<json>": expected}
    assert json.loads(dumps({"v": stored})) == {"v": stored}


def test_the_inventory_is_sorted_by_name_and_type_and_keeps_only_the_options_a_resource_sets(view):
    document = inventory(view)
    names = [(r["name"], r["type"]) for r in document["resources"]]
    assert names == sorted(names) and len(names) == len(view)
    mail = next(r for r in document["resources"] if r["name"] == "orders-mail")
    assert mail["inputs"]["endpoint"] == "[secret]" and "options" not in mail
    assert "orders@example.com" not in dumps(document) and "s3cr3t" not in dumps(document)
    assert document["outputs"]["token"] == "[secret]"
    protected = replace(view.result, resources=[replace(r, options=replace(r.options, protect=True))
                                                if r.name == "orders-queue" else r for r in view.result.resources])
    entry = next(r for r in inventory(view.with_result(protected))["resources"] if r["name"] == "orders-queue")
    assert entry["options"] == {"protect": True}


def test_a_digested_input_is_kept_as_a_short_digest_that_still_changes_with_it(view):
    document = inventory(view, {"aws:sqs/queue:Queue": ["redrivePolicy"]})
    queue = next(r for r in document["resources"] if r["name"] == "orders-queue")
    assert queue["inputs"]["redrivePolicy"] == digest(view.get("orders-queue").inputs["redrivePolicy"])
    assert queue["inputs"]["redrivePolicy"].startswith("sha256:") and len(queue["inputs"]["redrivePolicy"]) == 23
    assert digest({"a": 1}) != digest({"a": 2})


def test_differences_are_listed_added_removed_and_changed_path_by_path():
    old = {"resources": [
        {"type": "t:q:Queue", "name": "a", "parent": None, "inputs": {"x": 1, "p": {"<json>": {"S": ["r"]}}}},
        {"type": "t:q:Queue", "name": "gone", "parent": None, "inputs": {}}], "outputs": {"url": "u"}}
    new = {"resources": [
        {"type": "t:q:Queue", "name": "a", "parent": "owner", "inputs": {"x": 2, "p": {"<json>": {"S": ["r", "w"]}}}},
        {"type": "t:q:Queue", "name": "new", "parent": None, "inputs": {}}], "outputs": {"url": "v"}}
    assert differences(old, new) == [
        "+ t:q:Queue new", "- t:q:Queue gone", "~ t:q:Queue a",
        '    inputs.p.<json>.S: ["r"] -> ["r", "w"]', "    inputs.x: 1 -> 2", '    parent: null -> "owner"',
        "~ stack outputs", '    url: "u" -> "v"']
    assert differences(old, old) == []


def test_a_key_that_appears_or_disappears_is_shown_as_absent():
    old = {"resources": [{"type": "t", "name": "a", "inputs": {"x": 1}}]}
    new = {"resources": [{"type": "t", "name": "a", "inputs": {"y": 1}}]}
    assert differences(old, new) == ["~ t a", "    inputs.x: 1 -> (absent)", "    inputs.y: (absent) -> 1"]


def test_a_snapshot_is_written_with_the_update_flag_then_compared(view, tmp_path):
    Snapshots(tmp_path, update=True).assert_match(view, "shops")
    written = (tmp_path / "shops.json").read_text()
    assert json.loads(written) == json.loads(dumps(inventory(view)))
    Snapshots(tmp_path).assert_match(view, "shops")
    Snapshots(tmp_path, update=True).assert_match(view, "shops")  # unchanged: the file is left as it is
    assert (tmp_path / "shops.json").read_text() == written


def test_a_missing_snapshot_fails_and_says_how_to_write_it(view, tmp_path):
    with pytest.raises(KitAssertionError, match=r"no snapshot .*dev\.json: run the tests with --update-snapshots"):
        Snapshots(tmp_path).assert_match(view)


def test_a_changed_stack_fails_with_its_differences(view, tmp_path):
    Snapshots(tmp_path, update=True).assert_match(view)
    changed = replace(view.result, resources=[
        replace(r, inputs={**r.inputs, "visibilityTimeoutSeconds": 90}) if r.name == "orders-queue" else r
        for r in view.result.resources if r.name != "orders-topic"])
    with pytest.raises(KitAssertionError) as info:
        Snapshots(tmp_path).assert_match(view.with_result(changed))
    message = str(info.value)
    assert message.startswith(f"stack dev differs from its snapshot {tmp_path / 'dev.json'} (+ added, - removed, "
                              "~ changed):\n")
    assert "- aws:sns/topic:Topic orders-topic\n~ aws:sqs/queue:Queue orders-queue\n" \
           "    inputs.visibilityTimeoutSeconds: 60 -> 90\n" in message
    assert message.endswith("If the change is intended, run the tests with --update-snapshots and commit the file.")


def test_a_long_difference_is_cut_with_a_count(view, tmp_path):
    Snapshots(tmp_path, update=True).assert_match(view)
    renamed = replace(view.result, resources=[replace(r, name=f"{r.name}-{i}") for i in range(10)
                                              for r in view.result.resources])
    with pytest.raises(KitAssertionError, match=r"\.\.\. and \d+ more lines"):
        Snapshots(tmp_path).assert_match(view.with_result(renamed))
