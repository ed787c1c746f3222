"""Applying the bootstrap idempotently: read what the cluster has, write only what differs.

ISM policies cannot be overwritten blindly; an update must name the ``_seq_no`` and
``_primary_term`` it read, so a concurrent change fails loudly instead of being lost.
"""
from __future__ import annotations

from typing import Any, Callable, Protocol

from handlers.opensearch_bootstrap.inputs import BootstrapInput
from handlers.opensearch_bootstrap.templates import (ism_policies, log_index_template, reader_role,
                                                     reader_role_mapping, trace_index_template, writer_role,
                                                     writer_role_mapping)

ISM_POLICIES = "/_plugins/_ism/policies/"
SECURITY_API = "/_plugins/_security/api/"


class ClusterApi(Protocol):
    def get(self, path: str) -> dict[str, Any] | None:
        """The JSON body, or None when the resource does not exist (404)."""

    def send(self, method: str, path: str, body: dict[str, Any] | None = None,
             params: dict[str, Any] | None = None, missing_ok: bool = False) -> dict[str, Any]:
        """Perform a write; raise on any non-2xx status (a 404 answers {} when ``missing_ok``)."""


def apply_bootstrap(spec: BootstrapInput, api: ClusterApi) -> dict[str, Any]:
    """Returns a summary: for each resource, ``created``, ``updated`` or ``unchanged``."""
    summary: dict[str, Any] = {"index_templates": {}, "ism_policies": {}, "security": {}}
    for name, body in (log_index_template(spec), trace_index_template(spec)):
        summary["index_templates"][name] = _apply_index_template(api, name, body)
    for policy_id, body in ism_policies(spec).items():
        summary["ism_policies"][policy_id] = _apply_ism_policy(api, policy_id, body)
    summary["existing_indices_attached"] = _attach_existing_indices(api, spec)
    grants = [(spec.writer_role_name, writer_role(spec), writer_role_mapping(spec))]
    if spec.reader_role_arns:
        grants.append((spec.reader_role_name, reader_role(spec), reader_role_mapping(spec)))
    for role, permissions, mapping in grants:
        summary["security"][f"role/{role}"] = _apply_security(api, f"roles/{role}", permissions, _normalise_role)
        summary["security"][f"rolesmapping/{role}"] = _apply_security(
            api, f"rolesmapping/{role}", mapping, _normalise_mapping)
    summary["changed"] = any(state != "unchanged" for group in ("index_templates", "ism_policies", "security")
                             for state in summary[group].values())
    return summary


def _apply_index_template(api: ClusterApi, name: str, body: dict[str, Any]) -> str:
    path = f"/_index_template/{name}"
    existing = api.get(path)
    current = None
    for entry in (existing or {}).get("index_templates", []):
        if entry.get("name") == name:
            current = entry.get("index_template")
    if current is not None and _normalise_template(current) == _normalise_template(body):
        return "unchanged"
    api.send("PUT", path, body)
    return "created" if current is None else "updated"


def _apply_ism_policy(api: ClusterApi, policy_id: str, body: dict[str, Any]) -> str:
    path = ISM_POLICIES + policy_id
    existing = api.get(path)
    if existing is None:
        api.send("PUT", path, body)
        return "created"
    if _normalise_policy(existing.get("policy", {})) == _normalise_policy(body["policy"]):
        return "unchanged"
    api.send("PUT", path, body, params={"if_seq_no": existing["_seq_no"], "if_primary_term": existing["_primary_term"]})
    return "updated"


def _attach_existing_indices(api: ClusterApi, spec: BootstrapInput) -> dict[str, int]:
    """``ism_template`` only catches indices created later; attach the ones that already exist.

    Indices that already have a policy are reported as failures by ISM and left alone.
    """
    attached = {}
    for policy_id, pattern in ((f"{spec.log_index_prefix}-retention", spec.log_index_pattern),
                               (f"{spec.trace_index_prefix}-retention", spec.trace_index_pattern)):
        result = api.send("POST", f"/_plugins/_ism/add/{pattern}", {"policy_id": policy_id}, missing_ok=True)
        attached[policy_id] = int(result.get("updated_indices", 0))
    return attached


def _apply_security(api: ClusterApi, resource: str, body: dict[str, Any],
                    normalise: Callable[[dict[str, Any]], Any]) -> str:
    path = SECURITY_API + resource
    name = resource.split("/", 1)[1]
    existing = (api.get(path) or {}).get(name)
    if existing is not None and normalise(existing) == normalise(body):
        return "unchanged"
    api.send("PUT", path, body)
    return "created" if existing is None else "updated"


def _normalise_template(template: dict[str, Any]) -> Any:
    """The cluster echoes settings as strings and may add defaults; compare on what we set."""
    settings = template.get("template", {}).get("settings", {})
    index = settings.get("index", settings)
    return {
        "index_patterns": sorted(template.get("index_patterns", [])),
        "priority": int(template.get("priority", 0)),
        "settings": {key: str(index.get(key)) for key in ("number_of_shards", "number_of_replicas", "refresh_interval")},
        "mappings": _stringify(template.get("template", {}).get("mappings", {})),
        "_meta": template.get("_meta"),
    }


def _normalise_policy(policy: dict[str, Any]) -> Any:
    return {
        "description": policy.get("description"),
        "default_state": policy.get("default_state"),
        "states": _stringify(policy.get("states", [])),
        "ism_template": sorted((sorted(t.get("index_patterns", [])), t.get("priority"))
                               for t in policy.get("ism_template") or []),
    }


def _normalise_role(role: dict[str, Any]) -> Any:
    return {
        "cluster_permissions": sorted(role.get("cluster_permissions", [])),
        "index_permissions": sorted((sorted(p.get("index_patterns", [])), sorted(p.get("allowed_actions", [])))
                                    for p in role.get("index_permissions", [])),
        "tenant_permissions": sorted((sorted(p.get("tenant_patterns", [])), sorted(p.get("allowed_actions", [])))
                                     for p in role.get("tenant_permissions", [])),
    }


def _normalise_mapping(mapping: dict[str, Any]) -> Any:
    return {key: sorted(mapping.get(key, [])) for key in ("backend_roles", "hosts", "users")}


def _stringify(value: Any) -> Any:
    """Booleans and numbers come back as JSON strings from some APIs; compare them as text."""
    if isinstance(value, dict):
        return {key: _stringify(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_stringify(item) for item in value]
    if isinstance(value, bool):
        return str(value).lower()
    return str(value) if value is not None else None
