import json

import pytest

from components.services.http_plan import (ACCESS_LOG_FIELDS, Route, access_log_format, deployment_trigger,
                                           method_slug, resource_tree)

ROUTES = [Route("POST", "/orders"), Route("GET", "/orders"), Route("GET", "/orders/{order_id}"),
          Route("GET", "/orders/{order_id}/items")]


def test_resource_tree_has_each_path_once_parents_first():
    tree = resource_tree(ROUTES)
    assert [n.path for n in tree] == ["/orders", "/orders/{order_id}", "/orders/{order_id}/items"]
    assert [n.parent_path for n in tree] == ["/", "/orders", "/orders/{order_id}"]
    assert [n.segment for n in tree] == ["orders", "{order_id}", "items"]


def test_slugs_are_valid_logical_name_fragments():
    assert method_slug(Route("GET", "/orders/{order_id}")) == "get-orders-order_id"


@pytest.mark.parametrize("method,path", [("FETCH", "/orders"), ("GET", "orders"), ("GET", "/"),
                                         ("GET", "/Orders"), ("GET", "/orders//x"), ("GET", "/{bad-param}")])
def test_bad_routes_are_rejected(method, path):
    with pytest.raises(ValueError, match="route"):
        Route(method, path)


def test_duplicate_and_empty_routes_are_rejected():
    with pytest.raises(ValueError, match="unique"):
        resource_tree([Route("GET", "/a"), Route("GET", "/a")])
    with pytest.raises(ValueError, match="at least one"):
        resource_tree([])


def test_access_log_format_is_one_json_object_with_the_trace_id():
    fields = json.loads(access_log_format())
    assert fields == ACCESS_LOG_FIELDS
    assert fields["xrayTraceId"] == "$context.xrayTraceId" and fields["requestId"] == "$context.requestId"


def test_deployment_trigger_changes_only_with_the_api_shape():
    assert deployment_trigger(ROUTES, "h.app") == deployment_trigger(list(reversed(ROUTES)), "h.app")
    assert deployment_trigger(ROUTES, "h.app") != deployment_trigger(ROUTES[:-1], "h.app")
