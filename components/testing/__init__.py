"""A testing kit for the platform's stacks and for services of your own.

Run a stack, or a few services, under the platform's mocks and read the result as plain data:

    from components.testing import Match, run_services

    def declare(platform):
        platform.add("quotes", HttpServiceArgs(handler="handlers.quotes.app.handler",
                                               routes=[Route("GET", "/quotes")]))

    def test_quotes_api_is_traced():
        stack = run_services(declare, "dev")
        stack.has_resource("aws:apigateway/stage:Stage", {"xrayTracingEnabled": True}, parent="quotes")
        assert stack.permissions_of("quotes-api-function").allows("xray:PutTraceSegments")

No `apply`, no futures, no `@pulumi.runtime.test`: the run is over when the view exists. With the
pytest plugin (`pytest_plugins = ["components.testing.pytest_plugin"]`) each stack is a fixture
(`dev_stack`, `prod_stack`), `with_services` adds services to the reference platform, and
`snapshot` compares a stack's inventory with a committed one. README.md, "Testing your own
services", has a complete example.
"""
from components.testing.failure import ProgramError
from components.testing.match import Match, Matcher
from components.testing.platform_view import (Alarm, Dashboard, LogShipping, Permissions, PlatformView, Statement,
                                              Widget)
from components.testing.run import run_program, run_services, run_stack, stack_config
from components.testing.values import HIDDEN, UNKNOWN, Secret
from components.testing.view import KitAssertionError, ResourceView, StackView, UnknownTypeError

__all__ = [
    "Alarm", "Dashboard", "HIDDEN", "KitAssertionError", "LogShipping", "Match", "Matcher", "Permissions",
    "PlatformView", "ProgramError", "ResourceView", "Secret", "StackView", "Statement", "UNKNOWN", "UnknownTypeError",
    "Widget", "run_program", "run_services", "run_stack", "stack_config",
]
