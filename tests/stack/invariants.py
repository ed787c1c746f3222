"""Invariants every stack must hold, as functions over the testing kit's view of a stack run.

Each check derives what it inspects from the inventory and the `services` output, never from a list
of the reference platform's services, so a service added by the README's examples is checked the
same way (tests/stack/test_extended_platform.py proves it with one service of every kind).
Each returns the problems it found; an empty list means the invariant holds.

What the policy pack (policy/platform_policy) checks is not repeated here: an invariant that needs a
pack rule runs it (`_pack`); the invariants keep what only the stack's settings can tell, such as
retention and throttling equal to the environment profile.
"""
from __future__ import annotations

import json
import re
from collections import Counter
from typing import Any, Callable, Iterable

from components.naming import LIMITS
from components.settings import Settings
from components.testing import PlatformView
from policy.platform_policy import RULES_BY_ID
from tests.policy.stacks import stack_of

FUNCTION = "aws:lambda/function:Function"
LOG_GROUP = "aws:cloudwatch/logGroup:LogGroup"
SUBSCRIPTION_FILTER = "aws:cloudwatch/logSubscriptionFilter:LogSubscriptionFilter"
ALARM = "aws:cloudwatch/metricAlarm:MetricAlarm"
COMPOSITE = "aws:cloudwatch/compositeAlarm:CompositeAlarm"
DASHBOARD = "aws:cloudwatch/dashboard:Dashboard"
QUEUE = "aws:sqs/queue:Queue"
MAPPING = "aws:lambda/eventSourceMapping:EventSourceMapping"
SCHEDULE = "aws:scheduler/schedule:Schedule"
ROLE_POLICY = "aws:iam/rolePolicy:RolePolicy"
STATE_MACHINE = "aws:sfn/stateMachine:StateMachine"
AUTHORIZER = "aws:apigateway/authorizer:Authorizer"
PERMISSION = "aws:lambda/permission:Permission"
STAGE = "aws:apigateway/stage:Stage"

Check = Callable[[PlatformView, Settings], list[str]]


def _pack(rule_id: str, view: PlatformView) -> list[str]:
    """The problems one policy-pack rule finds in the stack, as invariant problems (the pack reads the
    recorded result, as CrossGuard would receive it)."""
    rule = RULES_BY_ID[rule_id]
    return [rule.message(finding) for finding in rule.findings(stack_of(view.result))]


def _arn_name(arn: str) -> str:
    """The resource name at the end of an SQS, Lambda or SNS ARN."""
    return arn.rsplit(":", 1)[-1]


def _subscriptions(view: PlatformView) -> Counter[str]:
    """How many subscription filters ship each log group, by the group's name."""
    return Counter(s.inputs["logGroup"] for s in view.of_type(SUBSCRIPTION_FILTER))


def async_paths_keep_failures(view: PlatformView, settings: Settings) -> list[str]:
    """Every asynchronous path has a DLQ or an on-failure destination, and the depth of each is alarmed."""
    return _pack("async-paths-keep-failures", view)


def functions_are_traced_and_shipped(view: PlatformView, settings: Settings) -> list[str]:
    """Tracing and shipping are pack rules; the retention is the profile's, each function's group exists,
    and a function writes span lines only to a log that is shipped to the trace index."""
    problems = _pack("lambda-tracing-active", view) + _pack("log-groups-retained-and-shipped", view) + \
        _pack("log-groups-encrypted-with-stack-key", view)
    groups = {g.inputs["name"]: g for g in view.of_type(LOG_GROUP)}
    shipped = _subscriptions(view)
    for fn in view.of_type(FUNCTION):
        group = fn.inputs["loggingConfig"]["logGroup"]
        if group not in groups:
            problems.append(f"{fn.name}: writes to {group}, which the stack does not create")
        exporter = fn.inputs.get("environment", {}).get("variables", {}).get("TELEMETRY_EXPORTER")
        if exporter == "log" and group not in shipped:
            problems.append(f"{fn.name}: writes its spans to {group}, which is not shipped: no trace index would get them")
    for name, group in groups.items():
        if group.inputs.get("retentionInDays") != settings.log_retention_days:
            problems.append(f"log group {name}: retention is not the profile's {settings.log_retention_days} days")
    return problems


