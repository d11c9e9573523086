"""Strict validation of the node and control-plane configuration files (KubeletConfiguration,
AuthorizationConfiguration, ...) against the JSON schemas pinned in ``k8sdsl/config_schemas``.

These kinds are not served by the API server, so ``kubernetes-validate`` has no schema for
them; k8sdsl ships its own, written from the Kubernetes Go types (the folder's README names
the source files and the version). One schema serves every supported target version.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import jsonschema

from k8sdsl._schema_problems import SchemaProblem, schema_problems
from k8sdsl.core._versions import K8sVersion

SCHEMA_DIR = Path(__file__).parent / "config_schemas"


@dataclass(frozen=True, slots=True)
class ConfigKind:
    """A configuration file k8sdsl knows: who reads it, the pinned schema, and the first
    Kubernetes version whose component reads this apiVersion."""

    api_version: str
    kind: str
    schema: str
    read_by: str
    since: str = "1.0"


#: (apiVersion, kind) of every configuration file k8sdsl knows
CONFIG_KINDS: dict[tuple[str, str], ConfigKind] = {
    (c.api_version, c.kind): c
    for c in (
        ConfigKind(
            "kubelet.config.k8s.io/v1beta1",
            "KubeletConfiguration",
            "kubeletconfiguration-kubelet.config.k8s.io-v1beta1.json",
            "the kubelet's --config file",
        ),
        ConfigKind(
            "apiserver.config.k8s.io/v1",
            "AuthorizationConfiguration",
            "authorizationconfiguration-apiserver.config.k8s.io-v1.json",
            "kube-apiserver --authorization-config",
            "1.32",
        ),
        ConfigKind(
            "apiserver.config.k8s.io/v1beta1",
            "AuthorizationConfiguration",
            "authorizationconfiguration-apiserver.config.k8s.io-v1.json",
            "kube-apiserver --authorization-config",
            "1.30",
        ),
        ConfigKind(
            "apiserver.config.k8s.io/v1",
            "AuthenticationConfiguration",
            "authenticationconfiguration-apiserver.config.k8s.io-v1.json",
            "kube-apiserver --authentication-config",
            "1.34",
        ),
        ConfigKind(
            "apiserver.config.k8s.io/v1beta1",
            "AuthenticationConfiguration",
            "authenticationconfiguration-apiserver.config.k8s.io-v1.json",
            "kube-apiserver --authentication-config",
            "1.30",
        ),
        ConfigKind(
            "apiserver.config.k8s.io/v1",
            "AdmissionConfiguration",
            "admissionconfiguration-apiserver.config.k8s.io-v1.json",
            "kube-apiserver --admission-control-config-file",
        ),
        ConfigKind(
            "abac.authorization.kubernetes.io/v1beta1",
            "Policy",
            "policy-abac.authorization.kubernetes.io-v1beta1.json",
            "kube-apiserver --authorization-policy-file (one Policy a line)",
        ),
        ConfigKind(
            "v1",
            "Config",
            "config-v1.json",
            "a kubeconfig (an authorization webhook's connection, kubectl)",
        ),
        ConfigKind(
            "pod-security.admission.config.k8s.io/v1",
            "PodSecurityConfiguration",
            "podsecurityconfiguration-pod-security.admission.config.k8s.io-v1.json",
            "the PodSecurity admission plugin (in an AdmissionConfiguration)",
            "1.25",
        ),
        ConfigKind(
            "kubeadm.k8s.io/v1beta4",
            "ClusterConfiguration",
            "clusterconfiguration-kubeadm.k8s.io-v1beta4.json",
            "kubeadm init --config (and kubeadm certs)",
            "1.31",
        ),
    )
}


#: the kinds whose every apiVersion is in CONFIG_KINDS: another apiVersion is an error
EVERY_VERSION_KNOWN = frozenset({"KubeletConfiguration"})


def is_config_kind(api_version: str, kind: str) -> bool:
    """Whether ``apiVersion``/``kind`` is a configuration file k8sdsl has a schema for."""
    return (api_version, kind) in CONFIG_KINDS


def config_kind_versions(kind: str) -> list[str]:
    """The apiVersions k8sdsl knows for a configuration ``kind`` (for "use apiVersion ...")."""
    return sorted(a for a, k in CONFIG_KINDS if k == kind)


def config_version_problem(api_version: str, kind: str, version: K8sVersion) -> str | None:
    """Why the component of Kubernetes ``version`` does not read this apiVersion (or None)."""
    known = CONFIG_KINDS.get((api_version, kind))
    if known is None or version >= known.since:
        return None
    older = [
        c.api_version
        for c in CONFIG_KINDS.values()
        if c.kind == kind and c.api_version != api_version and version >= c.since
    ]
    return (
        f"{known.read_by} reads {api_version} {kind} from Kubernetes {known.since}, not in "
        f"{version}" + (f"; use apiVersion: {' or '.join(sorted(older))}" if older else "")
    )


@cache
def _validator(api_version: str, kind: str) -> jsonschema.Draft202012Validator:
    with open(SCHEMA_DIR / CONFIG_KINDS[api_version, kind].schema, encoding="utf-8") as fh:
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
    if kind == "AdmissionConfiguration":
        # a plugin's embedded configuration (PodSecurityConfiguration) has its own schema
        plugins = obj.get("plugins")
        for i, plugin in enumerate(plugins if isinstance(plugins, list) else []):
            inner = plugin.get("configuration") if isinstance(plugin, dict) else None
            if not isinstance(inner, dict):
                continue
            found = validate_config(inner)
            prefix = f"plugins[{i}].configuration"
            for p in found or []:
                path = f"{prefix}.{p.path}" if p.path else prefix
                problems.append(SchemaProblem(path, p.message, p.hint, p.code))
    return sorted(set(problems), key=lambda p: (p.path, p.message))


def config_problems(obj: dict[str, Any], version: K8sVersion) -> list[SchemaProblem] | None:
    """The schema problems of a configuration document for the target ``version``: its
    pinned schema, an apiVersion the target's component does not read yet, or an apiVersion
    no component reads for a known configuration kind (``schema/config-version``). ``None``
    when the kind is no configuration kind (an API object: the official schemas judge it)."""
    api_version, kind = str(obj.get("apiVersion", "")), str(obj.get("kind", ""))
    problems = validate_config(obj)
    if problems is None:
        known = config_kind_versions(kind)
        if kind not in EVERY_VERSION_KNOWN:
            # other versions are read too (v1alpha1...) or the kind name is shared (an audit
            # Policy): the official schemas' "unknown kind" warning says it was not checked
            return None
        return [
            SchemaProblem(
                "apiVersion",
                f"{kind} is not read as {api_version}",
                f"use apiVersion: {' or '.join(known)}",
                "schema/config-version",
            )
        ]
    too_new = config_version_problem(api_version, kind, version)
    if too_new is not None:
        problems.append(
            SchemaProblem(
                "apiVersion",
                too_new,
                f"target a newer version, or write the apiVersion {version} reads",
                "schema/config-version",
            )
        )
    return problems
