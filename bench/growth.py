"""Growth benchmark: the cross-object rules on the fleet shapes that make them work hardest,
at N = 1,000 / 2,000 / 4,000 / 8,000 apps, rule time alone (the objects are built first).

Each scenario is N apps in ONE namespace, the shape where an index by namespace does not
help and only an index by label (or a bounded "did you mean") keeps a rule linear:

- ``match-expressions``: each app's NetworkPolicy selects its pods by a matchExpressions
  ``In`` (no matchLabels) -> ``network/selects-no-pod``;
- ``common-label``: every pod carries one shared label that sorts first, and each app's
  egress policy selects by it and the app's own label -> ``network/dns-egress-blocked``;
- ``missing-claims``: each app's pod names a claim that is not there (a one-letter slip of
  a claim that is) -> ``storage/missing-claim`` ("did you mean" over every claim);
- ``static-pvs``: each app has a static PV and a claim that matches it by class and size
  -> ``storage/competing-claims`` (the binder matches claims to PVs);
- ``missing-configmaps``: each pod names a ConfigMap with a slip -> ``references/missing-object``;
- ``every-kind``: all of the above in each app, plus a Service, PDB, HPA, Ingress,
  StatefulSet, ServiceAccount and RoleBinding naming slips of their targets, under every
  rule; then each rule is timed alone at the smallest and largest size and the five that
  grow most are printed, so a new quadratic rule shows up here.

Printed per scenario and size: the median time (of ``--runs``), the cost per object, and
the growth: time(N) / time(first N) and the exponent log(t_last/t_first)/log(N_last/N_first)
(1.0 is linear, 2.0 quadratic). Target: time(8,000) / time(1,000) <= 9.

    python bench/growth.py [--runs 3] [--sizes 1000,2000,4000,8000] [--only NAME,...]
"""

from __future__ import annotations

import argparse
import gc
import math
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from k8sdsl._pipeline import rule_settings  # noqa: E402
from k8sdsl.core._cluster import Cluster  # noqa: E402
from k8sdsl.core._manifest import Manifest  # noqa: E402
from k8sdsl.core._versions import K8sVersion  # noqa: E402
from k8sdsl.rules._registry import (  # noqa: E402
    RuleContext,
    load_rules,
    registered_rules,
    run_rules,
)

NS = "fleet"
VERSION = K8sVersion("1.35")
IMAGE = "registry.example.com/shop/web:1.2.3"


def _deployment(i: int, labels: dict[str, str], volumes: list[Any] | None = None) -> Any:
    container: dict[str, Any] = {"name": "web", "image": IMAGE, "ports": [{"containerPort": 8080}]}
    if volumes and any("configMap" in v for v in volumes):
        container["volumeMounts"] = [{"name": v["name"], "mountPath": "/etc/app"} for v in volumes]
    spec: dict[str, Any] = {"containers": [container]}
    if volumes:
        spec["volumes"] = volumes
    return {
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "metadata": {"name": f"app-{i}", "namespace": NS},
        "spec": {
            "selector": {"matchLabels": labels},
            "template": {"metadata": {"labels": labels}, "spec": spec},
        },
    }


def _policy(i: int, selector: dict[str, Any], types: list[str]) -> Any:
    spec: dict[str, Any] = {"podSelector": selector, "policyTypes": types}
    if "Egress" in types:
        spec["egress"] = [{"to": [{"podSelector": {"matchLabels": {"app": f"a{i}"}}}]}]
    return {
        "apiVersion": "networking.k8s.io/v1",
        "kind": "NetworkPolicy",
        "metadata": {"name": f"policy-{i}", "namespace": NS},
        "spec": spec,
    }


def match_expressions(n: int) -> list[Any]:
    out = []
    for i in range(n):
        labels = {"name": f"a{i}"}
        selector = {"matchExpressions": [{"key": "name", "operator": "In", "values": [f"a{i}"]}]}
        out += [_deployment(i, labels), _policy(i, selector, ["Ingress"])]
    return out


def common_label(n: int) -> list[Any]:
    out = []
    for i in range(n):
        labels = {"a-team": "shop", "app": f"a{i}"}
        selector = {"matchLabels": {"a-team": "shop", "app": f"a{i}"}}
        out += [_deployment(i, labels), _policy(i, selector, ["Egress"])]
    return out


def _claim(i: int, **spec: Any) -> Any:
    return {
        "apiVersion": "v1",
        "kind": "PersistentVolumeClaim",
        "metadata": {"name": f"data-{i}", "namespace": NS},
        "spec": {
            "accessModes": ["ReadWriteOnce"],
            "resources": {"requests": {"storage": "1Gi"}},
            **spec,
        },
    }


