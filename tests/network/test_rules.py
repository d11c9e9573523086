"""Every network rule: one input that triggers it, one where it stays quiet.

Rules run over plain dicts (as ``k8sdsl check`` does), so these inputs are what someone
might write by hand.
"""

from __future__ import annotations

from typing import Any

import pytest

from k8sdsl import App, Chart, Namespace
from k8sdsl.core import K8sDslError
from k8sdsl.network import (
    AllowDnsEgressPolicy,
    DefaultDenyPolicy,
    PolicyDirection,
)
from k8sdsl.rules import registered_rules
from tests.conftest import check_objects

NETWORK_RULES = [
    "network/cluster-overlap",
    "network/dns-config-missing",
    "network/dns-egress-blocked",
    "network/end-port-range",
    "network/except-outside-cidr",
    "network/host-network-dns",
    "network/ignored-rules",
    "network/implicit-policy-types",
    "network/ingress-backend",
    "network/ingress-backend-source",
    "network/ingress-class",
    "network/ingress-empty",
    "network/ingress-host",
    "network/ingress-path",
    "network/ingress-port",
    "network/ingress-tls-host",
    "network/ingress-tls-secret",
    "network/invalid-cidr",
    "network/invalid-peer",
    "network/invalid-port",
    "network/ipblock-covers-pods",
    "network/policy-not-enforced",
    "network/policy-type",
    "network/selects-no-pod",
    "network/unknown-named-port",
]


def policy(
    spec: dict[str, Any], name: str = "p", namespace: str | None = "default"
) -> dict[str, Any]:
    meta: dict[str, Any] = {"name": name}
    if namespace:
        meta["namespace"] = namespace
    return {
        "apiVersion": "networking.k8s.io/v1",
        "kind": "NetworkPolicy",
        "metadata": meta,
        "spec": spec,
    }


def pod(
    name: str,
    labels: dict[str, str],
    *,
    namespace: str = "default",
    ports: list[dict[str, Any]] | None = None,
    **spec: Any,
) -> dict[str, Any]:
    container: dict[str, Any] = {"name": "c", "image": "registry.example/app:1"}
    if ports:
        container["ports"] = ports
    return {
        "apiVersion": "v1",
        "kind": "Pod",
        "metadata": {"name": name, "namespace": namespace, "labels": labels},
        "spec": {"containers": [container], **spec},
    }


def deployment(name: str, labels: dict[str, str], **spec: Any) -> dict[str, Any]:
    return {
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "metadata": {"name": name, "namespace": "default"},
        "spec": {
            "selector": {"matchLabels": labels},
            "template": {
                "metadata": {"labels": labels},
                "spec": {"containers": [{"name": "c", "image": "x"}], **spec},
            },
        },
    }


def ingress_from(*peers: dict[str, Any], ports: list[Any] | None = None) -> dict[str, Any]:
    rule: dict[str, Any] = {"from": list(peers)}
    if ports is not None:
        rule["ports"] = ports
    return {"podSelector": {}, "policyTypes": ["Ingress"], "ingress": [rule]}


def run(objects: list[dict[str, Any]], rule_id: str) -> Any:
    return check_objects(objects, only=[rule_id])


def test_every_network_rule_is_registered_and_tested() -> None:
    ids = sorted(r.id for r in registered_rules() if r.topic == "network")
    assert ids == NETWORK_RULES


@pytest.mark.parametrize("rule_id", NETWORK_RULES)
def test_every_rule_docstring_cites_kubernetes(rule_id: str) -> None:
    info = next(r for r in registered_rules() if r.id == rule_id)
    assert info.func.__doc__ and len(info.func.__doc__) > 80
    assert info.summary


# -- invalid-cidr -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("cidr", "hint"),
    [
        ("172.17.0.1/16", "write 172.17.0.0/16 (or /32 for the single address 172.17.0.1)"),
        ("2001:db8::1/32", "write 2001:db8::/32 (or /128 for the single address 2001:db8::1)"),
        ("10.0.0.7", "write 10.0.0.7/32 for the single address"),
        ("10.0.0.0/33", "write it as 'address/prefix', e.g. 10.0.0.0/24"),
        ("ten/8", "write it as 'address/prefix', e.g. 10.0.0.0/24"),
    ],
)
def test_invalid_cidr_triggers_with_the_right_form(cidr: str, hint: str) -> None:
    report = run([policy(ingress_from({"ipBlock": {"cidr": cidr}}))], "network/invalid-cidr")
    assert report.codes() == ["network/invalid-cidr"]
    finding = report.findings[0]
    assert finding.path == "spec.ingress[0].from[0].ipBlock.cidr"
    assert finding.hint == hint


