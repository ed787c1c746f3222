"""Stack files read as the Pulumi CLI (go-yaml v3) reads them: each config value is its text as
written, so the preview and `pulumi up` agree on what is valid."""
from __future__ import annotations

import json

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from components.settings import load_settings
from components.settings.cli_yaml import Secure, YamlFileError, as_config_string, read_project, read_stack_config
from components.settings.loader import config_problems

#: YAML 1.1 booleans: PyYAML's safe_load reads each as True or False, the CLI as the string itself.
YAML_11_BOOLEANS = ["y", "Y", "yes", "Yes", "YES", "n", "N", "no", "No", "NO", "on", "On", "ON", "off", "Off", "OFF"]


def stack_file(tmp_path, body: str):
    path = tmp_path / "Pulumi.dev.yaml"
    path.write_text(body)
    return path


def values(tmp_path, body: str) -> dict:
    return {key: entry.value for key, entry in read_stack_config(stack_file(tmp_path, body)).items()}


@pytest.mark.parametrize("word", YAML_11_BOOLEANS)
def test_yaml_11_booleans_stay_the_text_the_cli_passes(tmp_path, word):
    if word.lower() not in ("y", "n"):  # PyYAML itself leaves y and n alone
        assert yaml.safe_load(f"v: {word}")["v"] in (True, False)  # what the old reader saw
    assert values(tmp_path, f"config:\n  platform:pageOnCritical: {word}\n") == {"platform:pageOnCritical": word}


@pytest.mark.parametrize("word", YAML_11_BOOLEANS + ["True", "FALSE"])
def test_a_yaml_11_boolean_is_rejected_from_the_file_as_from_the_command_line(tmp_path, word):
    from_file = values(tmp_path, f"config:\n  platform:pageOnCritical: {word}\n")
    from_set = {"platform:pageOnCritical": word}
    assert [p.render("dev") for p in config_problems(from_file)] == [p.render("dev") for p in config_problems(from_set)]
    assert "true or false" in config_problems(from_file)[0].allowed


PLAIN_SCALARS = st.from_regex(r"[A-Za-z0-9][A-Za-z0-9._/+-]{0,20}", fullmatch=True)


@settings(max_examples=150, deadline=None)
@given(PLAIN_SCALARS)
def test_any_plain_scalar_reaches_the_program_as_written(tmp_path_factory, text):
    got = values(tmp_path_factory.mktemp("s"), f"config:\n  platform:x: {text}\n")["platform:x"]
    assert got == ("" if text in ("null", "Null", "NULL") else text)


#: Characters YAML allows unescaped in a double-quoted scalar without folding them as line breaks.
YAML_TEXT = st.text(st.characters(exclude_categories=("Cs", "Cc", "Zl", "Zp", "Cn", "Co")), max_size=30)


@settings(max_examples=200, deadline=None)
@given(YAML_TEXT)
def test_any_quoted_string_reaches_the_program_unchanged(tmp_path_factory, text):
    body = "config:\n  platform:x: " + json.dumps(text, ensure_ascii=False) + "\n"  # a YAML double-quoted scalar
    assert values(tmp_path_factory.mktemp("q"), body)["platform:x"] == text


def test_numbers_keep_their_spelling(tmp_path):
    got = values(tmp_path, "config:\n  platform:a: 0x200\n  platform:b: 512\n  platform:c: 1_024\n  platform:d: 0.50\n")
    assert got == {"platform:a": "0x200", "platform:b": "512", "platform:c": "1_024", "platform:d": "0.50"}
    assert config_problems({"platform:lambdaMemoryMb": got["platform:a"]})  # the CLI's Atoi refuses it too


def test_nulls_are_empty_strings_secure_values_are_secrets_and_structures_json(tmp_path):
    got = values(tmp_path, "config:\n  platform:a: ~\n  platform:b:\n  platform:c: {secure: v1:abc}\n"
                           "  aws:defaultTags: {tags: {team: cafe, cost: 12}}\n  aws:allowedAccountIds: [1, '2']\n")
    assert got["platform:a"] == got["platform:b"] == "" and got["platform:c"] == Secure("v1:abc")
    assert json.loads(as_config_string(got["aws:defaultTags"])) == {"tags": {"team": "cafe", "cost": 12}}
    assert as_config_string(got["aws:allowedAccountIds"]) == '[1,"2"]'


