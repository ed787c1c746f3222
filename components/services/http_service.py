"""`HttpService`: a REST API in front of a Lambda function and a DynamoDB table, observed by default.

A REST API rather than an HTTP API because X-Ray traces only REST APIs. The component adds no
behaviour of its own beyond wiring: names, policies, alarms and dashboards come from pure builders.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Mapping, Sequence

import pulumi
import pulumi_aws as aws

from components import iam
from components.core import PlatformCore
from components.log_shipping_hook import LogGroupRegistration
from components.observability.apigateway.alarms import rest_api_alarms
from components.observability.dashboard.service_dashboard import service_dashboard_body
from components.observability.dynamodb.alarms import table_alarms
from components.observability.refs import RestApiRef, ServiceView, TableRef
from components.resources.alarms import EmittedAlarms, emit_alarms, emit_health_alarm
from components.resources.dashboards import emit_dashboard
from components.services.function import FunctionSpec, ObservedFunction
from components.services.http_plan import Route, access_log_format, deployment_trigger, method_slug, resource_tree
from components.observability.model import Severity

STAGE_NAME = "v1"


@dataclass(frozen=True)
class TableSpec:
    hash_key: str
    hash_key_type: str = "S"
    range_key: str | None = None
    range_key_type: str = "S"
    ttl_attribute: str | None = None
    #: What the function may do with its table; narrow it to what the handler calls.
    actions: tuple[str, ...] = iam.DYNAMODB_CRUD


@dataclass(frozen=True)
class HttpServiceArgs:
    handler: str
    routes: Sequence[Route]
    table: TableSpec | None = None
    environment: Mapping[str, str] = field(default_factory=dict)
    description: str = ""
    memory_mb: int | None = None
    timeout_seconds: int | None = None


class HttpService(pulumi.ComponentResource):
    def __init__(self, service: str, args: HttpServiceArgs, core: PlatformCore,
                 opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__("platform:services:HttpService", service, None, opts)
        settings, namer = core.settings, core.namer
        child = pulumi.ResourceOptions(parent=self)
        self.service = service
        tags = core.tags_for(service)

        self.table: aws.dynamodb.Table | None = None
        statements: list[pulumi.Input[dict]] = []
        environment = dict(args.environment)
        if args.table is not None:
            self.table = self._table(args.table, core, tags)
            environment["TABLE_NAME"] = self.table.name
            actions = args.table.actions
            statements.append(self.table.arn.apply(lambda arn: iam.dynamodb_access(arn, actions)))
            statements.append(core.key.arn.apply(lambda arn: iam.use_key_via(core.account, arn, ["dynamodb"])))

        self.function = ObservedFunction(
            f"{service}-api",
            FunctionSpec(service=service, part="api", handler=args.handler,
                         description=args.description or f"{service} HTTP API handler",
                         environment=environment, statements=statements,
                         memory_mb=args.memory_mb, timeout_seconds=args.timeout_seconds),
            core, opts=child)

        self.api_name = namer.physical(service, "api", "rest_api")
        self.api = aws.apigateway.RestApi(
            f"{service}-rest-api", name=self.api_name, description=args.description or f"{service} API",
            endpoint_configuration=aws.apigateway.RestApiEndpointConfigurationArgs(types="REGIONAL"),
            tags=tags, opts=child)
        integrations = self._routes(args.routes)
        aws.lambda_.Permission(
            f"{service}-api-invoke", action="lambda:InvokeFunction", function=self.function.function.name,
            principal="apigateway.amazonaws.com",
            source_arn=self.api.execution_arn.apply(lambda arn: f"{arn}/*/*"), opts=child)
        deployment = aws.apigateway.Deployment(
            f"{service}-deployment", rest_api=self.api.id,
            triggers={"redeployment": deployment_trigger(args.routes, args.handler)},
            opts=pulumi.ResourceOptions(parent=self, depends_on=integrations))

        self.access_log_group_name = namer.log_group(service, "api-access")
        access_logs = aws.cloudwatch.LogGroup(
            f"{service}-api-access-logs", name=self.access_log_group_name,
            retention_in_days=settings.log_retention_days, kms_key_id=core.key.arn, tags=tags, opts=child)
        core.log_shipping.register(LogGroupRegistration(
            service=service, part="api-access", name=self.access_log_group_name, log_group=access_logs, owner=self))
        self.stage = aws.apigateway.Stage(
            f"{service}-stage", rest_api=self.api.id, deployment=deployment.id, stage_name=STAGE_NAME,
            xray_tracing_enabled=True,
            access_log_settings=aws.apigateway.StageAccessLogSettingsArgs(
                destination_arn=access_logs.arn, format=access_log_format()),
            tags=tags, opts=pulumi.ResourceOptions(parent=self, depends_on=[core.api_gateway_logging]))
        aws.apigateway.MethodSettings(
            f"{service}-stage-settings", rest_api=self.api.id, stage_name=self.stage.stage_name, method_path="*/*",
            settings=aws.apigateway.MethodSettingsSettingsArgs(
                metrics_enabled=True, logging_level="OFF",
                throttling_rate_limit=settings.api.throttle_rate_limit,
                throttling_burst_limit=settings.api.throttle_burst_limit),
            opts=child)
        self.url = self.stage.invoke_url
        core.trace(f"{self.api_name}/{STAGE_NAME}")

        self.view = ServiceView(
            service=service, stack=settings.stack, region=settings.region, account_id=core.account.account_id,
            lambdas=(self.function.ref,),
            apis=(RestApiRef(api_name=self.api_name, stage_name=STAGE_NAME,
                             access_log_group_name=self.access_log_group_name, part="api"),),
            tables=(TableRef(table_name=namer.physical(service, "table", "dynamodb_table"), part="table"),)
            if args.table else (),
            xray_group_name=core.xray_group_name, dashboard_name=namer.physical(service, "dashboard", "dashboard"))
        own = [spec for api in self.view.apis for spec in rest_api_alarms(api, settings.alarms)]
        own += [spec for table in self.view.tables for spec in table_alarms(table, settings.alarms)]
        emitted = emit_alarms(own, namer=namer, ctx=core.account, service=service, topics=core.alarm_topics,
                              tags=tags, parent=self, logical_prefix=service)
        self.alarms = EmittedAlarms(names=self.function.alarms.names + emitted.names,
                                    arns=self.function.alarms.arns + emitted.arns,
                                    resources=self.function.alarms.resources + emitted.resources)
        self.health_alarm_name, self.health_alarm_arn = emit_health_alarm(
            self.alarms, namer=namer, ctx=core.account, service=service, stack=settings.stack,
            topic=core.alarm_topic_arn(Severity.WARNING), tags=tags, parent=self, logical_prefix=service)
        self.dashboard_name = namer.physical(service, "dashboard", "dashboard")
        emit_dashboard(f"{service}-dashboard", self.dashboard_name,
                       service_dashboard_body(self.view, [self.health_alarm_arn, *self.alarms.arns]), self)
        self.register_outputs({"url": self.url, "functionName": self.function.function.name,
                               "dashboard": self.dashboard_name, "healthAlarm": self.health_alarm_name})

    def _table(self, spec: TableSpec, core: PlatformCore, tags: dict[str, str]) -> aws.dynamodb.Table:
        protection = core.settings.protection
        attributes = [aws.dynamodb.TableAttributeArgs(name=spec.hash_key, type=spec.hash_key_type)]
        if spec.range_key:
            attributes.append(aws.dynamodb.TableAttributeArgs(name=spec.range_key, type=spec.range_key_type))
        return aws.dynamodb.Table(
            f"{self.service}-table",
            name=core.namer.physical(self.service, "table", "dynamodb_table"),
            billing_mode="PAY_PER_REQUEST",
            hash_key=spec.hash_key,
            range_key=spec.range_key,
            attributes=attributes,
            server_side_encryption=aws.dynamodb.TableServerSideEncryptionArgs(enabled=True,
                                                                              kms_key_arn=core.key.arn),
            point_in_time_recovery=aws.dynamodb.TablePointInTimeRecoveryArgs(
                enabled=protection.point_in_time_recovery),
            deletion_protection_enabled=protection.deletion_protection,
            ttl=aws.dynamodb.TableTtlArgs(attribute_name=spec.ttl_attribute, enabled=True)
            if spec.ttl_attribute else None,
            tags=tags,
            opts=pulumi.ResourceOptions(parent=self, protect=protection.deletion_protection),
        )

    def _routes(self, routes: Sequence[Route]) -> list[pulumi.Resource]:
        resources: dict[str, pulumi.Output[str]] = {"/": self.api.root_resource_id}
        for node in resource_tree(routes):
            resource = aws.apigateway.Resource(
                f"{self.service}-res-{node.slug}", rest_api=self.api.id, parent_id=resources[node.parent_path],
                path_part=node.segment, opts=pulumi.ResourceOptions(parent=self))
            resources[node.path] = resource.id
        integrations: list[pulumi.Resource] = []
        for route in routes:
            slug = method_slug(route)
            method = aws.apigateway.Method(
                f"{self.service}-{slug}", rest_api=self.api.id, resource_id=resources[route.path],
                http_method=route.method, authorization="NONE", opts=pulumi.ResourceOptions(parent=self))
            integrations.append(aws.apigateway.Integration(
                f"{self.service}-{slug}-integration", rest_api=self.api.id, resource_id=resources[route.path],
                http_method=method.http_method, type="AWS_PROXY", integration_http_method="POST",
                uri=self.function.function.invoke_arn, opts=pulumi.ResourceOptions(parent=self)))
        return integrations
