"""Reachability: who may talk to whom, with Kubernetes' NetworkPolicy semantics."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

from k8sdsl import App, Chart, Namespace
from k8sdsl.network import (
    CLUSTER_DNS,
    Address,
    DatabaseAccessPolicy,
    DefaultDenyPolicy,
    PortSet,
    Reachability,
)

FIXTURES = Path(__file__).parent / "fixtures"


def pod(
    name: str, labels: dict[str, str], namespace: str = "default", **spec: Any
) -> dict[str, Any]:
    container: dict[str, Any] = {"name": "c", "image": "x"}
    if "ports" in spec:
        container["ports"] = spec.pop("ports")
    return {
        "apiVersion": "v1",
        "kind": "Pod",
        "metadata": {"name": name, "namespace": namespace, "labels": labels},
        "spec": {"containers": [container], **spec},
    }


def namespace(name: str, labels: dict[str, str]) -> dict[str, Any]:
    return {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": name, "labels": labels}}


def policy(name: str, spec: dict[str, Any], ns: str = "default") -> dict[str, Any]:
    return {
        "apiVersion": "networking.k8s.io/v1",
        "kind": "NetworkPolicy",
        "metadata": {"name": name, "namespace": ns},
        "spec": spec,
    }


def notes_example() -> Reachability:
    """The notes' example policy with a db, a frontend, another pod and a myproject pod."""
    policies = list(yaml.safe_load_all((FIXTURES / "notes-policies.yaml").read_text()))[:1]
    return Reachability.from_objects(
        [
            *policies,
            namespace("shop", {"project": "myproject"}),
            pod("db", {"role": "db"}, ports=[{"containerPort": 6379, "name": "redis"}]),
            pod("frontend", {"role": "frontend"}),
            pod("other", {"role": "other"}),
            pod("client", {"role": "anything"}, namespace="shop"),
            pod("frontend", {"role": "frontend"}, namespace="elsewhere"),
        ]
    )


# The table: each case is (source, target, port, allowed).
NOTES_CASES = [
    ("default/frontend", "default/db", 6379, True),  # podSelector role=frontend
    ("default/other", "default/db", 6379, False),  # matches no peer
    ("default/frontend", "default/db", 6380, False),  # peer matches, port does not
    ("shop/client", "default/db", 6379, True),  # namespaceSelector project=myproject
    ("elsewhere/frontend", "default/db", 6379, False),  # podSelector alone: same namespace only
    ("172.17.2.9", "default/db", 6379, True),  # inside the ipBlock
    ("172.17.1.5", "default/db", 6379, False),  # refused by the except
    ("172.18.0.1", "default/db", 6379, False),  # outside the ipBlock
    ("default/db", "10.0.0.7", 5978, True),  # egress ipBlock and port
    ("default/db", "10.0.0.7", 5979, False),
    ("default/db", "8.8.8.8", 5978, False),  # egress is isolated
    ("default/db", "default/frontend", 80, False),  # egress to pods is not allowed either
    ("default/frontend", "default/other", 80, True),  # neither pod is isolated
    ("default/other", "8.8.8.8", 53, True),
]


@pytest.mark.parametrize(("source", "target", "port", "allowed"), NOTES_CASES)
def test_notes_example_table(source: str, target: str, port: int, allowed: bool) -> None:
    verdict = notes_example().check(source, target, port=port)
    assert verdict.allowed is allowed, verdict.explain()
    assert bool(verdict) is allowed


def test_verdicts_explain_themselves() -> None:
    net = notes_example()
    assert net.check("default/frontend", "default/db", port=6379).explain() == (
        "default/frontend (Pod) -> default/db (Pod) TCP 6379: allowed (egress not isolated; "
        "ingress allowed by default/test-network-policy (TCP 6379))"
    )
    assert net.check("172.17.1.5", "default/db", port=6379).explain() == (
        "172.17.1.5 -> default/db (Pod) TCP 6379: denied (ingress isolated by "
        "default/test-network-policy; no rule matches the peer)"
    )
    assert "ingress: only TCP 6379" in net.check("default/frontend", "default/db", port=1).explain()


