"""The network rules and the reachability model on YAML nobody validated: maps where lists
belong, scalars where maps belong. The rules report what they can and stay quiet on the
rest; they never fail (``internal/rule-failed``), and a malformed part of a policy allows
nothing rather than everything.

The rules run here without the registry's retry over schema-valid objects, so each rule
must cope on its own.
"""

from __future__ import annotations

import copy
from collections.abc import Iterator
from typing import Any

import pytest

from k8sdsl.core import K8sVersion, Manifest
from k8sdsl.network import Reachability
from k8sdsl.rules import registered_rules, run_rules

RULES = [r.id for r in registered_rules() if r.topic == "network"]
ODD: list[Any] = [None, 5, "x", True, 1.5, [], {}, [5], ["x"], {"a": 1}, [{"a": 1}], [[]]]

POLICY: dict[str, Any] = {
    "apiVersion": "networking.k8s.io/v1",
    "kind": "NetworkPolicy",
    "metadata": {"name": "db", "namespace": "apps"},
    "spec": {
        "podSelector": {"matchLabels": {"role": "db"}},
        "policyTypes": ["Ingress", "Egress"],
        "ingress": [
            {
                "from": [
                    {"ipBlock": {"cidr": "172.17.0.0/16", "except": ["172.17.1.0/24"]}},
                    {"namespaceSelector": {}, "podSelector": {"matchLabels": {"a": "b"}}},
                ],
                "ports": [{"protocol": "TCP", "port": "redis"}, {"port": 80, "endPort": 90}],
            }
        ],
        "egress": [
            {
                "to": [
                    {
                        "namespaceSelector": {
                            "matchLabels": {"kubernetes.io/metadata.name": "kube-system"}
                        },
                        "podSelector": {"matchLabels": {"k8s-app": "kube-dns"}},
                    }
                ],
                "ports": [{"protocol": "UDP", "port": 53}, {"protocol": "TCP", "port": 53}],
            }
        ],
    },
}
POD: dict[str, Any] = {
    "apiVersion": "v1",
    "kind": "Pod",
    "metadata": {"name": "db", "namespace": "apps", "labels": {"role": "db"}},
    "spec": {
        "dnsConfig": {"nameservers": ["10.96.0.10"]},
        "initContainers": [{"name": "i", "image": "x:1", "ports": [{"containerPort": 1}]}],
        "containers": [
            {"name": "c", "image": "x:1", "ports": [{"containerPort": 6379, "name": "redis"}]}
        ],
    },
}


def _crashes(objects: list[dict[str, Any]]) -> list[str]:
    v = K8sVersion("1.35")
    manifests = [Manifest(o, f"test[{i}]", v) for i, o in enumerate(objects)]
    findings = run_rules(manifests, {"k8s_version": v}, RULES)
    return [f.message for f in findings if f.code == "internal/rule-failed"]


def _paths(node: Any, prefix: tuple[Any, ...] = ()) -> Iterator[tuple[Any, ...]]:
    if prefix:
        yield prefix
    if isinstance(node, dict):
        for k, v in node.items():
            yield from _paths(v, (*prefix, k))
    elif isinstance(node, list):
        for i, v in enumerate(node):
            yield from _paths(v, (*prefix, i))


def _replaced(obj: dict[str, Any], path: tuple[Any, ...], value: Any) -> dict[str, Any]:
    out = copy.deepcopy(obj)
    node = out
    for key in path[:-1]:
        node = node[key]
    node[path[-1]] = copy.deepcopy(value)
    return out


@pytest.mark.parametrize(
    ("obj", "path", "value"),
    [
        ("policy", ("spec", "ingress", 0, "from"), 5),
        ("policy", ("spec", "egress", 0, "to"), True),
        ("policy", ("spec", "ingress", 0, "ports"), 5),
        ("policy", ("spec", "egress", 0, "ports"), 1.5),
        ("policy", ("spec", "ingress", 0, "from", 0, "ipBlock", "except"), 5),
        ("pod", ("spec", "containers", 0, "ports"), 5),
        ("pod", ("spec", "initContainers"), True),
    ],
    ids=str,
)
def test_known_crashes_are_gone(obj: str, path: tuple[Any, ...], value: Any) -> None:
    objects = [POLICY, POD]
    index = 0 if obj == "policy" else 1
    objects[index] = _replaced(objects[index], path, value)
    assert _crashes(objects) == []


@pytest.mark.parametrize("which", ["policy", "pod"])
def test_every_part_may_be_any_shape(which: str) -> None:
    """Each node of the policy (or the pod) replaced by odd values: no rule crashes. (The
    pod's own ``metadata.labels``/``annotations`` are read by the shared pod-spec lookup
    in ``k8sdsl.core``; they are left out here.)"""
    base = POLICY if which == "policy" else POD
    failures = []
    for path in _paths(base):
        if path[0] in ("apiVersion", "kind") or path[:2] == ("metadata", "labels"):
            continue
        for value in ODD:
            changed = _replaced(base, path, value)
            objects = [changed, POD] if which == "policy" else [POLICY, changed]
            crashes = _crashes(objects)
            if crashes:
                failures.append(f"{'.'.join(map(str, path))} = {value!r}: {crashes[0]}")
    assert failures == []


def test_an_except_that_is_not_a_list_gives_no_finding_per_character() -> None:
    """``except: 172.17.1.0/24`` (a string, not a list) is the schema's to report; the CIDR
    rules must not judge it character by character."""
    policy = _replaced(
        POLICY, ("spec", "ingress", 0, "from", 0, "ipBlock", "except"), "172.17.1.0/24"
    )
    v = K8sVersion("1.35")
    manifests = [Manifest(policy, "test[0]", v)]
    findings = run_rules(
        manifests, {"k8s_version": v}, ["network/invalid-cidr", "network/except-outside-cidr"]
    )
    assert findings == []


def _db_and_client(rule: dict[str, Any]) -> Reachability:
    policy = copy.deepcopy(POLICY)
    policy["spec"]["policyTypes"] = ["Ingress"]
    policy["spec"]["ingress"] = [rule]
    del policy["spec"]["egress"]
    client = copy.deepcopy(POD)
    client["metadata"] = {"name": "client", "namespace": "apps", "labels": {"a": "b"}}
    return Reachability.from_objects([policy, POD, client])


@pytest.mark.parametrize(
    "rule",
    [
        {"from": 5},
        {"from": {"podSelector": {}}},
        {"ports": 5},
        {"ports": [5, "x"]},
        {"ports": {"port": 6379}},
    ],
    ids=str,
)
def test_a_malformed_peer_or_port_list_allows_nothing(rule: dict[str, Any]) -> None:
    net = _db_and_client(rule)
    assert not net.check("apps/client", "apps/db", port=6379)


@pytest.mark.parametrize("rule", [{}, {"from": None, "ports": None}, {"from": [], "ports": []}])
def test_missing_null_or_empty_peers_and_ports_allow_everything(rule: dict[str, Any]) -> None:
    net = _db_and_client(rule)
    assert net.check("apps/client", "apps/db", port=6379)
