from pathlib import Path

import pytest

from components.preview.stack_config import load_stack_config
from components.settings import SettingsError, load_settings, settings_warnings
from components.settings.cli_yaml import as_config_string, read_project, read_stack_config
from components.settings.schema import KEYS, KEYS_BY_NAME

ROOT = Path(__file__).resolve().parents[3]


def config(**values: str) -> dict[str, str]:
    return {f"platform:{key}": value for key, value in values.items()}


def problems_of(stack: str, cfg: dict[str, str]) -> SettingsError:
    with pytest.raises(SettingsError) as info:
        load_settings(stack, cfg)
    return info.value


def test_defaults_alone_are_a_valid_dev_profile():
    settings = load_settings("dev", {})
    assert settings.environment == "dev"
    assert settings.lambda_.reserved_concurrency is None
    assert settings.routing.critical_recipients == settings.routing.warning_emails == ()
    assert settings.region == "us-east-1"


BAD_CONFIGS = [
    ("lambdaMemoryMb", "99999", "an integer between 128 and 10240"),
    ("lambdaMemoryMb", "lots", "an integer between 128 and 10240"),
    ("lambdaTimeoutSeconds", "60", "an integer between 1 and 29"),
    ("lambdaReservedConcurrency", "0", "or one of -1"),
    ("logRetentionDays", "10", "one of 1, 3, 5, 7, 14"),
    ("xraySamplingRate", "1.5", "a decimal number between 0 and 1"),
    ("xraySamplingRate", "nan", "a decimal number between 0 and 1"),
    ("environment", "staging", "one of dev, prod"),
    ("lambdaRuntime", "python3.9", "one of python3.12, python3.13"),
    ("pageOnCritical", "yes", "true or false"),
    ("pageOnCritical", "True", "true or false"),
    ("lambdaMemoryMb", " 512", "an integer between 128 and 10240"),
    ("alarmPeriodSeconds", "30", "never gets data"),
    ("alarmLambdaErrorRateWarningPct", "-1", "between 0 and 100, or \"off\""),
    ("opensearchDedicatedMasterCount", "2", "one of 0, 3, 5"),
    ("opensearchInstanceType", "r7g.large", "an OpenSearch instance type"),
    ("alarmEmailsWarning", "ops@example.com,not-an-email", "a comma-separated list of e-mail addresses"),
    ("opensearchRefreshInterval", "soon", "a duration such as 1s"),
]


@pytest.mark.parametrize("key,value,allowed", BAD_CONFIGS)
def test_each_bad_value_names_stack_key_value_and_what_is_allowed(key, value, allowed):
    error = problems_of("prod", config(**{key: value}))
    message = str(error)
    assert "stack 'prod'" in message
    assert f"platform:{key}" in message
    assert allowed in message
    if KEYS_BY_NAME[key].secret:
        assert value not in message and "[secret]" in message
    else:
        assert f'= "{value}" is not valid' in message


def test_every_problem_is_reported_in_one_error():
    error = problems_of("dev", config(lambdaMemoryMb="1", logRetentionDays="2", environment="qa",
                                      lambdaMemroyMb="512"))
    keys = sorted(p.key for p in error.problems)
    assert keys == ["platform:environment", "platform:lambdaMemoryMb", "platform:lambdaMemroyMb",
                    "platform:logRetentionDays"]
    assert "4 problems" in str(error)
    assert "no resources were created" in str(error)


def test_unknown_key_is_an_error_with_a_suggestion():
    error = problems_of("dev", config(lambdaMemroyMb="512"))
    assert "did you mean platform:lambdaMemoryMb?" in str(error)


def test_other_namespaces_are_not_validated_here():
    assert load_settings("dev", {"aws:region": "eu-west-1", "aws:profile": "x"}).region == "eu-west-1"


@pytest.mark.parametrize("cfg,key,allowed", [
    (config(alarmApi5xxRateWarningPct="5", alarmApi5xxRateCriticalPct="1"), "platform:alarmApi5xxRateCriticalPct",
     "a value >= the Warning threshold (5)"),
    (config(alarmEvaluationPeriods="2", alarmDatapointsToAlarm="3"), "platform:alarmDatapointsToAlarm",
     "at most alarmEvaluationPeriods (2)"),
    (config(opensearchMultiAzWithStandby="true", opensearchAvailabilityZones="3", opensearchInstanceCount="3",
            opensearchInstanceType="r7g.large.search", opensearchReplicas="2"),
     "platform:opensearchDedicatedMasterCount", "3 when opensearchMultiAzWithStandby is true"),
    (config(opensearchAvailabilityZones="3", opensearchInstanceCount="4"), "platform:opensearchInstanceCount",
     "a multiple of opensearchAvailabilityZones (3)"),
    (config(opensearchReplicas="1"), "platform:opensearchReplicas", "at most opensearchInstanceCount - 1 (0)"),
    (config(opensearchEngineVersion="OpenSearch_2.11"), "platform:opensearchEngineVersion", "OpenSearch_2.12 or later"),
    (config(opensearchInstanceType="t3.small.search"), "platform:opensearchInstanceType",
     "supports encryption at rest"),
    (config(apiThrottleRateLimit="100", apiThrottleBurstLimit="10"), "platform:apiThrottleBurstLimit",
     "at least apiThrottleRateLimit (100)"),
])
def test_cross_key_rules(cfg, key, allowed):
    error = problems_of("dev", cfg)
    assert [p.key for p in error.problems] == [key]
    assert allowed in str(error)


def test_off_disables_a_severity():
    settings = load_settings("dev", config(alarmApi5xxRateCriticalPct="off"))
    assert settings.alarms.api_5xx_rate_pct.critical is None
    assert settings.alarms.api_5xx_rate_pct.warning == 1.0


def test_dev_routes_critical_to_warning_recipients_and_prod_pages():
    dev = load_settings("dev", config(alarmEmailsWarning="team@example.com", alarmEmailsCritical="pager@example.com"))
    assert dev.routing.critical_recipients == ("team@example.com",)
    prod = load_settings("prod", config(alarmEmailsWarning="team@example.com", alarmEmailsCritical="pager@example.com",
                                        pageOnCritical="true"))
    assert prod.routing.critical_recipients == ("pager@example.com",)


def test_paging_without_recipients_is_warned_about():
    settings = load_settings("prod", config(pageOnCritical="true"))
    assert any("page no one" in warning for warning in settings_warnings(settings))


def test_pulumi_yaml_declares_exactly_the_schema():
    declared = read_project(ROOT / "Pulumi.yaml")["config"]
    assert list(declared) == [key.name for key in KEYS]
    for key in KEYS:
        entry = declared[key.name]
        assert entry["type"] == key.type
        assert entry["description"] == key.description
        if key.secret:  # the CLI refuses a plaintext default for a secret key, so there is none
            assert entry["secret"] is True and "default" not in entry
        else:
            assert "secret" not in entry
            assert key.parse(as_config_string(entry["default"])) == key.parse(key.default_text)


@pytest.mark.parametrize("stack", ["dev", "prod"])
def test_committed_stack_files_are_valid_and_only_differ_from_defaults(stack):
    cfg, _ = load_stack_config(ROOT, stack)
    load_settings(stack, cfg)
    for full_key, entry in read_stack_config(ROOT / f"Pulumi.{stack}.yaml").items():
        namespace, _, name = full_key.partition(":")
        if namespace == "platform":
            key = KEYS_BY_NAME[name]
            assert key.parse(entry.value) != key.parse(key.default_text), f"{full_key} repeats the default"
