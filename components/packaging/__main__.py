"""``python -m components.packaging``: build (or plan) the layer and the function archive.

Meant for CI and for a developer before ``pulumi up``: the Pulumi program then finds both
archives at their planned paths and nothing is built during a deployment.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from pathlib import Path

from components.packaging.build import (
    LAMBDA_UNZIPPED_LIMIT,
    BuiltArchive,
    build_function_archive,
    build_layer_archive,
    check_unzipped_size,
)
from components.packaging.errors import PackagingError
from components.packaging.planning import archive_paths, source_digest
from components.packaging.targets import SUPPORTED_ARCHITECTURES, SUPPORTED_RUNTIMES, RuntimeTarget


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m components.packaging", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)
    for name, help_text in (
        ("build", "build the layer and the function archive (reusing cached archives)"),
        ("plan", "print the planned archive paths without building anything"),
    ):
        sub = commands.add_parser(name, help=help_text)
        sub.add_argument("--out", type=Path, default=Path("build"), help="output and cache directory")
        sub.add_argument("--runtime", default="python3.12", choices=SUPPORTED_RUNTIMES)
        sub.add_argument("--arch", default="arm64", choices=SUPPORTED_ARCHITECTURES)
        sub.add_argument("--source-root", type=Path, default=Path("."),
                         help="directory that contains the package")
        sub.add_argument("--package", default="handlers")
        sub.add_argument("--requirements", type=Path, default=None,
                         help="layer requirements (default: <source-root>/<package>/requirements.txt)")
        sub.add_argument("--pip-arg", action="append", default=[], metavar="ARG",
                         help="extra pip argument, repeatable; write --pip-arg=--no-index")
        sub.add_argument("--json", action="store_true", help="print JSON instead of text")
    return parser


def _describe(kind: str, archive: BuiltArchive) -> str:
    state = "cached" if archive.from_cache else "built"
    return (
        f"{kind}: {archive.path} ({state})\n"
        f"  size {archive.size_bytes:,} bytes zipped, {archive.unzipped_bytes:,} unzipped\n"
        f"  sha256 {archive.sha256}\n"
        f"  source_code_hash {archive.base64_sha256}\n"
        f"  bytecode {'yes (CPython ' + str(archive.compiled_with) + ')' if archive.has_bytecode else 'no'}\n"
        f"  note: {archive.note}"
    )


def _as_json(archive: BuiltArchive) -> dict[str, object]:
    return {
        "path": str(archive.path), "sha256": archive.sha256, "base64_sha256": archive.base64_sha256,
        "size_bytes": archive.size_bytes, "unzipped_bytes": archive.unzipped_bytes,
        "has_bytecode": archive.has_bytecode, "compiled_with": archive.compiled_with,
        "from_cache": archive.from_cache, "note": archive.note,
    }


def main(argv: Sequence[str] | None = None) -> int:
    """Run the CLI; returns the process exit code (2 for a packaging error)."""
    args = _parser().parse_args(argv)
    target = RuntimeTarget(args.runtime, args.arch)
    requirements = args.requirements or args.source_root / args.package / "requirements.txt"
    try:
        if args.command == "plan":
            paths = archive_paths(
                args.out.resolve(), target,
                requirements_text=requirements.read_text(),
                source_digest=source_digest(args.source_root, args.package),
                package=args.package, pip_args=args.pip_arg,
            )
            plan = {"function": str(paths.function), "layer": str(paths.layer)}
            print(json.dumps(plan, indent=2) if args.json else f"function: {plan['function']}\nlayer: {plan['layer']}")
            return 0
        layer = build_layer_archive(requirements, args.out, target, pip_args=args.pip_arg)
        function = build_function_archive(args.source_root, args.package, args.out, target)
        total = check_unzipped_size(function, layer)
    except (PackagingError, OSError) as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    if args.json:
        print(json.dumps({"target": {"runtime": target.runtime, "architecture": target.architecture},
                          "layer": _as_json(layer), "function": _as_json(function),
                          "unzipped_total_bytes": total}, indent=2))
    else:
        print(_describe("layer", layer))
        print(_describe("function", function))
        print(f"unzipped total (function + layer): {total:,} bytes of {LAMBDA_UNZIPPED_LIMIT:,} allowed")
    return 0


if __name__ == "__main__":
    sys.exit(main())