def queues_outlast_their_consumers(view: PlatformView, settings: Settings) -> list[str]:
    """A message must stay invisible for 6 times its consumer's timeout (AWS's recommendation)."""
    problems = []
    queues = {q.outputs["arn"]: q.inputs for q in view.of_type(QUEUE)}
    functions = {f.inputs["name"]: f.inputs for f in view.of_type(FUNCTION)}
    for mapping in view.of_type(MAPPING):
        queue = queues.get(mapping.inputs["eventSourceArn"])
        if queue is None:
            continue
        timeout = functions[mapping.inputs["functionName"]]["timeout"]
        window = mapping.inputs.get("maximumBatchingWindowInSeconds", 0)
        if queue["visibilityTimeoutSeconds"] < 6 * timeout + window:
            problems.append(f"{mapping.name}: visibility {queue['visibilityTimeoutSeconds']} s < 6 x {timeout} s "
                            f"+ {window} s")
        if mapping.inputs.get("functionResponseTypes") != ["ReportBatchItemFailures"]:
            problems.append(f"{mapping.name}: does not report partial batch failures")
    return problems + _pack("lambda-queue-consumers-capped", view)


def _statements(policy: str) -> list[dict[str, Any]]:
    return json.loads(policy)["Statement"]


def _listed(value: Any) -> list[str]:
    return value if isinstance(value, list) else [value]


def roles_name_only_stack_resources(view: PlatformView, settings: Settings) -> list[str]:
    """No action wildcard and `*` only where AWS requires it (pack rules); every other resource is one of the
    stack's KMS keys, a shared resource of the stack, or a resource of the role's own service or given to it."""
    problems = _pack("iam-no-wildcard-actions", view) + _pack("iam-no-wildcard-resources", view)
    # Physical names, log groups and secrets of the stack: <p>-<s>-..., /<p>/<s>/..., secret:<p>/<s>/...
    markers = (f"{settings.project}-{settings.stack}-", f"/{settings.project}/{settings.stack}/",
               f":{settings.project}/{settings.stack}/")
    keys = {key.outputs["arn"] for key in view.of_type("aws:kms/key:Key")}
    services = sorted(view.outputs["services"], key=len, reverse=True)  # longest first: "orders-x" before "orders"
    wiring: dict[str, str] = {}
    for policy in view.of_type(ROLE_POLICY):
        owner = _top_service(view, policy.name, services)
        for statement in _statements(policy.inputs["policy"]):
            where = f"{policy.name} {statement.get('Sid', '?')}"
            for resource in _listed(statement["Resource"]):
                if resource == "*" or resource in keys:
                    continue
                if not any(marker in resource for marker in markers):
                    problems.append(f"{where}: {resource} is not a resource of this stack")
                    continue
                holder = _holder(resource, services, markers)
                if owner is None or holder is None or holder == owner:
                    continue
                if owner not in wiring:
                    wiring[owner] = _wiring(view, owner)
                if _base(resource) not in wiring[owner]:
                    problems.append(f"{where}: {resource} belongs to service {holder}, which {owner} was not given "
                                    "(no environment variable, event source, definition or target of it names it)")
    return problems


def _top_service(view: PlatformView, name: str, services: list[str]) -> str | None:
    chain = view.ancestors(name)
    return chain[-1] if chain and chain[-1] in services else None


def _holder(resource: str, services: list[str], markers: tuple[str, ...]) -> str | None:
    """The service whose deterministic name the resource carries; None for the stack's shared resources."""
    return next((service for service in services
                 if any(f"{marker}{service}-" in resource or f"{marker}{service}/" in resource for marker in markers)),
                None)


def _base(resource: str) -> str:
    """The named resource itself: a table without its /stream/* or /index/*, a log group without :*."""
    return re.sub(r"(/(stream|index)/.*|/\*|:\*)$", "", resource).rsplit(":", 1)[-1].rsplit("/", 1)[-1]


def _wiring(view: PlatformView, service: str) -> str:
    """Everything a service's resources say, except its policies: where a resource given to it is named."""
    return json.dumps([r.inputs for r in view.descendants(service) if r.type != ROLE_POLICY], default=str)