def missing_claims(n: int) -> list[Any]:
    out = []
    for i in range(n):
        volume = {"name": "data", "persistentVolumeClaim": {"claimName": f"dats-{i}"}}
        out += [_deployment(i, {"app": f"a{i}"}, [volume]), _claim(i, storageClassName="fast")]
    return out


def static_pvs(n: int) -> list[Any]:
    out = []
    for i in range(n):
        pv = {
            "apiVersion": "v1",
            "kind": "PersistentVolume",
            "metadata": {"name": f"pv-{i}"},
            "spec": {
                "capacity": {"storage": f"{1 + i % 7}Gi"},
                "accessModes": ["ReadWriteOnce"],
                "storageClassName": "manual",
                "persistentVolumeReclaimPolicy": "Retain",
                "nfs": {"server": "nfs.example.com", "path": f"/exports/{i}"},
            },
        }
        out += [pv, _claim(i, storageClassName="manual")]
    return out


def missing_configmaps(n: int) -> list[Any]:
    out = []
    for i in range(n):
        volume = {"name": "conf", "configMap": {"name": f"conf1g-{i}"}}
        configmap = {
            "apiVersion": "v1",
            "kind": "ConfigMap",
            "metadata": {"name": f"config-{i}", "namespace": NS},
            "data": {"a": "b"},
        }
        out += [_deployment(i, {"app": f"a{i}"}, [volume]), configmap]
    return out


def _named(kind: str, api: str, name: str, spec: dict[str, Any], **top: Any) -> Any:
    return {"apiVersion": api, "kind": kind, "metadata": {"name": name, "namespace": NS},
            "spec": spec, **top}  # fmt: skip


def every_kind(n: int) -> list[Any]:
    """Each app: the shapes above together, plus a Service, a PDB, an HPA, an Ingress, a
    StatefulSet, a ServiceAccount and a RoleBinding, each naming a slip of another app's
    object, and every pod sharing one label: the worst case of every cross-object rule."""
    out = []
    for i in range(n):
        labels = {"a-team": "shop", "app": f"a{i}"}
        volumes = [
            {"name": "data", "persistentVolumeClaim": {"claimName": f"dats-{i}"}},
            {"name": "conf", "configMap": {"name": f"conf1g-{i}"}},
        ]
        port = {"port": 80, "targetPort": "htp"}
        out += [
            _deployment(i, labels, volumes),
            _policy(i, {"matchExpressions": [
                {"key": "app", "operator": "In", "values": [f"a{i}"]}]}, ["Ingress", "Egress"]),
            _claim(i, storageClassName="manual"),
            static_pvs(1)[0] | {"metadata": {"name": f"pv-{i}"}},
            missing_configmaps(1)[1] | {"metadata": {"name": f"config-{i}", "namespace": NS}},
            _named("Service", "v1", f"svc-{i}", {"selector": labels, "ports": [port]}),
            _named("PodDisruptionBudget", "policy/v1", f"pdb-{i}", {"selector": {
                "matchExpressions": [{"key": "app", "operator": "In", "values": [f"a{i}"]}]},
                "minAvailable": 1}),
            _named("HorizontalPodAutoscaler", "autoscaling/v2", f"hpa-{i}", {
                "scaleTargetRef": {"apiVersion": "apps/v1", "kind": "Deployment",
                                   "name": f"app-{i}x"},
                "minReplicas": 2, "maxReplicas": 4}),
            _named("Ingress", "networking.k8s.io/v1", f"ing-{i}", {"rules": [{
                "host": f"a{i}.example.com", "http": {"paths": [{
                    "path": "/", "pathType": "Prefix",
                    "backend": {"service": {"name": f"svc-{i}x", "port": {"number": 80}}}}]}}]}),
            _named("StatefulSet", "apps/v1", f"db-{i}", {
                "serviceName": f"db-{i}x", "selector": {"matchLabels": {"db": f"d{i}"}},
                "template": {"metadata": {"labels": {"db": f"d{i}"}},
                             "spec": {"containers": [{"name": "db", "image": IMAGE}]}}}),
            {"apiVersion": "v1", "kind": "ServiceAccount",
             "metadata": {"name": f"sa-{i}", "namespace": NS}},
            {"apiVersion": "rbac.authorization.k8s.io/v1", "kind": "RoleBinding",
             "metadata": {"name": f"rb-{i}", "namespace": NS},
             "roleRef": {"apiGroup": "rbac.authorization.k8s.io", "kind": "Role",
                         "name": f"role-{i}x"},
             "subjects": [{"kind": "ServiceAccount", "name": f"sa-{i}x", "namespace": NS}]},
        ]  # fmt: skip
    return out


