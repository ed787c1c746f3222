"""The offline preview: bad config stops everything, dashboards on disk are current, the inventory is honest."""
import json

import pytest

from components.preview.__main__ import main as preview_main
from components.preview.dashboard_files import rendered_dashboards
from components.preview.mocks import PlatformMocks
from components.preview.recorder import RecordingMonitor
from components.preview.runner import REPO_ROOT, run_stack
from components.settings import SettingsError
from tests.stack.conftest import stack_result


def test_bad_stack_config_lists_every_problem_and_creates_nothing():
    monitor = RecordingMonitor(PlatformMocks("us-east-1"))
    with pytest.raises(SettingsError) as info:
        run_stack("prod", overrides={"platform:lambdaMemoryMb": "64", "platform:logRetentionDays": "8",
                                     "platform:unknownKey": "x"}, monitor=monitor)
    assert len(info.value.problems) == 3
    assert monitor.registrations == []


def test_committed_dashboards_match_what_the_preview_generates(stack):
    expected = rendered_dashboards(stack_result(stack))
    directory = REPO_ROOT / "dashboards" / stack
    on_disk = {p.name: p.read_text() for p in directory.glob("*.json")}
    assert on_disk == expected, (f"dashboards/{stack} is stale; regenerate with "
                                 f"`make preview STACK={stack}`")


def test_dashboard_files_are_the_deployed_body(stack):
    for dashboard in stack_result(stack).of_type("aws:cloudwatch/dashboard:Dashboard"):
        text = (REPO_ROOT / "dashboards" / stack / f"{dashboard.inputs['dashboardName']}.json").read_text()
        body = json.loads(text)
        assert json.dumps(body, separators=(",", ":"), sort_keys=True) == dashboard.inputs["dashboardBody"]
        assert len(body["widgets"]) <= 500
        for widget in body["widgets"]:
            assert widget["x"] + widget["width"] <= 24
            if widget["type"] == "metric":
                assert widget["properties"]["region"] == "us-east-1"


def test_inventory_has_type_name_parent_and_camel_case_inputs():
    inventory = stack_result("dev").inventory()
    assert all(set(entry) == {"type", "name", "parent", "inputs"} for entry in inventory)
    assert [(e["name"], e["type"]) for e in inventory] == sorted((e["name"], e["type"]) for e in inventory)
    fn = next(e for e in inventory if e["name"] == "orders-api-function")
    assert fn["parent"] == "orders-api"
    assert "reservedConcurrentExecutions" in fn["inputs"] and "reserved_concurrent_executions" not in fn["inputs"]
    json.dumps(inventory)


def test_secret_emails_are_masked_in_the_inventory():
    result = run_stack("dev", overrides={"platform:alarmEmailsWarning": "team@example.com"})
    subscriptions = [s for s in result.of_type("aws:sns/topicSubscription:TopicSubscription")
                     if s.inputs["protocol"] == "email"]
    # dev: the Critical topic also goes to the Warning recipients
    assert sorted(s.name for s in subscriptions) == ["platform-core-alarms-critical-email-0",
                                                     "platform-core-alarms-warning-email-0"]
    assert all(s.inputs["endpoint"] == "[secret]" for s in subscriptions)
    assert "team@example.com" not in json.dumps(result.inventory())


def test_mocks_compute_realistic_identifiers():
    result = stack_result("prod")
    fn = result.named("orders-api-function")
    assert fn.outputs["arn"] == "arn:aws:lambda:us-east-1:123456789012:function:platform-prod-orders-api"
    stage = result.named("orders-stage")
    assert stage.outputs["invokeUrl"].startswith("https://") and stage.outputs["invokeUrl"].endswith(
        ".execute-api.us-east-1.amazonaws.com/v1")
    assert result.outputs["services"]["orders"]["url"] == stage.outputs["invokeUrl"]


def test_cli_prints_summary_and_json(capsys, tmp_path):
    assert preview_main(["dev", "--out", str(tmp_path)]) == 0
    out = capsys.readouterr().out
    assert "Stack dev:" in out and "orders" in out and "Alarms:" in out
    assert (tmp_path / "dev" / "platform-dev-orders-dashboard.json").exists()
    assert preview_main(["dev", "--json", "--no-write"]) == 0
    inventory = json.loads(capsys.readouterr().out)
    assert any(e["type"] == "aws:apigateway/restApi:RestApi" for e in inventory)


def test_cli_reports_bad_config_and_unknown_stack(capsys):
    assert preview_main(["dev", "--no-write", "--set", "lambdaMemoryMb=1"]) == 2
    assert "platform:lambdaMemoryMb" in capsys.readouterr().err
    assert preview_main(["staging", "--no-write"]) == 2
    assert "no stack 'staging'" in capsys.readouterr().err


def test_the_program_needs_only_its_own_requirements():
    """`pulumi up` runs with requirements.txt alone; handler-only packages must not be imported."""
    import subprocess
    import sys

    code = ("import sys; from components.preview.runner import run_stack; run_stack('dev'); "
            "print(sorted(m for m in ('opensearchpy', 'aws_xray_sdk', 'aws_lambda_powertools', 'moto') "
            "if m in sys.modules))")
    done = subprocess.run([sys.executable, "-c", code], cwd=REPO_ROOT, capture_output=True, text=True, check=True)
    assert done.stdout.strip().splitlines()[-1] == "[]"


def test_a_stack_whose_reservations_exceed_the_quota_fails_before_deploying(capsys):
    assert preview_main(["prod", "--no-write", "--set", "lambdaConcurrencyQuota=200"]) == 2
    err = capsys.readouterr().err
    assert "leaves only 100 reservable" in err and "lambdaConcurrencyQuota" in err


def test_only_the_owning_stack_sets_the_account_wide_api_gateway_role():
    owner = stack_result("dev")
    assert owner.of_type("aws:apigateway/account:Account")
    role = "arn:aws:iam::123456789012:role/platform-dev-apigw-logs"
    guest = run_stack("prod", overrides={"platform:apiGatewayAccountRole": role})
    assert not guest.of_type("aws:apigateway/account:Account")
    assert not [r for r in guest.of_type("aws:iam/role:Role") if r.inputs["name"].endswith("-apigw-logs")]
    assert guest.of_type("aws:apigateway/stage:Stage")
