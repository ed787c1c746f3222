import pytest

from components.observability.dashboard.layout import validate_dashboard_body
from components.observability.dashboard.overview_pages import MAX_WIDGETS, overview_pages, plan_pages
from components.observability.refs import LambdaRef, RestApiRef, ServiceView, TableRef


def view(i: int) -> ServiceView:
    return ServiceView(service=f"svc{i}", stack="dev", region="us-east-1", account_id="123456789012",
                       lambdas=(LambdaRef(f"platform-dev-svc{i}-api", 10, f"/platform/dev/svc{i}/lambda-api"),),
                       apis=(RestApiRef(f"platform-dev-svc{i}-api", "v1", f"/platform/dev/svc{i}/api-access"),),
                       tables=(TableRef(f"platform-dev-svc{i}-table"),))


def test_plan_fills_pages_up_to_the_limit_without_dropping_services():
    pages = plan_pages([5] * 250, [10, 2], platform_alarms=1)
    assert [i for page in pages for i in page] == list(range(250))
    assert len(pages) == 3
    first = pages[0]
    assert 10 + 5 * len(first) + -(-(1 + len(first)) // 100) <= MAX_WIDGETS


def test_plan_rejects_a_service_that_cannot_fit_alone():
    with pytest.raises(ValueError, match="alone"):
        plan_pages([600], [10, 2], platform_alarms=0)


def test_a_small_stack_has_one_page_and_a_large_one_continues_on_valid_pages():
    small = overview_pages([view(0)], ["arn:h0"], None, None, ["arn:logging"], region="us-east-1", stack="dev")
    assert len(small) == 1
    views = [view(i) for i in range(120)]
    pages = overview_pages(views, [f"arn:h{i}" for i in range(120)], None, None, ["arn:logging"],
                           region="us-east-1", stack="dev")
    assert len(pages) >= 2
    for body in pages:
        validate_dashboard_body(body)
        assert len(body["widgets"]) <= MAX_WIDGETS
    text = "".join(str(body) for body in pages)
    assert all(f"svc{i}" in text for i in range(120))


def test_health_arns_must_match_views():
    with pytest.raises(ValueError, match="one health alarm ARN per service"):
        overview_pages([view(0)], [], None, None, [], region="us-east-1", stack="dev")
