"""The testing kit's fixtures (`dev_stack`, `prod_stack`, `with_services`, `snapshot`, ...), enabled as a user
enables them; `pytester` runs a user's test session inside a test of the kit's plugin.

Two settings of the test process keep the suite near its 90 s budget; neither changes what a test sees:
- every botocore session shares one data loader. moto starts each test with a fresh default session,
  whose own loader would parse endpoints.json and the service models again: about 85 ms of JSON per test
  that creates a client, 18 s of the suite. The files are the same for every session, and botocore
  already shares what its loader returns between the clients of one session;
- once collected, the modules and fixtures' long-lived objects are frozen out of the cyclic collector,
  and it runs less often: its passes over the Pulumi, botocore and moto heaps cost about 8 s."""
from __future__ import annotations

import functools
import gc

import botocore.loaders
import botocore.session
import pytest

pytest_plugins = ["components.testing.pytest_plugin", "pytester"]

botocore.session.create_loader = functools.lru_cache(maxsize=None)(botocore.loaders.create_loader)


def pytest_collection_finish(session: pytest.Session) -> None:
    gc.collect()
    gc.freeze()
    gc.set_threshold(50_000, 20, 20)