def test_named_ports_resolve_on_the_target() -> None:
    net = notes_example()
    assert net.check("default/frontend", "default/db", port="redis").port == 6379
    with pytest.raises(LookupError):
        net.check("default/frontend", "default/db", port="http")


def test_udp_is_not_tcp() -> None:
    assert not notes_example().check("default/frontend", "default/db", port=6379, protocol="UDP")


def test_the_notes_db_cannot_reach_cluster_dns() -> None:
    net = notes_example()
    assert net.dns_access(net.pod("db")) == (False, False)
    assert net.dns_access(net.pod("frontend")) == (True, True)


def test_isolation_is_per_direction() -> None:
    net = notes_example()
    db = net.pod("db")
    assert [p.id for p in net.isolating(db, "ingress")] == ["default/test-network-policy"]
    assert [p.id for p in net.isolating(db, "egress")] == ["default/test-network-policy"]
    assert net.isolating(net.pod("frontend"), "ingress") == []
    with pytest.raises(ValueError):
        net.isolating(db, "sideways")


def test_unknown_pod_lookup_lists_the_known_ones() -> None:
    with pytest.raises(LookupError, match="known: default/db"):
        notes_example().pod("cache")


# -- semantics ----------------------------------------------------------------------------


def test_policies_add_up() -> None:
    deny = policy("deny", {"podSelector": {}, "policyTypes": ["Ingress"]})
    allow_web = policy(
        "web",
        {
            "podSelector": {"matchLabels": {"app": "api"}},
            "policyTypes": ["Ingress"],
            "ingress": [
                {
                    "from": [{"podSelector": {"matchLabels": {"app": "web"}}}],
                    "ports": [{"port": 8080}],
                }
            ],
        },
    )
    allow_mon = policy(
        "mon",
        {
            "podSelector": {"matchLabels": {"app": "api"}},
            "policyTypes": ["Ingress"],
            "ingress": [
                {
                    "from": [{"podSelector": {"matchLabels": {"app": "mon"}}}],
                    "ports": [{"port": 9090}],
                }
            ],
        },
    )
    net = Reachability.from_objects(
        [
            deny,
            allow_web,
            allow_mon,
            pod("api", {"app": "api"}),
            pod("web", {"app": "web"}),
            pod("mon", {"app": "mon"}),
        ]
    )
    api, web, mon = net.pod("api"), net.pod("web"), net.pod("mon")
    assert net.allowed_ports(web, api).describe() == "TCP 8080"
    assert net.allowed_ports(mon, api).describe() == "TCP 9090"
    assert net.allowed_ports(api, web).is_empty()  # the default deny isolates web too
    assert net.allowed_ports(web, mon).is_empty()  # default deny, no allow for mon
    assert [p.id for p in net.isolating(api, "ingress")] == [
        "default/deny",
        "default/web",
        "default/mon",
    ]


def test_both_sides_must_allow() -> None:
    egress_only_to_db = policy(
        "client",
        {
            "podSelector": {"matchLabels": {"app": "client"}},
            "policyTypes": ["Egress"],
            "egress": [{"to": [{"podSelector": {"matchLabels": {"app": "db"}}}]}],
        },
    )
    db_ingress_only_web = policy(
        "db",
        {
            "podSelector": {"matchLabels": {"app": "db"}},
            "policyTypes": ["Ingress"],
            "ingress": [{"from": [{"podSelector": {"matchLabels": {"app": "web"}}}]}],
        },
    )
    net = Reachability.from_objects(
        [
            egress_only_to_db,
            db_ingress_only_web,
            pod("client", {"app": "client"}),
            pod("db", {"app": "db"}),
            pod("web", {"app": "web"}),
        ]
    )
    verdict = net.check("default/client", "default/db", port=5432)
    assert verdict.egress is not None and verdict.egress.ports.is_all()
    assert verdict.ingress is not None and verdict.ingress.ports.is_empty()
    assert not verdict
    assert net.check("default/web", "default/db", port=5432)
    assert not net.check("default/client", "default/web", port=80)  # client egress: db only


