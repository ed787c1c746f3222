"""Mocks that answer like AWS would, so computed outputs (ARNs, ids, URLs) look real.

Provider-computed outputs are `None` under the stock mocks; components that build policies,
dashboards or subscriptions from ARNs would then test nothing. Ids derive from the logical name,
so every run of a stack produces the same inventory.
"""
from __future__ import annotations

import hashlib
import uuid
from typing import Callable

import pulumi

ACCOUNT_ID = "123456789012"


def _token(name: str, length: int = 10) -> str:
    alphabet = "abcdefghijklmnopqrstuvwxyz0123456789"
    digest = hashlib.sha256(name.encode()).digest()
    return "".join(alphabet[b % len(alphabet)] for b in digest[:length])


def _uuid(name: str) -> str:
    return str(uuid.uuid5(uuid.NAMESPACE_URL, name))


class PlatformMocks(pulumi.runtime.Mocks):
    def __init__(self, region: str, account_id: str = ACCOUNT_ID) -> None:
        self.region = region
        self.account_id = account_id

    # -- invokes -------------------------------------------------------------------------------
    def call(self, args: pulumi.runtime.MockCallArgs) -> tuple[dict, list]:
        token = args.token
        if token == "aws:index/getCallerIdentity:getCallerIdentity":
            return {"accountId": self.account_id, "arn": f"arn:aws:iam::{self.account_id}:user/preview",
                    "id": self.account_id, "userId": "AIDAPREVIEW"}, []
        if token == "aws:index/getRegion:getRegion":
            return {"name": self.region, "region": self.region, "id": self.region,
                    "endpoint": f"ec2.{self.region}.amazonaws.com", "description": self.region}, []
        if token == "aws:index/getPartition:getPartition":
            return {"partition": "aws", "dnsSuffix": "amazonaws.com", "id": "aws"}, []
        if token == "aws:index/getAvailabilityZones:getAvailabilityZones":
            names = [f"{self.region}{suffix}" for suffix in "abc"]
            return {"names": names, "zoneIds": [f"use1-az{i}" for i in range(1, 4)], "id": self.region}, []
        if token == "aws:elb/getServiceAccount:getServiceAccount":
            # The us-east-1 Elastic Load Balancing account, as the provider's table has it.
            return {"arn": "arn:aws:iam::127311923021:root", "id": "127311923021"}, []
        raise NotImplementedError(f"the offline preview has no mock for invoke {token}")

    # -- resources -----------------------------------------------------------------------------
    def new_resource(self, args: pulumi.runtime.MockResourceArgs) -> tuple[str, dict]:
        resource_id, outputs = self.computed_outputs(args)
        return resource_id, {**args.inputs, **outputs}

    def computed_outputs(self, args: pulumi.runtime.MockResourceArgs) -> tuple[str, dict]:
        """The id and the outputs AWS computes; every other output equals its input."""
        builder = _OUTPUTS.get(args.typ)
        if builder is None:
            return f"{args.name}-id", {}
        return builder(self, args.name, dict(args.inputs))

    # -- helpers -------------------------------------------------------------------------------
    def arn(self, service: str, resource: str, *, regional: bool = True, account: bool = True) -> str:
        return (f"arn:aws:{service}:{self.region if regional else ''}:"
                f"{self.account_id if account else ''}:{resource}")


Builder = Callable[[PlatformMocks, str, dict], tuple[str, dict]]


def _name(inputs: dict, logical: str, key: str = "name") -> str:
    return str(inputs.get(key) or logical)


def _kms_key(m: PlatformMocks, logical: str, i: dict) -> tuple[str, dict]:
    key_id = _uuid(logical)
    return key_id, {"arn": m.arn("kms", f"key/{key_id}"), "keyId": key_id}


def _kms_alias(m: PlatformMocks, logical: str, i: dict) -> tuple[str, dict]:
    name = _name(i, logical)
    return name, {"arn": m.arn("kms", name), "targetKeyArn": m.arn("kms", f"key/{i.get('targetKeyId', '')}")}


def _topic(m: PlatformMocks, logical: str, i: dict) -> tuple[str, dict]:
    arn = m.arn("sns", _name(i, logical))
    return arn, {"arn": arn}


