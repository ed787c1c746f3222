"""Entry point Pulumi runs for `pulumi preview --policy-pack policy` (see README, "Security").

Pulumi starts this file with the pack's directory as the working directory and first on the path,
so the rules are imported as the top-level package `platform_policy`.
"""
from pulumi_policy import PolicyPack

from platform_policy.crossguard import pack_arguments

PolicyPack(**pack_arguments())
