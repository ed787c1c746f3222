"""Errors raised by the packaging library.

They are separate types so the CLI and the Pulumi program can tell a misconfiguration (fix your
machine or your settings) from a failed build (read the tool output) from a hard AWS limit
(shrink the layer).
"""

from __future__ import annotations


class PackagingError(Exception):
    """Base class, so callers can catch every packaging failure in one place."""


class InterpreterMismatchError(PackagingError):
    """An explicitly configured interpreter is not the CPython version the runtime needs.

    Raised instead of falling back silently: someone set the variable on purpose, and shipping
    sources only (or bytecode from the wrong version) would hide their mistake.
    """


class BuildError(PackagingError):
    """pip or the bytecode compiler failed; the message carries the tool's own output."""


class LambdaSizeLimitError(PackagingError):
    """The unzipped code would exceed Lambda's 250 MB limit for a function plus its layers."""