def test_missing_policy_types_mean_ingress_plus_egress_when_there_are_egress_rules() -> None:
    allow_all_egress = policy("allow-all", {"podSelector": {}, "egress": [{}]})
    net = Reachability.from_objects([allow_all_egress, pod("a", {"app": "a"}), pod("b", {})])
    # the notes' "allow all outgoing traffic" also denies every incoming connection
    assert not net.check("default/a", "default/b", port=80)
    assert net.check("default/a", "8.8.8.8", port=443)


def test_namespace_and_pod_selector_together_need_both() -> None:
    spec = {
        "podSelector": {},
        "policyTypes": ["Ingress"],
        "ingress": [
            {
                "from": [
                    {
                        "namespaceSelector": {"matchLabels": {"team": "a"}},
                        "podSelector": {"matchLabels": {"role": "client"}},
                    }
                ]
            }
        ],
    }
    net = Reachability.from_objects(
        [
            policy("p", spec, ns="srv"),
            namespace("team-a", {"team": "a"}),
            pod("srv", {}, namespace="srv"),
            pod("client", {"role": "client"}, namespace="team-a"),
            pod("other", {"role": "other"}, namespace="team-a"),
            pod("client", {"role": "client"}, namespace="team-b"),
        ]
    )
    assert net.check("team-a/client", "srv/srv", port=1)
    assert not net.check("team-a/other", "srv/srv", port=1)
    assert not net.check("team-b/client", "srv/srv", port=1)


def test_metadata_name_label_is_always_present() -> None:
    spec = {
        "podSelector": {},
        "policyTypes": ["Ingress"],
        "ingress": [
            {
                "from": [
                    {"namespaceSelector": {"matchLabels": {"kubernetes.io/metadata.name": "web"}}}
                ]
            }
        ],
    }
    net = Reachability.from_objects(
        [
            policy("p", spec),
            pod("db", {}),
            pod("w", {}, namespace="web"),
            pod("x", {}, namespace="x"),
        ]
    )
    assert net.check("web/w", "default/db", port=1)
    assert not net.check("x/x", "default/db", port=1)
    assert net.namespace_labels("web") == {"kubernetes.io/metadata.name": "web"}


def test_end_port_ranges_and_protocol_without_port() -> None:
    spec = {
        "podSelector": {},
        "policyTypes": ["Ingress"],
        "ingress": [{"ports": [{"port": 32000, "endPort": 32768}, {"protocol": "UDP"}]}],
    }
    net = Reachability.from_objects([policy("p", spec), pod("a", {}), pod("b", {})])
    ports = net.allowed_ports(net.pod("a"), net.pod("b"))
    assert ports.describe() == "TCP 32000-32768, all UDP"
    assert ports.contains(32768) and not ports.contains(32769)
    assert ports.contains(5353, "UDP") and not ports.contains(1, "SCTP")


def test_named_port_rules_follow_the_destination_pod() -> None:
    spec = {
        "podSelector": {},
        "policyTypes": ["Ingress"],
        "ingress": [{"ports": [{"port": "http"}]}],
    }
    net = Reachability.from_objects(
        [
            policy("p", spec),
            pod("a", {"app": "a"}, ports=[{"containerPort": 8080, "name": "http"}]),
            pod("b", {"app": "b"}, ports=[{"containerPort": 9000, "name": "http"}]),
            pod("c", {"app": "c"}),
        ]
    )
    a, b, c = net.pod("a"), net.pod("b"), net.pod("c")
    assert net.allowed_ports(c, a).describe() == "TCP 8080"
    assert net.allowed_ports(c, b).describe() == "TCP 9000"
    assert net.allowed_ports(a, c).is_empty()  # c declares no port named http


def test_ip_blocks_never_match_pods_and_selectors_never_match_addresses() -> None:
    spec = {
        "podSelector": {},
        "policyTypes": ["Ingress"],
        "ingress": [{"from": [{"ipBlock": {"cidr": "0.0.0.0/0"}}]}],
    }
    net = Reachability.from_objects([policy("p", spec), pod("a", {}), pod("b", {})])
    assert not net.check("default/a", "default/b", port=80)
    assert net.check("203.0.113.9", "default/b", port=80)
    spec2 = {
        "podSelector": {},
        "policyTypes": ["Ingress"],
        "ingress": [{"from": [{"namespaceSelector": {}}]}],
    }
    net2 = Reachability.from_objects([policy("p", spec2), pod("a", {}), pod("b", {})])
    assert net2.check("default/a", "default/b", port=80)
    assert not net2.check("203.0.113.9", "default/b", port=80)


