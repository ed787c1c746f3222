"""The reports of the real stacks: every alarm inventoried, names unique across stacks, costs follow settings."""
from __future__ import annotations

import pytest

from components.preview.dashboard_files import stack_inventory
from components.reports.alarm_inventory import alarm_inventory_markdown, alarm_names_in
from components.reports.cost import PriceTable, estimate
from components.reports.limits import stack_limit_problems
from components.testing import run_stack
from tests.stack.conftest import stack_result


def line(est, category: str) -> float:
    return round(est.by_category().get(category, 0.0), 6)


def test_the_real_inventories_list_every_alarm_of_the_stack(view) -> None:
    inv = stack_inventory(view.result)
    assert sorted(alarm_names_in(alarm_inventory_markdown(inv))) == inv.alarm_names
    assert all(a.check_first and a.severity in ("warning", "critical") and a.actions for a in inv.alarms)


def test_the_real_stacks_share_no_alarm_name() -> None:
    dev, prod = (stack_inventory(stack_result(s)) for s in ("dev", "prod"))
    assert stack_limit_problems(dev, {"prod": prod.alarm_names}) == []


def test_the_real_stacks_move_with_their_settings() -> None:
    prices = PriceTable.load()
    base_inventory = stack_inventory(stack_result("prod"))
    base = estimate(base_inventory, prices)
    longer = estimate(stack_inventory(run_stack("prod", overrides={"logRetentionDays": 365}).result), prices)
    fewer_inventory = stack_inventory(run_stack("prod", overrides={
        "alarmApiLatencyP99WarningMs": "off", "alarmApiLatencyP99CriticalMs": "off"}).result)
    fewer_alarms = estimate(fewer_inventory, prices)
    assert line(longer, "logs") > line(base, "logs") and line(longer, "alarms") == line(base, "alarms")
    removed = len(base_inventory.alarms) - len(fewer_inventory.alarms)  # two per REST API stage, one metric each
    assert removed >= 2
    assert line(fewer_alarms, "alarms") == round(line(base, "alarms") - removed * 0.10, 6)
    assert base.prices.region == "us-east-1" and not base.notes  # the stacks are priced in their own region


@pytest.mark.usefixtures("clis_share_stack_runs")
def test_cost_cli_prints_markdown_or_json_and_takes_settings_and_assumptions(capsys) -> None:
    import json

    from components.preview.cost import main as cost_main
    from components.preview.runner import REPO_ROOT

    assert cost_main(["dev"]) == 0
    assert capsys.readouterr().out.strip() == (REPO_ROOT / "dashboards" / "dev" / "cost.md").read_text().strip()
    assert cost_main(["dev", "--json"]) == 0
    base = json.loads(capsys.readouterr().out)
    assert cost_main(["dev", "--json", "--set", "logRetentionDays=365", "--assume", "requests_per_second_per_api=50"]) == 0
    changed = json.loads(capsys.readouterr().out)
    assert changed["by_category"]["logs"] > base["by_category"]["logs"]
    assert changed["by_category"]["x-ray"] > base["by_category"]["x-ray"]
    assert changed["assumptions"]["requests_per_second_per_api"] == 50.0
    assert cost_main(["dev", "--assume", "rps"]) == 2
    assert "--assume takes NAME=VALUE" in capsys.readouterr().err
    assert cost_main(["dev", "--set", "logRetentionDays=8"]) == 2
    assert "platform:logRetentionDays" in capsys.readouterr().err
