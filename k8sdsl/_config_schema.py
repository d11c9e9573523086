"""Strict validation of the node and control-plane configuration files (KubeletConfiguration,
AuthorizationConfiguration, ...) against the JSON schemas pinned in ``k8sdsl/config_schemas``.

These kinds are not served by the API server, so ``kubernetes-validate`` has no schema for
them; k8sdsl ships its own, written from the Kubernetes Go types (the folder's README names
the source files and the version). One schema serves every supported target version.
"""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path
from typing import Any

import jsonschema

from k8sdsl._schema import SchemaProblem, schema_problems

SCHEMA_DIR = Path(__file__).parent / "config_schemas"

#: (apiVersion, kind) of every configuration file k8sdsl knows -> the file the component
#: reads it from (for messages and docs)
CONFIG_KINDS: dict[tuple[str, str], str] = {
    ("kubelet.config.k8s.io/v1beta1", "KubeletConfiguration"): "the kubelet's --config file",
}


def is_config_kind(api_version: str, kind: str) -> bool:
    """Whether ``apiVersion``/``kind`` is a configuration file k8sdsl has a schema for."""
    return (api_version, kind) in CONFIG_KINDS


def config_kind_versions(kind: str) -> list[str]:
    """The apiVersions k8sdsl knows for a configuration ``kind`` (for "use apiVersion ...")."""
    return sorted(a for a, k in CONFIG_KINDS if k == kind)


def _file_name(api_version: str, kind: str) -> str:
    return f"{kind.lower()}-{api_version.replace('/', '-')}.json"


@cache
def _validator(api_version: str, kind: str) -> jsonschema.Draft202012Validator:
    with open(SCHEMA_DIR / _file_name(api_version, kind), encoding="utf-8") as fh:
        schema = json.load(fh)
    return jsonschema.Draft202012Validator(schema)


def config_schema(api_version: str, kind: str) -> dict[str, Any]:
    """The pinned JSON schema of a configuration kind."""
    return dict(_validator(api_version, kind).schema)  # type: ignore[arg-type]


def validate_config(obj: dict[str, Any]) -> list[SchemaProblem] | None:
    """Every schema problem of a configuration document; ``None`` when the kind is not one
    of :data:`CONFIG_KINDS`."""
    api_version, kind = str(obj.get("apiVersion", "")), str(obj.get("kind", ""))
    if not is_config_kind(api_version, kind):
        return None
    validator = _validator(api_version, kind)
    problems = [p for err in validator.iter_errors(obj) for p in schema_problems(err)]
    return sorted(set(problems), key=lambda p: (p.path, p.message))