@pytest.mark.parametrize("body,where,what", [
    ("config:\n  platform:lambdaMemoryMb: [512\n", "Pulumi.dev.yaml:3:1", "while parsing a flow sequence"),
    ("config:\n  platform:a: 1\n platform:b: 2\n", "Pulumi.dev.yaml:3:2", "while parsing a block mapping"),
    ("config:\n\tplatform:a: 1\n", "Pulumi.dev.yaml:2:1", "while scanning for the next token"),
    ("config:\n  platform:a: 'open\n", "Pulumi.dev.yaml:3:1", "found unexpected end of stream"),
])
def test_a_syntax_error_is_one_line_naming_the_file_and_line(tmp_path, body, where, what):
    with pytest.raises(YamlFileError) as info:
        read_stack_config(stack_file(tmp_path, body))
    message = str(info.value)
    assert message.startswith(f"{where}: YAML syntax error") and what in message and "\n" not in message


def test_a_key_given_twice_is_refused_as_the_cli_refuses_it(tmp_path):
    with pytest.raises(YamlFileError, match=r"Pulumi.dev.yaml:4: mapping key 'platform:logLevel' already defined at line 2"):
        read_stack_config(stack_file(tmp_path, "config:\n  platform:logLevel: DEBUG\n  aws:region: us-east-1\n"
                                               "  platform:logLevel: INFO\n"))


@pytest.mark.parametrize("body,error", [("- a\n- b\n", "must be a mapping"), ("config: [a]\n", "`config` must be a mapping")])
def test_files_of_the_wrong_shape_are_refused(tmp_path, body, error):
    with pytest.raises(YamlFileError, match=error):
        read_stack_config(stack_file(tmp_path, body))


def test_empty_files_have_no_config(tmp_path):
    assert values(tmp_path, "") == {} and values(tmp_path, "config:\n") == {}


def test_project_file_values_resolve_as_go_yaml_v3_does(tmp_path):
    path = tmp_path / "Pulumi.yaml"
    path.write_text("name: cafe\nconfig:\n  a: {default: false}\n  b: {default: 0o17}\n  c: {default: yes}\n"
                    "  d: {default: '1.0'}\n  e: {default: 017}\n  f: {default: 1.5}\n")
    schema = read_project(path)["config"]
    assert [schema[k]["default"] for k in "abcdef"] == [False, 15, "yes", "1.0", 15, 1.5]
    assert [as_config_string(schema[k]["default"]) for k in "abcdf"] == ["false", "15", "yes", "1.0", "1.5"]


def test_committed_files_parse_the_same_as_before_for_every_value_they_hold():
    """The committed files use no YAML 1.1 booleans, so reading them as the CLI does changes nothing."""
    from pathlib import Path

    root = Path(__file__).resolve().parents[3]
    for stack in ("dev", "prod"):
        old = yaml.safe_load((root / f"Pulumi.{stack}.yaml").read_text())["config"]
        new = read_stack_config(root / f"Pulumi.{stack}.yaml")
        assert set(old) == set(new)
        for key, value in old.items():
            expected = ("true" if value else "false") if isinstance(value, bool) else str(value)
            assert new[key].value == expected
        load_settings(stack, {k: e.value for k, e in new.items()})


@pytest.mark.parametrize("loader", ["SafeLoader", "CSafeLoader"])
def test_libyaml_and_pure_python_parsers_read_the_same(tmp_path, monkeypatch, loader):
    from components.settings import cli_yaml

    if not hasattr(yaml, loader):
        pytest.skip("PyYAML built without libyaml")
    monkeypatch.setattr(cli_yaml, "_LOADER", getattr(yaml, loader))
    got = values(tmp_path, "config:\n  a: yes\n  b: ~\n  c: 'q'\n  d: 0x10\n  e: {secure: s}\n  f: [1, true, x]\n")
    assert got == {"a": "yes", "b": "", "c": "q", "d": "0x10", "e": Secure("s"), "f": [1, True, "x"]}
