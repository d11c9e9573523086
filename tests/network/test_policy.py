"""NetworkPolicy values: peers, ports and rules render Kubernetes dicts and refuse what the
API server refuses, with the field, the value and a fix."""

from __future__ import annotations

import pytest

from k8sdsl.core import K8sDslError, LabelSelector, ValueInputError
from k8sdsl.network import (
    EgressRule,
    IngressRule,
    IpBlock,
    NetworkPolicyPeer,
    NetworkPolicyPort,
    Peer,
    PolicyDirection,
    PolicyType,
    Protocol,
)


def codes(exc: pytest.ExceptionInfo[K8sDslError]) -> list[str]:
    return exc.value.codes


# -- peers --------------------------------------------------------------------------------


def test_peer_is_an_alias_of_network_policy_peer() -> None:
    assert Peer is NetworkPolicyPeer


def test_pods_peer_selects_pods_of_the_policy_namespace() -> None:
    assert Peer.pods({"role": "frontend"}).to_k8s() == {
        "podSelector": {"matchLabels": {"role": "frontend"}}
    }


def test_pods_peer_without_labels_is_every_pod_of_the_namespace() -> None:
    assert Peer.pods().to_k8s() == {"podSelector": {}}


def test_pods_and_namespace_together_select_by_the_metadata_name_label() -> None:
    assert Peer.pods({"app": "api"}, namespace="web").to_k8s() == {
        "podSelector": {"matchLabels": {"app": "api"}},
        "namespaceSelector": {"matchLabels": {"kubernetes.io/metadata.name": "web"}},
    }


def test_pods_with_namespace_labels_and_a_label_selector() -> None:
    selector = LabelSelector.of(tier="front")
    peer = Peer.pods(selector, namespace_labels={"team": "shop"})
    assert peer.to_k8s() == {
        "podSelector": {"matchLabels": {"tier": "front"}},
        "namespaceSelector": {"matchLabels": {"team": "shop"}},
    }


def test_namespace_peer_by_labels_and_by_name() -> None:
    assert Peer.namespace(labels={"project": "myproject"}).to_k8s() == {
        "namespaceSelector": {"matchLabels": {"project": "myproject"}}
    }
    assert Peer.namespace(name="kube-system").to_k8s() == {
        "namespaceSelector": {"matchLabels": {"kubernetes.io/metadata.name": "kube-system"}}
    }
    assert Peer.namespace().to_k8s() == {"namespaceSelector": {}}


def test_ip_block_with_except_renders_except() -> None:
    assert Peer.ip_block(cidr="172.17.0.0/16", except_=["172.17.1.0/24"]).to_k8s() == {
        "ipBlock": {"cidr": "172.17.0.0/16", "except": ["172.17.1.0/24"]}
    }
    assert Peer.ip_block(cidr="2001:db8::/32").to_k8s() == {"ipBlock": {"cidr": "2001:db8::/32"}}


def test_cluster_dns_peer() -> None:
    assert Peer.cluster_dns().to_k8s() == {
        "podSelector": {"matchLabels": {"k8s-app": "kube-dns"}},
        "namespaceSelector": {"matchLabels": {"kubernetes.io/metadata.name": "kube-system"}},
    }


def test_except_outside_cidr_is_refused_with_a_hint() -> None:
    with pytest.raises(ValueInputError) as exc:
        Peer.ip_block(cidr="172.17.0.0/16", except_=["172.18.1.0/24"])
    finding = exc.value.findings[0]
    assert finding.code == "value/except-outside-cidr"
    assert "172.18.1.0/24" in finding.message and "172.17.0.0/16" in finding.message
    assert "inside 172.17.0.0/16" in finding.hint


@pytest.mark.parametrize("inner", ["172.17.0.0/16", "172.16.0.0/12", "fd00::/64"])
def test_except_equal_wider_or_other_family_is_refused(inner: str) -> None:
    with pytest.raises(ValueInputError) as exc:
        IpBlock(cidr="172.17.0.0/16", except_=(inner,))
    assert codes(exc) == ["value/except-outside-cidr"]


