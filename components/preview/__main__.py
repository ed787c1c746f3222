"""`python -m components.preview <stack> [--json]`: the offline preview, no CLI and no credentials."""
from __future__ import annotations

import argparse
import json
import logging
import sys
from pathlib import Path

from components.observability.dashboard.layout import DashboardValidationError
from components.preview.dashboard_files import STACK_FILE_ERRORS, write_dashboards
from components.preview.runner import REPO_ROOT, run_stack
from components.preview.stack_config import StackConfigError
from components.preview.summary import render_summary
from components.settings import SettingsError


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m components.preview", description=__doc__)
    parser.add_argument("stack", help="stack name; Pulumi.<stack>.yaml is merged over the Pulumi.yaml defaults")
    parser.add_argument("--json", action="store_true",
                        help="print the inventory (type, name, parent, inputs of every resource) as JSON")
    parser.add_argument("--no-write", action="store_true", help="do not write dashboards/<stack>/")
    parser.add_argument("--out", type=Path, default=REPO_ROOT / "dashboards", help="dashboards root directory")
    parser.add_argument("--set", action="append", default=[], metavar="KEY=VALUE",
                        help="override a config key for this run, e.g. platform:lambdaMemoryMb=512")
    args = parser.parse_args(argv)
    overrides = {}
    for item in args.set:
        key, sep, value = item.partition("=")
        if not sep:
            parser.error(f"--set takes KEY=VALUE, got {item!r}")
        overrides[key if ":" in key else f"platform:{key}"] = value
    logging.getLogger().setLevel(logging.ERROR)
    try:
        result = run_stack(args.stack, overrides=overrides, reclaim=False)
    except (SettingsError, StackConfigError, DashboardValidationError) as error:
        print(error, file=sys.stderr)
        return 2
    try:  # limits are checked and views drawn even with --no-write, so a bad stack fails either way
        written = write_dashboards(result, args.out, write=not args.no_write)
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


if __name__ == "__main__":
    sys.exit(main())
