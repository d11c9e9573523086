"""The reachability model with Calico policies beside Kubernetes ones, on hand-worked cases.

The cluster (namespace ``shop``): client, web (TCP 8080 named ``http``), db (TCP 5432),
metrics (labelled ``monitor``, TCP 9100). Policies, in Calico's evaluation order:

- order 10, Calico NetworkPolicy ``deny-client-db``: db ingress, Deny from app == 'client';
- order 50, GlobalNetworkPolicy ``pass-monitoring``: ingress of has(monitor), Pass;
- order 100, Calico ``allow-web``: web ingress Log, then Allow TCP ``http`` from client;
  web egress Allow TCP 5432 to app == 'db';
- order 200, Calico ``client-out``: client egress Allow everything;
- order 1000, the Kubernetes NetworkPolicy ``db-from-web``: db ingress from web, TCP 5432;
- no order (last), GlobalNetworkPolicy ``default-deny``: every pod outside kube-system,
  both directions, egress Allow UDP/TCP 53 to kube-dns in kube-system.
"""

from __future__ import annotations

from typing import Any

import pytest

from k8sdsl.network import Reachability
from k8sdsl.network._calico_selector import parse_selector


def deployment(name: str, labels: dict[str, str], ports: list[dict[str, Any]]) -> dict[str, Any]:
    return {
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "metadata": {"name": name, "namespace": "shop"},
        "spec": {
            "selector": {"matchLabels": labels},
            "template": {
                "metadata": {"labels": labels},
                "spec": {"containers": [{"name": name, "image": "busybox", "ports": ports}]},
            },
        },
    }


def calico(kind: str, name: str, spec: dict[str, Any]) -> dict[str, Any]:
    metadata: dict[str, Any] = {"name": name}
    if kind == "NetworkPolicy":
        metadata["namespace"] = "shop"
    return {"apiVersion": "projectcalico.org/v3", "kind": kind, "metadata": metadata, "spec": spec}


DNS = {
    "selector": "k8s-app == 'kube-dns'",
    "namespaceSelector": "projectcalico.org/name == 'kube-system'",
    "ports": [53],
}
OBJECTS = [
    {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "shop"}},
    deployment("client", {"app": "client"}, []),
    deployment("web", {"app": "web"}, [{"containerPort": 8080, "name": "http"}]),
    deployment("db", {"app": "db"}, [{"containerPort": 5432}]),
    deployment("metrics", {"app": "metrics", "monitor": "yes"}, [{"containerPort": 9100}]),
    calico(
        "NetworkPolicy",
        "deny-client-db",
        {
            "order": 10,
            "selector": "app == 'db'",
            "ingress": [{"action": "Deny", "source": {"selector": "app == 'client'"}}],
        },
    ),
    calico(
        "GlobalNetworkPolicy",
        "pass-monitoring",
        {
            "order": 50,
            "selector": "has(monitor)",
            "types": ["Ingress"],
            "ingress": [{"action": "Pass"}],
        },
    ),
    calico(
        "NetworkPolicy",
        "allow-web",
        {
            "order": 100,
            "selector": "app == 'web'",
            "types": ["Ingress", "Egress"],
            "ingress": [
                {"action": "Log"},
                {
                    "action": "Allow",
                    "protocol": "TCP",
                    "source": {"selector": "app == 'client'"},
                    "destination": {"ports": ["http"]},
                },
            ],
            "egress": [
                {
                    "action": "Allow",
                    "protocol": "TCP",
                    "destination": {"selector": "app == 'db'", "ports": [5432]},
                }
            ],
        },
    ),
    calico(
        "NetworkPolicy",
        "client-out",
        {"order": 200, "selector": "app == 'client'", "egress": [{"action": "Allow"}]},
    ),
    {
        "apiVersion": "networking.k8s.io/v1",
        "kind": "NetworkPolicy",
        "metadata": {"name": "db-from-web", "namespace": "shop"},
        "spec": {
            "podSelector": {"matchLabels": {"app": "db"}},
            "ingress": [
                {
                    "from": [{"podSelector": {"matchLabels": {"app": "web"}}}],
                    "ports": [{"port": 5432}],
                }
            ],
        },
    },
    calico(
        "GlobalNetworkPolicy",
        "default-deny",
        {
            "selector": "projectcalico.org/namespace != 'kube-system'",
            "types": ["Ingress", "Egress"],
            "egress": [
                {"action": "Allow", "protocol": "UDP", "destination": DNS},
                {"action": "Allow", "protocol": "TCP", "destination": DNS},
            ],
        },
    ),
]


