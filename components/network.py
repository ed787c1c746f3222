"""The stack's network for container services: one VPC, created once per stack on first use.

Tasks run in private subnets and reach AWS (ECR, CloudWatch Logs, X-Ray, DynamoDB) through NAT; load
balancers live in public subnets. Dev spans 2 zones with one NAT gateway, prod 3 zones with one NAT
gateway per zone, so losing a zone never cuts the other zones off. A stack may instead name an
existing VPC and its subnets in settings; then nothing here is created but the service-discovery
namespace. Built from pulumi-aws resources only (awsx's Vpc is a remote component the offline
preview cannot run).
"""
from __future__ import annotations

import ipaddress
import weakref
from dataclasses import dataclass
from typing import TYPE_CHECKING

import pulumi
import pulumi_aws as aws

from components.settings.model import NetworkProfile

if TYPE_CHECKING:
    from components.core import PlatformCore

NETWORK_SERVICE = "network"
#: Public subnets take the first half of the VPC's sixteenths, private ones the second half.
SUBNET_SPLIT = 4
PRIVATE_OFFSET = 8


@dataclass(frozen=True)
class SubnetLayout:
    public: tuple[str, ...]
    private: tuple[str, ...]


def subnet_layout(vpc_cidr: str, zones: int) -> SubnetLayout:
    """Each subnet is a sixteenth of the VPC: public ones from the start, private ones from the middle,
    so adding a zone later never renumbers an existing subnet."""
    if not 1 <= zones <= PRIVATE_OFFSET:
        raise ValueError(f"a VPC of this layout spans 1 to {PRIVATE_OFFSET} zones, not {zones}")
    blocks = list(ipaddress.IPv4Network(vpc_cidr).subnets(prefixlen_diff=SUBNET_SPLIT))
    return SubnetLayout(public=tuple(str(b) for b in blocks[:zones]),
                        private=tuple(str(b) for b in blocks[PRIVATE_OFFSET:PRIVATE_OFFSET + zones]))


def nat_for_zone(zone: int, per_zone: bool) -> int:
    """Which NAT gateway a private subnet routes through."""
    return zone if per_zone else 0


def namespace_name(project: str, stack: str) -> str:
    """Cloud Map private DNS namespace: a service is reachable as `<service>.<project>-<stack>.internal`."""
    return f"{project}-{stack}.internal"


