"""Deterministic zip writing and bytecode inspection.

Lambda compares archives by hash (``source_code_hash``) and Pulumi diffs them by content, so the
same inputs must give the same bytes: otherwise every ``pulumi up`` would redeploy every function.
Everything a zip records besides names and contents is therefore fixed here.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import stat
import struct
import zipfile
from dataclasses import dataclass
from pathlib import Path

# The earliest time a zip can record; any fixed value works, this one is the common convention.
FIXED_DATE_TIME = (1980, 1, 1, 0, 0, 0)
FILE_MODE = 0o644
EXEC_MODE = 0o755
DIR_MODE = 0o755
_UNIX = 3
_MSDOS_DIRECTORY = 0x10


@dataclass(frozen=True)
class PycHeader:
    """The 16-byte header of a ``.pyc`` (PEP 552)."""

    magic: int
    flags: int
    source_hash: bytes

    @property
    def is_checked_hash(self) -> bool:
        """Hash-based (bit 0) and checked against the source at import (bit 1)."""
        return self.flags == 0b11


def read_pyc_header(data: bytes) -> PycHeader:
    """Parse a ``.pyc``'s header; used to verify builds and by the tests."""
    if len(data) < 16 or data[2:4] != b"\r\n":
        raise ValueError("not a .pyc: header is missing or malformed")
    magic = int.from_bytes(data[:2], "little")
    (flags,) = struct.unpack("<I", data[4:8])
    return PycHeader(magic=magic, flags=flags, source_hash=data[8:16])


def is_executable(path: Path) -> bool:
    """Whether any execute bit is set; git tracks exactly this one bit, so it is reproducible."""
    return bool(path.stat().st_mode & (stat.S_IXUSR | stat.S_IXGRP | stat.S_IXOTH))


def _file_info(name: str, executable: bool) -> zipfile.ZipInfo:
    info = zipfile.ZipInfo(name, date_time=FIXED_DATE_TIME)
    info.create_system = _UNIX
    mode = EXEC_MODE if executable else FILE_MODE
    info.external_attr = (stat.S_IFREG | mode) << 16
    info.compress_type = zipfile.ZIP_DEFLATED
    return info


def _dir_info(name: str) -> zipfile.ZipInfo:
    info = zipfile.ZipInfo(name.rstrip("/") + "/", date_time=FIXED_DATE_TIME)
    info.create_system = _UNIX
    info.external_attr = ((stat.S_IFDIR | DIR_MODE) << 16) | _MSDOS_DIRECTORY
    info.compress_type = zipfile.ZIP_STORED
    return info


def write_deterministic_zip(stage: Path, destination: Path) -> int:
    """Zip everything under ``stage`` into ``destination``; return the unzipped size in bytes.

    Entries are sorted, directories are listed explicitly with mode 0755 (Lambda extracts layers
    and code as a different user, so files must be world-readable), timestamps are fixed, and no
    extra fields or comments are written. The bytes then depend only on names, contents, execute
    bits, and the zlib in use.
    """
    entries: list[tuple[str, Path | None]] = []
    for directory, dirnames, filenames in os.walk(stage):
        dirnames.sort()
        rel_dir = Path(directory).relative_to(stage).as_posix()
        if rel_dir != ".":
            entries.append((rel_dir + "/", None))
        for filename in filenames:
            path = Path(directory) / filename
            rel = path.relative_to(stage).as_posix()
            entries.append((rel, path))
    entries.sort(key=lambda entry: entry[0])
    total = 0
    destination.parent.mkdir(parents=True, exist_ok=True)
    # Deflate at zlib's default level (6): ZipInfo entries carry no level of their own.
    with zipfile.ZipFile(destination, "w") as zf:
        for name, path in entries:
            if path is None:
                zf.writestr(_dir_info(name), b"")
                continue
            info = _file_info(name, is_executable(path))
            size = path.stat().st_size
            info.file_size = size
            total += size
            with path.open("rb") as source, zf.open(info, "w") as target:
                shutil.copyfileobj(source, target, 1024 * 1024)
    return total


def file_sha256(path: Path) -> bytes:
    """The raw SHA-256 digest of a file, read in chunks so large layers stay cheap on memory."""
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for chunk in iter(lambda: handle.read(1024 * 1024), b""):
            digest.update(chunk)
    return digest.digest()
