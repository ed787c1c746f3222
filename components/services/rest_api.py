"""A REST API stage in front of a service, whatever sits behind each route.

One building block for every kind that takes HTTP requests: an `HttpService` routes to its function,
a `QueueWorker` with an ingest route lets API Gateway write straight to its queue (the Scalable
Webhook), a `StreamPipeline` straight to its stream (the Streamer), and any route may proxy to a
legacy backend (the Strangler). Every stage gets X-Ray, JSON access logs (shipped), metrics and
throttling; an authorizer (the Gatekeeper) and usage plans with API keys are options.
A REST API rather than an HTTP API because X-Ray traces only REST APIs.
"""
from __future__ import annotations

import json
import re
import weakref
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Sequence

import pulumi
import pulumi_aws as aws

from components import iam
from components.log_shipping_hook import LogGroupRegistration
from components.observability.refs import RestApiRef
from components.services.access import sid, statement
from components.services.http_plan import (ProxyRoute, QueueRoute, Route, StreamRoute, access_log_format,
                                           deployment_trigger, kinesis_put_template, method_slug, resource_tree,
                                           sqs_send_template)

if TYPE_CHECKING:
    from components.core import PlatformCore
    from components.services.function import ObservedFunction
    from components.services.service import ServiceComponent

STAGE_NAME = "v1"
#: API Gateway caches an authorizer's answer per token for up to an hour; five minutes bounds how long
#: a revoked token keeps working while sparing the authorizer one invocation per request.
AUTHORIZER_CACHE_SECONDS = 300
MAX_AUTHORIZER_CACHE_SECONDS = 3600
ACCEPTED = {"statusCode": 202}
#: AWS's baseline rule group for web applications (OWASP-style request inspection), FSBP APIGateway.4.
WAF_RULE_GROUP = "AWSManagedRulesCommonRuleSet"
_WEB_ACLS: "weakref.WeakKeyDictionary[Any, aws.wafv2.WebAcl]" = weakref.WeakKeyDictionary()


def api_web_acl(core: PlatformCore) -> aws.wafv2.WebAcl:
    """One regional web ACL per stack, shared by every API stage (a web ACL is billed per month).

    Created by the first API that needs it; blocks what the AWS managed common rule set matches,
    allows the rest, and publishes its metrics and sampled requests.
    """
    if core not in _WEB_ACLS:
        name = core.namer.stack_wide("api-waf", "waf_web_acl")
        visibility = aws.wafv2.WebAclVisibilityConfigArgs(cloudwatch_metrics_enabled=True, metric_name=name,
                                                          sampled_requests_enabled=True)
        _WEB_ACLS[core] = aws.wafv2.WebAcl(
            f"{core._name}-api-waf", name=name, scope="REGIONAL",
            description="Every API stage of the stack: the AWS managed common rule set",
            default_action=aws.wafv2.WebAclDefaultActionArgs(allow=aws.wafv2.WebAclDefaultActionAllowArgs()),
            rules=[aws.wafv2.WebAclRuleArgs(
                name=WAF_RULE_GROUP, priority=0,
                override_action=aws.wafv2.WebAclRuleOverrideActionArgs(
                    none=aws.wafv2.WebAclRuleOverrideActionNoneArgs()),
                statement=aws.wafv2.WebAclRuleStatementArgs(
                    managed_rule_group_statement=aws.wafv2.WebAclRuleStatementManagedRuleGroupStatementArgs(
                        vendor_name="AWS", name=WAF_RULE_GROUP)),
                visibility_config=aws.wafv2.WebAclRuleVisibilityConfigArgs(
                    cloudwatch_metrics_enabled=True, metric_name=f"{name}-{WAF_RULE_GROUP}",
                    sampled_requests_enabled=True))],
            visibility_config=visibility, tags=core.tags, opts=pulumi.ResourceOptions(parent=core))
    return _WEB_ACLS[core]
_KEY_NAME = re.compile(r"^[a-z0-9][a-z0-9-]*$")


