"""Calico NetworkPolicy and GlobalNetworkPolicy values and resources."""

from __future__ import annotations

from typing import Any

import pytest

from k8sdsl import App, Chart, K8sDslError
from k8sdsl.network import (
    CalicoAction,
    CalicoEntityRule,
    CalicoNetworkPolicy,
    CalicoRule,
    GlobalNetworkPolicy,
    PolicyType,
)
from tests.conftest import assert_schema_valid


def chart() -> Chart:
    return Chart(App(), "calico", namespace="shop")


def test_a_namespaced_policy_renders_as_projectcalico_v3(yaml_snapshot: Any) -> None:
    c = chart()
    policy = CalicoNetworkPolicy(
        c,
        "allow-web",
        order=100,
        selector="app == 'web'",
        ingress=[
            CalicoRule(
                action=CalicoAction.ALLOW,
                protocol="TCP",
                source=CalicoEntityRule(selector="role == 'frontend'", nets=("10.0.0.0/8",)),
                destination=CalicoEntityRule(ports=(8080, "9000:9100", "metrics")),
            ),
            CalicoRule(action=CalicoAction.DENY),
        ],
    )
    obj = policy.to_k8s()
    assert (obj["apiVersion"], obj["kind"], obj["metadata"]["namespace"]) == (
        "projectcalico.org/v3",
        "NetworkPolicy",
        "shop",
    )
    assert obj["spec"]["types"] == ["Ingress"]
    assert obj["spec"]["ingress"][1] == {"action": "Deny"}
    glob = GlobalNetworkPolicy(
        c,
        "default-deny",
        namespace_selector="has(team)",
        egress=[CalicoRule(action=CalicoAction.PASS)],
    )
    gobj = glob.to_k8s()
    assert "namespace" not in gobj["metadata"]
    assert gobj["spec"]["types"] == ["Egress"]  # Calico's default for egress rules alone
    assert gobj["spec"]["namespaceSelector"] == "has(team)"
    assert [policy, glob] == yaml_snapshot
    assert_schema_valid([policy, glob])
    assert not c.node.scope.check().has_errors()  # type: ignore[union-attr]


def test_types_given_and_both_directions() -> None:
    c = chart()
    both = CalicoNetworkPolicy(
        c, "both", ingress=[CalicoRule(action="Allow")], egress=[CalicoRule(action="Allow")]
    )
    assert both.to_k8s()["spec"]["types"] == ["Ingress", "Egress"]
    deny = GlobalNetworkPolicy(c, "deny", types=[PolicyType.INGRESS, PolicyType.EGRESS])
    assert deny.to_k8s()["spec"] == {"selector": "all()", "types": ["Ingress", "Egress"]}


@pytest.mark.parametrize(
    "make",
    [
        lambda: CalicoRule(action="allow"),
        lambda: CalicoRule(action="Allow", protocol="HTTP"),
        lambda: CalicoRule(action="Allow", protocol=300),
        lambda: CalicoRule(action="Allow", destination=CalicoEntityRule(ports=(53,))),
        lambda: CalicoRule(
            action="Allow", protocol="ICMP", destination=CalicoEntityRule(ports=(53,))
        ),
        lambda: CalicoEntityRule(ports=(70000,)),
        lambda: CalicoEntityRule(ports=("90:80",)),
        lambda: CalicoEntityRule(ports=("Not_A_Name",)),
        lambda: CalicoEntityRule(nets=("10.0.0.0/33",)),
    ],
)
def test_bad_values_raise(make: Any) -> None:
    with pytest.raises(K8sDslError):
        make()
