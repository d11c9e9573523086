"""Pod dicts for the rule and policy tests: one that meets restricted, and ways to break it."""

from __future__ import annotations

import copy
from typing import Any

from k8sdsl.security import PROFILE_ANNOTATION

DIGEST = "sha256:" + "ab" * 32
IMAGE = f"registry.example.com/team/app:1.0@{DIGEST}"


def restricted_pod(
    *,
    name: str = "p",
    namespace: str = "apps",
    profile: bool = True,
    annotations: dict[str, str] | None = None,
) -> dict[str, Any]:
    """A Pod that meets restricted and SecurePod's hardening: no rule finds anything."""
    ann = dict(annotations or {})
    if profile:
        ann[PROFILE_ANNOTATION] = "restricted"
    meta: dict[str, Any] = {"name": name, "namespace": namespace}
    if ann:
        meta["annotations"] = ann
    return {
        "apiVersion": "v1",
        "kind": "Pod",
        "metadata": meta,
        "spec": {
            "automountServiceAccountToken": False,
            "securityContext": {
                "runAsNonRoot": True,
                "runAsUser": 10001,
                "runAsGroup": 10001,
                "seccompProfile": {"type": "RuntimeDefault"},
            },
            "containers": [
                {
                    "name": "app",
                    "image": IMAGE,
                    "ports": [{"containerPort": 8080, "name": "http"}],
                    "livenessProbe": {"tcpSocket": {"port": "http"}},
                    "readinessProbe": {"tcpSocket": {"port": "http"}},
                    "resources": {
                        "requests": {"cpu": "100m", "memory": "128Mi"},
                        "limits": {"cpu": "500m", "memory": "256Mi"},
                    },
                    "securityContext": {
                        "allowPrivilegeEscalation": False,
                        "readOnlyRootFilesystem": True,
                        "capabilities": {"drop": ["ALL"]},
                    },
                }
            ],
        },
    }


def container_sc(pod: dict[str, Any]) -> dict[str, Any]:
    sc: dict[str, Any] = pod["spec"]["containers"][0]["securityContext"]
    return sc


def namespace(name: str = "apps", **labels: str) -> dict[str, Any]:
    """A Namespace; keyword labels use '_' for '/' and '-': enforce='baseline' etc."""
    full = {f"pod-security.kubernetes.io/{k.replace('_', '-')}": v for k, v in labels.items()}
    return {
        "apiVersion": "v1",
        "kind": "Namespace",
        "metadata": {"name": name, **({"labels": full} if full else {})},
    }


def mutated(pod: dict[str, Any], fn: Any) -> dict[str, Any]:
    out = copy.deepcopy(pod)
    fn(out)
    return out