@dataclass(frozen=True)
class UsagePlan:
    """API keys for the routes marked `auth="api_key"`, with their own throttle and daily quota."""

    keys: tuple[str, ...] = ("default",)
    rate_limit: int = 10
    burst_limit: int = 20
    quota_per_day: int | None = None

    def problems(self) -> list[str]:
        found = []
        if not self.keys or len(set(self.keys)) != len(self.keys):
            found.append(f"usage_plan.keys = {list(self.keys)}: at least one key, each named once")
        for key in self.keys:
            if not _KEY_NAME.fullmatch(key):  # each names its API key, <prefix>-<service>-key-<name>
                found.append(f"usage_plan.keys: {key!r} must be lowercase letters, digits and '-'")
        if self.rate_limit < 1 or self.burst_limit < 1:
            found.append("usage_plan.rate_limit and burst_limit must be at least 1")
        if self.quota_per_day is not None and self.quota_per_day < 1:
            found.append(f"usage_plan.quota_per_day = {self.quota_per_day}: at least 1, or None for no quota")
        return found


def route_problems(routes: Sequence[Route], *, has_function: bool, has_authorizer: bool,
                   usage_plan: UsagePlan | None) -> list[str]:
    """Route arguments that cannot deploy, found before anything is created."""
    found = []
    try:
        resource_tree(routes)
    except ValueError as error:
        found.append(f"routes: {error}")
    for route in routes:
        where = f"route {route.method} {route.path}"
        if route.uses_function and not has_function:
            found.append(f"{where}: routes to the service's function, but the service has no handler")
        if route.auth == "authorizer" and not has_authorizer:
            found.append(f"{where}: auth='authorizer' needs the service's authorizer argument")
        if route.auth == "api_key" and usage_plan is None:
            found.append(f"{where}: auth='api_key' needs the service's usage_plan argument")
        if isinstance(route, (QueueRoute, StreamRoute)) and route.method not in ("POST", "PUT"):
            found.append(f"{where}: only POST or PUT can carry a body to a queue or stream")
    return found


