"""The pytest plugin as a user enables it: in a conftest.py, fixtures per stack, snapshots with a flag."""
from __future__ import annotations

import json

USER_CONFTEST = 'pytest_plugins = ["components.testing.pytest_plugin"]\n'
USER_TESTS = '''
from components.testing import Match


def test_dev(dev_stack):
    dev_stack.has_resource("aws:lambda/function:Function", {"tracingConfig": {"mode": "Active"}})


def test_prod(prod_stack):
    prod_stack.resource_count_is("aws:wafv2/webAcl:WebAcl", 1)


def test_snapshot(dev_stack, snapshot):
    snapshot.assert_match(dev_stack)


def test_a_failure_reads_well(dev_stack):
    dev_stack.has_resource("aws:sqs/queue:Queue", {"visibilityTimeoutSeconds": 1})
'''


def test_a_users_session_gets_a_fixture_per_stack_and_readable_failures(pytester):
    pytester.makeconftest(USER_CONFTEST)
    pytester.makepyfile(test_user=USER_TESTS)
    result = pytester.runpytest_inprocess("-p", "no:cacheprovider", "--update-snapshots")
    result.assert_outcomes(passed=3, failed=1)
    assert json.loads((pytester.path / "tests" / "snapshots" / "dev.json").read_text())["stack"] == "dev"
    output = result.stdout.str()
    assert "KitAssertionError: stack dev: no aws:sqs/queue:Queue matches" in output
    assert '"visibilityTimeoutSeconds": ' in output and "<- expected 1" in output
    assert "asyncio" not in output


def test_without_the_flag_a_missing_snapshot_fails_and_a_written_one_is_compared(pytester):
    pytester.makeconftest(USER_CONFTEST)
    pytester.makepyfile(test_user=USER_TESTS)
    pytester.makeini("[pytest]\ntestkit_snapshots = inventory\n")
    missing = pytester.runpytest_inprocess("-p", "no:cacheprovider", "-k", "snapshot")
    missing.assert_outcomes(failed=1)
    assert "no snapshot" in missing.stdout.str() and "--update-snapshots" in missing.stdout.str()
    pytester.runpytest_inprocess("-p", "no:cacheprovider", "-k", "snapshot", "--update-snapshots").assert_outcomes(
        passed=1)
    assert (pytester.path / "inventory" / "dev.json").exists()
    pytester.runpytest_inprocess("-p", "no:cacheprovider", "-k", "snapshot").assert_outcomes(passed=1)


def test_the_plugin_lists_its_fixtures(pytester):
    pytester.makeconftest(USER_CONFTEST)
    listed = pytester.runpytest_inprocess("-p", "no:cacheprovider", "--fixtures").stdout.str()
    for fixture in ("dev_stack", "prod_stack", "stack_run", "with_services", "services_run", "snapshot"):
        assert fixture in listed
