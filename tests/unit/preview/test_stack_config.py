"""The offline preview reads Pulumi.yaml and stack files as the CLI does and refuses what the CLI
refuses before it would run the program."""
from __future__ import annotations

from pathlib import Path

import pytest

from components.preview.stack_config import StackConfigError, load_stack_config, read_project_file
from components.settings import SettingsError, load_settings
from components.settings.schema import KEYS

ROOT = Path(__file__).resolve().parents[3]


def project(tmp_path: Path, stack_body: str, name: str = "platform") -> Path:
    text = (ROOT / "Pulumi.yaml").read_text()
    (tmp_path / "Pulumi.yaml").write_text(text.replace("name: platform\n", f"name: {name}\n", 1))
    (tmp_path / "Pulumi.dev.yaml").write_text(stack_body)
    return tmp_path


def test_pulumi_yaml_declares_the_schemas_secret_keys_secret():
    assert read_project_file(ROOT).secret_keys == {f"platform:{key.name}" for key in KEYS if key.secret}


def test_a_plaintext_secret_is_refused_with_the_command_to_use_and_every_other_problem(tmp_path):
    root = project(tmp_path, "config:\n  aws:region: us-east-1\n  platform:alarmEmailsWarning: team@example.com\n"
                             "  platform:lambdaMemoryMb: 64\n")
    with pytest.raises(SettingsError) as info:
        load_stack_config(root, "dev")
    message = str(info.value)
    assert "team@example.com" not in message
    assert "platform:alarmEmailsWarning = [secret] is not valid" in message
    assert "Pulumi.dev.yaml:3 holds it in plain text" in message
    assert "pulumi config set --stack dev --secret platform:alarmEmailsWarning <value>" in message
    assert 'platform:lambdaMemoryMb = "64" is not valid' in message and "2 problems" in message


def test_an_encrypted_secret_is_left_unset_with_a_note(tmp_path):
    root = project(tmp_path, "config:\n  platform:alarmEmailsWarning:\n    secure: v1:abc\n")
    config, notes = load_stack_config(root, "dev")
    assert "platform:alarmEmailsWarning" not in config
    assert any("encrypted" in note and "platform:alarmEmailsWarning" in note for note in notes)


def test_a_missing_secret_is_noted_because_pulumi_up_would_refuse_the_stack(tmp_path):
    root = project(tmp_path, "config:\n  platform:alarmEmailsWarning:\n    secure: v1:abc\n")
    _, notes = load_stack_config(root, "dev")
    (missing,) = [note for note in notes if "has no value" in note]
    assert "pulumi config set --stack dev --secret platform:alarmEmailsCritical <value>" in missing


@pytest.mark.parametrize("body,where", [
    ("config:\n  platform:lambdaMemoryMb: [512\n", "Pulumi.dev.yaml:3:1: YAML syntax error"),
    ("config:\n  platform:logLevel: INFO\n  platform:logLevel: DEBUG\n", "Pulumi.dev.yaml:3: mapping key"),
])
def test_an_unreadable_stack_file_is_one_clear_error(tmp_path, body, where):
    with pytest.raises(StackConfigError) as info:
        load_stack_config(project(tmp_path, body), "dev")
    assert str(info.value).startswith(where)


def test_an_unreadable_project_file_is_one_clear_error(tmp_path):
    root = project(tmp_path, "config: {}\n")
    (root / "Pulumi.yaml").write_text("name: platform\nconfig:\n  a: {type: string\n")
    with pytest.raises(StackConfigError, match=r"^Pulumi.yaml:4:1: YAML syntax error"):
        load_stack_config(root, "dev")


def test_yes_in_a_stack_file_is_the_string_yes_as_for_the_cli(tmp_path):
    config, _ = load_stack_config(project(tmp_path, "config:\n  platform:pageOnCritical: yes\n"), "dev")
    assert config["platform:pageOnCritical"] == "yes"
    with pytest.raises(SettingsError, match=r'platform:pageOnCritical = "yes" is not valid; allowed: true or false'):
        load_settings("dev", config)


def test_bare_keys_and_defaults_take_the_projects_name(tmp_path):
    root = project(tmp_path, "config:\n  lambdaMemoryMb: 1024\n", name="cafe")
    config, _ = load_stack_config(root, "dev")
    assert config["cafe:lambdaMemoryMb"] == "1024" and config["cafe:environment"] == "dev"
    assert not any(key.startswith("platform:") for key in config)
    assert load_settings("dev", config, project="cafe").lambda_.memory_mb == 1024


def test_defaults_are_the_strings_the_cli_passes():
    config, _ = load_stack_config(ROOT, "dev")
    assert config["platform:pageOnCritical"] == "false" and config["platform:lambdaMemoryMb"] == "256"
    assert config["platform:xraySamplingRate"] == "1.0"
