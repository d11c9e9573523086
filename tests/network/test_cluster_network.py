"""Subnet math of the declared cluster network, against cases worked out by hand."""

from __future__ import annotations

import pytest

from k8sdsl import ClusterNetwork, K8sDslError
from k8sdsl.network import NetworkFacts, usable_addresses


def test_kubeadm_defaults_hold_256_nodes_of_254_addresses_and_110_pods() -> None:
    # 10.244.0.0/16 cut into /24s: 2**(24-16) = 256 ranges of 2**8 - 2 = 254 addresses;
    # kubelet's --max-pods default (110) is the effective limit per node
    facts = NetworkFacts.of(ClusterNetwork())
    (pods,) = facts.pods
    assert (pods.nodes, pods.addresses_per_node, pods.pods_per_node) == (256, 254, 110)
    assert (pods.pod_addresses, pods.pods) == (256 * 254, 256 * 110)
    assert (pods.first_node_range, pods.last_node_range) == ("10.244.0.0/24", "10.244.255.0/24")
    (services,) = facts.services
    # 10.96.0.0/12 is 2**20 addresses less network and broadcast
    assert services.addresses == 1_048_574
    assert (facts.api_server_ip, facts.dns_service_ip) == ("10.96.0.1", "10.96.0.10")
    assert not facts.dual_stack and facts.overlaps == ()


@pytest.mark.parametrize(
    ("cidr", "mask", "nodes", "addresses", "pods", "last"),
    [
        # /13 with /26 nodes: 2**13 = 8192 nodes of 64 - 2 = 62 pods (below max-pods)
        ("10.0.0.0/13", 26, 8192, 62, 62, "10.7.255.192/26"),
        # /20 with /23 nodes: 8 nodes of 512 - 2 = 510 addresses, 110 pods
        ("172.16.0.0/20", 23, 8, 510, 110, "172.16.14.0/23"),
        # the pod range is one node range: 1 node
        ("192.168.0.0/24", 24, 1, 254, 110, "192.168.0.0/24"),
        # /25 nodes: 126 addresses each
        ("10.1.0.0/17", 25, 256, 126, 110, "10.1.127.128/25"),
    ],
)
def test_odd_ipv4_masks(
    cidr: str, mask: int, nodes: int, addresses: int, pods: int, last: str
) -> None:
    (facts,) = NetworkFacts.of(
        ClusterNetwork(pod_cidrs=(cidr,), node_cidr_mask_size_ipv4=mask)
    ).pods
    assert (facts.nodes, facts.addresses_per_node, facts.pods_per_node) == (nodes, addresses, pods)
    assert facts.last_node_range == last


def test_ipv6_has_no_broadcast_address() -> None:
    # fd00:10:244::/56 with /64 nodes: 256 nodes of 2**64 - 1 addresses, 110 pods
    (facts,) = NetworkFacts.of(ClusterNetwork(pod_cidrs=("fd00:10:244::/56",))).pods
    assert (facts.family, facts.nodes, facts.addresses_per_node) == (6, 256, 2**64 - 1)
    assert facts.pods_per_node == 110
    assert facts.last_node_range == "fd00:10:244:ff::/64"
    # /104 with /120 nodes: 2**16 nodes of 2**8 - 1 = 255 addresses
    (small,) = NetworkFacts.of(
        ClusterNetwork(pod_cidrs=("fd00::/104",), node_cidr_mask_size_ipv6=120)
    ).pods
    assert (small.nodes, small.addresses_per_node) == (65536, 255)


def test_usable_addresses_at_the_edges() -> None:
    from ipaddress import ip_network

    assert usable_addresses(ip_network("10.0.0.0/30")) == 2
    assert usable_addresses(ip_network("10.0.0.0/31")) == 2  # RFC 3021 point-to-point
    assert usable_addresses(ip_network("10.0.0.1/32")) == 1
    assert usable_addresses(ip_network("fd00::/127")) == 1
    assert usable_addresses(ip_network("fd00::1/128")) == 1


def test_a_larger_max_pods_is_limited_by_the_addresses() -> None:
    (facts,) = NetworkFacts.of(ClusterNetwork(), max_pods=300).pods
    assert facts.pods_per_node == 254