def test_invalid_cidr_checks_except_entries() -> None:
    block = {"cidr": "10.0.0.0/16", "except": ["10.0.1.0/24", "10.0.2.9/24"]}
    report = run([policy(ingress_from({"ipBlock": block}))], "network/invalid-cidr")
    assert [f.path for f in report.findings] == ["spec.ingress[0].from[0].ipBlock.except[1]"]


def test_invalid_cidr_quiet_for_canonical_cidrs() -> None:
    block = {"cidr": "172.17.0.0/16", "except": ["172.17.1.0/24"]}
    six = {"cidr": "2001:db8::/32"}
    spec = ingress_from({"ipBlock": block}, {"ipBlock": six})
    assert run([policy(spec)], "network/invalid-cidr").codes() == []


# -- except-outside-cidr ------------------------------------------------------------------


@pytest.mark.parametrize("inner", ["172.18.1.0/24", "172.17.0.0/16", "172.16.0.0/12", "fd00::/8"])
def test_except_outside_cidr_triggers(inner: str) -> None:
    block = {"cidr": "172.17.0.0/16", "except": [inner]}
    report = run([policy(ingress_from({"ipBlock": block}))], "network/except-outside-cidr")
    assert report.codes() == ["network/except-outside-cidr"]
    assert report.findings[0].path == "spec.ingress[0].from[0].ipBlock.except[0]"
    assert "172.17.0.0/16" in report.findings[0].hint


def test_except_outside_cidr_in_egress() -> None:
    spec = {
        "podSelector": {},
        "policyTypes": ["Egress"],
        "egress": [{"to": [{"ipBlock": {"cidr": "10.0.0.0/24", "except": ["10.0.1.0/28"]}}]}],
    }
    report = run([policy(spec)], "network/except-outside-cidr")
    assert [f.path for f in report.findings] == ["spec.egress[0].to[0].ipBlock.except[0]"]


def test_except_outside_cidr_quiet_for_the_notes_block() -> None:
    block = {"cidr": "172.17.0.0/16", "except": ["172.17.1.0/24", "172.17.255.255/32"]}
    assert (
        run([policy(ingress_from({"ipBlock": block}))], "network/except-outside-cidr").codes() == []
    )


# -- invalid-peer -------------------------------------------------------------------------


def test_invalid_peer_triggers_for_ip_block_with_selector_and_empty_peer() -> None:
    spec = ingress_from(
        {"ipBlock": {"cidr": "10.0.0.0/8"}, "namespaceSelector": {}},
        {},
    )
    report = run([policy(spec)], "network/invalid-peer")
    assert [(f.code, f.path) for f in report.findings] == [
        ("network/invalid-peer", "spec.ingress[0].from[0]"),
        ("network/invalid-peer", "spec.ingress[0].from[1]"),
    ]


def test_invalid_peer_quiet_for_both_selectors_together() -> None:
    spec = ingress_from(
        {"podSelector": {}, "namespaceSelector": {}}, {"ipBlock": {"cidr": "10.0.0.0/8"}}
    )
    assert run([policy(spec)], "network/invalid-peer").codes() == []


# -- invalid-port -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("port", "path", "hint"),
    [
        (
            {"protocol": "TCP", "port": 0},
            "port",
            "leave port out to allow every port of the protocol",
        ),
        ({"port": 70000}, "port", "use a port number from 1 to 65535"),
        ({"port": "6379"}, "port", "write port: 6379 without quotes"),
        ({"port": "Redis_Port"}, "port", "use 'redis-port'"),
        ({"protocol": "tcp", "port": 80}, "protocol", "use 'TCP'"),
        ({"protocol": "ICMP"}, "protocol", "use TCP, UDP or SCTP"),
        ({"port": 1.5}, "port", "use a number from 1 to 65535 or a container port name"),
    ],
)
def test_invalid_port_triggers(port: dict[str, Any], path: str, hint: str) -> None:
    report = run([policy(ingress_from(ports=[port]))], "network/invalid-port")
    assert report.codes() == ["network/invalid-port"]
    assert report.findings[0].path == f"spec.ingress[0].ports[0].{path}"
    assert report.findings[0].hint == hint