def test_cidr_with_host_bits_names_the_right_form() -> None:
    with pytest.raises(ValueInputError) as exc:
        Peer.ip_block(cidr="10.0.0.7/24")
    finding = exc.value.findings[0]
    assert (finding.code, finding.path) == ("value/cidr", "cidr")
    assert finding.hint == "use '10.0.0.0/24'"


def test_except_with_host_bits_points_at_the_except_entry() -> None:
    with pytest.raises(ValueInputError) as exc:
        Peer.ip_block(cidr="10.0.0.0/16", except_=["10.0.1.1/24"])
    assert exc.value.findings[0].path == "except_[0]"
    assert exc.value.findings[0].hint == "use '10.0.1.0/24'"


def test_peer_with_ip_block_and_selector_is_refused() -> None:
    with pytest.raises(ValueInputError) as exc:
        NetworkPolicyPeer(
            pod_selector=LabelSelector.everything(), ip_block_=IpBlock(cidr="10.0.0.0/8")
        )
    assert codes(exc) == ["value/peer-shape"]
    assert "split it into two peers" in exc.value.findings[0].hint


def test_empty_peer_is_refused() -> None:
    with pytest.raises(ValueInputError) as exc:
        NetworkPolicyPeer()
    assert codes(exc) == ["value/peer-shape"]


def test_misspelt_ip_block_field_suggests_the_real_one() -> None:
    with pytest.raises(ValueInputError) as exc:
        NetworkPolicyPeer(ip_block={"cidr": "10.0.0.0/8"})  # type: ignore[call-arg]
    assert exc.value.findings[0].hint == "did you mean 'ip_block_'?"


def test_bad_namespace_name_in_a_factory() -> None:
    with pytest.raises(ValueInputError) as exc:
        Peer.pods({"a": "b"}, namespace="Web_App")
    finding = exc.value.findings[0]
    assert (finding.code, finding.path) == ("value/peer", "namespace")
    assert finding.hint == "use 'web-app'"


def test_namespace_and_namespace_labels_together_are_refused() -> None:
    with pytest.raises(ValueInputError):
        Peer.pods(namespace="web", namespace_labels={"a": "b"})
    with pytest.raises(ValueInputError):
        Peer.namespace({"a": "b"}, name="web")


# -- ports --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("port", "expected"),
    [
        (NetworkPolicyPort.tcp(6379), {"protocol": "TCP", "port": 6379}),
        (NetworkPolicyPort.udp(53), {"protocol": "UDP", "port": 53}),
        (NetworkPolicyPort.sctp(9), {"protocol": "SCTP", "port": 9}),
        (NetworkPolicyPort.tcp("redis"), {"protocol": "TCP", "port": "redis"}),
        (NetworkPolicyPort.udp("dns"), {"protocol": "UDP", "port": "dns"}),
        (
            NetworkPolicyPort.tcp_range(start=32000, end=32768),
            {"protocol": "TCP", "port": 32000, "endPort": 32768},
        ),
        (
            NetworkPolicyPort.udp_range(start=5000, end=5000),
            {"protocol": "UDP", "port": 5000, "endPort": 5000},
        ),
        (
            NetworkPolicyPort.sctp_range(start=1, end=65535),
            {"protocol": "SCTP", "port": 1, "endPort": 65535},
        ),
        (NetworkPolicyPort.all_tcp(), {"protocol": "TCP"}),
        (NetworkPolicyPort.all_udp(), {"protocol": "UDP"}),
        (NetworkPolicyPort(), {"protocol": "TCP"}),
    ],
)
def test_port_factories_render(port: NetworkPolicyPort, expected: dict[str, object]) -> None:
    assert port.to_k8s() == expected


def test_all_tcp_never_renders_port_zero() -> None:
    assert "port" not in NetworkPolicyPort.all_tcp().to_k8s()


def test_dns_ports_are_udp_and_tcp_53() -> None:
    assert [p.to_k8s() for p in NetworkPolicyPort.dns()] == [
        {"protocol": "UDP", "port": 53},
        {"protocol": "TCP", "port": 53},
    ]


