"""pytest fixtures for tests that run handlers through the harness.

Import them in a conftest together with the telemetry fixtures (`aws`, `clean_telemetry`,
`spans`), which isolate telemetry state and start moto.
"""

from __future__ import annotations

from typing import Iterator

import moto
import pytest

from tests.handlers.telemetry.helpers import REGION
from tests.harness.lambda_service import LambdaHarness


@pytest.fixture
def lambda_harness(aws: None) -> Iterator[LambdaHarness]:
    """The harness inside the test's moto account."""
    with LambdaHarness(region=REGION) as harness:
        yield harness


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