def test_ipv6_blocks() -> None:
    spec = {
        "podSelector": {},
        "policyTypes": ["Egress"],
        "egress": [{"to": [{"ipBlock": {"cidr": "2001:db8::/32", "except": ["2001:db8:1::/48"]}}]}],
    }
    net = Reachability.from_objects([policy("p", spec), pod("a", {})])
    assert net.check("default/a", "2001:db8::5", port=443)
    assert not net.check("default/a", "2001:db8:1::5", port=443)
    assert not net.check("default/a", "10.0.0.1", port=443)


def test_host_network_pods_are_never_isolated() -> None:
    deny = policy("deny", {"podSelector": {}, "policyTypes": ["Ingress", "Egress"]})
    net = Reachability.from_objects([deny, pod("h", {}, hostNetwork=True), pod("a", {})])
    assert net.isolating(net.pod("h"), "ingress") == []
    assert net.check("default/h", "8.8.8.8", port=53)
    assert not net.check("default/a", "8.8.8.8", port=53)


def test_policies_only_select_pods_of_their_namespace() -> None:
    deny = policy("deny", {"podSelector": {}, "policyTypes": ["Ingress"]}, ns="a")
    net = Reachability.from_objects(
        [deny, pod("x", {}, namespace="a"), pod("y", {}, namespace="b")]
    )
    assert not net.check("b/y", "a/x", port=1)
    assert net.check("a/x", "b/y", port=1)


def test_objects_without_namespace_are_in_default() -> None:
    deny = {
        "apiVersion": "networking.k8s.io/v1",
        "kind": "NetworkPolicy",
        "metadata": {"name": "deny"},
        "spec": {"podSelector": {}, "policyTypes": ["Ingress"]},
    }
    plain = {
        "apiVersion": "v1",
        "kind": "Pod",
        "metadata": {"name": "p"},
        "spec": {"containers": [{"name": "c", "image": "x"}]},
    }
    net = Reachability.from_objects([deny, plain])
    assert net.pod("p").namespace == "default"
    assert net.isolating(net.pod("p"), "ingress")


def test_malformed_parts_match_nothing() -> None:
    spec = {
        "podSelector": {},
        "policyTypes": ["Ingress"],
        "ingress": [
            {
                "from": [
                    {"ipBlock": {"cidr": "not-a-cidr"}},
                    {"podSelector": {"matchExpressions": [{"key": "a", "operator": "Bogus"}]}},
                    {"ipBlock": {"cidr": "10.0.0.0/8"}, "podSelector": {}},
                ]
            }
        ],
    }
    net = Reachability.from_objects([policy("p", spec), pod("a", {}), pod("b", {})])
    assert not net.check("default/a", "default/b", port=1)
    assert not net.check("10.1.1.1", "default/b", port=1)


def test_workload_templates_are_pod_groups(app: App) -> None:
    from k8sdsl.workloads import Deployment, SecurePodTemplate

    chart = Chart(app, "shop", namespace="shop")
    Namespace(chart, "shop", labels={"project": "myproject"})
    DatabaseAccessPolicy(chart, "db-policy")
    Deployment(
        chart,
        "db",
        template=SecurePodTemplate(image="registry.example/redis:7.2", labels={"role": "db"}),
    )
    Deployment(
        chart,
        "web",
        template=SecurePodTemplate(image="registry.example/web:1.0", labels={"role": "frontend"}),
    )
    net = Reachability.of(app)
    assert [p.describe() for p in net.pods] == ["shop/db (Deployment)", "shop/web (Deployment)"]
    assert net.check("shop/web", "shop/db", port=6379)
    assert net.dns_access(net.pod("db", namespace="shop")) == (True, True)


# -- port sets ----------------------------------------------------------------------------


