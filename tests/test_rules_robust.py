"""Every rule survives malformed input: ``k8sdsl check`` reads YAML anyone wrote, so a rule
meets missing keys, wrong types and lists where maps belong. It must report or stay
quiet, never crash (a crash shows up as an ``internal/rule-failed`` finding)."""

from __future__ import annotations

import copy
import random
from pathlib import Path
from typing import Any

import pytest
import yaml

from k8sdsl._pipeline import schema_check
from k8sdsl.core import K8sVersion, Manifest, Report
from k8sdsl.rules import run_rules

DIST = Path(__file__).resolve().parent.parent / "dist"
WEIRD: list[Any] = [
    None,
    "",
    "x",
    0,
    -1,
    70000,
    1.5,
    True,
    [],
    {},
    [None],
    {"a": None},
    ["x"],
    {"": ""},
]


def check_like_the_cli(objects: list[dict[str, Any]]) -> Report:
    """What ``k8sdsl check`` runs: the schema, then every rule (retried over the objects
    that passed the schema when a rule fails on the whole input)."""
    v = K8sVersion("1.35")
    manifests = [Manifest(o, f"test[{i}]", v) for i, o in enumerate(objects)]
    findings, valid = schema_check(manifests)
    return Report.of(findings + run_rules(manifests, {"k8s_version": v}, well_formed=valid))


def dist_objects() -> list[dict[str, Any]]:
    objs = []
    for path in sorted(DIST.rglob("*.yaml")):  # configuration files in folders too
        objs += [o for o in yaml.safe_load_all(path.read_text()) if o]
    return objs


def paths(node: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    out = [prefix] if prefix else []
    if isinstance(node, dict):
        for k, v in node.items():
            out += paths(v, (*prefix, k))
    elif isinstance(node, list):
        for i, v in enumerate(node):
            out += paths(v, (*prefix, i))
    return out


def mutate(obj: dict[str, Any], rng: random.Random) -> dict[str, Any]:
    obj = copy.deepcopy(obj)
    for _ in range(rng.randint(1, 3)):
        candidates = [p for p in paths(obj) if p[0] not in ("apiVersion", "kind")]
        if not candidates:
            break
        path = rng.choice(candidates)
        parent: Any = obj
        for key in path[:-1]:
            parent = parent[key]
        if rng.random() < 0.3 and isinstance(parent, dict):
            del parent[path[-1]]
        else:
            parent[path[-1]] = copy.deepcopy(rng.choice(WEIRD))
    return obj


@pytest.mark.parametrize("seed", range(4))
def test_no_rule_crashes_on_mutated_objects(seed: int) -> None:
    rng = random.Random(seed)
    objects = dist_objects()
    assert objects, "dist/ is empty: run `make synth`"
    mutated = [mutate(o, rng) for o in objects for _ in range(3)]
    report = check_like_the_cli(mutated)
    crashes = [f for f in report.findings if f.code == "internal/rule-failed"]
    assert not crashes, "\n".join(f.message for f in crashes[:10])


def test_no_rule_crashes_on_non_objects_in_lists() -> None:
    weird = [
        {"apiVersion": "v1", "kind": "Pod", "metadata": None, "spec": None},
        {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": 1}, "spec": {"containers": {}}},
        {"apiVersion": "apps/v1", "kind": "Deployment", "spec": {"template": []}},
        {
            "apiVersion": "networking.k8s.io/v1",
            "kind": "NetworkPolicy",
            "spec": {"podSelector": [], "ingress": {"from": 1}, "egress": [None, 1]},
        },
        {"apiVersion": "v1", "kind": "PersistentVolumeClaim", "spec": {"resources": "1Gi"}},
        {
            "apiVersion": "v1",
            "kind": "PersistentVolume",
            "spec": {"capacity": [], "accessModes": "RWO", "nfs": "x"},
        },
        {"apiVersion": "storage.k8s.io/v1", "kind": "StorageClass", "parameters": [1]},
        {"apiVersion": "v1", "kind": "Namespace", "metadata": {"labels": ["x"]}},
        {"apiVersion": "v1", "kind": "Service", "spec": {"selector": "app", "ports": [1]}},
    ]
    report = check_like_the_cli(weird)
    crashes = [f for f in report.findings if f.code == "internal/rule-failed"]
    assert not crashes, "\n".join(f.message for f in crashes[:10])


def test_rules_read_malformed_pods_directly_without_the_retry() -> None:
    """The pod-spec lookup every pod rule shares reads odd shapes leniently."""
    weird = [
        {
            "apiVersion": "v1",
            "kind": "Pod",
            "metadata": {"name": "p", "labels": ["x"]},
            "spec": {"containers": 3, "initContainers": True},
        },
        {
            "apiVersion": "apps/v1",
            "kind": "Deployment",
            "metadata": {"name": "d"},
            "spec": {
                "template": {"metadata": {"annotations": 5}, "spec": {"containers": {"a": 1}}}
            },
        },
    ]
    v = K8sVersion("1.35")
    manifests = [Manifest(o, f"test[{i}]", v) for i, o in enumerate(weird)]
    findings = run_rules(manifests, {"k8s_version": v})
    assert not [f for f in findings if f.code == "internal/rule-failed"]
