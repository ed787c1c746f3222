"""README.md's "Testing your own services" stays true: its example is the file that runs, and its
sample failure is what the kit prints for that assertion today."""
from __future__ import annotations

import re
from pathlib import Path

import pytest

from components.testing import KitAssertionError, Match

ROOT = Path(__file__).resolve().parents[2]
SECTION = ROOT.joinpath("README.md").read_text().split("## Testing your own services\n", 1)[1].split("\n## ", 1)[0]


def blocks(language: str) -> list[str]:
    """The fenced blocks of the section written in `language` ("" for none), fences paired in order."""
    found, current, opened = [], [], None
    for line in SECTION.splitlines(keepends=True):
        fence = re.match(r"^ *```(\w*)$", line.rstrip("\n"))
        if fence and opened is None:
            opened, current = fence.group(1), []
        elif fence:
            if opened == language:
                found.append("".join(current))
            opened = None
        elif opened is not None:
            current.append(line)
    return found


def test_the_example_is_the_test_file_that_runs():
    example = Path(__file__).with_name("test_readme_example.py").read_text()
    assert example in blocks("python")


def test_the_sample_failure_is_what_the_kit_prints(dev_stack):
    with pytest.raises(KitAssertionError) as info:
        dev_stack.has_resource("aws:sqs/queue:Queue", {
            "name": "platform-dev-kitchen-queue.fifo", "visibilityTimeoutSeconds": 31,
            "redrivePolicy": Match.serialized_json({"maxReceiveCount": 9})})
    (sample,) = blocks("")
    shown = "\n".join(line.removeprefix("  ") for line in sample.splitlines())
    # How many queues the stack registered grows with every service a user adds; the rest is verbatim.
    before, _, after = re.split(r"(\d+ were registered)", shown.rstrip(), maxsplit=1)
    pattern = re.escape(before) + r"\d+ were registered" + re.escape(after)
    assert re.match(pattern, str(info.value)), str(info.value)
