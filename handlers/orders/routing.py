"""Pure request routing: which operation a (method, path) pair asks for."""

from __future__ import annotations

from dataclasses import dataclass

ROUTES: dict[str, dict[str, str]] = {
    "/orders": {"GET": "list_orders", "POST": "create_order"},
    "/orders/{order_id}": {"GET": "get_order"},
}


@dataclass(frozen=True)
class Match:
    template: str | None  # None: no such resource (404)
    operation: str | None  # None with a template: method not allowed (405)
    order_id: str | None = None

    @property
    def allowed(self) -> str:
        return ", ".join(sorted(ROUTES.get(self.template or "", {})))


def match(method: str, path: str) -> Match:
    """Match on the path (not `resource`), so a `{proxy+}` integration routes the same way."""
    segments = [segment for segment in (path or "").split("/") if segment]
    if segments == ["orders"]:
        template, order_id = "/orders", None
    elif len(segments) == 2 and segments[0] == "orders":
        template, order_id = "/orders/{order_id}", segments[1]
    else:
        return Match(None, None)
    return Match(template, ROUTES[template].get((method or "").upper()), order_id)
