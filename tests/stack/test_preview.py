"""The offline preview: bad config stops everything, dashboards on disk are current, the inventory is honest."""
import dataclasses
import json

import pytest

from components.preview.__main__ import main as preview_main
from components.preview.dashboard_files import GENERATED_SUFFIXES, other_stacks_alarm_names, rendered_files
from components.preview.runner import REPO_ROOT, PreviewResult
from components.settings import SettingsError
from components.testing import Match, ProgramError, run_stack
from tests.stack.conftest import stack_result, stack_view

DASHBOARD = "aws:cloudwatch/dashboard:Dashboard"
SUBSCRIPTION = "aws:sns/topicSubscription:TopicSubscription"


def test_bad_stack_config_lists_every_problem_and_creates_nothing():
    with pytest.raises(SettingsError) as info:
        run_stack("prod", overrides={"lambdaMemoryMb": "64", "logRetentionDays": "8", "unknownKey": "x"})
    assert len(info.value.problems) == 3
    assert isinstance(info.value, ProgramError) and info.value.registered.resources == ()


def test_committed_dashboards_views_and_reports_match_what_the_preview_generates(stack):
    root = REPO_ROOT / "dashboards"
    expected = rendered_files(stack_result(stack), other_stacks_alarm_names(root, stack))
    on_disk = {p.name: p.read_text() for p in (root / stack).iterdir() if p.suffix in GENERATED_SUFFIXES}
    assert sorted(on_disk) == sorted(expected), f"dashboards/{stack} has other files than the preview writes"
    stale = sorted(name for name in expected if on_disk[name] != expected[name])
    assert not stale, f"dashboards/{stack}: {stale} are stale; regenerate with `make preview STACK={stack}`"
    assert {"index.html", "alarms.md", "cost.md"} <= set(expected)
    assert {n[:-5] for n in expected if n.endswith(".html")} - {"index"} == {n[:-5] for n in expected if n.endswith(".json")}


def test_dashboard_files_are_the_deployed_body(stack):
    for dashboard in stack_view(stack).of_type(DASHBOARD):
        text = (REPO_ROOT / "dashboards" / stack / f"{dashboard.inputs['dashboardName']}.json").read_text()
        body = json.loads(text)
        assert json.dumps(body, separators=(",", ":"), sort_keys=True) == dashboard.inputs["dashboardBody"]
        assert len(body["widgets"]) <= 500
        for widget in body["widgets"]:
            assert widget["x"] + widget["width"] <= 24
            if widget["type"] == "metric":
                assert widget["properties"]["region"] == "us-east-1"


def test_inventory_has_type_name_parent_and_camel_case_inputs():
    inventory = stack_view("dev").inventory()
    assert all(set(entry) == {"type", "name", "parent", "inputs"} for entry in inventory)
    assert [(e["name"], e["type"]) for e in inventory] == sorted((e["name"], e["type"]) for e in inventory)
    fn = next(e for e in inventory if e["name"] == "orders-api-function")
    assert fn["parent"] == "orders-api"
    assert "reservedConcurrentExecutions" in fn["inputs"] and "reserved_concurrent_executions" not in fn["inputs"]
    json.dumps(inventory)


def test_secret_emails_are_masked_in_the_inventory():
    view = run_stack("dev", overrides={"alarmEmailsWarning": "team@example.com"})
    # dev: the Critical topic also goes to the Warning recipients; the address stays a secret in both
    subscriptions = view.resource_count_is(SUBSCRIPTION, 2, {"protocol": "email",
                                                             "endpoint": Match.secret("team@example.com")})
    assert sorted(s.name for s in subscriptions) == ["platform-core-alarms-critical-email-0",
                                                     "platform-core-alarms-warning-email-0"]
    assert all(s.registration.inputs["endpoint"] == "[secret]" for s in subscriptions)
    assert "team@example.com" not in json.dumps(view.inventory())


def test_mocks_compute_realistic_identifiers():
    view = stack_view("prod")
    view.has_resource("aws:lambda/function:Function", name="orders-api-function", outputs={
        "arn": "arn:aws:lambda:us-east-1:123456789012:function:platform-prod-orders-api"})
    stage = view.has_resource("aws:apigateway/stage:Stage", name="orders-stage", outputs={
        "invokeUrl": Match.string_like(r"^https://\w+\.execute-api\.us-east-1\.amazonaws\.com/v1$")})
    view.has_output("services", {"orders": {"url": stage.outputs["invokeUrl"]}})


