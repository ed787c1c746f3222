"""The menu's HTTP API: `GET /menu`, `GET /menu/<item_id>`, `GET /health`.

Bad input is a 4xx with a JSON body naming the field (`{"error": ..., "field": ...}`), never a 5xx: the
validation is pure (`validation.py`) and every client error the framework itself raises (unknown
route, wrong method, malformed request) is answered in the same JSON shape. A 5xx means the app or
DynamoDB failed, and is logged as an ERROR with the trace id.
"""
from __future__ import annotations

import logging
import time
import uuid
from typing import Any

from botocore.exceptions import BotoCoreError, ClientError
from flask import Flask, Response, g, jsonify, request
from werkzeug.exceptions import HTTPException

from cafe_menu import catalogue, telemetry
from cafe_menu.validation import BadRequest, encode_token, item_id, list_query

log = logging.getLogger("cafe_menu")


def _error(status: int, message: str, field: str | None = None) -> tuple[Response, int]:
    body: dict[str, Any] = {"error": message}
    if field is not None:
        body["field"] = field
    return jsonify(body), status


def create_app() -> Flask:
    env = telemetry.settings_from_environment()
    telemetry.configure_logging(env["service"], env["environment"], env["level"])
    telemetry.configure_tracing(env["otel_service"], env["exporter"])
    app = Flask("cafe_menu")
    app.json.sort_keys = True  # type: ignore[attr-defined]
    # A doubled slash is a malformed item id (a 400), not a redirect to a different URL.
    app.url_map.merge_slashes = False

    @app.before_request
    def start() -> None:
        g.started = time.monotonic()
        g.request_id_token = telemetry.request_id.set(request.headers.get("X-Request-Id") or str(uuid.uuid4()))
        route = request.url_rule.rule if request.url_rule is not None else "unmatched"
        g.span = telemetry.RequestSpan(request.headers, request.method, route, request.path)

    @app.after_request
    def finish(response: Response) -> Response:
        span = g.pop("span", None)
        if span is None:
            return response
        response.headers[telemetry.XRAY_HEADER] = span.response_header()
        level = logging.DEBUG if request.path == "/health" and response.status_code < 400 else logging.INFO
        log.log(level, "request", extra={"fields": {
            "http_method": request.method, "path": request.path, "status": response.status_code,
            "duration_ms": round((time.monotonic() - g.started) * 1000, 2)}})
        span.finish(response.status_code, g.pop("error", None))
        telemetry.request_id.reset(g.request_id_token)
        return response

    @app.errorhandler(BadRequest)
    def bad_request(error: BadRequest) -> tuple[Response, int]:
        return _error(400, error.message, error.field)

    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException) -> tuple[Response, int]:
        return _error(error.code or 500, error.description or error.name)

    @app.errorhandler(Exception)
    def unexpected(error: Exception) -> tuple[Response, int]:
        g.error = error
        if isinstance(error, (ClientError, BotoCoreError)):
            log.error("menu table unavailable", exc_info=error)
            return _error(503, "the menu is unavailable; try again shortly")
        log.error("unexpected error", exc_info=error)
        return _error(500, "internal error")

    @app.get("/health")
    def health() -> tuple[Response, int]:
        return jsonify({"status": "ok"}), 200

    @app.get("/menu")
    def list_menu() -> tuple[Response, int]:
        query = list_query(request.args.to_dict(flat=False))
        items, last = catalogue.list_items(query)
        body: dict[str, Any] = {"items": items}
        if last is not None:
            body["next_token"] = encode_token(last)
        return jsonify(body), 200

    @app.get("/menu/<path:raw_id>")
    def get_menu_item(raw_id: str) -> tuple[Response, int]:
        if request.args:
            name = sorted(request.args)[0]
            raise BadRequest(name or "query", f"unknown parameter {name!r}; this route takes none")
        found = catalogue.get_item(item_id(raw_id))
        if found is None:
            return _error(404, f"no menu item {raw_id}", "item_id")
        return jsonify(found), 200

    return app