def test_invalid_port_quiet() -> None:
    ports = [
        {"protocol": "TCP", "port": 6379},
        {"protocol": "UDP", "port": "dns"},
        {"protocol": "SCTP"},
        {"port": 65535},
    ]
    assert run([policy(ingress_from(ports=ports))], "network/invalid-port").codes() == []


# -- end-port-range -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("port", "message_part"),
    [
        ({"port": 9000, "endPort": 8000}, "endPort 8000 is below port 9000"),
        ({"port": "http", "endPort": 8000}, "(port is 'http')"),
        ({"endPort": 8000}, "(port is missing)"),
    ],
)
def test_end_port_range_triggers(port: dict[str, Any], message_part: str) -> None:
    report = run([policy(ingress_from(ports=[port]))], "network/end-port-range")
    assert report.codes() == ["network/end-port-range"]
    assert report.findings[0].path == "spec.ingress[0].ports[0].endPort"
    assert message_part in report.findings[0].message


def test_end_port_range_quiet() -> None:
    ports = [{"port": 8000, "endPort": 9000}, {"port": 53, "endPort": 53}, {"port": 80}]
    assert run([policy(ingress_from(ports=ports))], "network/end-port-range").codes() == []


# -- unknown-named-port -------------------------------------------------------------------

WEB_PORTS = [
    {"name": "http", "containerPort": 8080},
    {"name": "dns", "containerPort": 5353, "protocol": "UDP"},
]


def test_unknown_named_port_in_ingress_triggers() -> None:
    spec = {
        "podSelector": {"matchLabels": {"app": "web"}},
        "policyTypes": ["Ingress"],
        "ingress": [{"ports": [{"port": "https"}, {"port": "dns"}]}],
    }
    objects = [policy(spec), pod("web", {"app": "web"}, ports=WEB_PORTS)]
    report = run(objects, "network/unknown-named-port")
    # "https" is declared nowhere; "dns" is declared, but for UDP, not TCP
    assert [f.path for f in report.findings] == [
        "spec.ingress[0].ports[0].port",
        "spec.ingress[0].ports[1].port",
    ]
    assert "named ports there: dns (UDP 5353), http (TCP 8080)" == report.findings[0].hint


def test_unknown_named_port_in_egress_resolves_on_destinations() -> None:
    spec = {
        "podSelector": {"matchLabels": {"app": "client"}},
        "policyTypes": ["Egress"],
        "egress": [
            {
                "to": [{"podSelector": {"matchLabels": {"app": "web"}}}],
                "ports": [{"port": "metrics"}],
            }
        ],
    }
    objects = [
        policy(spec),
        pod("web", {"app": "web"}, ports=WEB_PORTS),
        pod("c", {"app": "client"}),
    ]
    report = run(objects, "network/unknown-named-port")
    assert [f.path for f in report.findings] == ["spec.egress[0].ports[0].port"]


def test_unknown_named_port_quiet() -> None:
    ingress = {
        "podSelector": {"matchLabels": {"app": "web"}},
        "policyTypes": ["Ingress"],
        "ingress": [{"ports": [{"port": "http"}, {"protocol": "UDP", "port": "dns"}]}],
    }
    egress_anywhere = {
        "podSelector": {},
        "policyTypes": ["Egress"],
        "egress": [{"ports": [{"port": "metrics"}]}],  # destinations may be outside the app
    }
    objects = [
        policy(ingress, "a"),
        policy(egress_anywhere, "b"),
        pod("web", {"app": "web"}, ports=WEB_PORTS),
    ]
    assert run(objects, "network/unknown-named-port").codes() == []


# -- selects-no-pod -----------------------------------------------------------------------


def test_selects_no_pod_triggers_for_a_label_typo() -> None:
    spec = {"podSelector": {"matchLabels": {"role": "bd"}}, "policyTypes": ["Ingress"]}
    report = run([policy(spec), pod("db", {"role": "db"})], "network/selects-no-pod")
    assert report.codes() == ["network/selects-no-pod"]
    assert report.findings[0].severity.value == "warning"
    assert report.findings[0].hint == "pods in that namespace have labels: db: role=db"


