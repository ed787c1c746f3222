"""API Gateway: every stage traced, logged, throttled and (in production) behind a WAF; every route
either authorized or declared public."""
from __future__ import annotations

from typing import Iterable

from ..model import Finding, Resource, Rule, Stack, is_unknown, listed
from .common import each, is_true
from .resource_types import METHOD, METHOD_SETTINGS, REST_API, STAGE, WEB_ACL, WEB_ACL_ASSOCIATION

#: The tag in which an API declares its routes without authorization ("POST /webhooks/payment, ...").
PUBLIC_ROUTES_TAG = "platform:public-routes"
COMMON_RULE_SET = "AWSManagedRulesCommonRuleSet"


def _xray(stack: Stack) -> Iterable[Finding]:
    return each(stack.of_type(STAGE), lambda s: None if is_true(s.get("xrayTracingEnabled"))
                else "X-Ray tracing is off")


def _access_logs(stack: Stack) -> Iterable[Finding]:
    def problem(stage: Resource) -> str | None:
        settings = stage.get("accessLogSettings")
        if is_unknown(settings):
            return None
        if not stage.get("accessLogSettings", "destinationArn") or not stage.get("accessLogSettings", "format"):
            return "has no access logs (destination and format)"
        return None
    return each(stack.of_type(STAGE), problem)


def _same_api(stack: Stack, a: Resource, b: Resource) -> bool:
    """Two API Gateway resources of one REST API: the same id, or the same RestApi behind the id."""
    if a.get("restApi") == b.get("restApi") and not is_unknown(a.get("restApi")):
        return True
    return bool(set(a.dependencies.get("restApi", ())) & set(b.dependencies.get("restApi", ())))


def _stage_settings(stack: Stack, stage: Resource) -> list[Resource]:
    return [m for m in stack.of_type(METHOD_SETTINGS) if _same_api(stack, m, stage)
            and (m.get("stageName") == stage.get("stageName") or is_unknown(m.get("stageName")))]


def _throttled(stack: Stack) -> Iterable[Finding]:
    def problem(stage: Resource) -> str | None:
        for settings in _stage_settings(stack, stage):
            rate = settings.get("settings", "throttlingRateLimit")
            burst = settings.get("settings", "throttlingBurstLimit")
            if settings.get("methodPath") == "*/*" and all(is_unknown(v) or (isinstance(v, (int, float)) and v > 0)
                                                            for v in (rate, burst)):
                return None
        return "no stage-wide (*/*) throttling rate and burst limit"
    return each(stack.of_type(STAGE), problem)


def _cache_encrypted(stack: Stack) -> Iterable[Finding]:
    return each(stack.of_type(METHOD_SETTINGS),
                lambda m: "caches responses unencrypted" if m.get("settings", "cachingEnabled") is True
                and m.get("settings", "cacheDataEncrypted") is not True else None)


def _regional(stack: Stack) -> Iterable[Finding]:
    def problem(api: Resource) -> str | None:
        types = api.get("endpointConfiguration", "types")
        if is_unknown(types):
            return None
        found = listed(types) or ["EDGE"]
        bad = [t for t in found if t not in ("REGIONAL", "PRIVATE")]
        return f"endpoint type {bad}: the stack's regional web ACL cannot protect an edge endpoint" if bad else None
    return each(stack.of_type(REST_API), problem)


def route_path(stack: Stack, method: Resource) -> str | None:
    """The method's path, by following resourceId and parentId to the API's root; None if not resolvable."""
    segments: list[str] = []
    node = method
    prop = "resourceId"
    for _ in range(64):
        sources = stack.sources(node, prop)
        if not sources:
            return None
        node, prop = sources[0], "parentId"
        if node.type == REST_API:
            return "/" + "/".join(reversed(segments))
        part = node.get("pathPart")
        if not isinstance(part, str):
            return None
        segments.append(part)
    return None


