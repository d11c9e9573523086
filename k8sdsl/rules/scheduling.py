"""Scheduling rules: spread constraints and anti-affinity that do not count the pods they are
written for, required anti-affinity that more replicas than the declared nodes cannot meet,
tolerations the API server refuses, and pods no declared node would take.

The scheduler accepts all of these silently: a spread constraint whose selector misses the
pod's own labels spreads nothing, and a required one-per-node rule with more replicas than
nodes leaves the rest Pending with ``didn't match pod anti-affinity rules``.
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from typing import Any

from k8sdsl.core._cluster import NodePool
from k8sdsl.core._findings import Finding, K8sDslError
from k8sdsl.core._manifest import Manifest
from k8sdsl.core._podspecs import PodSpecRef, pod_specs
from k8sdsl.core._selectors import LabelSelector
from k8sdsl.rules._registry import RuleContext, rule
from k8sdsl.rules.references import pod_index
from k8sdsl.workloads._scheduling import HOSTNAME_TOPOLOGY_KEY, toleration_problems

_REQUIRED = "requiredDuringSchedulingIgnoredDuringExecution"
_PREFERRED = "preferredDuringSchedulingIgnoredDuringExecution"
_REPLICATED = ("Deployment", "ReplicaSet", "StatefulSet")


def _d(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _l(value: Any) -> list[Any]:
    return value if isinstance(value, list) else []


def _selector(value: Any) -> LabelSelector | None:
    """The selector of a dict, or None when it is missing or malformed (the schema says)."""
    if not isinstance(value, dict):
        return None
    try:
        return LabelSelector.from_k8s(value)
    except (K8sDslError, ValueError, TypeError, AttributeError):
        return None


def _anti_affinity_terms(ps: PodSpecRef) -> Iterator[tuple[str, dict[str, Any], bool]]:
    """(JSON path, PodAffinityTerm, required) of every pod anti-affinity term."""
    base = f"{ps.path}.affinity.podAntiAffinity"
    anti = _d(_d(ps.spec.get("affinity")).get("podAntiAffinity"))
    for i, term in enumerate(_l(anti.get(_REQUIRED))):
        if isinstance(term, dict):
            yield f"{base}.{_REQUIRED}[{i}]", term, True
    for i, weighted in enumerate(_l(anti.get(_PREFERRED))):
        term = _d(weighted).get("podAffinityTerm")
        if isinstance(term, dict):
            yield f"{base}.{_PREFERRED}[{i}].podAffinityTerm", term, False


def _shown(labels: dict[str, str]) -> str:
    return ", ".join(f"{k}={v}" for k, v in sorted(labels.items())) or "no labels"


def _term_namespaces(ps: PodSpecRef, term: dict[str, Any]) -> set[str] | None:
    """The namespaces a term looks at (None: any, with a namespaceSelector)."""
    if isinstance(term.get("namespaceSelector"), dict):
        return None
    listed = {str(n) for n in _l(term.get("namespaces")) if isinstance(n, str)}
    return listed or {ps.namespace or "default"}


@rule("workloads/spread-labels", "a spread constraint or anti-affinity that misses its own pods")
def spread_labels(ctx: RuleContext) -> Iterator[Finding]:
    """A topology spread constraint counts only the pods its ``labelSelector`` matches: one
    that does not match the pod's own labels (a typo, a label the template lacks) spreads
    nothing, and the pods pile up in one zone. An anti-affinity term that matches neither
    the pod itself nor any other pod of the objects keeps the pods apart from nothing (one
    that matches other pods only is a choice: keep away from them)."""
    index = pod_index(ctx)
    for m, ps in ctx.pod_specs():
        for i, constraint in enumerate(_l(ps.spec.get("topologySpreadConstraints"))):
            selector = _selector(_d(constraint).get("labelSelector"))
            if selector is None or selector.matches(ps.labels):
                continue
            yield m.warning(
                "workloads/spread-labels",
                f"{ps.path}.topologySpreadConstraints[{i}].labelSelector",
                f"the spread constraint's selector does not match the pods' own labels "
                f"({_shown(ps.labels)}): it does not count these pods, so it spreads "
                "nothing",
                "select the pod template's labels (TopologySpreadConstraint."
                "spread_over_zones(template labels))",
            )
        for path, term, _required in _anti_affinity_terms(ps):
            selector = _selector(term.get("labelSelector"))
            if selector is None or selector.matches(ps.labels):
                continue
            namespaces = _term_namespaces(ps, term)
            # from the pod index, in the time of the answer: scanning every pod for every
            # term that misses its own pods would be quadratic over a fleet
            looked_in = index.namespaces() if namespaces is None else sorted(namespaces)
            if any(p is not ps for ns in looked_in for p in index.selecting(ns, selector)):
                continue
            yield m.warning(
                "workloads/spread-labels",
                f"{path}.labelSelector",
                "the anti-affinity term matches neither these pods "
                f"({_shown(ps.labels)}) nor any other pod of the objects: it keeps the "
                "pods apart from nothing",
                "select the pod template's labels (Affinity.one_per_node(template "
                "labels)), or the pods to keep away from",
            )


def _replicas(m: Manifest) -> int:
    value = _d(m.obj.get("spec")).get("replicas", 1)
    return value if isinstance(value, int) and not isinstance(value, bool) else 1


def _eligible(pools: tuple[NodePool, ...], ps: PodSpecRef) -> list[NodePool]:
    """The pools whose labels meet the pod's nodeSelector (node affinity is not read)."""
    wanted = {str(k): str(v) for k, v in _d(ps.spec.get("nodeSelector")).items()}
    return [p for p in pools if all(p.labels.get(k) == v for k, v in wanted.items())]


