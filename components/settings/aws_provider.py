"""What the `aws:` config namespace may hold, read from the installed packages rather than a list
kept by hand: the AWS provider SDK's own config module for the keys, botocore's partition data for
the regions. A typo'd `aws:` key or region would otherwise be ignored or end up in every ARN.
"""
from __future__ import annotations

import ast
import functools
import importlib.util
import json
import re
from pathlib import Path

NAMESPACE = "aws"
#: The partition every ARN the platform builds is in (`arn:aws:...`).
PARTITION = "aws"


@functools.cache
def provider_config_keys() -> frozenset[str]:
    """Every key the provider reads: the arguments of `__config__.get*('<key>')` in pulumi_aws's
    generated `config/vars.py`, parsed rather than imported (importing it costs a third of a second)."""
    tree = ast.parse((_package_dir("pulumi_aws") / "config" / "vars.py").read_text())
    return frozenset(
        node.args[0].value
        for node in ast.walk(tree)
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
        and isinstance(node.func.value, ast.Name) and node.func.value.id == "__config__"
        and node.args and isinstance(node.args[0], ast.Constant) and isinstance(node.args[0].value, str)
    )


@functools.cache
def partition_regions(partition: str = PARTITION) -> frozenset[str]:
    """The partition's regions from botocore's `partitions.json`, without its pseudo-regions such
    as `aws-global`, which match no region pattern."""
    data = json.loads((_package_dir("botocore") / "data" / "partitions.json").read_text())
    (found,) = [entry for entry in data["partitions"] if entry["id"] == partition]
    pattern = re.compile(found["regionRegex"])
    return frozenset(region for region in found["regions"] if pattern.fullmatch(region))


def _package_dir(name: str) -> Path:
    """An installed package's directory, found without importing it (botocore's import alone costs
    more than reading its data)."""
    spec = importlib.util.find_spec(name)
    if spec is None or spec.origin is None:
        raise RuntimeError(f"{name} is not installed; it is in requirements.txt")
    return Path(spec.origin).parent
