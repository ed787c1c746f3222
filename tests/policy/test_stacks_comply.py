"""The pack's rules over every resource of the dev and prod stacks, as the offline preview recorded them."""
from __future__ import annotations

import pytest

from components.preview.runner import REPO_ROOT
from policy.platform_policy import RULES, RULES_BY_ID, evaluate, excused
from policy.platform_policy.exceptions import DEV_EXCEPTIONS
from tests.policy.stacks import policy_stack


@pytest.mark.parametrize("stack", ["dev", "prod"])
def test_the_stack_breaks_no_rule(stack: str) -> None:
    violations = evaluate(policy_stack(stack))
    assert violations == {}, "\n".join(m for messages in violations.values() for m in messages)


def test_the_stacks_say_which_environment_they_are() -> None:
    assert (policy_stack("dev").environment, policy_stack("prod").environment) == ("dev", "prod")


def test_prod_is_excused_from_no_rule() -> None:
    assert [rule.id for rule in RULES if excused(rule.id, "prod")] == []
    assert [rule.id for rule in RULES if excused(rule.id, None)] == []


@pytest.mark.parametrize("rule_id", sorted(DEV_EXCEPTIONS))
def test_each_dev_exception_excuses_something_real(rule_id: str) -> None:
    """An exception nobody needs hides the next real violation; each must still find something in dev."""
    assert rule_id in RULES_BY_ID
    assert RULES_BY_ID[rule_id].findings(policy_stack("dev")), f"{rule_id} needs no dev exception; remove it"
    assert len(DEV_EXCEPTIONS[rule_id]) > 20, "say why dev is excused"


def test_every_rule_names_its_controls_and_explains_itself() -> None:
    for rule in RULES:
        assert rule.title and rule.why and rule.fix, rule.id
        assert all(control.split(".")[0] and control.split(".")[1].isdigit() for control in rule.fsbp), rule.id


def test_the_readme_lists_every_rule_its_controls_and_every_dev_exception() -> None:
    readme = (REPO_ROOT / "README.md").read_text()
    section = readme[readme.index("## Security"):readme.index("## Settings")]
    rows = {line.split("|")[1].strip(" `"): line for line in section.splitlines()
            if line.startswith("| `") and line.count("|") == 5}
    for rule in RULES:
        assert rule.id in rows, f"README's security section does not list {rule.id}"
        for control in rule.fsbp:
            assert control in rows[rule.id], f"README does not map {rule.id} to {control}"
    for rule_id, reason in DEV_EXCEPTIONS.items():
        assert f"| `{rule_id}` | {reason} |" in section
