"""The declared cluster network worked out: how many nodes the pod range holds, how many pods
fit on a node, the service IPs every cluster has, and every pair of ranges that overlap.

The ranges are :class:`k8sdsl.core.ClusterNetwork` (part of the declared cluster); this module
only computes. The numbers follow the components that hand the addresses out:

- kube-controller-manager's node IPAM cuts the pod CIDR (``--cluster-cidr``) into one range
  of ``--node-cidr-mask-size-ipv4`` (default 24) or ``-ipv6`` (default 64) bits per node, so
  the pod CIDR holds ``2**(node_mask - prefix)`` nodes;
- a node's range serves pods through the CNI plugin's IPAM. host-local, the reference IPAM
  most plugins use (containernetworking/plugins ``plugins/ipam/host-local``, ``range.go``
  ``Canonicalize``), hands out from the network address + 1 to the last address, leaving the
  broadcast address out for IPv4: ``2**h - 2`` addresses for IPv4 and ``2**h - 1`` for IPv6
  (``h`` host bits). A bridge gateway (``isGateway``) takes one of them;
- kubelet runs at most ``--max-pods`` pods per node (default 110), whatever the addresses;
- the API server's Service ``kubernetes.default`` gets the first address of the primary
  service range (10.96.0.1 for kubeadm's 10.96.0.0/12); kubeadm gives the cluster DNS
  Service the tenth (``constants.GetDNSIP``: 10.96.0.10).
"""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass

from k8sdsl.core._cluster import ClusterNetwork, api_server_service_ip
from k8sdsl.core._findings import Finding, ObjectRef, Severity

IpNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network

#: kubelet's ``--max-pods`` (``maxPods``) default
KUBELET_DEFAULT_MAX_PODS = 110
#: the offset of the conventional cluster DNS Service IP in the service range (kubeadm)
DNS_SERVICE_IP_OFFSET = 10


def usable_addresses(network: IpNetwork) -> int:
    """Addresses host-local hands out of ``network``: all but the network address, and for
    IPv4 the broadcast address too (a /31 or /32 has no such addresses to lose)."""
    host_bits = network.max_prefixlen - network.prefixlen
    if network.version == 4:
        return (1 << host_bits) - 2 if host_bits >= 2 else 1 << host_bits
    return (1 << host_bits) - 1 if host_bits >= 1 else 1


@dataclass(frozen=True)
class PodRangeFacts:
    """One pod CIDR cut into node ranges."""

    cidr: str
    #: 4 or 6
    family: int
    #: the node mask of this family (``--node-cidr-mask-size-ipv4``/``-ipv6``)
    node_mask: int
    #: node ranges the pod CIDR holds: ``2**(node_mask - prefix)``
    nodes: int
    #: pod addresses one node range holds (host-local: all but network and IPv4 broadcast)
    addresses_per_node: int
    #: kubelet's ``--max-pods``
    max_pods: int
    #: the node ranges, first and last (10.244.0.0/24 and 10.244.255.0/24)
    first_node_range: str
    last_node_range: str

    @property
    def pods_per_node(self) -> int:
        """The effective limit: the smaller of the addresses and kubelet's ``--max-pods``."""
        return min(self.addresses_per_node, self.max_pods)

    @property
    def pod_addresses(self) -> int:
        """Pod addresses over every node range: ``nodes * addresses_per_node``."""
        return self.nodes * self.addresses_per_node

    @property
    def pods(self) -> int:
        """Pods the cluster can run at most: ``nodes * pods_per_node``."""
        return self.nodes * self.pods_per_node


@dataclass(frozen=True)
class ServiceRangeFacts:
    """One service CIDR and the addresses it reserves."""

    cidr: str
    family: int
    #: ClusterIPs the range can hand out (all but the network address, and IPv4 broadcast)
    addresses: int
    #: the first address: the ClusterIP of ``kubernetes.default`` (primary range only)
    api_server_ip: str
    #: the tenth address, kubeadm's cluster DNS ClusterIP; None when the range is too small
    dns_service_ip: str | None


@dataclass(frozen=True)
class RangeOverlap:
    """Two declared ranges that share addresses: packets for one are routed to the other."""

    first_field: str
    first: str
    second_field: str
    second: str
    hint: str

    def finding(self) -> Finding:
        return Finding(
            Severity.ERROR,
            "network/cluster-overlap",
            f"{_WHAT[self.first_field.split('[')[0]]} {self.first} overlaps "
            f"{_WHAT[self.second_field.split('[')[0]]} {self.second}: an address in both is "
            "routed to one of them only, so pods, Services or nodes in the shared part are "
            "unreachable",
            ObjectRef(kind="Cluster", source="cluster.network"),
            f"network.{self.first_field}",
            self.hint,
        )


_WHAT = {
    "podCidrs": "the pod range",
    "serviceCidrs": "the service range",
    "nodeNetworks": "the node network",
}
_FIX = {
    "podCidrs": "the pod range (kubeadm --pod-network-cidr, the CNI plugin's pool)",
    "serviceCidrs": "the service range (kubeadm --service-cidr)",
    "nodeNetworks": "the node network",
}


