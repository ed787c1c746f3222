"""AWS console deep links for dashboard headers.

Console URLs are not a stable API; these follow the formats the consoles use
today and only need the deterministic names in the refs.
"""

from __future__ import annotations

from collections.abc import Sequence
from urllib.parse import quote


def _console(region: str, path: str) -> str:
    return f"https://{region}.console.aws.amazon.com/{path}"


def lambda_function_url(region: str, function_name: str) -> str:
    return _console(region, f"lambda/home?region={region}#/functions/{quote(function_name, safe='')}")


def apigateway_apis_url(region: str) -> str:
    """API ids are only known after deploy, so link the API list rather than one API."""
    return _console(region, f"apigateway/main/apis?region={region}")


def dynamodb_table_url(region: str, table_name: str) -> str:
    return _console(region, f"dynamodbv2/home?region={region}#table?name={quote(table_name, safe='')}")


def cloudwatch_dashboard_url(region: str, dashboard_name: str) -> str:
    return _console(region, f"cloudwatch/home?region={region}#dashboards/dashboard/{quote(dashboard_name, safe='')}")


def cloudwatch_dashboards_url(region: str) -> str:
    """The dashboard list, for a view that does not know its dashboard's name."""
    return _console(region, f"cloudwatch/home?region={region}#dashboards:")


def xray_trace_map_url(region: str) -> str:
    return _console(region, f"cloudwatch/home?region={region}#xray:service-map/map")


def xray_traces_url(region: str) -> str:
    return _console(region, f"cloudwatch/home?region={region}#xray:traces/query")


def _insights_value(value: str) -> str:
    """Logs Insights encodes each string as ``'`` + percent-encoding with ``*`` for ``%``."""
    return "'" + quote(value, safe="").replace("%", "*")


def _js_escape(text: str) -> str:
    """JavaScript ``escape()``: keeps letters, digits and ``*@-_+./``; the console relies on it."""
    keep = set("*@-_+./")
    return "".join(ch if (ch.isascii() and ch.isalnum()) or ch in keep else f"%{ord(ch):02X}" for ch in text)


def logs_insights_url(region: str, log_group_names: Sequence[str], query: str, start_seconds: int = -3600) -> str:
    """A Logs Insights page with the query and log groups filled in, over the last ``-start_seconds``.

    The console stores the query state as a ``~(key~value...)`` object inside
    the fragment, which is then percent-encoded once more with ``$`` for ``%``.
    """
    sources = "~(" + "~".join(_insights_value(name) for name in log_group_names) + ")"
    detail = (
        f"~(end~0~start~{start_seconds}~timeType~'RELATIVE~unit~'seconds"
        f"~editorString~{_insights_value(query)}~source~{sources})"
    )
    fragment = quote("?queryDetail=" + _js_escape(detail), safe="-_.!~*'()").replace("%", "$")
    return _console(region, f"cloudwatch/home?region={region}#logsV2:logs-insights{fragment}")