def _subscription(m: PlatformMocks, logical: str, i: dict) -> tuple[str, dict]:
    arn = f"{i.get('topic', m.arn('sns', logical))}:{_uuid(logical)}"
    return arn, {"arn": arn}


def _role(m: PlatformMocks, logical: str, i: dict) -> tuple[str, dict]:
    name = _name(i, logical)
    return name, {"arn": f"arn:aws:iam::{m.account_id}:role/{name}", "uniqueId": "AROA" + _token(name, 16).upper()}


def _log_group(m: PlatformMocks, logical: str, i: dict) -> tuple[str, dict]:
    name = _name(i, logical)
    return name, {"arn": m.arn("logs", f"log-group:{name}")}


def _function(m: PlatformMocks, logical: str, i: dict) -> tuple[str, dict]:
    name = _name(i, logical)
    arn = m.arn("lambda", f"function:{name}")
    return name, {"arn": arn, "qualifiedArn": f"{arn}:1", "version": "1",
                  "invokeArn": f"arn:aws:apigateway:{m.region}:lambda:path/2015-03-31/functions/{arn}/invocations",
                  "qualifiedInvokeArn": f"arn:aws:apigateway:{m.region}:lambda:path/2015-03-31/functions/{arn}:1/invocations"}


def _layer(m: PlatformMocks, logical: str, i: dict) -> tuple[str, dict]:
    layer_arn = m.arn("lambda", f"layer:{_name(i, logical, 'layerName')}")
    return f"{layer_arn}:1", {"arn": f"{layer_arn}:1", "layerArn": layer_arn, "version": "1"}


def _rest_api(m: PlatformMocks, logical: str, i: dict) -> tuple[str, dict]:
    api_id = _token(logical)
    return api_id, {"rootResourceId": _token(logical + "/root"), "executionArn": m.arn("execute-api", api_id),
                    "arn": m.arn("apigateway", f"/restapis/{api_id}", account=False)}


def _stage(m: PlatformMocks, logical: str, i: dict) -> tuple[str, dict]:
    api_id, stage = i.get("restApi", ""), i.get("stageName", "")
    return f"ags-{api_id}-{stage}", {
        "invokeUrl": f"https://{api_id}.execute-api.{m.region}.amazonaws.com/{stage}",
        "executionArn": m.arn("execute-api", f"{api_id}/{stage}"),
        "arn": m.arn("apigateway", f"/restapis/{api_id}/stages/{stage}", account=False)}


def _table(m: PlatformMocks, logical: str, i: dict) -> tuple[str, dict]:
    name = _name(i, logical)
    arn = m.arn("dynamodb", f"table/{name}")
    extra = {"streamArn": f"{arn}/stream/2026-01-01T00:00:00.000"} if i.get("streamEnabled") else {}
    return name, {"arn": arn, **extra}


def _alarm(m: PlatformMocks, logical: str, i: dict) -> tuple[str, dict]:
    name = _name(i, logical, "alarmName") if "alarmName" in i else _name(i, logical)
    return name, {"arn": m.arn("cloudwatch", f"alarm:{name}")}


def _dashboard(m: PlatformMocks, logical: str, i: dict) -> tuple[str, dict]:
    name = _name(i, logical, "dashboardName")
    return name, {"dashboardArn": m.arn("cloudwatch", f"dashboard/{name}", regional=False)}


def _sampling_rule(m: PlatformMocks, logical: str, i: dict) -> tuple[str, dict]:
    name = _name(i, logical, "ruleName")
    return name, {"arn": m.arn("xray", f"sampling-rule/{name}")}


def _xray_group(m: PlatformMocks, logical: str, i: dict) -> tuple[str, dict]:
    name = _name(i, logical, "groupName")
    arn = m.arn("xray", f"group/{name}/{_token(name, 26).upper()}")
    return arn, {"arn": arn}


def _domain(m: PlatformMocks, logical: str, i: dict) -> tuple[str, dict]:
    name = _name(i, logical, "domainName")
    endpoint = f"search-{name}-{_token(name, 26)}.{m.region}.es.amazonaws.com"
    return f"{m.account_id}/{name}", {"arn": m.arn("es", f"domain/{name}"), "endpoint": endpoint,
                                      "dashboardEndpoint": f"{endpoint}/_dashboards",
                                      "domainId": f"{m.account_id}/{name}"}