def test_selects_no_pod_triggers_for_the_wrong_namespace() -> None:
    spec = {"podSelector": {}, "policyTypes": ["Ingress"]}
    report = run(
        [policy(spec, namespace="prod"), pod("db", {"role": "db"})], "network/selects-no-pod"
    )
    assert report.codes() == ["network/selects-no-pod"]
    assert "set metadata.namespace" in report.findings[0].hint


def test_selects_no_pod_quiet() -> None:
    spec = {"podSelector": {"matchLabels": {"role": "db"}}, "policyTypes": ["Ingress"]}
    assert run([policy(spec), pod("db", {"role": "db"})], "network/selects-no-pod").codes() == []
    # policies checked alone (no pods at all) are not judged
    assert run([policy(spec)], "network/selects-no-pod").codes() == []


def test_selects_no_pod_sees_workload_templates() -> None:
    spec = {"podSelector": {"matchLabels": {"app": "api"}}, "policyTypes": ["Ingress"]}
    objects = [policy(spec), deployment("api", {"app": "api"})]
    assert run(objects, "network/selects-no-pod").codes() == []


# -- implicit-policy-types ----------------------------------------------------------------


def test_implicit_policy_types_triggers_on_the_notes_allow_all_egress() -> None:
    report = run([policy({"podSelector": {}, "egress": [{}]})], "network/implicit-policy-types")
    assert report.codes() == ["network/implicit-policy-types"]
    assert report.findings[0].path == "spec.policyTypes"
    assert "policyTypes: [Egress]" in report.findings[0].hint


@pytest.mark.parametrize(
    "spec",
    [
        {"podSelector": {}, "policyTypes": ["Egress"], "egress": [{}]},
        {"podSelector": {}, "ingress": [{}]},
        {"podSelector": {}, "ingress": [{}], "egress": [{}]},
        {"podSelector": {}},
    ],
)
def test_implicit_policy_types_quiet(spec: dict[str, Any]) -> None:
    assert run([policy(spec)], "network/implicit-policy-types").codes() == []


# -- ignored-rules ------------------------------------------------------------------------


def test_ignored_rules_triggers() -> None:
    spec = {"podSelector": {}, "policyTypes": ["Ingress"], "egress": [{}]}
    report = run([policy(spec)], "network/ignored-rules")
    assert [(f.code, f.path) for f in report.findings] == [("network/ignored-rules", "spec.egress")]


def test_ignored_rules_quiet() -> None:
    spec = {
        "podSelector": {},
        "policyTypes": ["Ingress", "Egress"],
        "egress": [{}],
        "ingress": [{}],
    }
    assert run([policy(spec)], "network/ignored-rules").codes() == []


# -- dns-egress-blocked -------------------------------------------------------------------


def test_dns_egress_blocked_by_default_deny_egress() -> None:
    deny = {"podSelector": {}, "policyTypes": ["Egress"]}
    report = run(
        [policy(deny, "default-deny"), deployment("api", {"app": "api"})],
        "network/dns-egress-blocked",
    )
    assert report.codes() == ["network/dns-egress-blocked"]
    finding = report.findings[0]
    assert finding.obj.kind == "Deployment" and finding.path == "spec.template.spec"
    assert "UDP 53 and TCP 53" in finding.message
    assert "call .allow_dns() on default/default-deny" in finding.hint


def test_dns_egress_blocked_when_only_udp_is_allowed() -> None:
    spec = {
        "podSelector": {},
        "policyTypes": ["Egress"],
        "egress": [
            {
                "to": [
                    {
                        "namespaceSelector": {},
                        "podSelector": {"matchLabels": {"k8s-app": "kube-dns"}},
                    }
                ],
                "ports": [{"protocol": "UDP", "port": 53}],
            }
        ],
    }
    report = run([policy(spec), pod("a", {"app": "a"})], "network/dns-egress-blocked")
    assert report.codes() == ["network/dns-egress-blocked"]
    assert "on TCP 53" in report.findings[0].message


def test_dns_egress_blocked_by_the_notes_example() -> None:
    """The notes' policy restricts db egress to 10.0.0.0/24: the db cannot resolve names."""
    spec = {
        "podSelector": {"matchLabels": {"role": "db"}},
        "policyTypes": ["Ingress", "Egress"],
        "egress": [
            {
                "to": [{"ipBlock": {"cidr": "10.0.0.0/24"}}],
                "ports": [{"protocol": "TCP", "port": 5978}],
            }
        ],
    }
    objects = [policy(spec), pod("db", {"role": "db"}), pod("web", {"role": "web"})]
    report = run(objects, "network/dns-egress-blocked")
    assert [f.obj.name for f in report.findings] == ["db"]