def test_quoted_number_is_read_as_the_number() -> None:
    assert NetworkPolicyPort(port="6379").port == 6379


@pytest.mark.parametrize(
    ("value", "code", "hint_part"),
    [
        (0, "value/port-range", "all_tcp()"),
        (65536, "value/port-range", "1 to 65535"),
        (-1, "value/port-range", "1 to 65535"),
        ("Redis_Port", "value/port-name", "use "),
        ("1234567890abcdef", "value/port-name", "use "),
        # a float is refused before the factory runs, by the common argument check
        (1.5, "construct/argument-type", "as an int"),
    ],
)
def test_bad_ports_are_refused(value: object, code: str, hint_part: str) -> None:
    with pytest.raises(ValueInputError) as exc:
        NetworkPolicyPort.tcp(value)  # type: ignore[arg-type]
    finding = exc.value.findings[0]
    assert (finding.code, finding.path) == (code, "port")
    assert hint_part in finding.hint


def test_end_port_below_port_says_to_swap() -> None:
    with pytest.raises(ValueInputError) as exc:
        NetworkPolicyPort.tcp_range(start=9000, end=8000)
    finding = exc.value.findings[0]
    assert finding.code == "value/end-port-before-port"
    assert finding.hint == "swap them: start=8000, end=9000"


def test_end_port_needs_a_numeric_port() -> None:
    with pytest.raises(ValueInputError) as exc:
        NetworkPolicyPort(port="http", end_port=9000)
    assert codes(exc) == ["value/end-port-without-port"]
    with pytest.raises(ValueInputError):
        NetworkPolicyPort(end_port=9000)


def test_unknown_protocol_is_refused() -> None:
    with pytest.raises(ValueInputError) as exc:
        NetworkPolicyPort(protocol="ICMP", port=1)  # type: ignore[arg-type]
    assert exc.value.findings[0].path == "protocol"


# -- rules and enums ----------------------------------------------------------------------


def test_rules_render_from_and_to() -> None:
    rule = IngressRule(from_=(Peer.pods({"role": "frontend"}),), ports=(NetworkPolicyPort.tcp(80),))
    assert rule.to_k8s() == {
        "from": [{"podSelector": {"matchLabels": {"role": "frontend"}}}],
        "ports": [{"protocol": "TCP", "port": 80}],
    }
    assert EgressRule(to=(Peer.ip_block(cidr="10.0.0.0/24"),)).to_k8s() == {
        "to": [{"ipBlock": {"cidr": "10.0.0.0/24"}}]
    }


def test_allow_all_rules_are_empty() -> None:
    assert IngressRule.allow_all().to_k8s() == {}
    assert EgressRule.allow_all().to_k8s() == {}


def test_cluster_dns_egress_rule() -> None:
    assert EgressRule.cluster_dns().to_k8s() == {
        "to": [Peer.cluster_dns().to_k8s()],
        "ports": [{"protocol": "UDP", "port": 53}, {"protocol": "TCP", "port": 53}],
    }
    custom = EgressRule.cluster_dns(namespace="dns", labels={"app": "unbound"})
    assert custom.to_k8s()["to"][0] == {
        "podSelector": {"matchLabels": {"app": "unbound"}},
        "namespaceSelector": {"matchLabels": {"kubernetes.io/metadata.name": "dns"}},
    }


def test_enums_are_kubernetes_strings() -> None:
    assert [p.value for p in Protocol] == ["TCP", "UDP", "SCTP"]
    assert [t.value for t in PolicyType] == ["Ingress", "Egress"]
    assert PolicyDirection.BOTH.policy_types == (PolicyType.INGRESS, PolicyType.EGRESS)
    assert PolicyDirection.EGRESS.policy_types == (PolicyType.EGRESS,)
    assert PolicyDirection.INGRESS.policy_types == (PolicyType.INGRESS,)


def test_values_are_frozen() -> None:
    port = NetworkPolicyPort.tcp(80)
    with pytest.raises(Exception):  # noqa: B017 - pydantic raises ValidationError
        port.port = 81  # type: ignore[misc]
