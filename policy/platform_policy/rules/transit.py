"""Encryption in transit, and who may reach the log store at all."""
from __future__ import annotations

from typing import Any, Iterable

from ..model import Finding, Resource, Rule, Stack, is_unknown, listed, statements
from .common import each, is_true
from .encryption import BUCKET_TYPES
from .resource_types import BUCKET_POLICY, DOMAIN

#: OpenSearch endpoint policies that refuse anything below TLS 1.2.
TLS12_POLICIES = ("Policy-Min-TLS-1-2-2019-07", "Policy-Min-TLS-1-2-PFS-2023-10")


def _https(stack: Stack) -> Iterable[Finding]:
    def problem(domain: Resource) -> str | None:
        if not is_true(domain.get("domainEndpointOptions", "enforceHttps")):
            return "the endpoint accepts plain HTTP"
        policy = domain.get("domainEndpointOptions", "tlsSecurityPolicy")
        if not (is_unknown(policy) or policy in TLS12_POLICIES):
            return f"TLS security policy {policy!r} allows TLS below 1.2"
        return None
    return each(stack.of_type(DOMAIN), problem)


def _node_to_node(stack: Stack) -> Iterable[Finding]:
    return each(stack.of_type(DOMAIN), lambda d: None if is_true(d.get("nodeToNodeEncryption", "enabled"))
                else "node-to-node encryption is off")


def _fine_grained(stack: Stack) -> Iterable[Finding]:
    def problem(domain: Resource) -> str | None:
        if not is_true(domain.get("advancedSecurityOptions", "enabled")):
            return "fine-grained access control is off"
        if domain.get("advancedSecurityOptions", "anonymousAuthEnabled") is True:
            return "anonymous access is on"
        return None
    return each(stack.of_type(DOMAIN), problem)


def _public_principal(statement: dict[str, Any]) -> bool:
    principal = statement.get("Principal")
    if principal == "*":
        return True
    return isinstance(principal, dict) and "*" in listed(principal.get("AWS"))


def _not_public(stack: Stack) -> Iterable[Finding]:
    """A domain outside a VPC must let no anonymous principal in; FGAC then maps IAM roles to rights."""
    def problem(domain: Resource) -> str | None:
        if domain.get("vpcOptions") not in (None, {}):
            return None
        for statement in statements(domain.get("accessPolicies")):
            if statement.get("Effect") == "Allow" and _public_principal(statement) and not statement.get("Condition"):
                return "its access policy allows any principal, and the domain is not in a VPC"
        return None
    return each(stack.of_type(DOMAIN), problem)


def _denies_insecure_transport(policy: Resource, bucket_arn: str) -> bool:
    for statement in statements(policy.get("policy")):
        condition = statement.get("Condition") or {}
        secure = (condition.get("Bool") or {}).get("aws:SecureTransport")
        if statement.get("Effect") == "Deny" and _public_principal(statement) and \
                any(a in ("s3:*", "*") for a in listed(statement.get("Action"))) and \
                secure in ("false", False) and \
                {bucket_arn, f"{bucket_arn}/*"} <= set(listed(statement.get("Resource"))):
            return True
    return False


def _tls_only(stack: Stack) -> Iterable[Finding]:
    policies: dict[str, list[Resource]] = {}
    for policy in stack.of_type(BUCKET_POLICY):
        if isinstance(policy.get("bucket"), str):
            policies.setdefault(policy.get("bucket"), []).append(policy)

    def problem(bucket: Resource) -> str | None:
        name, arn = bucket.get("bucket"), bucket.get("arn")
        if is_unknown(name) or not isinstance(arn, str):
            return None
        if any(is_unknown(p.get("policy")) or _denies_insecure_transport(p, arn) for p in policies.get(name, [])):
            return None
        return "its bucket policy does not deny requests without TLS (aws:SecureTransport false)"
    return each(stack.of_type(*BUCKET_TYPES), problem)


RULES = (
    Rule("opensearch-https-tls12", "The OpenSearch domain accepts HTTPS only, with TLS 1.2 or later",
         why="log documents and SigV4-signed requests must never cross the network in clear text",
         fix="set domain_endpoint_options=DomainDomainEndpointOptionsArgs(enforce_https=True, "
             "tls_security_policy=\"Policy-Min-TLS-1-2-PFS-2023-10\")",
         check=_https, fsbp=("Opensearch.8",)),
    Rule("opensearch-node-to-node-encryption", "OpenSearch nodes encrypt the traffic between them",
         why="shard replication would otherwise carry every document unencrypted inside the cluster",
         fix="set node_to_node_encryption=DomainNodeToNodeEncryptionArgs(enabled=True)",
         check=_node_to_node, fsbp=("Opensearch.3",)),
    Rule("opensearch-fine-grained-access", "OpenSearch fine-grained access control is on, without anonymous access",
         why="it maps each IAM role to read-only or write-only rights inside the domain",
         fix="set advanced_security_options with enabled=True and anonymous_auth_enabled=False",
         check=_fine_grained, fsbp=("Opensearch.7",)),
    Rule("opensearch-not-public", "The OpenSearch domain admits no anonymous principal",
         why="a domain outside a VPC is reachable from the internet; only signed requests of the account may pass",
         fix="name the account's principals in access_policies (components/logging/plan.py domain_access_policy), "
             "or give the domain vpc_options",
         check=_not_public, fsbp=("Opensearch.2",), awsguard=("elasticsearch-in-vpc-only",)),
    Rule("s3-tls-only", "S3 buckets deny every request made without TLS",
         why="without the deny, a client may read or write objects over plain HTTP",
         fix="add the DenyInsecureTransport statement to the bucket policy (private_bucket() does)",
         check=_tls_only, fsbp=("S3.5",)),
)