def _stream(m: PlatformMocks, logical: str, i: dict) -> tuple[str, dict]:
    arn = m.arn("kinesis", f"stream/{_name(i, logical)}")
    return arn, {"arn": arn}


def _queue(m: PlatformMocks, logical: str, i: dict) -> tuple[str, dict]:
    name = _name(i, logical)
    url = f"https://sqs.{m.region}.amazonaws.com/{m.account_id}/{name}"
    return url, {"arn": m.arn("sqs", name), "url": url}


def _bucket(m: PlatformMocks, logical: str, i: dict) -> tuple[str, dict]:
    name = _name(i, logical, "bucket")
    return name, {"arn": f"arn:aws:s3:::{name}", "bucket": name, "bucketDomainName": f"{name}.s3.amazonaws.com",
                  "bucketRegionalDomainName": f"{name}.s3.{m.region}.amazonaws.com"}


def _invocation(m: PlatformMocks, logical: str, i: dict) -> tuple[str, dict]:
    return f"{i.get('functionName', logical)}_{_token(str(i.get('input', '')), 16)}", {"result": '{"status": "ok"}'}


def _event_source_mapping(m: PlatformMocks, logical: str, i: dict) -> tuple[str, dict]:
    mapping_id = _uuid(logical)
    return mapping_id, {"uuid": mapping_id, "functionArn": m.arn("lambda", f"function:{i.get('functionName', '')}")}


def _event_bus(m: PlatformMocks, logical: str, i: dict) -> tuple[str, dict]:
    name = _name(i, logical)
    return name, {"arn": m.arn("events", f"event-bus/{name}")}


def _event_rule(m: PlatformMocks, logical: str, i: dict) -> tuple[str, dict]:
    name, bus = _name(i, logical), i.get("eventBusName") or "default"
    path = f"rule/{name}" if bus == "default" else f"rule/{bus}/{name}"
    return f"{bus}|{name}", {"arn": m.arn("events", path)}


def _schedule_group(m: PlatformMocks, logical: str, i: dict) -> tuple[str, dict]:
    name = _name(i, logical)
    return name, {"arn": m.arn("scheduler", f"schedule-group/{name}")}


def _schedule(m: PlatformMocks, logical: str, i: dict) -> tuple[str, dict]:
    name, group = _name(i, logical), i.get("groupName") or "default"
    return f"{group}/{name}", {"arn": m.arn("scheduler", f"schedule/{group}/{name}")}


def _state_machine(m: PlatformMocks, logical: str, i: dict) -> tuple[str, dict]:
    arn = m.arn("states", f"stateMachine:{_name(i, logical)}")
    return arn, {"arn": arn, "status": "ACTIVE"}


def _delivery_stream(m: PlatformMocks, logical: str, i: dict) -> tuple[str, dict]:
    arn = m.arn("firehose", f"deliverystream/{_name(i, logical)}")
    return arn, {"arn": arn}


def _secret(m: PlatformMocks, logical: str, i: dict) -> tuple[str, dict]:
    arn = m.arn("secretsmanager", f"secret:{_name(i, logical)}-{_token(logical, 6)}")
    return arn, {"arn": arn}


def _api_child(m: PlatformMocks, logical: str, i: dict) -> tuple[str, dict]:
    """Authorizers, usage plans, keys, models and validators: ids API Gateway generates."""
    return _token(logical), {"name": i.get("name", logical)}


def _web_acl(m: PlatformMocks, logical: str, i: dict) -> tuple[str, dict]:
    web_acl_id = _uuid(logical)
    scope = "global" if i.get("scope") == "CLOUDFRONT" else "regional"
    return web_acl_id, {"arn": m.arn("wafv2", f"{scope}/webacl/{_name(i, logical)}/{web_acl_id}"),
                        "capacity": 700}


def _trail(m: PlatformMocks, logical: str, i: dict) -> tuple[str, dict]:
    arn = m.arn("cloudtrail", f"trail/{_name(i, logical)}")
    return arn, {"arn": arn, "homeRegion": m.region}


