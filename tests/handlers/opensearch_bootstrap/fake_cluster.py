"""A local OpenSearch stand-in for the bootstrap, on 127.0.0.1: it keeps index templates, ISM
policies (with ``_seq_no``/``_primary_term`` optimistic concurrency, as the ISM plugin does)
and security roles and mappings, answers in the cluster's shapes, and records every request."""
from __future__ import annotations

import copy
import json
import threading
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qs, urlsplit

from tests.handlers.local_http import LoopbackJSONServer


@dataclass
class Recorded:
    method: str
    path: str
    query: dict[str, str]
    body: Any
    authorization: str


class FakeCluster(LoopbackJSONServer):
    methods = ("GET", "PUT", "POST")

    def __init__(self) -> None:
        self.templates: dict[str, dict[str, Any]] = {}
        self.policies: dict[str, dict[str, Any]] = {}
        self.roles: dict[str, dict[str, Any]] = {}
        self.mappings: dict[str, dict[str, Any]] = {}
        self.requests: list[Recorded] = []
        self.existing_indices: list[str] = []
        self.managed_indices: dict[str, str] = {}
        self._lock = threading.Lock()
        super().__init__()

    def writes(self) -> list[Recorded]:
        return [r for r in self.requests if r.method != "GET"]

    def respond(self, method: str, raw_path: str, headers: dict[str, str], raw: bytes) -> tuple[int, Any]:
        body = json.loads(raw) if raw else None
        authorization = headers.get("authorization", "")
        parts = urlsplit(raw_path)
        query = {key: values[0] for key, values in parse_qs(parts.query).items()}
        with self._lock:
            self.requests.append(Recorded(method, parts.path, query, body, authorization))
            if not authorization.startswith("AWS4-HMAC-SHA256 "):
                return 403, {"message": "request is not signed"}
            return self._route(method, parts.path, query, body)

    def _route(self, method: str, path: str, query: dict[str, str], body: Any) -> tuple[int, Any]:
        segments = path.strip("/").split("/")
        if segments[0] == "_index_template" and len(segments) == 2:
            return self._index_template(method, segments[1], body)
        if segments[:3] == ["_plugins", "_ism", "policies"] and len(segments) == 4:
            return self._policy(method, segments[3], query, body)
        if segments[:3] == ["_plugins", "_ism", "add"] and method == "POST":
            return self._attach(segments[3], body)
        if segments[:3] == ["_plugins", "_security", "api"] and len(segments) == 5:
            store = {"roles": self.roles, "rolesmapping": self.mappings}.get(segments[3])
            if store is not None:
                return self._security(method, store, segments[4], body)
        return 400, {"error": f"fake cluster does not serve {method} {path}"}

    def _index_template(self, method: str, name: str, body: Any) -> tuple[int, Any]:
        if method == "PUT":
            self.templates[name] = body
            return 200, {"acknowledged": True}
        if name not in self.templates:
            return 404, {"error": {"type": "resource_not_found_exception"}, "status": 404}
        echoed = copy.deepcopy(self.templates[name])
        index = echoed["template"]["settings"]["index"]
        echoed["template"]["settings"]["index"] = {k: str(v) for k, v in index.items()}  # the cluster's strings
        return 200, {"index_templates": [{"name": name, "index_template": echoed}]}

    def _policy(self, method: str, policy_id: str, query: dict[str, str], body: Any) -> tuple[int, Any]:
        stored = self.policies.get(policy_id)
        if method == "GET":
            if stored is None:
                return 404, {"error": {"type": "status_exception", "reason": "Policy not found"}, "status": 404}
            policy = copy.deepcopy(stored["policy"])
            policy.update({"policy_id": policy_id, "last_updated_time": 1, "schema_version": 21,
                           "error_notification": None})
            for template in policy.get("ism_template") or []:
                template["last_updated_time"] = 1
            return 200, {"_id": policy_id, "_version": stored["version"], "_seq_no": stored["seq_no"],
                         "_primary_term": stored["primary_term"], "policy": policy}
        if stored is not None:
            if "if_seq_no" not in query or "if_primary_term" not in query:
                return 409, {"error": {"type": "version_conflict_engine_exception",
                                       "reason": "policy exists; updates need if_seq_no and if_primary_term"}}
            if int(query["if_seq_no"]) != stored["seq_no"] or int(query["if_primary_term"]) != stored["primary_term"]:
                return 409, {"error": {"type": "version_conflict_engine_exception", "reason": "stale seq_no"}}
        seq_no = 0 if stored is None else stored["seq_no"] + 1
        version = 1 if stored is None else stored["version"] + 1
        self.policies[policy_id] = {"policy": body["policy"], "seq_no": seq_no, "primary_term": 1, "version": version}
        return (201 if stored is None else 200), {"_id": policy_id, "_version": version, "_seq_no": seq_no,
                                                   "_primary_term": 1, "policy": body}

    def _attach(self, pattern: str, body: Any) -> tuple[int, Any]:
        prefix = pattern.rstrip("*")
        matching = [index for index in self.existing_indices if index.startswith(prefix)]
        if not matching:
            return 404, {"error": {"type": "index_not_found_exception"}, "status": 404}
        fresh = [index for index in matching if index not in self.managed_indices]
        for index in fresh:
            self.managed_indices[index] = body["policy_id"]
        failed = [{"index_name": i, "reason": "This index already has a policy"} for i in matching if i not in fresh]
        return 200, {"updated_indices": len(fresh), "failures": bool(failed), "failed_indices": failed}

    @staticmethod
    def _security(method: str, store: dict[str, Any], name: str, body: Any) -> tuple[int, Any]:
        if method == "PUT":
            existed = name in store
            store[name] = body
            return (200 if existed else 201), {"status": "OK" if existed else "CREATED",
                                               "message": f"'{name}' {'updated' if existed else 'created'}."}
        if name not in store:
            return 404, {"status": "NOT_FOUND", "message": f"Resource '{name}' not found."}
        echoed = copy.deepcopy(store[name])
        echoed.update({"reserved": False, "hidden": False, "static": False})
        for permission in echoed.get("index_permissions", []):
            permission.setdefault("fls", [])
            permission.setdefault("masked_fields", [])
        return 200, {name: echoed}

