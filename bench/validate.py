"""Strict schema validation of 4,000 objects: k8sdsl's compiled validators against
``kubernetes_validate.validate`` (the peer), in the same run.

Target: 4,000 objects in under one second, while an object that fails still gets all of
its errors. Run with ``make bench`` (or ``python bench/validate.py [N]``).
"""

from __future__ import annotations

import statistics
import sys
import time
from typing import Any

import kubernetes_validate

from k8sdsl._schema import schemas_for

VERSION = "1.35"


def fleet(n_apps: int) -> list[dict[str, Any]]:
    """n_apps x (Deployment, Service, PersistentVolumeClaim, NetworkPolicy)."""
    objs: list[dict[str, Any]] = []
    for i in range(n_apps):
        name = f"app-{i}"
        labels = {"app.kubernetes.io/name": name}
        objs.append(
            {
                "apiVersion": "apps/v1",
                "kind": "Deployment",
                "metadata": {"name": name, "namespace": "apps", "labels": labels},
                "spec": {
                    "replicas": 2,
                    "selector": {"matchLabels": labels},
                    "strategy": {
                        "type": "RollingUpdate",
                        "rollingUpdate": {"maxSurge": 1, "maxUnavailable": 0},
                    },
                    "template": {
                        "metadata": {"labels": labels},
                        "spec": {
                            "automountServiceAccountToken": False,
                            "securityContext": {
                                "runAsNonRoot": True,
                                "runAsUser": 10001,
                                "runAsGroup": 10001,
                                "fsGroup": 10001,
                                "seccompProfile": {"type": "RuntimeDefault"},
                            },
                            "containers": [
                                {
                                    "name": "web",
                                    "image": "registry.example.com/web:1.2.3",
                                    "ports": [{"containerPort": 8080, "name": "http"}],
                                    "resources": {
                                        "requests": {"cpu": "100m", "memory": "128Mi"},
                                        "limits": {"cpu": "500m", "memory": "256Mi"},
                                    },
                                    "securityContext": {
                                        "allowPrivilegeEscalation": False,
                                        "readOnlyRootFilesystem": True,
                                        "capabilities": {"drop": ["ALL"]},
                                    },
                                    "livenessProbe": {
                                        "httpGet": {"path": "/healthz", "port": "http"}
                                    },
                                    "readinessProbe": {
                                        "httpGet": {"path": "/ready", "port": "http"}
                                    },
                                    "volumeMounts": [{"name": "data", "mountPath": "/data"}],
                                }
                            ],
                            "volumes": [
                                {"name": "data", "persistentVolumeClaim": {"claimName": name}}
                            ],
                        },
                    },
                },
            }
        )
        objs.append(
            {
                "apiVersion": "v1",
                "kind": "Service",
                "metadata": {"name": name, "namespace": "apps", "labels": labels},
                "spec": {
                    "selector": labels,
                    "ports": [{"name": "http", "port": 80, "targetPort": "http"}],
                },
            }
        )
        objs.append(
            {
                "apiVersion": "v1",
                "kind": "PersistentVolumeClaim",
                "metadata": {"name": name, "namespace": "apps"},
                "spec": {
                    "accessModes": ["ReadWriteOnce"],
                    "storageClassName": "standard",
                    "resources": {"requests": {"storage": "1Gi"}},
                },
            }
        )
        objs.append(
            {
                "apiVersion": "networking.k8s.io/v1",
                "kind": "NetworkPolicy",
                "metadata": {"name": name, "namespace": "apps"},
                "spec": {
                    "podSelector": {"matchLabels": labels},
                    "policyTypes": ["Ingress"],
                    "ingress": [{"ports": [{"protocol": "TCP", "port": 8080}]}],
                },
            }
        )
    return objs


def timed(fn: Any, repeats: int) -> list[float]:
    out = []
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        out.append(time.perf_counter() - start)
    return out


def main() -> None:
    n_apps = int(sys.argv[1]) if len(sys.argv) > 1 else 1000
    objs = fleet(n_apps)
    schemas = schemas_for(VERSION)
    start = time.perf_counter()
    for kind_obj in objs[:4]:
        schemas.validate(kind_obj)  # compile (or load from the on-disk cache) once per kind
    warm = time.perf_counter() - start

    def ours() -> None:
        for obj in objs:
            assert schemas.validate(obj) == []

    runs = timed(ours, 5)
    median = statistics.median(runs)

    peer_sample = objs[:200]

    def peer() -> None:
        for obj in peer_sample:
            kubernetes_validate.validate(obj, VERSION, strict=True)

    peer_runs = timed(peer, 3)
    peer_per_obj = statistics.median(peer_runs) / len(peer_sample)

    broken = dict(objs[0])
    broken["spec"] = dict(broken["spec"], Replicas=3, replicas="two", selectr={})
    problems = schemas.validate(broken) or []

    print(f"strict schema validation, Kubernetes {VERSION}, {len(objs)} objects")
    print(f"  first use (compile or load cached validators, 4 kinds): {warm:.3f} s")
    print(
        f"  k8sdsl:              median {median:.3f} s over {len(runs)} runs "
        f"({len(objs) / median:,.0f} objects/s)  target < 1 s: "
        f"{'met' if median < 1 else 'MISSED'}"
    )
    print(
        f"  kubernetes_validate: {peer_per_obj * 1000:.2f} ms/object "
        f"(median of {len(peer_runs)} runs over {len(peer_sample)} objects) -> "
        f"{peer_per_obj * len(objs):.1f} s for {len(objs)}"
    )
    print(f"  ratio: k8sdsl is {peer_per_obj * len(objs) / median:.0f}x faster")
    print(f"  a failing Deployment gets all {len(problems)} of its errors:")
    for p in problems:
        print(f"    {p.path}: {p.message}  {p.hint}")
    if len(problems) < 3:
        raise SystemExit("a failing object must report every error")

    # `k8sdsl check` end to end on one file of 10,000 objects (read, schema, every rule)
    import tempfile
    from pathlib import Path

    import yaml

    from k8sdsl.cli import main as k8sdsl_main

    with tempfile.TemporaryDirectory() as tmp:
        big = Path(tmp) / "fleet.yaml"
        big.write_text(yaml.dump_all(fleet(2500), Dumper=yaml.CSafeDumper))
        start = time.perf_counter()
        import contextlib
        import io

        with contextlib.redirect_stdout(io.StringIO()):
            code = k8sdsl_main(["check", "--k8s-version", VERSION, str(big)])
        seconds = time.perf_counter() - start
    print(f"  k8sdsl check of one file with 10,000 objects: {seconds:.2f} s (exit {code})")


if __name__ == "__main__":
    main()