def _config_rule(m: PlatformMocks, logical: str, i: dict) -> tuple[str, dict]:
    name = _name(i, logical)
    return name, {"arn": m.arn("config", f"config-rule/config-rule-{_token(name, 6)}"), "ruleId": _token(name, 6)}
def _hex_id(prefix: str, logical: str, length: int = 17) -> str:
    """EC2-style ids (`vpc-0a1b...`), stable per logical name."""
    return f"{prefix}-{hashlib.sha256(logical.encode()).hexdigest()[:length]}"


def _ec2(prefix: str, kind: str) -> Builder:
    def build(m: PlatformMocks, logical: str, i: dict) -> tuple[str, dict]:
        resource_id = _hex_id(prefix, logical)
        return resource_id, {"arn": m.arn("ec2", f"{kind}/{resource_id}")}
    return build


def _repository(m: PlatformMocks, logical: str, i: dict) -> tuple[str, dict]:
    name = _name(i, logical)
    return name, {"arn": m.arn("ecr", f"repository/{name}"), "registryId": m.account_id,
                  "repositoryUrl": f"{m.account_id}.dkr.ecr.{m.region}.amazonaws.com/{name}"}


def _load_balancer(m: PlatformMocks, logical: str, i: dict) -> tuple[str, dict]:
    suffix = f"app/{_name(i, logical)}/{hashlib.sha256(logical.encode()).hexdigest()[:16]}"
    arn = m.arn("elasticloadbalancing", f"loadbalancer/{suffix}")
    return arn, {"arn": arn, "arnSuffix": suffix, "zoneId": "Z35SXDOTRQ7X7K",
                 "dnsName": f"{_name(i, logical)}-{int(hashlib.sha256(logical.encode()).hexdigest()[:8], 16)}"
                            f".{m.region}.elb.amazonaws.com"}


def _target_group(m: PlatformMocks, logical: str, i: dict) -> tuple[str, dict]:
    suffix = f"targetgroup/{_name(i, logical)}/{hashlib.sha256(logical.encode()).hexdigest()[:16]}"
    arn = m.arn("elasticloadbalancing", suffix)
    return arn, {"arn": arn, "arnSuffix": suffix}


def _listener(m: PlatformMocks, logical: str, i: dict) -> tuple[str, dict]:
    lb = str(i.get("loadBalancerArn", "")).replace(":loadbalancer/", ":listener/")
    arn = f"{lb}/{hashlib.sha256(logical.encode()).hexdigest()[:16]}"
    return arn, {"arn": arn}


def _cluster(m: PlatformMocks, logical: str, i: dict) -> tuple[str, dict]:
    arn = m.arn("ecs", f"cluster/{_name(i, logical)}")
    return arn, {"arn": arn, "name": _name(i, logical)}


def _task_definition(m: PlatformMocks, logical: str, i: dict) -> tuple[str, dict]:
    family = i.get("family", logical)
    return family, {"arn": m.arn("ecs", f"task-definition/{family}:1"), "revision": 1,
                    "arnWithoutRevision": m.arn("ecs", f"task-definition/{family}")}


def _ecs_service(m: PlatformMocks, logical: str, i: dict) -> tuple[str, dict]:
    cluster = str(i.get("cluster", "")).rsplit("/", 1)[-1]
    arn = m.arn("ecs", f"service/{cluster}/{_name(i, logical)}")
    return arn, {"arn": arn}


def _namespace(m: PlatformMocks, logical: str, i: dict) -> tuple[str, dict]:
    namespace_id = f"ns-{_token(logical, 16)}"
    return namespace_id, {"arn": m.arn("servicediscovery", f"namespace/{namespace_id}"),
                          "hostedZone": f"Z{_token(logical + '/zone', 20).upper()}"}


def _discovery_service(m: PlatformMocks, logical: str, i: dict) -> tuple[str, dict]:
    service_id = f"srv-{_token(logical, 16)}"
    return service_id, {"arn": m.arn("servicediscovery", f"service/{service_id}")}