def _domains(pools: list[NodePool], key: str) -> int | None:
    """How many domains of ``key`` the pools have (None: not known from the declaration)."""
    if key == HOSTNAME_TOPOLOGY_KEY:
        return sum(p.count for p in pools)
    if not pools or any(key not in p.labels for p in pools):
        return None
    return len({p.labels[key] for p in pools if p.count > 0})


def _scaled(value: Any, replicas: int, *, up: bool) -> int | None:
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    if isinstance(value, str) and value.endswith("%") and value[:-1].isdigit():
        exact = int(value[:-1]) * replicas / 100
        return math.ceil(exact) if up else math.floor(exact)
    return None


def _rollout(m: Manifest, replicas: int) -> tuple[int, int] | None:
    """(maxSurge, maxUnavailable) of a Deployment's rolling update, as pods."""
    strategy = _d(_d(m.obj.get("spec")).get("strategy"))
    if strategy.get("type") == "Recreate":
        return None
    rolling = _d(strategy.get("rollingUpdate"))
    surge = _scaled(rolling.get("maxSurge", "25%"), replicas, up=True)
    unavailable = _scaled(rolling.get("maxUnavailable", "25%"), replicas, up=False)
    if surge is None or unavailable is None:
        return None
    return surge, unavailable


@rule(
    "workloads/anti-affinity-replicas",
    "required anti-affinity with more replicas than the declared nodes",
)
def anti_affinity_replicas(ctx: RuleContext) -> Iterator[Finding]:
    """A required anti-affinity term that matches the pod's own labels allows one pod per
    domain of its ``topologyKey`` (per node for ``kubernetes.io/hostname``). With more
    replicas than the declared cluster has domains, the rest stay Pending (``didn't match
    pod anti-affinity rules``): an error. With exactly as many, a Deployment's rolling update
    that surges and keeps every old pod (``maxUnavailable: 0``) never finishes: the new pod
    has nowhere to go (a warning). Judged only when the cluster declares ``nodePools``."""
    pools = ctx.cluster.node_pools
    if not pools:
        return
    for m in ctx.of_kind(*_REPLICATED):
        replicas = _replicas(m)
        for ps in pod_specs(m):
            eligible = _eligible(pools, ps)
            for path, term, required in _anti_affinity_terms(ps):
                selector = _selector(term.get("labelSelector"))
                key = term.get("topologyKey")
                if not required or selector is None or not isinstance(key, str):
                    continue
                if not selector.matches(ps.labels):
                    continue
                domains = _domains(eligible, key)
                if domains is None:
                    continue
                what = "node" if key == HOSTNAME_TOPOLOGY_KEY else f"{key} domain"
                if replicas > domains:
                    yield m.error(
                        "workloads/anti-affinity-replicas",
                        f"{path}.topologyKey",
                        f"{m.kind} {m.name!r} asks for {replicas} replicas with at most one "
                        f"per {what}, and the declared cluster has {domains} eligible: "
                        f"{replicas - domains} stay Pending",
                        f"lower replicas to {domains}, make the term preferred "
                        "(Affinity.one_per_node(labels, required=False)), or declare the "
                        "nodes the cluster has",
                    )
                    continue
                rollout = _rollout(m, replicas) if m.kind == "Deployment" else None
                if rollout is None:
                    continue
                surge, unavailable = rollout
                if replicas + surge > domains and unavailable == 0:
                    yield m.warning(
                        "workloads/anti-affinity-replicas",
                        f"{path}.topologyKey",
                        f"Deployment {m.name!r} fills all {domains} eligible {what}s with "
                        f"{replicas} replicas, one per {what}, and rolls out by adding "
                        f"{surge} before removing any (maxUnavailable 0): the new pods "
                        "stay Pending and the rollout never finishes",
                        "allow maxUnavailable: 1 (DeploymentStrategy.rolling(max_surge=0, "
                        "max_unavailable=1)), or run fewer replicas than nodes",
                    )