@pytest.mark.parametrize(
    "allow",
    [
        # the rule allow_dns() writes
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
        },
        # any destination on port 53
        {"ports": [{"protocol": "UDP", "port": 53}, {"protocol": "TCP", "port": 53}]},
        # the DNS pods on every port
        {
            "to": [
                {"namespaceSelector": {}, "podSelector": {"matchLabels": {"k8s-app": "kube-dns"}}}
            ]
        },
        # a port range that covers 53
        {
            "ports": [
                {"protocol": "UDP", "port": 1, "endPort": 1024},
                {"protocol": "TCP", "port": 53, "endPort": 53},
            ]
        },
    ],
)
def test_dns_egress_blocked_quiet_when_some_policy_allows_dns(allow: dict[str, Any]) -> None:
    deny = policy({"podSelector": {}, "policyTypes": ["Egress"]}, "deny")
    dns = policy({"podSelector": {}, "policyTypes": ["Egress"], "egress": [allow]}, "dns")
    assert run([deny, dns, pod("a", {"app": "a"})], "network/dns-egress-blocked").codes() == []


def test_dns_egress_blocked_quiet_for_kube_system_selector_in_wrong_namespace_form() -> None:
    """A podSelector alone means "in my namespace": it does not reach kube-system's DNS."""
    spec = {
        "podSelector": {},
        "policyTypes": ["Egress"],
        "egress": [{"to": [{"podSelector": {"matchLabels": {"k8s-app": "kube-dns"}}}]}],
    }
    report = run([policy(spec), pod("a", {"app": "a"})], "network/dns-egress-blocked")
    assert report.codes() == ["network/dns-egress-blocked"]


@pytest.mark.parametrize(
    "spec",
    [
        {"dnsPolicy": "Default"},
        {"dnsPolicy": "None", "dnsConfig": {"nameservers": ["1.1.1.1"]}},
        {"hostNetwork": True},
    ],
)
def test_dns_egress_blocked_quiet_for_pods_not_using_cluster_dns(spec: dict[str, Any]) -> None:
    deny = policy({"podSelector": {}, "policyTypes": ["Egress"]})
    assert run([deny, pod("a", {"app": "a"}, **spec)], "network/dns-egress-blocked").codes() == []


def test_dns_egress_blocked_quiet_without_egress_isolation() -> None:
    deny_ingress = policy({"podSelector": {}, "policyTypes": ["Ingress"]})
    assert run([deny_ingress, pod("a", {"app": "a"})], "network/dns-egress-blocked").codes() == []


def test_default_deny_egress_namespace_gets_dns_finding_and_allow_dns_clears_it() -> None:
    """The issue's must-show: a namespace that denies egress by default, a pod, no DNS rule."""
    from k8sdsl.workloads import SecurePod

    def build(*, with_dns: bool) -> App:
        app = App()
        chart = Chart(app, "shop", namespace="shop")
        Namespace(chart, "shop")
        deny = DefaultDenyPolicy(chart, "default-deny", direction=PolicyDirection.EGRESS)
        if with_dns:
            deny.allow_dns()
        SecurePod(chart, "web", image="registry.example/web:1.0")
        return app

    report = build(with_dns=False).check()
    blocked = [f for f in report.findings if f.code == "network/dns-egress-blocked"]
    assert [(f.obj.kind, f.obj.source, f.path) for f in blocked] == [("Pod", "shop/web", "spec")]
    with pytest.raises(K8sDslError) as exc:
        build(with_dns=False).synth_yaml()
    assert "network/dns-egress-blocked" in exc.value.codes

    assert "network/dns-egress-blocked" not in build(with_dns=True).check().codes()


def test_allow_dns_egress_policy_clears_the_finding_too(app: App) -> None:
    chart = Chart(app, "shop", namespace="shop")
    DefaultDenyPolicy(chart, "default-deny")
    AllowDnsEgressPolicy(chart, "allow-dns")
    objects = [m.obj for m in chart.manifests()] + [pod("web", {"app": "web"}, namespace="shop")]
    assert run(objects, "network/dns-egress-blocked").codes() == []


# -- dns-config-missing -------------------------------------------------------------------


