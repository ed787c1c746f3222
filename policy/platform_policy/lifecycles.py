"""What a forced replacement may do to each resource type (docs/conventions.md, "Replacement and protection").

Every resource of the platform has an explicit physical name, so a replacement can never create the
new resource beside the old one under the same name, and the AWS provider, seeing an explicitly set
name, deletes first on its own. This table decides instead, once per type:

- `STATEFUL`: holds data that exists nowhere else (items, messages, records, objects, logs, keys,
  confirmed subscriptions). `delete_before_replace=False`, so a forced replacement fails on the name
  collision before anything is deleted, and `protect` where the stack protects its data. Changing such
  a resource's key is a migration: a new resource under a new name, then the old one removed.
- `NAMED`: configuration under a name of its own (functions, roles, alarms, rules...).
  `delete_before_replace=True`: the replacement goes through with a short gap. That is what the
  provider does for explicitly named resources anyway; saying it keeps it true whatever the provider
  decides.
- `KEYED`: a setting that exists once per parent (a bucket's policy, a log group's subscription
  filter, a queue's event source mapping, an API's stage...). Creating the replacement first would
  overwrite the setting in place and deleting the old one would then remove it:
  `delete_before_replace=True`.
- `GENERATED`: AWS names it (API Gateway methods, deployments, subscriptions...); the replacement can
  be created beside the old one, so the default create-before-delete stays.

Pure data, shared by the program (`components/lifecycle.py` applies it) and the policy pack (which
checks it), so the two cannot disagree.
"""
from __future__ import annotations

from enum import Enum
from typing import Mapping


class Lifecycle(Enum):
    STATEFUL = "stateful"
    NAMED = "named"
    KEYED = "keyed"
    GENERATED = "generated"


_BY_LIFECYCLE: dict[Lifecycle, tuple[str, ...]] = {
    Lifecycle.STATEFUL: (
        "aws:dynamodb/table:Table", "aws:s3/bucket:Bucket", "aws:s3/bucketV2:BucketV2",
        "aws:opensearch/domain:Domain", "aws:kms/key:Key", "aws:sqs/queue:Queue", "aws:kinesis/stream:Stream",
        "aws:sns/topic:Topic", "aws:cloudwatch/logGroup:LogGroup", "aws:cloudwatch/logStream:LogStream",
        "aws:secretsmanager/secret:Secret", "aws:ecr/repository:Repository",
        # Replacing the stack's VPC would take every subnet, gateway and task with it.
        "aws:ec2/vpc:Vpc",
    ),
    Lifecycle.NAMED: (
        "aws:lambda/function:Function", "aws:iam/role:Role", "aws:cloudwatch/metricAlarm:MetricAlarm",
        "aws:cloudwatch/compositeAlarm:CompositeAlarm", "aws:cloudwatch/dashboard:Dashboard",
        "aws:cloudwatch/eventBus:EventBus", "aws:cloudwatch/eventRule:EventRule",
        "aws:scheduler/schedule:Schedule", "aws:scheduler/scheduleGroup:ScheduleGroup",
        "aws:sfn/stateMachine:StateMachine", "aws:kinesis/firehoseDeliveryStream:FirehoseDeliveryStream",
        "aws:xray/group:Group", "aws:xray/samplingRule:SamplingRule", "aws:kms/alias:Alias",
        "aws:cloudwatch/logResourcePolicy:LogResourcePolicy", "aws:wafv2/webAcl:WebAcl",
        "aws:cloudtrail/trail:Trail", "aws:cfg/rule:Rule", "aws:cfg/recorder:Recorder",
        "aws:cfg/deliveryChannel:DeliveryChannel", "aws:ecs/cluster:Cluster", "aws:ecs/service:Service",
        "aws:lb/loadBalancer:LoadBalancer", "aws:lb/targetGroup:TargetGroup", "aws:ec2/securityGroup:SecurityGroup",
        "aws:servicediscovery/privateDnsNamespace:PrivateDnsNamespace", "aws:servicediscovery/service:Service",
        "aws:appautoscaling/policy:Policy",
    ),
    Lifecycle.KEYED: (
        "aws:iam/rolePolicy:RolePolicy", "aws:iam/rolePolicyAttachment:RolePolicyAttachment",
        "aws:cloudwatch/logSubscriptionFilter:LogSubscriptionFilter", "aws:s3/bucketPolicy:BucketPolicy",
        "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock", "aws:s3/bucketVersioning:BucketVersioning",
        "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration",
        "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration", "aws:sqs/queuePolicy:QueuePolicy",
        "aws:sns/topicPolicy:TopicPolicy", "aws:lambda/functionEventInvokeConfig:FunctionEventInvokeConfig",
        "aws:lambda/eventSourceMapping:EventSourceMapping", "aws:cloudwatch/eventTarget:EventTarget",
        "aws:apigateway/account:Account", "aws:apigateway/methodSettings:MethodSettings",
        "aws:apigateway/stage:Stage", "aws:apigateway/model:Model", "aws:apigateway/usagePlanKey:UsagePlanKey",
        "aws:wafv2/webAclAssociation:WebAclAssociation", "aws:cfg/recorderStatus:RecorderStatus",
        # Once per VPC, subnet, port or scalable resource, or unique by their content (a CIDR, a rule).
        "aws:ec2/subnet:Subnet", "aws:ec2/routeTableAssociation:RouteTableAssociation",
        "aws:ec2/internetGateway:InternetGateway", "aws:ec2/natGateway:NatGateway",
        "aws:ec2/defaultSecurityGroup:DefaultSecurityGroup", "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule",
        "aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule", "aws:lb/listener:Listener",
        "aws:ecs/clusterCapacityProviders:ClusterCapacityProviders", "aws:appautoscaling/target:Target",
        "aws:ecr/lifecyclePolicy:LifecyclePolicy",
    ),
    Lifecycle.GENERATED: (
        "aws:apigateway/restApi:RestApi", "aws:apigateway/resource:Resource", "aws:apigateway/method:Method",
        "aws:apigateway/integration:Integration", "aws:apigateway/integrationResponse:IntegrationResponse",
        "aws:apigateway/methodResponse:MethodResponse", "aws:apigateway/deployment:Deployment",
        "aws:apigateway/authorizer:Authorizer", "aws:apigateway/requestValidator:RequestValidator",
        "aws:apigateway/usagePlan:UsagePlan", "aws:apigateway/apiKey:ApiKey", "aws:lambda/permission:Permission",
        "aws:lambda/invocation:Invocation", "aws:lambda/layerVersion:LayerVersion",
        "aws:sns/topicSubscription:TopicSubscription", "aws:secretsmanager/secretVersion:SecretVersion",
        "aws:ec2/routeTable:RouteTable", "aws:ec2/eip:Eip", "aws:ecs/taskDefinition:TaskDefinition",
    ),
}

#: Resource type token -> its lifecycle; a type missing here fails the stack tests until it is decided.
LIFECYCLES: Mapping[str, Lifecycle] = {type_: lifecycle for lifecycle, types in _BY_LIFECYCLE.items()
                                      for type_ in types}


def expected_delete_before_replace(lifecycle: Lifecycle) -> bool | None:
    """The `delete_before_replace` option a resource of this lifecycle is registered with."""
    return {Lifecycle.STATEFUL: False, Lifecycle.NAMED: True, Lifecycle.KEYED: True}.get(lifecycle)