def low_traffic_functions_alarm_on_any_error(view: PlatformView, settings: Settings) -> list[str]:
    """Scheduled jobs, workflow tasks and authorizers: an error-rate guard would never let them alarm."""
    rare = {_arn_name(s.inputs["target"]["arn"]) for s in view.of_type(SCHEDULE)}
    for machine in view.of_type(STATE_MACHINE):
        rare |= set(re.findall(r"arn:aws:lambda:[^:]+:\d+:function:([A-Za-z0-9_-]+)", machine.inputs["definition"]))
    for authorizer in view.of_type(AUTHORIZER):
        rare |= set(re.findall(r"function:([A-Za-z0-9_-]+)/invocations", authorizer.inputs["authorizerUri"]))
    problems = []
    alarms = view.of_type(ALARM)
    for name in sorted(rare):
        errors = [a.inputs for a in alarms if a.inputs.get("dimensions") == {"FunctionName": name}
                  and a.inputs.get("metricName") == "Errors"]
        if not errors or any(a["threshold"] != 1 for a in errors):
            problems.append(f"function {name} runs rarely but has no alarm on any single error")
        guarded = [a.inputs["name"] for a in alarms if a.inputs.get("metricQueries") and any(
            q.get("metric", {}).get("dimensions") == {"FunctionName": name} and
            q.get("metric", {}).get("metricName") == "Errors" for q in a.inputs["metricQueries"])]
        if guarded:
            problems.append(f"function {name} runs rarely but has guarded error-rate alarms {guarded}")
    return problems


def every_service_is_observed(view: PlatformView, settings: Settings) -> list[str]:
    """A health alarm over its alarms, a dashboard, an overview row and an entry in `services`."""
    problems = []
    services = view.outputs["services"]
    components = {r.name for r in view.resources if r.type.startswith("platform:services:") and r.parent is None}
    if components != set(services):
        problems.append(f"services output {sorted(services)} differs from the service components {sorted(components)}")
    composites = {c.inputs["alarmName"]: c.inputs["alarmRule"] for c in view.of_type(COMPOSITE)}
    dashboards = {d.inputs["dashboardName"]: json.loads(d.inputs["dashboardBody"]) for d in view.of_type(DASHBOARD)}
    overview = [w for name in view.outputs["overviewDashboards"] for w in dashboards[name]["widgets"]]
    rows = {w["properties"].get("markdown", "") for w in overview if w["type"] == "text"}
    for service, entry in services.items():
        rule = composites.get(entry["healthAlarm"])
        if rule is None:
            problems.append(f"{service}: no health alarm {entry['healthAlarm']}")
        else:
            own = [a.inputs["name"] for a in view.of_type(ALARM)
                   if a.inputs["tags"]["platform:service"] == service]
            missing = [name for name in own if f'ALARM("{name}")' not in rule]
            if not own or missing:
                problems.append(f"{service}: health alarm misses {missing or 'every alarm'}")
        if entry["dashboard"] not in dashboards:
            problems.append(f"{service}: no dashboard {entry['dashboard']}")
        if not any(row.startswith(f"### {service}") for row in rows):
            problems.append(f"{service}: no row in the overview")
    return problems


def alarms_route_by_severity(view: PlatformView, settings: Settings) -> list[str]:
    topics = {t.inputs["name"].rsplit("-", 1)[-1]: t.outputs["arn"] for t in view.of_type("aws:sns/topic:Topic")
              if t.parent == f"{settings.project}-core"}
    problems = []
    for alarm in view.of_type(ALARM):
        expected = [topics[alarm.inputs["tags"]["platform:severity"]]]
        if alarm.inputs["alarmActions"] != expected or alarm.inputs["okActions"] != expected:
            problems.append(f"{alarm.name}: actions are not its severity's topic")
        if "Check first" not in alarm.inputs["alarmDescription"]:
            problems.append(f"{alarm.name}: description has no 'Check first'")
    for composite in view.of_type(COMPOSITE):
        if composite.inputs["alarmActions"] != [topics["warning"]]:
            problems.append(f"{composite.name}: health alarms notify the Warning topic")
    return problems


def _physical_name(registration: Any) -> str | None:
    for key in ("name", "alarmName", "dashboardName", "ruleName", "groupName", "layerName", "bucket",
                "domainName"):
        if key in registration.inputs:
            return registration.inputs[key]
    return None