def test_port_set_algebra() -> None:
    a = PortSet.of("TCP", 80).union(PortSet.of("TCP", 81)).union(PortSet.of("TCP", 100, 200))
    assert a.describe() == "TCP 80-81, TCP 100-200"
    b = PortSet.of("TCP", 150, 300).union(PortSet.of("UDP", 53))
    assert a.intersection(b).describe() == "TCP 150-200"
    assert PortSet.all().intersection(b) == b
    assert PortSet.none().describe() == "none" and PortSet.all().describe() == "all"
    assert PortSet.of("SCTP").describe() == "all SCTP"
    assert str(PortSet.of("UDP", 53)) == "UDP 53"


# -- reports ------------------------------------------------------------------------------


def test_format_prints_matrix_outside_and_dns() -> None:
    text = notes_example().format()
    assert "[1] default/db (Pod)  labels: role=db  ports: TCP 6379 (redis)" in text
    assert "ingress: isolated by default/test-network-policy" in text
    assert "default/db ingress from: 172.17.0.0/16 except 172.17.1.0/24: TCP 6379" in text
    assert "default/db egress to: 10.0.0.0/24: TCP 5978" in text
    assert "default/db: BLOCKED (UDP 53 and TCP 53 denied)" in text
    assert "default/frontend: reachable" in text
    rows = [line for line in text.splitlines() if line.startswith("  [2]  ")]
    assert rows == ["  [2]        TCP 6379  all   all   all   all"]


def test_format_without_pods() -> None:
    assert Reachability.from_objects([]).format().startswith("no pods found")


def test_to_dict_is_plain_data() -> None:
    data = notes_example().to_dict()
    db = next(p for p in data["pods"] if p["id"] == "default/db")
    assert db["clusterDns"] == {"udp": False, "tcp": False, "used": True}
    assert db["egressToOutside"] == [{"peer": "10.0.0.0/24", "ports": "TCP 5978"}]
    assert {"from": "default/frontend", "to": "default/db", "ports": "TCP 6379"} in data[
        "connections"
    ]
    assert data["policies"] == [
        {
            "id": "default/test-network-policy",
            "ingress": True,
            "egress": True,
            "selects": ["default/db"],
        }
    ]


def test_endpoints() -> None:
    assert Address.parse("10.0.0.1").describe() == "10.0.0.1"
    assert Reachability.address("::1").id == "::1"
    assert CLUSTER_DNS.namespace == "kube-system" and CLUSTER_DNS.external
    assert Reachability.from_objects([]).cluster_dns is CLUSTER_DNS


def test_default_deny_with_dns_keeps_dns_reachable(app: App) -> None:
    chart = Chart(app, "t", namespace="t")
    DefaultDenyPolicy(chart, "deny").allow_dns()
    net = Reachability.from_objects(
        [m.obj for m in chart.manifests()] + [pod("a", {}, namespace="t")]
    )
    a = net.pod("a", namespace="t")
    assert net.dns_access(a) == (True, True)
    assert not net.check(a, "8.8.8.8", port=53, protocol="UDP")
    assert net.allowed_ports(a, CLUSTER_DNS).describe() == "TCP 53, UDP 53"


def test_selectors_with_expressions_and_several_labels() -> None:
    by_expression = policy(
        "expr",
        {
            "podSelector": {
                "matchExpressions": [{"key": "tier", "operator": "In", "values": ["db", "cache"]}]
            },
            "policyTypes": ["Ingress"],
        },
    )
    by_two_labels = policy(
        "two",
        {"podSelector": {"matchLabels": {"app": "shop", "tier": "web"}}, "policyTypes": ["Egress"]},
    )
    net = Reachability.from_objects(
        [
            by_expression,
            by_two_labels,
            pod("db", {"app": "shop", "tier": "db"}),
            pod("web", {"app": "shop", "tier": "web"}),
            pod("other-web", {"app": "blog", "tier": "web"}),
        ]
    )
    assert [p.name for p in net.selected_pods(net.policies[0])] == ["db"]
    assert [p.name for p in net.selected_pods(net.policies[1])] == ["web"]
    assert [p.id for p in net.isolating(net.pod("db"), "ingress")] == ["default/expr"]
    assert [p.id for p in net.isolating(net.pod("web"), "egress")] == ["default/two"]
    assert net.isolating(net.pod("other-web"), "egress") == []