def _authorized(stack: Stack) -> Iterable[Finding]:
    for method in stack.of_type(METHOD):
        if method.get("authorization") != "NONE" or is_true(method.get("apiKeyRequired")):
            continue
        apis = stack.sources(method, "restApi")
        path = route_path(stack, method)
        if not apis or path is None:
            continue
        declared = {route.strip() for route in str(apis[0].tags.get(PUBLIC_ROUTES_TAG, "")).split(",")}
        route = f"{method.get('httpMethod')} {path}"
        if route not in declared:
            yield Finding(method, f"route {route} has neither an authorizer nor an API key, and its API does not "
                                  f"declare it public (tag {PUBLIC_ROUTES_TAG})")


def _common_rule_set(acl: Resource) -> bool:
    for rule in acl.get("rules") or []:
        group = ((rule.get("statement") or {}).get("managedRuleGroupStatement") or {})
        counting = "count" in (rule.get("overrideAction") or {})
        if group.get("vendorName") == "AWS" and group.get("name") == COMMON_RULE_SET and not counting:
            return True
    return is_unknown(acl.get("rules"))


def _waf(stack: Stack) -> Iterable[Finding]:
    acls = {a.get("arn"): a for a in stack.of_type(WEB_ACL) if isinstance(a.get("arn"), str)}
    associations = stack.of_type(WEB_ACL_ASSOCIATION)

    def problem(stage: Resource) -> str | None:
        for association in associations:
            to_stage = association.get("resourceArn") == stage.get("arn") or \
                stage.urn in association.dependencies.get("resourceArn", ())
            if not to_stage:
                continue
            acl = acls.get(association.get("webAclArn"))
            if acl is None:
                sources = stack.sources(association, "webAclArn")
                acl = sources[0] if sources else None
            if acl is not None and _common_rule_set(acl):
                return None
            if acl is None and is_unknown(association.get("webAclArn")):
                return None
            return f"its web ACL does not block with the AWS managed {COMMON_RULE_SET}"
        return "no WAF web ACL is associated with the stage"
    return each(stack.of_type(STAGE), problem)


RULES = (
    Rule("apigateway-stage-xray", "Every API stage traces with X-Ray",
         why="X-Ray traces REST API stages; without it a request's trace starts at the function",
         fix="set xray_tracing_enabled=True (RestApiFront does)", check=_xray, fsbp=("APIGateway.3",)),
    Rule("apigateway-stage-access-logs", "Every API stage writes JSON access logs",
         why="access logs are the only record of requests API Gateway rejected before any function ran",
         fix="set access_log_settings with a log group of the stack and a format (RestApiFront does)",
         check=_access_logs, fsbp=("APIGateway.9",)),
    Rule("apigateway-routes-authorized",
         "Every route has an authorizer or an API key, unless its API declares it public",
         why="an unauthenticated route is open to the internet; being public must be a decision, not an omission",
         fix="give the route auth='authorizer' or auth='api_key', or auth='public' when it authenticates in its "
             "payload (RestApiFront then lists it in the API's platform:public-routes tag)",
         check=_authorized, fsbp=("APIGateway.8",)),
    Rule("apigateway-throttled", "Every API stage has a stage-wide throttling rate and burst limit",
         why="without a limit, one client can exhaust the functions' concurrency for every other service",
         fix="add MethodSettings for method_path \"*/*\" with throttling limits (RestApiFront does)",
         check=_throttled),
    Rule("apigateway-waf", "Every API stage is behind a WAF web ACL with the AWS managed common rule set",
         why="the common rule set blocks the usual injection and malformed-request attacks before they reach code",
         fix="set apiWaf: true for the stack (RestApiFront then associates the stack's web ACL)",
         check=_waf, fsbp=("APIGateway.4",)),
    Rule("apigateway-cache-encrypted", "API responses are cached only encrypted",
         why="a cached response holds the same data as the table it came from",
         fix="set cache_data_encrypted=True wherever caching_enabled=True", check=_cache_encrypted,
         fsbp=("APIGateway.5",), awsguard=("apigateway-method-cached-and-encrypted",)),
    Rule("apigateway-regional-endpoint", "REST APIs use regional (or private) endpoints",
         why="the stack's web ACL is regional; an edge-optimized API would need a CloudFront-scoped one",
         fix="set endpoint_configuration types=\"REGIONAL\" (RestApiFront does)", check=_regional,
         awsguard=("apigateway-endpoint-type",)),
)
