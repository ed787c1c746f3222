"""Reproducible Lambda packaging: one function archive for ``handlers/`` and one dependency layer.

Archives are byte-identical for identical inputs and carry checked-hash bytecode compiled by the
runtime's own CPython version (or none, said so, when that interpreter is missing), so Lambda
never recompiles at cold start and Pulumi never redeploys unchanged code. See docs/packaging.md.

Typical use from the Pulumi program::

    target = RuntimeTarget("python3.12", "arm64")
    paths = archive_paths(out_dir, target,
                          requirements_text=requirements.read_text(),
                          source_digest=source_digest(repo_root, "handlers"))   # no build
    function = build_function_archive(repo_root, "handlers", out_dir, target)  # cached
    layer = build_layer_archive(requirements, out_dir, target)                 # cached

This package has no Pulumi dependency, so it can be unit-tested and run as a CLI
(``python -m components.packaging``).
"""

from components.packaging.archive import PycHeader, read_pyc_header
from components.packaging.build import (
    LAMBDA_DIRECT_UPLOAD_LIMIT,
    LAMBDA_UNZIPPED_LIMIT,
    BuiltArchive,
    build_function_archive,
    build_layer_archive,
    check_unzipped_size,
)
from components.packaging.errors import (
    BuildError,
    InterpreterMismatchError,
    LambdaSizeLimitError,
    PackagingError,
)
from components.packaging.planning import DEFAULT_STRIPPED, ArchivePaths, archive_paths, source_digest
from components.packaging.targets import (
    SUPPORTED_ARCHITECTURES,
    SUPPORTED_RUNTIMES,
    RuntimeTarget,
    find_interpreter,
)

__all__ = [
    "ArchivePaths",
    "BuildError",
    "BuiltArchive",
    "DEFAULT_STRIPPED",
    "InterpreterMismatchError",
    "LAMBDA_DIRECT_UPLOAD_LIMIT",
    "LAMBDA_UNZIPPED_LIMIT",
    "LambdaSizeLimitError",
    "PackagingError",
    "PycHeader",
    "RuntimeTarget",
    "SUPPORTED_ARCHITECTURES",
    "SUPPORTED_RUNTIMES",
    "archive_paths",
    "build_function_archive",
    "build_layer_archive",
    "check_unzipped_size",
    "find_interpreter",
    "read_pyc_header",
    "source_digest",
]