class StackNetwork(pulumi.ComponentResource):
    """The VPC, subnets, routes and NAT of a stack (or the existing ones settings name), plus Cloud Map."""

    def __init__(self, name: str, core: PlatformCore, profile: NetworkProfile) -> None:
        super().__init__("platform:network:StackNetwork", name, None, pulumi.ResourceOptions(parent=core))
        self.tags = core.tags_for(NETWORK_SERVICE)
        child = pulumi.ResourceOptions(parent=self)
        if profile.existing_vpc_id:
            self.vpc_id: pulumi.Input[str] = profile.existing_vpc_id
            self.public_subnet_ids: list[pulumi.Input[str]] = list(profile.public_subnet_ids)
            self.private_subnet_ids: list[pulumi.Input[str]] = list(profile.private_subnet_ids)
            self.created = False
        else:
            self._create(name, core, profile)
            self.created = True
        self.namespace = aws.servicediscovery.PrivateDnsNamespace(
            f"{name}-namespace", name=namespace_name(core.settings.project, core.settings.stack), vpc=self.vpc_id,
            description=f"{core.namer.prefix}: container services by name", tags=self.tags, opts=child)
        self.register_outputs({"vpcId": self.vpc_id, "privateSubnetIds": self.private_subnet_ids,
                               "publicSubnetIds": self.public_subnet_ids})

    def _named(self, name: str) -> dict[str, str]:
        return {**self.tags, "Name": name}

    def _create(self, name: str, core: PlatformCore, profile: NetworkProfile) -> None:
        child = pulumi.ResourceOptions(parent=self)
        prefix = core.namer.prefix
        zones = aws.get_availability_zones(state="available").names
        if len(zones) < profile.availability_zones:
            raise ValueError(f"stack '{core.settings.stack}': containerAvailabilityZones is "
                             f"{profile.availability_zones} but {core.settings.region} offers {len(zones)} zones")
        zones = zones[:profile.availability_zones]
        layout = subnet_layout(profile.vpc_cidr, len(zones))
        vpc = aws.ec2.Vpc(f"{name}-vpc", cidr_block=profile.vpc_cidr, enable_dns_hostnames=True,
                          enable_dns_support=True, tags=self._named(f"{prefix}-vpc"), opts=child)
        self.vpc_id = vpc.id
        # The default group allows all traffic between its members; nothing here uses it, so it admits nothing.
        aws.ec2.DefaultSecurityGroup(f"{name}-default-sg", vpc_id=vpc.id, ingress=[], egress=[],
                                     tags=self._named(f"{prefix}-default-closed"), opts=child)
        gateway = aws.ec2.InternetGateway(f"{name}-igw", vpc_id=vpc.id, tags=self._named(f"{prefix}-igw"), opts=child)
        public_routes = aws.ec2.RouteTable(f"{name}-public-routes", vpc_id=vpc.id,
                                           routes=[{"cidr_block": "0.0.0.0/0", "gateway_id": gateway.id}],
                                           tags=self._named(f"{prefix}-public"), opts=child)
        public, private, nats = [], [], []
        per_zone = profile.nat_gateways == "per-az"
        for index, (zone, cidr) in enumerate(zip(zones, layout.public)):
            subnet = aws.ec2.Subnet(f"{name}-public-{index}", vpc_id=vpc.id, cidr_block=cidr, availability_zone=zone,
                                    map_public_ip_on_launch=False, tags=self._named(f"{prefix}-public-{zone}"),
                                    opts=child)
            aws.ec2.RouteTableAssociation(f"{name}-public-{index}-routes", subnet_id=subnet.id,
                                          route_table_id=public_routes.id, opts=child)
            public.append(subnet)
            if per_zone or index == 0:
                address = aws.ec2.Eip(f"{name}-nat-{index}-ip", domain="vpc", tags=self._named(f"{prefix}-nat-{zone}"),
                                      opts=child)
                nats.append(aws.ec2.NatGateway(f"{name}-nat-{index}", allocation_id=address.id, subnet_id=subnet.id,
                                               tags=self._named(f"{prefix}-nat-{zone}"),
                                               opts=pulumi.ResourceOptions(parent=self, depends_on=[gateway])))
        for index, (zone, cidr) in enumerate(zip(zones, layout.private)):
            subnet = aws.ec2.Subnet(f"{name}-private-{index}", vpc_id=vpc.id, cidr_block=cidr, availability_zone=zone,
                                    map_public_ip_on_launch=False, tags=self._named(f"{prefix}-private-{zone}"),
                                    opts=child)
            routes = aws.ec2.RouteTable(
                f"{name}-private-{index}-routes", vpc_id=vpc.id,
                routes=[{"cidr_block": "0.0.0.0/0", "nat_gateway_id": nats[nat_for_zone(index, per_zone)].id}],
                tags=self._named(f"{prefix}-private-{zone}"), opts=child)
            aws.ec2.RouteTableAssociation(f"{name}-private-{index}-routes", subnet_id=subnet.id,
                                          route_table_id=routes.id, opts=child)
            private.append(subnet)
        self.public_subnet_ids = [s.id for s in public]
        self.private_subnet_ids = [s.id for s in private]


_NETWORKS: "weakref.WeakKeyDictionary[PlatformCore, StackNetwork]" = weakref.WeakKeyDictionary()


def stack_network(core: PlatformCore) -> StackNetwork:
    """The stack's network, created by the first container service that asks for it."""
    if core not in _NETWORKS:
        _NETWORKS[core] = StackNetwork(f"{core.settings.project}-network", core, core.settings.containers.network)
    return _NETWORKS[core]