class RestApiFront:
    def __init__(self, owner: ServiceComponent, routes: Sequence[Route], *, description: str,
                 function: ObservedFunction | None = None, authorizer: ObservedFunction | None = None,
                 usage_plan: UsagePlan | None = None, authorizer_cache_seconds: int = AUTHORIZER_CACHE_SECONDS) -> None:
        core, settings, namer = owner.core, owner.settings, owner.core.namer
        self.owner, self.core, self.prefix = owner, core, owner.service
        self.routes = list(routes)
        self.function = function
        child = owner.child
        self.api_name = namer.physical(owner.service, "api", "rest_api")
        public = sorted(f"{r.method} {r.path}" for r in routes if self._auth(r, authorizer) == "public")
        self.api = aws.apigateway.RestApi(
            f"{self.prefix}-rest-api", name=self.api_name, description=description,
            endpoint_configuration=aws.apigateway.RestApiEndpointConfigurationArgs(types="REGIONAL"),
            # Public routes are a decision, so the API says which; the policy pack reads this.
            tags={**owner.tags, **({"platform:public-routes": ", ".join(public)[:256]} if public else {})},
            opts=child)
        self.authorizer = self._authorizer(authorizer, authorizer_cache_seconds) if authorizer else None
        self._integration_role: aws.iam.Role | None = None
        integrations = self._routes(authorizer)
        if any(r.uses_function for r in routes) and function is not None:
            aws.lambda_.Permission(
                f"{self.prefix}-api-invoke", action="lambda:InvokeFunction", function=function.function.name,
                principal="apigateway.amazonaws.com",
                source_arn=self.api.execution_arn.apply(lambda arn: f"{arn}/*/*"), opts=child)
        handler = function.spec.handler if function is not None else None
        deployment = aws.apigateway.Deployment(
            f"{self.prefix}-deployment", rest_api=self.api.id,
            triggers={"redeployment": deployment_trigger(routes, handler, {
                "authorizer": authorizer.spec.handler if authorizer else None,
                "usage_plan": usage_plan.keys if usage_plan else None})},
            opts=pulumi.ResourceOptions(parent=owner, depends_on=integrations))

        self.access_log_group_name = namer.log_group(owner.service, "api-access")
        access_logs = aws.cloudwatch.LogGroup(
            f"{self.prefix}-api-access-logs", name=self.access_log_group_name,
            retention_in_days=settings.log_retention_days, kms_key_id=core.key.arn, tags=owner.tags, opts=child)
        core.log_shipping.register(LogGroupRegistration(
            service=owner.service, part="api-access", name=self.access_log_group_name, log_group=access_logs,
            owner=owner))
        self.stage = aws.apigateway.Stage(
            f"{self.prefix}-stage", rest_api=self.api.id, deployment=deployment.id, stage_name=STAGE_NAME,
            xray_tracing_enabled=True,
            access_log_settings=aws.apigateway.StageAccessLogSettingsArgs(
                destination_arn=access_logs.arn, format=access_log_format()),
            tags=owner.tags, opts=pulumi.ResourceOptions(parent=owner, depends_on=core.api_gateway_logging))
        aws.apigateway.MethodSettings(
            f"{self.prefix}-stage-settings", rest_api=self.api.id, stage_name=self.stage.stage_name, method_path="*/*",
            settings=aws.apigateway.MethodSettingsSettingsArgs(
                metrics_enabled=True, logging_level="OFF",
                throttling_rate_limit=settings.api.throttle_rate_limit,
                throttling_burst_limit=settings.api.throttle_burst_limit),
            opts=child)
        if settings.security.api_waf:
            aws.wafv2.WebAclAssociation(f"{self.prefix}-stage-waf", resource_arn=self.stage.arn,
                                        web_acl_arn=api_web_acl(core).arn, opts=child)
        self.api_keys: dict[str, pulumi.Output[str]] = self._usage_plan(usage_plan) if usage_plan else {}
        self.url: pulumi.Output[str] = self.stage.invoke_url
        core.trace(f"{self.api_name}/{STAGE_NAME}")
        self.ref = RestApiRef(api_name=self.api_name, stage_name=STAGE_NAME,
                              access_log_group_name=self.access_log_group_name, part="api")

    # -- routes ---------------------------------------------------------------------------------
    @staticmethod
    def _auth(route: Route, authorizer: ObservedFunction | None) -> str:
        if route.auth == "default":
            return "authorizer" if authorizer is not None else "public"
        return route.auth

    def _routes(self, authorizer: ObservedFunction | None) -> list[pulumi.Resource]:
        parent = pulumi.ResourceOptions(parent=self.owner)
        resources: dict[str, pulumi.Output[str]] = {"/": self.api.root_resource_id}
        for node in resource_tree(self.routes):
            resource = aws.apigateway.Resource(
                f"{self.prefix}-res-{node.slug}", rest_api=self.api.id, parent_id=resources[node.parent_path],
                path_part=node.segment, opts=parent)
            resources[node.path] = resource.id
        validator = None
        if any(r.schema for r in self.routes):
            validator = aws.apigateway.RequestValidator(
                f"{self.prefix}-validate-body", rest_api=self.api.id, name="body",
                validate_request_body=True, validate_request_parameters=True, opts=parent)
        integrations: list[pulumi.Resource] = []
        for route in self.routes:
            slug = method_slug(route)
            auth = self._auth(route, authorizer)
            models = None
            if route.schema:
                model = aws.apigateway.Model(
                    f"{self.prefix}-{slug}-model", rest_api=self.api.id, name=slug.replace("-", "").replace("_", ""),
                    content_type="application/json", schema=json.dumps(route.schema, sort_keys=True), opts=parent)
                models = {"application/json": model.name}
            method = aws.apigateway.Method(
                f"{self.prefix}-{slug}", rest_api=self.api.id, resource_id=resources[route.path],
                http_method=route.method, authorization="CUSTOM" if auth == "authorizer" else "NONE",
                authorizer_id=self.authorizer.id if auth == "authorizer" and self.authorizer else None,
                api_key_required=auth == "api_key", request_models=models,
                request_validator_id=validator.id if validator is not None and route.schema else None,
                request_parameters={"method.request.path.proxy": True} if isinstance(route, ProxyRoute)
                and route.path.endswith("{proxy+}") else None,
                opts=parent)
            integrations.append(self._integration(route, slug, resources[route.path], method))
        return integrations

    def _integration(self, route: Route, slug: str, resource_id: pulumi.Input[str],
                     method: aws.apigateway.Method) -> pulumi.Resource:
        parent = pulumi.ResourceOptions(parent=self.owner)
        common = dict(rest_api=self.api.id, resource_id=resource_id, http_method=method.http_method)
        region, account = self.core.account.region, self.core.account.account_id
        if isinstance(route, ProxyRoute):
            uri = route.url.rstrip("/") + ("/{proxy}" if route.path.endswith("{proxy+}") else "")
            return aws.apigateway.Integration(
                f"{self.prefix}-{slug}-integration", type="HTTP_PROXY", integration_http_method=route.method,
                uri=uri, request_parameters={"integration.request.path.proxy": "method.request.path.proxy"}
                if route.path.endswith("{proxy+}") else None, opts=parent, **common)
        if isinstance(route, (QueueRoute, StreamRoute)):
            if isinstance(route, QueueRoute):
                queue = getattr(route.queue, "queue", route.queue)
                uri = f"arn:aws:apigateway:{region}:sqs:path/{account}/{queue.name}"
                content_type, template = "application/x-www-form-urlencoded", \
                    sqs_send_template(route.headers_to_attributes, queue.fifo)
            else:
                uri = f"arn:aws:apigateway:{region}:kinesis:action/PutRecord"
                content_type, template = "application/x-amz-json-1.1", \
                    kinesis_put_template(route.stream.stream_name, route.partition_key)
            integration = aws.apigateway.Integration(
                f"{self.prefix}-{slug}-integration", type="AWS", integration_http_method="POST", uri=uri,
                credentials=self._service_role().arn, passthrough_behavior="NEVER",
                request_parameters={"integration.request.header.Content-Type": f"'{content_type}'"},
                request_templates={"application/json": template}, opts=parent, **common)
            response = aws.apigateway.MethodResponse(
                f"{self.prefix}-{slug}-202", status_code="202", opts=parent, **common)
            aws.apigateway.IntegrationResponse(
                f"{self.prefix}-{slug}-accepted", status_code=response.status_code, selection_pattern="2\\d{2}",
                response_templates={"application/json": '{"accepted": true, "request_id": "$context.requestId"}'},
                opts=pulumi.ResourceOptions(parent=self.owner, depends_on=[integration]), **common)
            return integration
        assert self.function is not None
        return aws.apigateway.Integration(
            f"{self.prefix}-{slug}-integration", type="AWS_PROXY", integration_http_method="POST",
            uri=self.function.function.invoke_arn, opts=parent, **common)

    def _service_role(self) -> aws.iam.Role:
        """The role API Gateway uses to write to the queues and streams of the routes, and nothing else."""
        if self._integration_role is not None:
            return self._integration_role
        owner = self.owner
        role = aws.iam.Role(
            f"{self.prefix}-api-integration", name=self.core.namer.physical(owner.service, "api-integration", "iam_role"),
            assume_role_policy=iam.assume_role_policy("apigateway.amazonaws.com"), tags=owner.tags, opts=owner.child)
        statements: list[pulumi.Input[dict]] = []
        services: set[str] = set()
        for route in self.routes:
            if isinstance(route, QueueRoute):
                queue = getattr(route.queue, "queue", route.queue)
                statements.append(statement(sid(method_slug(route)), ["sqs:SendMessage"], queue.arn))
                services.add("sqs")
            elif isinstance(route, StreamRoute):
                statements.append(statement(sid(method_slug(route)), ["kinesis:PutRecord"], route.stream.stream_arn))
                services.add("kinesis")
        statements.append(self.core.key.arn.apply(
            lambda arn: iam.use_key_via(self.core.account, arn, sorted(services), ["kms:GenerateDataKey"])))
        aws.iam.RolePolicy(f"{self.prefix}-api-integration-policy", role=role.id,
                           policy=pulumi.Output.all(*statements).apply(iam.document), opts=owner.child)
        self._integration_role = role
        return role

    # -- authorizer and keys --------------------------------------------------------------------
    def _authorizer(self, function: ObservedFunction, cache_seconds: int) -> aws.apigateway.Authorizer:
        """The Gatekeeper: a TOKEN authorizer whose answer API Gateway caches per token."""
        parent = pulumi.ResourceOptions(parent=self.owner)
        authorizer = aws.apigateway.Authorizer(
            f"{self.prefix}-authorizer", rest_api=self.api.id, name=f"{self.prefix}-gatekeeper", type="TOKEN",
            authorizer_uri=function.function.invoke_arn, identity_source="method.request.header.Authorization",
            identity_validation_expression=r"^Bearer [-0-9A-Za-z._~+/]+=*$",
            authorizer_result_ttl_in_seconds=cache_seconds, opts=parent)
        aws.lambda_.Permission(
            f"{self.prefix}-authorizer-invoke", action="lambda:InvokeFunction", function=function.function.name,
            principal="apigateway.amazonaws.com",
            source_arn=pulumi.Output.all(self.api.execution_arn, authorizer.id).apply(
                lambda values: f"{values[0]}/authorizers/{values[1]}"), opts=parent)
        return authorizer

    def _usage_plan(self, plan: UsagePlan) -> dict[str, pulumi.Output[str]]:
        parent = pulumi.ResourceOptions(parent=self.owner)
        namer = self.core.namer
        usage = aws.apigateway.UsagePlan(
            f"{self.prefix}-usage-plan", name=namer.physical(self.owner.service, "usage-plan", "rest_api"),
            api_stages=[aws.apigateway.UsagePlanApiStageArgs(api_id=self.api.id, stage=self.stage.stage_name)],
            throttle_settings=aws.apigateway.UsagePlanThrottleSettingsArgs(rate_limit=plan.rate_limit,
                                                                           burst_limit=plan.burst_limit),
            quota_settings=aws.apigateway.UsagePlanQuotaSettingsArgs(limit=plan.quota_per_day, period="DAY")
            if plan.quota_per_day else None,
            tags=self.owner.tags, opts=parent)
        keys: dict[str, pulumi.Output[str]] = {}
        for key_name in plan.keys:
            key = aws.apigateway.ApiKey(
                f"{self.prefix}-key-{key_name}", name=namer.physical(self.owner.service, f"key-{key_name}", "rest_api"),
                enabled=True, tags=self.owner.tags, opts=parent)
            aws.apigateway.UsagePlanKey(f"{self.prefix}-key-{key_name}-plan", key_id=key.id, key_type="API_KEY",
                                        usage_plan_id=usage.id, opts=parent)
            keys[key_name] = key.id
        return keys


