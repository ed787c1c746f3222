from pathlib import Path

from components.settings.reference import pulumi_yaml_config, settings_table

ROOT = Path(__file__).resolve().parents[3]


def test_readme_settings_table_is_current():
    assert settings_table(ROOT) in (ROOT / "README.md").read_text(), \
        "README.md settings table is stale; run `python -m components.settings.reference`"


def test_readme_test_command_is_what_ci_runs():
    readme = (ROOT / "README.md").read_text()
    assert "make test" in readme
    ci = (ROOT / ".ci" / "run").read_text()
    assert [line for line in ci.splitlines() if line and not line.startswith("#")][-1] == "make test"


def test_pulumi_yaml_config_block_is_generated_from_the_schema():
    text = (ROOT / "Pulumi.yaml").read_text()
    assert text[text.index("config:\n"):] == pulumi_yaml_config(), \
        "Pulumi.yaml is stale; run `python -m components.settings.reference`"