@dataclass(frozen=True)
class NetworkFacts:
    """Everything :class:`ClusterNetwork` implies, computed once.

    >>> facts = NetworkFacts.of(ClusterNetwork())
    >>> facts.pods[0].nodes, facts.pods[0].addresses_per_node, facts.pods[0].pods_per_node
    (256, 254, 110)
    >>> facts.api_server_ip, facts.dns_service_ip
    ('10.96.0.1', '10.96.0.10')
    """

    pods: tuple[PodRangeFacts, ...]
    services: tuple[ServiceRangeFacts, ...]
    overlaps: tuple[RangeOverlap, ...]

    @classmethod
    def of(
        cls, network: ClusterNetwork, *, max_pods: int = KUBELET_DEFAULT_MAX_PODS
    ) -> NetworkFacts:
        return cls(
            tuple(_pod_facts(network, cidr, max_pods) for cidr in network.pod_cidrs),
            tuple(_service_facts(cidr) for cidr in network.service_cidrs),
            tuple(range_overlaps(network)),
        )

    @property
    def dual_stack(self) -> bool:
        """Both families in the pod ranges and in the service ranges."""
        return (
            len({p.family for p in self.pods}) == 2 and len({s.family for s in self.services}) == 2
        )

    @property
    def api_server_ip(self) -> str | None:
        """The ClusterIP of ``kubernetes.default``: the first address of the primary range."""
        return self.services[0].api_server_ip if self.services else None

    @property
    def dns_service_ip(self) -> str | None:
        """kubeadm's cluster DNS ClusterIP: the tenth address of the primary range."""
        return self.services[0].dns_service_ip if self.services else None


def _pod_facts(network: ClusterNetwork, cidr: str, max_pods: int) -> PodRangeFacts:
    net = ipaddress.ip_network(cidr)
    mask = (
        network.node_cidr_mask_size_ipv4 if net.version == 4 else network.node_cidr_mask_size_ipv6
    )
    nodes = 1 << (mask - net.prefixlen)
    first = ipaddress.ip_network((net.network_address, mask))
    last = ipaddress.ip_network((net.broadcast_address - (first.num_addresses - 1), mask))
    return PodRangeFacts(
        cidr=cidr,
        family=net.version,
        node_mask=mask,
        nodes=nodes,
        addresses_per_node=usable_addresses(first),
        max_pods=max_pods,
        first_node_range=str(first),
        last_node_range=str(last),
    )


def _service_facts(cidr: str) -> ServiceRangeFacts:
    net = ipaddress.ip_network(cidr)
    addresses = usable_addresses(net)
    return ServiceRangeFacts(
        cidr=cidr,
        family=net.version,
        addresses=addresses,
        api_server_ip=api_server_service_ip(cidr),
        dns_service_ip=(
            str(net.network_address + DNS_SERVICE_IP_OFFSET)
            if addresses >= DNS_SERVICE_IP_OFFSET
            else None
        ),
    )


def range_overlaps(network: ClusterNetwork) -> list[RangeOverlap]:
    """Every pair of declared ranges that share addresses: pod and service ranges, pod and
    node networks, service and node networks (in that order)."""
    lists = {
        "podCidrs": network.pod_cidrs,
        "serviceCidrs": network.service_cidrs,
        "nodeNetworks": network.node_networks,
    }
    pairs = (
        ("podCidrs", "serviceCidrs"),
        ("podCidrs", "nodeNetworks"),
        ("serviceCidrs", "nodeNetworks"),
    )
    found: list[RangeOverlap] = []
    declared = [ipaddress.ip_network(c) for cidrs in lists.values() for c in cidrs]
    for a_key, b_key in pairs:
        for i, a in enumerate(lists[a_key]):
            for j, b in enumerate(lists[b_key]):
                net_a, net_b = ipaddress.ip_network(a), ipaddress.ip_network(b)
                if net_a.version != net_b.version or not net_a.overlaps(net_b):
                    continue
                found.append(
                    RangeOverlap(
                        f"{a_key}[{i}]",
                        a,
                        f"{b_key}[{j}]",
                        b,
                        f"move {_FIX[a_key]} or {_FIX[b_key]} so they share no address"
                        + _free_hint(net_a, net_b, declared),
                    )
                )
    return found


def _free_hint(a: IpNetwork, b: IpNetwork, declared: list[IpNetwork]) -> str:
    """The first range of the smaller one's size after the larger one that no declared range
    touches (a private IPv4 range stays private), when the address space has one."""
    small, large = (a, b) if a.prefixlen >= b.prefixlen else (b, a)
    size = small.num_addresses
    start = int(large.broadcast_address) + 1
    for _ in range(64):
        start = -(-start // size) * size  # aligned to the range size
        try:
            address = (
                ipaddress.IPv4Address(start) if small.version == 4 else ipaddress.IPv6Address(start)
            )
            candidate = ipaddress.ip_network((address, small.prefixlen))
        except ValueError:
            return ""
        if candidate.version == 4 and candidate.is_global:
            return ""
        blocking = [n for n in declared if n.version == small.version and n.overlaps(candidate)]
        if not blocking:
            return f" (for example {small} -> {candidate})"
        start = max(int(n.broadcast_address) for n in blocking) + 1
    return ""