@dataclass(frozen=True)
class Ingest:
    """An API route straight into a service's queue or stream, with no function in between.

    `auth` defaults to "public" because webhooks and beacons authenticate in their payload (a
    signature checked by the worker) or by API key; say which with `auth` and `usage_plan`.
    """

    path: str
    method: str = "POST"
    auth: str = "public"
    schema: Any = None
    usage_plan: UsagePlan | None = None
    headers_to_attributes: Any = None      # queues: header -> message attribute
    partition_key: str = "$.id"            # streams: JSON path of the partition key in the body

    def queue_route(self, queue: Any) -> QueueRoute:
        return QueueRoute(self.method, self.path, auth=self.auth, schema=self.schema,  # type: ignore[arg-type]
                          queue=queue, headers_to_attributes=dict(self.headers_to_attributes or {}))

    def stream_route(self, stream: Any) -> StreamRoute:
        return StreamRoute(self.method, self.path, auth=self.auth, schema=self.schema,  # type: ignore[arg-type]
                           stream=stream, partition_key=self.partition_key)

    def problems(self) -> list[str]:
        """Route checks need the target, so they run on a stand-in; the messages name the route."""
        try:
            route = QueueRoute(self.method, self.path, auth=self.auth, schema=self.schema,  # type: ignore[arg-type]
                               queue=object(), headers_to_attributes=dict(self.headers_to_attributes or {}))
            StreamRoute(self.method, self.path, auth=self.auth, schema=self.schema,  # type: ignore[arg-type]
                        stream=object(), partition_key=self.partition_key)
        except ValueError as error:
            return [f"ingest: {error}"]
        found = [f"ingest: {p}" for p in route_problems([route], has_function=False, has_authorizer=False,
                                                          usage_plan=self.usage_plan)]
        if self.usage_plan is not None:
            found += [f"ingest.{p}" for p in self.usage_plan.problems()]
        return found