@pytest.fixture(scope="module")
def net() -> Reachability:
    return Reachability.from_objects(OBJECTS)


def test_calico_policies_are_read_in_order(net: Reachability) -> None:
    assert [p.id for p in net.calico_policies] == [
        "Calico NetworkPolicy shop/deny-client-db",
        "GlobalNetworkPolicy pass-monitoring",
        "Calico NetworkPolicy shop/allow-web",
        "Calico NetworkPolicy shop/client-out",
        "GlobalNetworkPolicy default-deny",
    ]
    # a Calico NetworkPolicy is not read as a Kubernetes one
    assert [p.id for p in net.policies] == ["shop/db-from-web"]


def test_allow_by_a_calico_rule_after_a_log_rule(net: Reachability) -> None:
    verdict = net.check("shop/client", "shop/web", port="http")
    assert verdict.evaluated and verdict.allowed and verdict.port == 8080
    assert "ingress allowed by Calico NetworkPolicy shop/allow-web ingress[1] (Allow)" in (
        verdict.explain()
    )
    assert "egress allowed by Calico NetworkPolicy shop/client-out egress[0]" in verdict.explain()


def test_what_no_rule_decides_is_denied_at_the_end_of_the_tier(net: Reachability) -> None:
    verdict = net.check("shop/client", "shop/web", port=9090)
    assert not verdict.allowed
    assert "ingress denied: no rule of the default tier decides (end of tier)" in (
        verdict.explain()
    )


def test_a_lower_order_deny_wins_over_a_later_allow(net: Reachability) -> None:
    # client-out allows client's egress; deny-client-db (order 10) denies before the
    # Kubernetes policy or anything else is looked at
    verdict = net.check("shop/client", "shop/db", port=5432)
    assert not verdict.allowed
    assert "ingress denied by Calico NetworkPolicy shop/deny-client-db ingress[0] (Deny)" in (
        verdict.explain()
    )


def test_the_kubernetes_policy_decides_at_order_1000(net: Reachability) -> None:
    verdict = net.check("shop/web", "shop/db", port=5432)
    assert verdict.allowed
    assert "ingress allowed by shop/db-from-web (order 1000)" in verdict.explain()
    assert "egress allowed by Calico NetworkPolicy shop/allow-web egress[0] (Allow)" in (
        verdict.explain()
    )
    # web's egress opens 5432 only: 5433 falls through to the default deny
    assert not net.check("shop/web", "shop/db", port=5433).allowed
    assert (
        net.allowed_ports(
            net.pod("web", namespace="shop"), net.pod("db", namespace="shop")
        ).describe()
        == "TCP 5432"
    )


def test_pass_skips_the_rest_of_the_tier(net: Reachability) -> None:
    verdict = net.check("shop/client", "shop/metrics", port=9100)
    assert verdict.allowed
    assert (
        "ingress passed by GlobalNetworkPolicy pass-monitoring ingress[0] to the namespace "
        "profile, which allows" in verdict.explain()
    )
    # without Pass, default-deny denies db's other ports (no ingress rules)
    assert not net.check("shop/web", "shop/db", port=22).allowed


def test_the_global_policy_keeps_cluster_dns(net: Reachability) -> None:
    for name in ("client", "web", "db", "metrics"):
        assert net.dns_access(net.pod(name, namespace="shop")) == (True, True)
    # db's egress: default-deny allows DNS only
    db = net.pod("db", namespace="shop")
    assert net.allowed_ports(db, net.pod("web", namespace="shop")).is_empty()
    assert net.allowed_ports(db, net.cluster_dns).describe() == "TCP 53, UDP 53"


