"""Which config namespaces a stack may use: the project's own (named in Pulumi.yaml), aws: with the
provider's keys and the partition's regions, and pulumi:. Anything else is reported, not ignored."""
from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from components.preview.runner import run_program
from components.settings import SettingsError, config_problems, load_settings, settings_from_pulumi
from components.settings.aws_provider import partition_regions, provider_config_keys

REGIONS = sorted(partition_regions())


def test_regions_come_from_botocore_without_pseudo_regions():
    assert {"us-east-1", "eu-west-1", "ap-southeast-2"} <= set(REGIONS)
    assert not {"aws-global", "cn-north-1", "us-gov-west-1"} & set(REGIONS)


@pytest.mark.parametrize("region", REGIONS)
def test_every_region_of_the_partition_is_accepted(region):
    assert load_settings("dev", {"aws:region": region}).region == region


@settings(max_examples=300, deadline=None)
@given(st.one_of(st.text(max_size=20), st.from_regex(r"[a-z]{2,4}-[a-z]{3,9}-[0-9]{1,2}", fullmatch=True),
                 st.sampled_from(REGIONS).map(str.upper), st.sampled_from(REGIONS).map(lambda r: r + " ")))
def test_a_region_is_accepted_exactly_when_the_partition_has_it(region):
    problems = config_problems({"aws:region": region})
    assert (problems == []) == (region in partition_regions())
    if problems:
        assert problems[0].key == "aws:region" and "aws partition" in problems[0].allowed


def test_a_made_up_region_is_refused_with_suggestions():
    (problem,) = config_problems({"aws:region": "mars-1"})
    assert problem.render("dev").startswith('stack \'dev\': aws:region = "mars-1" is not valid')
    (typo,) = config_problems({"aws:region": "us-east-l"})
    assert "did you mean" in typo.allowed and "us-east-1" in typo.allowed


def test_provider_keys_come_from_the_provider_sdk():
    assert {"region", "profile", "defaultTags", "assumeRoles", "skipCredentialsValidation"} <= provider_config_keys()


@pytest.mark.parametrize("name", sorted(provider_config_keys() - {"region"}))
def test_every_provider_key_is_accepted(name):
    assert config_problems({f"aws:{name}": "x"}) == []


@pytest.mark.parametrize("typo,suggestion", [("regoin", "aws:region"), ("profle", "aws:profile"),
                                             ("defaultTag", "aws:defaultTags")])
def test_a_typod_aws_key_is_reported_with_the_key_it_resembles(typo, suggestion):
    (problem,) = config_problems({f"aws:{typo}": "us-east-1"})
    assert problem.key == f"aws:{typo}" and f"did you mean {suggestion}?" in problem.allowed


def test_engine_settings_are_not_the_programs_business():
    assert config_problems({"pulumi:disable-default-providers": '["*"]'}) == []


def test_keys_of_an_unknown_namespace_are_reported():
    (problem,) = config_problems({"platfrom:lambdaMemoryMb": "512"})
    assert problem.key == "platfrom:lambdaMemoryMb" and "namespace 'platform:'" in problem.allowed


def test_a_renamed_project_reads_its_own_namespace():
    settings = load_settings("dev", {"cafe:lambdaMemoryMb": "1024"}, project="cafe")
    assert settings.lambda_.memory_mb == 1024 and settings.project == "cafe"


def test_under_a_renamed_project_the_old_namespace_fails_clearly():
    with pytest.raises(SettingsError) as info:
        load_settings("dev", {"platform:lambdaMemoryMb": "1024"}, project="cafe")
    assert "namespace 'cafe:'" in str(info.value)


def test_the_program_takes_the_namespace_from_the_engines_project_name():
    seen = {}

    def program():
        seen["settings"] = settings_from_pulumi()

    run_program("dev", program, {"cafe:lambdaMemoryMb": "2048", "aws:region": "eu-west-1"}, project="cafe")
    assert (seen["settings"].project, seen["settings"].lambda_.memory_mb, seen["settings"].region) == (
        "cafe", 2048, "eu-west-1")