@pytest.mark.parametrize("config", [None, {}, {"nameservers": []}, {"searches": ["a.b"]}])
def test_dns_config_missing_triggers(config: dict[str, Any] | None) -> None:
    spec: dict[str, Any] = {"dnsPolicy": "None"}
    if config is not None:
        spec["dnsConfig"] = config
    report = run([deployment("a", {"app": "a"}, **spec)], "network/dns-config-missing")
    assert [(f.code, f.path) for f in report.findings] == [
        ("network/dns-config-missing", "spec.template.spec.dnsConfig.nameservers")
    ]


def test_dns_config_missing_quiet() -> None:
    objects = [
        pod("a", {}, dnsPolicy="None", dnsConfig={"nameservers": ["10.96.0.10"]}),
        pod("b", {}, dnsPolicy="ClusterFirst"),
        pod("c", {}),
    ]
    assert run(objects, "network/dns-config-missing").codes() == []


# -- host-network-dns ---------------------------------------------------------------------


@pytest.mark.parametrize(
    "spec",
    [
        {"hostNetwork": True},
        {"hostNetwork": True, "dnsPolicy": "ClusterFirst"},
        # null is the default, ClusterFirst, as when the field is left out
        {"hostNetwork": True, "dnsPolicy": None},
    ],
)
def test_host_network_dns_triggers(spec: dict[str, Any]) -> None:
    report = run([pod("a", {}, **spec)], "network/host-network-dns")
    assert [(f.code, f.path, f.severity.value) for f in report.findings] == [
        ("network/host-network-dns", "spec.dnsPolicy", "warning")
    ]
    assert "ClusterFirstWithHostNet" in report.findings[0].hint


@pytest.mark.parametrize(
    "spec",
    [
        {"hostNetwork": True, "dnsPolicy": "ClusterFirstWithHostNet"},
        {"hostNetwork": True, "dnsPolicy": "Default"},
        {"dnsPolicy": "ClusterFirst"},
        {},
    ],
)
def test_host_network_dns_quiet(spec: dict[str, Any]) -> None:
    assert run([pod("a", {}, **spec)], "network/host-network-dns").codes() == []


def test_the_reachability_model_is_built_once_per_run(monkeypatch: pytest.MonkeyPatch) -> None:
    """Four rules read the model; a fleet has thousands of pods, so it is built once
    (``RuleContext.memo``) and shared."""
    from k8sdsl.network import Reachability

    built = []
    original = Reachability.from_manifests.__func__  # type: ignore[attr-defined]

    def counting(cls: type[Reachability], manifests: Any) -> Reachability:
        built.append(1)
        return original(cls, manifests)  # type: ignore[no-any-return]

    monkeypatch.setattr(Reachability, "from_manifests", classmethod(counting))
    objects = [pod("a", {"app": "a"}), policy({"podSelector": {}, "policyTypes": ["Egress"]})]
    check_objects(objects, only=NETWORK_RULES)
    assert len(built) == 1


def test_named_port_lookups_scale_with_the_fleet(monkeypatch: pytest.MonkeyPatch) -> None:
    """``network/unknown-named-port`` resolves each egress rule's destinations through the
    namespace and label indexes: matching every pod against every rule is quadratic, and a
    fleet has thousands of both."""
    from k8sdsl.network import Reachability

    calls = []
    original = Reachability.peer_matches

    def counting(self: Reachability, peer: Any, policy: Any, endpoint: Any) -> bool:
        calls.append(1)
        return original(self, peer, policy, endpoint)

    monkeypatch.setattr(Reachability, "peer_matches", counting)
    n = 200
    objects = []
    for i in range(n):
        objects += [
            pod(f"web-{i}", {"app": f"web-{i}"}),
            pod(f"db-{i}", {"app": f"db-{i}"}, ports=[{"containerPort": 5432, "name": "pg"}]),
            policy(
                {
                    "podSelector": {"matchLabels": {"app": f"web-{i}"}},
                    "policyTypes": ["Egress"],
                    "egress": [
                        {
                            "to": [{"podSelector": {"matchLabels": {"app": f"db-{i}"}}}],
                            "ports": [{"port": "pg"}],
                        }
                    ],
                },
                name=f"web-{i}",
            ),
        ]
    assert run(objects, "network/unknown-named-port").findings == ()
    assert len(calls) <= 2 * n
