"""pytest fixtures for tests that run handlers through the harness.

Import them in a conftest together with the telemetry fixtures (`aws`, `clean_telemetry`,
`spans`), which isolate telemetry state and start moto. Starting moto costs more than most
handler tests, so modules that can share an account use `shared_aws` / `shared_harness`
(module scope) and keep their tests apart by names and keys instead.
"""

from __future__ import annotations

from typing import Iterator

import moto
import pytest

from tests.handlers.telemetry.helpers import REGION
from tests.harness.lambda_service import LambdaHarness


@pytest.fixture
def lambda_harness(aws: None) -> Iterator[LambdaHarness]:
    """The harness inside the test's own moto account."""
    with LambdaHarness(region=REGION) as harness:
        yield harness


@pytest.fixture(scope="module")
def shared_aws() -> Iterator[None]:
    """One moto account for the whole test module."""
    with pytest.MonkeyPatch.context() as patch:
        for name in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"):
            patch.setenv(name, "testing")
        patch.setenv("AWS_DEFAULT_REGION", REGION)
        with moto.mock_aws():
            yield


@pytest.fixture(scope="module")
def shared_harness(shared_aws: None) -> Iterator[LambdaHarness]:
    """The harness over the module's account; `harness` gives each test a clean invocation log."""
    with LambdaHarness(region=REGION) as harness:
        yield harness


@pytest.fixture
def harness(shared_harness: LambdaHarness) -> LambdaHarness:
    shared_harness.invocations.clear()
    shared_harness.pending_async.clear()
    return shared_harness


@pytest.fixture
def aws_with_state_machines() -> Iterator[None]:
    """moto with its Step Functions interpreter on: executions really run their states."""
    with moto.mock_aws(config={"stepfunctions": {"execute_state_machine": True}}):
        yield


@pytest.fixture
def workflow_harness(aws_with_state_machines: None) -> Iterator[LambdaHarness]:
    """The harness where state machine Task states invoke the real handlers."""
    with LambdaHarness(region=REGION) as harness:
        yield harness
