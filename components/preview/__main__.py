"""`python -m components.preview <stack> [--json]`: the offline preview, no CLI and no credentials."""
from __future__ import annotations

import argparse
import json
import logging
import sys
from pathlib import Path

from components.capacity import ConcurrencyQuotaError
from components.naming import NameCollisionError
from components.observability.dashboard.layout import DashboardValidationError
from components.preview.dashboard_files import STACK_FILE_ERRORS, write_dashboards
from components.preview.runner import REPO_ROOT, run_stack
from components.preview.stack_config import StackConfigError, read_project_file
from components.preview.summary import render_summary
from components.services.service import ServiceArgumentError
from components.settings import SettingsError


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m components.preview", description=__doc__)
    parser.add_argument("stack", help="stack name; Pulumi.<stack>.yaml is merged over the Pulumi.yaml defaults")
    parser.add_argument("--json", action="store_true",
                        help="print the inventory (type, name, parent, inputs of every resource) as JSON")
    parser.add_argument("--no-write", action="store_true", help="do not write dashboards/<stack>/")
    parser.add_argument("--out", type=Path, default=None, help="dashboards root directory (default: <root>/dashboards)")
    parser.add_argument("--root", type=Path, default=REPO_ROOT,
                        help="project directory holding Pulumi.yaml, the stack files and __main__.py "
                             "(default: this repository)")
    parser.add_argument("--set", action="append", default=[], metavar="KEY=VALUE",
                        help="override a config key for this run, e.g. lambdaMemoryMb=512 or aws:region=eu-west-1; "
                             "a key declared secret is treated as `pulumi config set --secret` would set it")
    args = parser.parse_args(argv)
    logging.getLogger().setLevel(logging.ERROR)
    try:
        overrides = _overrides(parser, args.set, read_project_file(args.root).name)
        result = run_stack(args.stack, root=args.root, overrides=overrides, reclaim=False)
    except (SettingsError, StackConfigError, ServiceArgumentError, NameCollisionError, ConcurrencyQuotaError,
            DashboardValidationError) as error:
        print(error, file=sys.stderr)
        return 2
    try:  # limits are checked and views drawn even with --no-write, so a bad stack fails either way
        written = write_dashboards(result, args.out or args.root / "dashboards", write=not args.no_write)
    except STACK_FILE_ERRORS as error:
        print(error, file=sys.stderr)
        return 2
    if args.json:
        json.dump(result.inventory(), sys.stdout, indent=2, sort_keys=True, default=str)
        print()
    else:
        shown = [str(p.relative_to(REPO_ROOT)) if p.is_relative_to(REPO_ROOT) else str(p) for p in written]
        print(render_summary(result, shown))
    return 0


def _overrides(parser: argparse.ArgumentParser, items: list[str], project: str) -> dict[str, str]:
    overrides = {}
    for item in items:
        key, sep, value = item.partition("=")
        if not sep:
            parser.error(f"--set takes KEY=VALUE, got {item!r}")
        overrides[key if ":" in key else f"{project}:{key}"] = value
    return overrides


if __name__ == "__main__":
    sys.exit(main())