def test_a_selector_outside_the_subset_is_not_evaluated() -> None:
    fancy = calico(
        "NetworkPolicy",
        "fancy",
        {"order": 5, "selector": "app in {'web'}", "ingress": [{"action": "Deny"}]},
    )
    net = Reachability.from_objects([*OBJECTS, fancy])
    verdict = net.check("shop/client", "shop/web", port="http")
    assert not verdict.evaluated
    assert verdict.explain().startswith(
        "shop/client (Deployment) -> shop/web (Deployment) TCP 8080: not evaluated"
    )
    assert "app in {'web'}" in verdict.explain()
    # the egress side (client-out) is still evaluated
    assert verdict.egress is not None and verdict.egress.evaluated
    assert "not evaluated" in net.format()
    assert {"from": "shop/client", "to": "shop/web", "ports": "not evaluated"} in net.to_dict()[
        "connections"
    ]


def test_an_unevaluated_rule_field_makes_its_policy_not_evaluated() -> None:
    odd = calico(
        "NetworkPolicy",
        "odd",
        {
            "selector": "app == 'web'",
            "ingress": [{"action": "Allow", "source": {"notSelector": "x == 'y'"}}],
        },
    )
    net = Reachability.from_objects([*OBJECTS, odd])
    verdict = net.check("shop/client", "shop/web", port=8080)
    assert not verdict.evaluated
    assert "ingress[0].source.notSelector is not evaluated" in verdict.explain()


def test_without_calico_policies_nothing_changes() -> None:
    plain = [o for o in OBJECTS if o["apiVersion"] != "projectcalico.org/v3"]
    net = Reachability.from_objects(plain)
    assert net.calico_policies == ()
    assert net.check("shop/client", "shop/web", port=9090).allowed
    assert not net.check("shop/client", "shop/db", port=5432).allowed


@pytest.mark.parametrize(
    ("selector", "labels", "expected"),
    [
        ("all()", {}, True),
        ("", {"a": "b"}, True),
        ("app == 'web'", {"app": "web"}, True),
        ('app == "web"', {"app": "db"}, False),
        ("app != 'web'", {}, True),
        ("app != 'web'", {"app": "web"}, False),
        ("has(role) && app == 'web'", {"app": "web", "role": "x"}, True),
        ("has(role) && app == 'web'", {"app": "web"}, False),
        ("!has(role)", {"app": "web"}, True),
        ("a == 'x && y'", {"a": "x && y"}, True),
    ],
)
def test_the_evaluated_selector_subset(
    selector: str, labels: dict[str, str], expected: bool
) -> None:
    matcher = parse_selector(selector)
    assert matcher is not None and matcher(labels) is expected


@pytest.mark.parametrize(
    "selector",
    [
        "app in {'web'}",
        "a == 'x' || b == 'y'",
        "(app == 'web')",
        "app contains 'w'",
        "global()",
        "app == 'web",
        "&& has(a)",
    ],
)
def test_selectors_outside_the_subset_are_not_parsed(selector: str) -> None:
    assert parse_selector(selector) is None


def test_format_and_explain_network_on_yaml(
    net: Reachability, tmp_path: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    import yaml

    from k8sdsl.cli import main

    text = net.format()
    assert "      ingress: isolated by shop/db-from-web" in text
    assert (
        "      ingress (Calico, in order): Calico NetworkPolicy shop/deny-client-db, "
        "GlobalNetworkPolicy default-deny" in text
    )
    assert "  shop/db ingress from: Calico policies apply" in text
    path = tmp_path / "shop.yaml"
    path.write_text(yaml.safe_dump_all(OBJECTS))
    assert main(["explain", "network", str(path)]) == 0
    out = capsys.readouterr().out
    assert out.strip() == text.strip()
    pods = {p["id"]: p for p in net.to_dict()["pods"]}
    assert pods["shop/web"]["calicoEgress"] == [
        "Calico NetworkPolicy shop/allow-web",
        "GlobalNetworkPolicy default-deny",
    ]