def test_dual_stack_takes_the_service_ips_from_the_primary_range() -> None:
    network = ClusterNetwork(
        pod_cidrs=("10.244.0.0/16", "fd00:10:244::/56"),
        service_cidrs=("fd00:10:96::/112", "10.96.0.0/12"),
    )
    facts = NetworkFacts.of(network)
    assert facts.dual_stack
    assert [p.family for p in facts.pods] == [4, 6]
    assert (facts.api_server_ip, facts.dns_service_ip) == ("fd00:10:96::1", "fd00:10:96::a")
    assert facts.services[1].api_server_ip == "10.96.0.1"
    assert facts.services[0].addresses == 65535
    assert not NetworkFacts.of(ClusterNetwork(pod_cidrs=("fd00::/56",))).dual_stack


def test_a_range_too_small_for_the_tenth_address_has_no_dns_ip() -> None:
    assert NetworkFacts.of(ClusterNetwork(service_cidrs=("10.96.0.0/28",))).dns_service_ip == (
        "10.96.0.10"
    )
    small = NetworkFacts.of(ClusterNetwork(service_cidrs=("10.96.0.0/29",)))
    assert small.services[0].addresses == 6
    assert small.dns_service_ip is None and small.api_server_ip == "10.96.0.1"


@pytest.mark.parametrize(
    ("fields", "code", "path"),
    [
        ({"pod_cidrs": ["10.0.0.0/16", "10.1.0.0/16"]}, "value/dual-stack", "pod_cidrs"),
        ({"service_cidrs": ["fd00::/112", "fd01::/112"]}, "value/dual-stack", "service_cidrs"),
        (
            {"service_cidrs": ["10.96.0.0/12", "fd00::/112", "10.128.0.0/12"]},
            "value/dual-stack",
            "service_cidrs",
        ),
        ({"service_cidrs": ["10.96.0.0/11"]}, "value/service-cidr-too-large", "service_cidrs"),
        ({"service_cidrs": ["fd00::/107"]}, "value/service-cidr-too-large", "service_cidrs"),
        ({"pod_cidrs": ["10.244.0.0/25"]}, "value/node-mask", ""),
        ({"pod_cidrs": ["10.0.0.0/7"], "node_cidr_mask_size_ipv4": 24}, "value/node-mask", ""),
        ({"pod_cidrs": ["fd00::/47"]}, "value/node-mask", ""),
    ],
)
def test_what_kubernetes_refuses_is_refused(
    fields: dict[str, object], code: str, path: str
) -> None:
    with pytest.raises(K8sDslError) as err:
        ClusterNetwork(**fields)  # type: ignore[arg-type]
    (finding,) = err.value.findings
    assert (finding.code, finding.path) == (code, path)
    assert finding.hint


def test_the_limits_themselves_are_accepted() -> None:
    ClusterNetwork(service_cidrs=("10.96.0.0/12", "fd00::/108"))
    ClusterNetwork(pod_cidrs=("10.0.0.0/8",), node_cidr_mask_size_ipv4=24)  # 16 bits
    ClusterNetwork(pod_cidrs=("fd00::/48",))
    ClusterNetwork(pod_cidrs=("10.244.0.0/24",))  # one node


def test_the_size_error_names_the_limit_and_a_range_that_fits() -> None:
    with pytest.raises(K8sDslError) as err:
        ClusterNetwork(service_cidrs=("10.0.0.0/8",))
    (finding,) = err.value.findings
    assert "mask must be >= 12" in finding.message
    assert "10.0.0.0/12" in finding.hint


def test_every_overlap_is_a_finding_with_both_ranges_and_a_free_range() -> None:
    network = ClusterNetwork(
        pod_cidrs=("10.96.0.0/16",),
        service_cidrs=("10.96.0.0/12",),
        node_networks=("10.96.5.0/24", "192.168.1.0/24"),
    )
    findings = [o.finding() for o in NetworkFacts.of(network).overlaps]
    assert [(f.code, f.path) for f in findings] == [
        ("network/cluster-overlap", "network.podCidrs[0]"),
        ("network/cluster-overlap", "network.podCidrs[0]"),
        ("network/cluster-overlap", "network.serviceCidrs[0]"),
    ]
    first = findings[0]
    assert "10.96.0.0/16" in first.message and "10.96.0.0/12" in first.message
    # the suggested range touches none of the declared ones
    assert "10.96.0.0/16 -> 10.112.0.0/16" in first.hint
    assert "10.96.5.0/24 -> 10.112.0.0/24" in findings[1].hint


def test_ranges_of_different_families_never_overlap() -> None:
    network = ClusterNetwork(pod_cidrs=("fd00::/56",), service_cidrs=("10.96.0.0/12",))
    assert NetworkFacts.of(network).overlaps == ()
