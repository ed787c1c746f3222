from __future__ import annotations

from urllib.parse import unquote

from components.observability.dashboard import links


def test_console_links_use_region_and_names() -> None:
    assert links.lambda_function_url("eu-west-1", "platform-dev-orders-api") == (
        "https://eu-west-1.console.aws.amazon.com/lambda/home?region=eu-west-1#/functions/platform-dev-orders-api"
    )
    assert links.dynamodb_table_url("eu-west-1", "t").endswith("dynamodbv2/home?region=eu-west-1#table?name=t")
    assert "#xray:service-map/map" in links.xray_trace_map_url("eu-west-1")


def test_logs_insights_url_round_trips_query_and_groups() -> None:
    url = links.logs_insights_url("eu-west-1", ["/platform/dev/orders/lambda-api"], 'filter level = "ERROR"')
    prefix = "https://eu-west-1.console.aws.amazon.com/cloudwatch/home?region=eu-west-1#logsV2:logs-insights"
    assert url.startswith(prefix + "$3FqueryDetail$3D$257E$2528")
    decoded = unquote(unquote(url[len(prefix):].replace("$", "%")))
    assert decoded.startswith("?queryDetail=~(end~0~start~-3600~timeType~'RELATIVE")
    assert unquote(decoded.replace("*", "%")).count("/platform/dev/orders/lambda-api") == 1
    assert 'filter level = "ERROR"' in unquote(decoded.replace("*", "%"))