KIND_BY_TYPE = {FUNCTION: "lambda", "aws:iam/role:Role": "iam_role", ALARM: "alarm", COMPOSITE: "alarm",
                LOG_GROUP: "log_group", "aws:sns/topic:Topic": "sns_topic", "aws:dynamodb/table:Table": "dynamodb_table",
                DASHBOARD: "dashboard", "aws:xray/group:Group": "xray_group",
                "aws:xray/samplingRule:SamplingRule": "xray_sampling_rule",
                "aws:lambda/layerVersion:LayerVersion": "lambda_layer", "aws:opensearch/domain:Domain":
                "opensearch_domain", "aws:kinesis/stream:Stream": "kinesis_stream", QUEUE: "sqs_queue",
                "aws:s3/bucket:Bucket": "s3_bucket", "aws:cloudwatch/eventBus:EventBus": "event_bus",
                "aws:cloudwatch/eventRule:EventRule": "event_rule", SCHEDULE: "schedule",
                "aws:scheduler/scheduleGroup:ScheduleGroup": "schedule", STATE_MACHINE: "state_machine",
                "aws:kinesis/firehoseDeliveryStream:FirehoseDeliveryStream": "firehose",
                "aws:ecs/cluster:Cluster": "ecs_cluster", "aws:ecs/service:Service": "ecs_service",
                "aws:lb/loadBalancer:LoadBalancer": "load_balancer", "aws:lb/targetGroup:TargetGroup": "target_group",
                "aws:ecr/repository:Repository": "ecr_repository", "aws:ec2/securityGroup:SecurityGroup": "security_group"}


def names_are_unique_deterministic_and_within_limits(view: PlatformView, settings: Settings) -> list[str]:
    problems = []
    logical = Counter((r.type, r.name) for r in view.resources)
    problems += [f"logical name {key} is registered {n} times" for key, n in logical.items() if n > 1]
    for type_token, kind in KIND_BY_TYPE.items():
        names = [_physical_name(r) for r in view.of_type(type_token)]
        problems += [f"{type_token}: {name} is used twice" for name, n in Counter(names).items() if n > 1]
        for name in names:
            if not name or len(name) > LIMITS[kind]:
                problems.append(f"{type_token}: {name!r} is empty or longer than {LIMITS[kind]}")
            elif f"-{settings.stack}-" not in name and f"/{settings.stack}/" not in name:
                problems.append(f"{type_token}: {name} does not carry the stack's prefix")
    return problems


def apis_are_traced_throttled_and_logged(view: PlatformView, settings: Settings) -> list[str]:
    """Tracing, access logs and a throttle are pack rules; the throttle here must be the profile's."""
    problems = _pack("apigateway-stage-xray", view) + _pack("apigateway-stage-access-logs", view) + \
        _pack("apigateway-throttled", view)
    settings_by_api = {m.inputs["restApi"]: m.inputs for m in
                       view.of_type("aws:apigateway/methodSettings:MethodSettings")}
    for stage in view.of_type(STAGE):
        method = settings_by_api.get(stage.inputs["restApi"], {}).get("settings", {})
        if (method.get("throttlingRateLimit"), method.get("throttlingBurstLimit")) != (
                settings.api.throttle_rate_limit, settings.api.throttle_burst_limit):
            problems.append(f"{stage.name}: throttling is not the profile's")
    if any(r.type.startswith("aws:apigatewayv2/") for r in view.resources):
        problems.append("HTTP APIs are not traced by X-Ray; use REST APIs")
    return problems


ALL: tuple[Check, ...] = (async_paths_keep_failures, functions_are_traced_and_shipped, queues_outlast_their_consumers,
                          roles_name_only_stack_resources, low_traffic_functions_alarm_on_any_error,
                          every_service_is_observed, alarms_route_by_severity,
                          names_are_unique_deterministic_and_within_limits, apis_are_traced_throttled_and_logged)


def violations(view: PlatformView, settings: Settings, checks: Iterable[Check] | None = None) -> dict[str, list[str]]:
    """Check name -> problems, only for checks that found any (every check of `ALL` by default)."""
    checks = ALL if checks is None else checks
    found = {check.__name__: check(view, settings) for check in checks}
    return {name: problems for name, problems in found.items() if problems}


# ---------------------------------------------------------------- container services (issue 8)

TASK_DEFINITION = "aws:ecs/taskDefinition:TaskDefinition"
ECS_SERVICE = "aws:ecs/service:Service"
LOAD_BALANCER = "aws:lb/loadBalancer:LoadBalancer"
LISTENER = "aws:lb/listener:Listener"
SUBNET = "aws:ec2/subnet:Subnet"
SECURITY_GROUP = "aws:ec2/securityGroup:SecurityGroup"
INGRESS = "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule"
WORLD = ("0.0.0.0/0", "::/0")


def _id(registration: Any) -> str:
    """The resource id the mocks assign, read back from its ARN (`.../<id>`)."""
    return registration.outputs["arn"].rsplit("/", 1)[-1]


