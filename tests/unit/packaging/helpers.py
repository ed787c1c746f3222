"""Builders for the packaging tests: a small handlers tree and hand-written wheels.

Everything is local: a wheel is a zip with a dist-info directory, so the layer tests never reach
PyPI and stay fast.
"""

from __future__ import annotations

import base64
import hashlib
import importlib.util
import sys
import zipfile
from pathlib import Path

from components.packaging import RuntimeTarget

CURRENT_RUNTIME = f"python{sys.version_info.major}.{sys.version_info.minor}"
CURRENT_MAGIC = int.from_bytes(importlib.util.MAGIC_NUMBER[:2], "little")
# A supported runtime that the running interpreter cannot compile for.
OTHER_RUNTIME = "python3.13" if CURRENT_RUNTIME != "python3.13" else "python3.12"
GARBAGE_PYC = b"\x00\x01stale bytecode from another interpreter"

APP_SOURCE = '''"""Sample handler."""
KNOWN = {"alpha", "beta", "gamma", "delta", "epsilon", "zeta", "eta", "theta"}


def handler(event, context):
    return {"known": event.get("name") in KNOWN}
'''


def current_target(architecture: str = "arm64") -> RuntimeTarget:
    return RuntimeTarget(CURRENT_RUNTIME, architecture)


def make_handlers_tree(root: Path) -> Path:
    """A ``handlers`` package with everything that must stay out of the archive mixed in."""
    files = {
        "handlers/__init__.py": "",
        "handlers/orders/__init__.py": "",
        "handlers/orders/app.py": APP_SOURCE,
        "handlers/orders/model.py": "ORDER_FIELDS = ('id', 'total')\n",
        "handlers/orders/tests/__init__.py": "",
        "handlers/orders/tests/test_app.py": "def test_x():\n    pass\n",
        "handlers/orders/test_model.py": "def test_y():\n    pass\n",
        "handlers/conftest.py": "",
        "handlers/requirements.txt": "tinylib==1.0\n",
        "handlers/.DS_Store": "junk",
        "handlers/tools/run.sh": "#!/bin/sh\necho hi\n",
        "tests/test_outside.py": "",
    }
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    (root / "handlers/tools/run.sh").chmod(0o755)
    stale = root / "handlers/orders/__pycache__"
    stale.mkdir()
    (stale / f"app.cpython-{sys.version_info.major}{sys.version_info.minor}.pyc").write_bytes(GARBAGE_PYC)
    (stale / "app.cpython-39.pyc").write_bytes(GARBAGE_PYC)
    (root / "handlers/orders/legacy.pyc").write_bytes(GARBAGE_PYC)
    return root


def _record_hash(data: bytes) -> str:
    return "sha256=" + base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()


def make_wheel(
    wheelhouse: Path,
    name: str,
    version: str,
    files: dict[str, bytes],
    requires: tuple[str, ...] = (),
    console_scripts: dict[str, str] | None = None,
) -> Path:
    """Write a pure-Python ``py3-none-any`` wheel by hand."""
    dist_info = f"{name}-{version}.dist-info"
    metadata = f"Metadata-Version: 2.1\nName: {name}\nVersion: {version}\n"
    metadata += "".join(f"Requires-Dist: {req}\n" for req in requires)
    contents = dict(files)
    contents[f"{dist_info}/METADATA"] = metadata.encode()
    contents[f"{dist_info}/WHEEL"] = b"Wheel-Version: 1.0\nGenerator: handmade\nRoot-Is-Purelib: true\nTag: py3-none-any\n"
    if console_scripts:
        lines = "".join(f"{script} = {target}\n" for script, target in console_scripts.items())
        contents[f"{dist_info}/entry_points.txt"] = f"[console_scripts]\n{lines}".encode()
    record = "".join(f"{path},{_record_hash(data)},{len(data)}\n" for path, data in contents.items())
    record += f"{dist_info}/RECORD,,\n"
    contents[f"{dist_info}/RECORD"] = record.encode()
    wheel = wheelhouse / f"{name}-{version}-py3-none-any.whl"
    with zipfile.ZipFile(wheel, "w") as zf:
        for path, data in contents.items():
            zf.writestr(path, data)
    return wheel
