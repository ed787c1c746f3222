import functools

import pytest

from components.preview.runner import PreviewResult, run_stack
from components.preview.stack_config import load_stack_config
from components.preview.runner import REPO_ROOT
from components.settings import Settings, load_settings

_CACHE: dict[str, PreviewResult] = {}


def stack_result(stack: str) -> PreviewResult:
    """Each stack's program runs once per test session; the tests only read the result."""
    if stack not in _CACHE:
        _CACHE[stack] = run_stack(stack)
    return _CACHE[stack]


@functools.lru_cache(maxsize=None)
def stack_settings(stack: str) -> Settings:
    """Parsed once per session: the settings are frozen, and every stack test asks for them."""
    return load_settings(stack, load_stack_config(REPO_ROOT, stack)[0])


@pytest.fixture(params=["dev", "prod"])
def stack(request) -> str:
    return request.param


@pytest.fixture
def result(stack) -> PreviewResult:
    return stack_result(stack)


@pytest.fixture
def settings(stack) -> Settings:
    return stack_settings(stack)
