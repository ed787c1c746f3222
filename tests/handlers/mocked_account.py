"""One mocked AWS account for a whole test module.

Starting moto and creating tables costs more than most handler tests, so modules that only
need an empty table per test share one account and empty the table instead.
"""

from __future__ import annotations

from contextlib import contextmanager
from typing import Any, Iterator

import moto
import pytest

from tests.handlers.telemetry.helpers import REGION


@contextmanager
def mocked_account(**config: Any) -> Iterator[None]:
    """moto (with `config`, e.g. `stepfunctions={"execute_state_machine": True}`) and test credentials."""
    with pytest.MonkeyPatch.context() as patch:
        for name in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"):
            patch.setenv(name, "testing")
        patch.setenv("AWS_DEFAULT_REGION", REGION)
        with moto.mock_aws(config=config or None):  # type: ignore[arg-type]
            yield
