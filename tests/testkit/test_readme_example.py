"""A new service, `quotes`, added to the reference platform and tested with the kit's fixtures."""
from components.services.http_plan import Route
from components.services.http_service import HttpServiceArgs, TableSpec
from components.testing import Match

FUNCTION = "aws:lambda/function:Function"
STAGE = "aws:apigateway/stage:Stage"


def add_quotes(platform):
    """What you would write in __main__.py; defined at module level so each stack runs once per session."""
    platform.add("quotes", HttpServiceArgs(
        handler="handlers.quotes.app.handler",
        routes=[Route("GET", "/quotes/{quote_id}"), Route("POST", "/quotes")],
        table=TableSpec(hash_key="quote_id", actions=("dynamodb:GetItem", "dynamodb:PutItem")),
    ))


def test_the_function_is_traced_and_told_where_its_table_is(with_services):
    stack = with_services(add_quotes, "dev")
    stack.has_resource(FUNCTION, {
        "name": "platform-dev-quotes-api",
        "tracingConfig": {"mode": "Active"},
        "environment": {"variables": {"TABLE_NAME": "platform-dev-quotes-table"}},
    }, parent="quotes-api")
    stack.has_resource(STAGE, {"xrayTracingEnabled": True, "accessLogSettings": {
        "destinationArn": Match.string_like(":log-group:/platform/dev/quotes/api-access$")}}, parent="quotes")


def test_the_role_may_use_its_own_table_and_nothing_else(with_services):
    permissions = with_services(add_quotes, "dev").permissions_of("quotes-api-function")
    table = "arn:aws:dynamodb:us-east-1:123456789012:table/platform-dev-quotes-table"
    assert permissions.allows("dynamodb:PutItem", table)
    assert not permissions.allows("dynamodb:DeleteItem", table)
    assert not permissions.allows("dynamodb:GetItem", table.replace("quotes", "orders"))


def test_alarms_route_by_severity_and_every_log_group_is_shipped(with_services):
    stack = with_services(add_quotes, "dev")
    critical = stack.alarms_of("quotes", severity="critical")
    assert critical and all(alarm.routes == ("critical",) for alarm in critical)
    assert stack.health_alarm("quotes").composite
    assert all(stack.is_shipped(group) for group in stack.log_groups_of("quotes"))


def test_the_dashboard_graphs_the_function_and_the_table(with_services):
    widgets = with_services(add_quotes, "dev").dashboard_widgets("quotes")
    graphed = {metric for widget in widgets for metric in widget.metrics}
    assert {"AWS/Lambda/Errors", "AWS/DynamoDB/ReadThrottleEvents"} <= graphed