@pytest.mark.usefixtures("clis_share_stack_runs")
def test_cli_prints_summary_and_json(capsys, tmp_path):
    assert preview_main(["dev", "--out", str(tmp_path)]) == 0
    out = capsys.readouterr().out
    assert "Stack dev:" in out and "orders" in out and "Alarms:" in out
    written = {p.name for p in (tmp_path / "dev").iterdir()}
    assert {"platform-dev-orders-dashboard.json", "platform-dev-orders-dashboard.html", "index.html", "alarms.md",
            "cost.md"} <= written
    assert "dashboards/" not in out or "index.html" in out
    assert preview_main(["dev", "--json", "--no-write"]) == 0
    inventory = json.loads(capsys.readouterr().out)
    assert any(e["type"] == "aws:apigateway/restApi:RestApi" for e in inventory)


def _with_dashboard_body(result: PreviewResult, name: str, edit) -> PreviewResult:
    resources = []
    for r in result.resources:
        if r.type == "aws:cloudwatch/dashboard:Dashboard" and r.inputs["dashboardName"] == name:
            body = json.loads(r.inputs["dashboardBody"])
            edit(body)
            r = dataclasses.replace(r, inputs={**r.inputs, "dashboardBody": json.dumps(body)})
        resources.append(r)
    return dataclasses.replace(result, resources=resources)


def _grow_past_500(body: dict) -> None:
    bottom = max(w["y"] + w["height"] for w in body["widgets"])
    body["widgets"] += [{"type": "text", "x": i % 24, "y": bottom + i // 24, "width": 1, "height": 1,
                         "properties": {"markdown": f"cell {i}"}} for i in range(500)]


def _odd_metric_row(body: dict) -> None:
    graph = next(w for w in body["widgets"] if w["type"] == "metric")
    graph["properties"]["metrics"].append([".", "Errors", {"stat": "Sum"}])


def _too_many_widgets(body: dict) -> str:
    return f"dashboard platform-dev-orders-dashboard: {len(body['widgets']) + 500} widgets; CloudWatch allows at most 500"


def _odd_row_in_first_graph(body: dict) -> str:
    index, graph = next((i, w) for i, w in enumerate(body["widgets"]) if w["type"] == "metric")
    rows = len(graph["properties"]["metrics"])  # the odd row is appended after them
    return (f'dashboard platform-dev-orders-dashboard: widget {index} ("{graph["properties"]["title"]}"): '
            f"unknown metric shape: metrics[{rows}]: the '.' and '...' shorthands are not expanded")


@pytest.mark.parametrize(("edit", "expected"), [(_grow_past_500, _too_many_widgets),
                                                (_odd_metric_row, _odd_row_in_first_graph)])
def test_a_dashboard_cloudwatch_or_the_views_would_reject_fails_the_preview_by_name(edit, expected, monkeypatch,
                                                                                    capsys, tmp_path):
    import components.preview.__main__ as cli

    result = stack_result("dev")
    body = stack_view("dev").dashboard("platform-dev-orders-dashboard").body
    broken = _with_dashboard_body(result, "platform-dev-orders-dashboard", edit)
    monkeypatch.setattr(cli, "run_stack", lambda *args, **kwargs: broken)
    assert cli.main(["dev", "--out", str(tmp_path)]) == 2
    err = capsys.readouterr().err
    assert expected(body) in err and "Traceback" not in err
    assert not (tmp_path / "dev").exists()  # nothing half-written
    assert cli.main(["dev", "--no-write"]) == 2


@pytest.mark.usefixtures("clis_share_stack_runs")
def test_cli_reports_bad_config_and_unknown_stack(capsys):
    assert preview_main(["dev", "--no-write", "--set", "lambdaMemoryMb=1"]) == 2
    assert "platform:lambdaMemoryMb" in capsys.readouterr().err
    assert preview_main(["staging", "--no-write"]) == 2
    assert "no stack 'staging'" in capsys.readouterr().err


def test_the_program_needs_only_its_own_requirements(inventory_command):
    """`pulumi up` runs with requirements.txt alone; handler-only packages must not be imported.

    The preview process runs the whole program (and more: the dashboards' views), so what it does not
    import, the program does not either."""
    assert "components.platform" in inventory_command.modules
    assert not {"opensearchpy", "aws_xray_sdk", "aws_lambda_powertools", "moto"} & inventory_command.modules


def test_a_stack_whose_reservations_exceed_the_quota_fails_before_deploying(capsys):
    assert preview_main(["prod", "--no-write", "--set", "lambdaConcurrencyQuota=200"]) == 2
    err = capsys.readouterr().err
    assert "leaves only 100 reservable" in err and "lambdaConcurrencyQuota" in err


def test_only_the_owning_stack_sets_the_account_wide_api_gateway_role():
    stack_view("dev").resource_count_is("aws:apigateway/account:Account", 1)
    role = "arn:aws:iam::123456789012:role/platform-dev-apigw-logs"
    guest = run_stack("prod", overrides={"apiGatewayAccountRole": role})
    guest.resource_count_is("aws:apigateway/account:Account", 0)
    guest.resource_count_is("aws:iam/role:Role", 0, {"name": Match.string_like("-apigw-logs$")})
    assert guest.of_type("aws:apigateway/stage:Stage")