#: the scenario run with every rule, each timed on its own
EVERY_RULE = "every-rule"

SCENARIOS: dict[str, tuple[Callable[[int], list[Any]], str]] = {
    "match-expressions": (match_expressions, "network/selects-no-pod"),
    "common-label": (common_label, "network/dns-egress-blocked"),
    "missing-claims": (missing_claims, "storage/missing-claim"),
    "static-pvs": (static_pvs, "storage/competing-claims"),
    "missing-configmaps": (missing_configmaps, "references/missing-object"),
    "every-kind": (every_kind, EVERY_RULE),
}


def manifests(objects: list[Any]) -> list[Manifest]:
    return [Manifest(o, f"fleet.yaml:{i}", VERSION) for i, o in enumerate(objects)]


def timed(ms: list[Manifest], rule: str) -> tuple[float, int]:
    settings = rule_settings(Cluster(), VERSION, complete=True)
    for m in ms:
        m.cache.clear()
    start = time.perf_counter()
    findings = run_rules(ms, settings, None if rule == EVERY_RULE else [rule])
    return time.perf_counter() - start, len(findings)


def per_rule(ms: list[Manifest]) -> dict[str, float]:
    """Each rule's own time over ``ms`` (shared models built by the first rule that asks
    are charged to it, as in a real run)."""
    settings = rule_settings(Cluster(), VERSION, complete=True)
    for m in ms:
        m.cache.clear()
    ctx = RuleContext(ms, settings)
    times: dict[str, float] = {}
    collecting = gc.isenabled()
    gc.disable()
    try:
        for info in registered_rules():
            start = time.perf_counter()
            list(info.func(ctx))
            times[info.id] = time.perf_counter() - start
    finally:
        if collecting:
            gc.enable()
    return times


def worst_rules(build: Callable[[int], list[Any]], sizes: list[int], top: int = 5) -> None:
    """The rules whose time grows most from the first size to the last, among those that
    take at least 2 ms at both (below that, timer noise decides)."""
    small, large = sizes[0], sizes[-1]
    a, b = per_rule(manifests(build(small))), per_rule(manifests(build(large)))
    floor = 5e-3  # below 5 ms timer noise and first-touch costs decide the ratio
    growth = sorted(
        ((b[r] / a[r], r) for r in b if a.get(r, 0) >= floor and b[r] >= floor), reverse=True
    )[:top]
    for g, r in growth:
        print(f"{'  rule':<20} {r:<28} {small:>6} -> {large:<6} {a[r] * 1e3:>8.1f} ms -> "
              f"{b[r] * 1e3:.1f} ms  x{g:.2f} (linear x{large / small:.0f})")  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--sizes", default="1000,2000,4000,8000")
    parser.add_argument("--only", default="")
    args = parser.parse_args()
    sizes = [int(s) for s in args.sizes.split(",")]
    only = {s for s in args.only.split(",") if s}
    load_rules()
    print(f"growth benchmark: rule time alone, one namespace, median of {args.runs} runs")
    print(f"{'scenario':<20} {'rule':<28} {'apps':>6} {'objects':>8} {'ms':>9} "
          f"{'us/object':>10} {'findings':>9} {'growth':>7}")  # fmt: skip
    for name, (build, rule) in SCENARIOS.items():
        if only and name not in only:
            continue
        first: tuple[int, float] | None = None
        last: tuple[int, float] | None = None
        for n in sizes:
            ms = manifests(build(n))
            runs = [timed(ms, rule) for _ in range(args.runs)]
            t = statistics.median(r[0] for r in runs)
            first = first or (n, t)
            last = (n, t)
            print(f"{name:<20} {rule:<28} {n:>6} {len(ms):>8} {t * 1e3:>9.1f} "
                  f"{t / len(ms) * 1e6:>10.1f} {runs[0][1]:>9} {t / first[1]:>6.2f}x")  # fmt: skip
        if first and last and last[0] > first[0]:
            exponent = math.log(last[1] / first[1]) / math.log(last[0] / first[0])
            print(f"{name:<20} growth {last[0]:,}/{first[0]:,} apps: time x{last[1] / first[1]:.2f}"
                  f" (linear x{last[0] / first[0]:.0f}), exponent {exponent:.2f}")  # fmt: skip
        if rule == EVERY_RULE and len(sizes) > 1:
            print(f"{name:<20} the rules that grow most, {sizes[0]:,} -> {sizes[-1]:,} apps:")
            worst_rules(build, sizes)


if __name__ == "__main__":
    main()