def containers_ship_logs_and_traces(view: PlatformView, settings: Settings) -> list[str]:
    """Every container logs through awslogs to a platform log group that is shipped; every task has a
    tracing sidecar pinned by digest that the app starts after."""
    problems = []
    shipped = _subscriptions(view)
    prefix = f"/{settings.project}/{settings.stack}/"
    for task in view.of_type(TASK_DEFINITION):
        definitions = json.loads(task.inputs["containerDefinitions"])
        for definition in definitions:
            where = f"{task.name} container {definition['name']}"
            logging = definition.get("logConfiguration", {})
            group = logging.get("options", {}).get("awslogs-group", "")
            if logging.get("logDriver") != "awslogs" or not group.startswith(prefix):
                problems.append(f"{where}: does not log through awslogs to a platform log group")
            elif shipped[group] != 1:
                problems.append(f"{where}: its log group {group} is not shipped")
        sidecars = [d for d in definitions if "aws-otel-collector" in d["image"]]
        if len(sidecars) != 1 or "@sha256:" not in sidecars[0]["image"]:
            problems.append(f"{task.name}: no tracing sidecar pinned by digest")
        apps = [d for d in definitions if d not in sidecars]
        for app in apps:
            if {"containerName": sidecars[0]["name"] if sidecars else "", "condition": "START"} not in \
                    app.get("dependsOn", []):
                problems.append(f"{task.name} container {app['name']}: starts before the tracing sidecar")
    return problems


def load_balancers_log_and_prod_protects_them(view: PlatformView, settings: Settings) -> list[str]:
    problems = []
    buckets = {b.inputs["bucket"] for b in view.of_type("aws:s3/bucket:Bucket")}
    for lb in view.of_type(LOAD_BALANCER):
        logs = lb.inputs.get("accessLogs", {})
        if not logs.get("enabled") or logs.get("bucket") not in buckets:
            problems.append(f"{lb.name}: access logs are not written to a bucket of the stack")
        if lb.inputs.get("enableDeletionProtection", False) is not settings.protection.deletion_protection:
            problems.append(f"{lb.name}: deletion protection is not the profile's")
        if lb.inputs.get("dropInvalidHeaderFields") is not True:
            problems.append(f"{lb.name}: does not drop invalid header fields")
    if settings.environment == "prod":
        for listener in view.of_type(LISTENER):
            action = listener.inputs["defaultActions"][0]["type"]
            if listener.inputs["protocol"] != "HTTPS" and action != "redirect":
                problems.append(f"{listener.name}: prod serves {listener.inputs['protocol']} without redirecting")
    return problems


def tasks_run_in_private_subnets(view: PlatformView, settings: Settings) -> list[str]:
    problems = []
    public = {_id(s) for s in view.of_type(SUBNET) if s.inputs.get("mapPublicIpOnLaunch") or "-public-" in s.name}
    for service in view.of_type(ECS_SERVICE):
        network = service.inputs["networkConfiguration"]
        if network.get("assignPublicIp") is not False:
            problems.append(f"{service.name}: tasks get public IPs")
        if set(network["subnets"]) & public or not network["subnets"]:
            problems.append(f"{service.name}: tasks run in public subnets")
    return problems


def only_the_load_balancer_reaches_tasks(view: PlatformView, settings: Settings) -> list[str]:
    """Task groups admit only their load balancer's group; load balancer groups admit the world only on
    the listener ports; nothing else is open to the world."""
    problems = []
    groups = {_id(g): g for g in view.of_type(SECURITY_GROUP)}
    task_groups = {g for service in view.of_type(ECS_SERVICE) for g in service.inputs["networkConfiguration"]
                   ["securityGroups"]}
    balancer_groups = {g for lb in view.of_type(LOAD_BALANCER) for g in lb.inputs["securityGroups"]}
    listener_ports = {listener.inputs["port"] for listener in view.of_type(LISTENER)}
    for rule in view.of_type(INGRESS):
        inputs = rule.inputs
        group = inputs["securityGroupId"]
        world = inputs.get("cidrIpv4") in WORLD or inputs.get("cidrIpv6") in WORLD
        if group in task_groups and (world or inputs.get("referencedSecurityGroupId") not in balancer_groups):
            problems.append(f"{rule.name}: admits something other than the load balancer to the tasks")
        if world and (group not in balancer_groups or inputs["fromPort"] not in listener_ports
                      or inputs["fromPort"] != inputs["toPort"]):
            problems.append(f"{rule.name}: opens {groups.get(group, group)} to the world beyond a listener port")
    return problems


ALL = ALL + (containers_ship_logs_and_traces, load_balancers_log_and_prod_protects_them, tasks_run_in_private_subnets,
             only_the_load_balancer_reaches_tasks)