def _scaling_target(m: PlatformMocks, logical: str, i: dict) -> tuple[str, dict]:
    resource_id = str(i.get("resourceId", logical))
    return resource_id, {"arn": m.arn("application-autoscaling", f"scalable-target/{_token(logical, 26)}")}


_OUTPUTS: dict[str, Builder] = {
    "aws:wafv2/webAcl:WebAcl": _web_acl,
    "aws:cloudtrail/trail:Trail": _trail,
    "aws:cfg/rule:Rule": _config_rule,
    "aws:cloudwatch/eventBus:EventBus": _event_bus,
    "aws:cloudwatch/eventRule:EventRule": _event_rule,
    "aws:scheduler/scheduleGroup:ScheduleGroup": _schedule_group,
    "aws:scheduler/schedule:Schedule": _schedule,
    "aws:sfn/stateMachine:StateMachine": _state_machine,
    "aws:kinesis/firehoseDeliveryStream:FirehoseDeliveryStream": _delivery_stream,
    "aws:secretsmanager/secret:Secret": _secret,
    "aws:apigateway/authorizer:Authorizer": _api_child,
    "aws:apigateway/usagePlan:UsagePlan": _api_child,
    "aws:apigateway/apiKey:ApiKey": _api_child,
    "aws:apigateway/model:Model": _api_child,
    "aws:apigateway/requestValidator:RequestValidator": _api_child,
    "aws:kms/key:Key": _kms_key,
    "aws:kms/alias:Alias": _kms_alias,
    "aws:sns/topic:Topic": _topic,
    "aws:sns/topicSubscription:TopicSubscription": _subscription,
    "aws:iam/role:Role": _role,
    "aws:cloudwatch/logGroup:LogGroup": _log_group,
    "aws:lambda/function:Function": _function,
    "aws:lambda/layerVersion:LayerVersion": _layer,
    "aws:apigateway/restApi:RestApi": _rest_api,
    "aws:apigateway/stage:Stage": _stage,
    "aws:dynamodb/table:Table": _table,
    "aws:cloudwatch/metricAlarm:MetricAlarm": _alarm,
    "aws:cloudwatch/compositeAlarm:CompositeAlarm": _alarm,
    "aws:cloudwatch/dashboard:Dashboard": _dashboard,
    "aws:xray/samplingRule:SamplingRule": _sampling_rule,
    "aws:xray/group:Group": _xray_group,
    "aws:opensearch/domain:Domain": _domain,
    "aws:kinesis/stream:Stream": _stream,
    "aws:sqs/queue:Queue": _queue,
    "aws:s3/bucketV2:BucketV2": _bucket,
    "aws:s3/bucket:Bucket": _bucket,
    "aws:lambda/invocation:Invocation": _invocation,
    "aws:lambda/eventSourceMapping:EventSourceMapping": _event_source_mapping,
    # Container services (issue 8).
    "aws:ec2/vpc:Vpc": _ec2("vpc", "vpc"),
    "aws:ec2/subnet:Subnet": _ec2("subnet", "subnet"),
    "aws:ec2/securityGroup:SecurityGroup": _ec2("sg", "security-group"),
    "aws:ec2/defaultSecurityGroup:DefaultSecurityGroup": _ec2("sg", "security-group"),
    "aws:ec2/internetGateway:InternetGateway": _ec2("igw", "internet-gateway"),
    "aws:ec2/natGateway:NatGateway": _ec2("nat", "natgateway"),
    "aws:ec2/eip:Eip": _ec2("eipalloc", "elastic-ip"),
    "aws:ec2/routeTable:RouteTable": _ec2("rtb", "route-table"),
    "aws:ecr/repository:Repository": _repository,
    "aws:lb/loadBalancer:LoadBalancer": _load_balancer,
    "aws:lb/targetGroup:TargetGroup": _target_group,
    "aws:lb/listener:Listener": _listener,
    "aws:ecs/cluster:Cluster": _cluster,
    "aws:ecs/taskDefinition:TaskDefinition": _task_definition,
    "aws:ecs/service:Service": _ecs_service,
    "aws:servicediscovery/privateDnsNamespace:PrivateDnsNamespace": _namespace,
    "aws:servicediscovery/service:Service": _discovery_service,
    "aws:appautoscaling/target:Target": _scaling_target,
}
