"""The café reference platform: every service is a few lines; observability comes with it."""
from components.platform import Platform
from components.services.http_plan import Route
from components.services.http_service import HttpServiceArgs, TableSpec

platform = Platform()

platform.http_service("orders", HttpServiceArgs(
    handler="handlers.orders.app.handler",
    routes=[Route("POST", "/orders"), Route("GET", "/orders"), Route("GET", "/orders/{order_id}")],
    table=TableSpec(hash_key="order_id", actions=("dynamodb:PutItem", "dynamodb:GetItem", "dynamodb:Scan")),
    description="Café orders: create, get and list",
))

platform.finish()