@rule("workloads/toleration", "a toleration the API server refuses")
def toleration(ctx: RuleContext) -> Iterator[Finding]:
    """The API server validates tolerations beyond the schema: operator ``Exists`` takes no
    value, an empty key needs ``Exists``, the effect is one of NoSchedule,
    PreferNoSchedule and NoExecute, and ``tolerationSeconds`` goes only with NoExecute."""
    for m, ps in ctx.pod_specs():
        for i, item in enumerate(_l(ps.spec.get("tolerations"))):
            if not isinstance(item, dict):
                continue
            for problem in toleration_problems(item):
                yield m.error(
                    "workloads/toleration",
                    f"{ps.path}.tolerations[{i}].{problem.field}",
                    problem.message,
                    problem.hint,
                )


def _tolerates(tolerations: list[Any], taint: str) -> bool:
    """Whether a toleration of the pod tolerates ``key[=value]:Effect`` (the scheduler's
    ``ToleratesTaint``: an empty key with Exists tolerates everything, an empty effect
    every effect, Equal (the default) compares the value)."""
    head, _, effect = taint.rpartition(":")
    key, _, value = head.partition("=")
    for item in tolerations:
        t = _d(item)
        if t.get("effect") not in (None, "", effect):
            continue
        operator = t.get("operator") or "Equal"
        if not t.get("key") and operator == "Exists":
            return True
        if t.get("key") != key:
            continue
        if operator == "Exists" or (operator == "Equal" and (t.get("value") or "") == value):
            return True
    return False


def _expression_matches(expr: dict[str, Any], labels: dict[str, str]) -> bool:
    key, operator = expr.get("key"), expr.get("operator")
    values = [str(v) for v in _l(expr.get("values"))]
    present = isinstance(key, str) and key in labels
    label = labels.get(key) if isinstance(key, str) else None
    if operator == "In":
        return label in values
    if operator == "NotIn":
        return label not in values
    if operator == "Exists":
        return present
    if operator == "DoesNotExist":
        return not present
    if operator in ("Gt", "Lt") and label is not None and label.lstrip("-").isdigit() and values:
        if not values[0].lstrip("-").isdigit():
            return True  # the API server refuses such a value: not judged here
        return int(label) > int(values[0]) if operator == "Gt" else int(label) < int(values[0])
    return operator not in ("Gt", "Lt")  # an unknown operator: the schema says


def _why_not(pool: NodePool, ps: PodSpecRef) -> str | None:
    """Why the scheduler would not place the pod on a node of ``pool`` (None: it may)."""
    selector = {str(k): str(v) for k, v in _d(ps.spec.get("nodeSelector")).items()}
    missing = [f"{k}={v}" for k, v in sorted(selector.items()) if pool.labels.get(k) != v]
    if missing:
        return f"its labels lack {', '.join(missing)} (nodeSelector)"
    required = _d(_d(_d(ps.spec.get("affinity")).get("nodeAffinity")).get(_REQUIRED))
    terms = [_d(t) for t in _l(required.get("nodeSelectorTerms"))]
    if terms and not any(
        t.get("matchFields")
        or all(_expression_matches(_d(e), pool.labels) for e in _l(t.get("matchExpressions")))
        for t in terms
    ):
        return "its labels meet no term of the required node affinity"
    tolerations = _l(ps.spec.get("tolerations"))
    for taint in pool.taints:
        if taint.rpartition(":")[2] in ("NoSchedule", "NoExecute") and not _tolerates(
            tolerations, taint
        ):
            return f"it has the taint {taint}, which the pod does not tolerate"
    return None


@rule("workloads/no-matching-node", "a pod that no declared node would take")
def no_matching_node(ctx: RuleContext) -> Iterator[Finding]:
    """The scheduler places a pod only on a node whose labels meet its ``nodeSelector`` and
    required node affinity and whose NoSchedule/NoExecute taints it tolerates; when no node
    qualifies the pod stays Pending (``0/3 nodes are available: 3 node(s) didn't match Pod's
    node affinity/selector``). Judged only when the cluster declares ``nodePools``, against
    their labels and taints; a DaemonSet (which then runs no pod at all) likewise."""
    pools = [p for p in ctx.cluster.node_pools if p.count > 0]
    if not ctx.cluster.node_pools:
        return
    for m, ps in ctx.pod_specs():
        if _d(ps.spec).get("nodeName"):
            continue  # bound by hand: the scheduler does not place it
        reasons = [(p, _why_not(p, ps)) for p in pools]
        if any(reason is None for _, reason in reasons):
            continue
        shown = "; ".join(f"pool {p.name!r}: {r}" for p, r in reasons) or "no node at all"
        yield m.error(
            "workloads/no-matching-node",
            f"{ps.path}.nodeSelector"
            if ps.spec.get("nodeSelector")
            else f"{ps.path}.affinity"
            if _d(ps.spec.get("affinity")).get("nodeAffinity")
            else f"{ps.path}.tolerations",
            f"no declared node would take the pods of {m.kind} {m.name!r} ({shown}): "
            + ("they stay Pending" if m.kind != "DaemonSet" else "it runs no pod"),
            "match the nodeSelector or affinity to a pool's labels, tolerate its taints, "
            "or declare the nodes the cluster has (Cluster(node_pools=[...]))",
        )
