"""`python -m components.preview.cost <stack> [--json] [--set KEY=VALUE] [--assume NAME=VALUE]`.

Prints the observability cost estimate of a stack (the `cost.md` the preview commits) in Markdown,
or as JSON with `--json`. `--set` changes a stack setting for this run, as `pulumi config set`
would (for example `--set logRetentionDays=30`); `--assume` changes an assumption of the estimate
(for example `--assume requests_per_second_per_api=50`), so what-ifs need no edit.
"""
from __future__ import annotations

import argparse
import sys

from components.observability.dashboard.layout import DashboardValidationError
from components.preview.dashboard_files import stack_inventory
from components.preview.runner import run_stack
from components.preview.stack_config import StackConfigError
from components.reports.cost import Assumptions, CostInputError, PriceTable, cost_json, cost_markdown, estimate
from components.settings import SettingsError


def key_values(items: list[str], option: str) -> dict[str, str]:
    pairs: dict[str, str] = {}
    for item in items:
        key, sep, value = item.partition("=")
        if not sep or not key:
            raise CostInputError(f"{option} takes NAME=VALUE, got {item!r}")
        pairs[key] = value
    return pairs


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m components.preview.cost", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("stack")
    parser.add_argument("--json", action="store_true", help="print the estimate as JSON")
    parser.add_argument("--set", action="append", default=[], metavar="KEY=VALUE", help="override a stack setting")
    parser.add_argument("--assume", action="append", default=[], metavar="NAME=VALUE",
                        help="override an assumption (see the Assumptions section of the report)")
    args = parser.parse_args(argv)
    try:
        settings = key_values(args.set, "--set")
        assumptions = Assumptions.with_overrides(key_values(args.assume, "--assume"))
        overrides = {key if ":" in key else f"platform:{key}": value for key, value in settings.items()}
        result = run_stack(args.stack, overrides=overrides, reclaim=False)
        report = estimate(stack_inventory(result), PriceTable.load(), assumptions)
    except (SettingsError, StackConfigError, DashboardValidationError, CostInputError) as error:
        print(error, file=sys.stderr)
        return 2
    print(cost_json(report) if args.json else cost_markdown(report))
    return 0


if __name__ == "__main__":
    sys.exit(main())
