"""A Calico cluster's network: IP pools inside the declared pod CIDR, Felix's configuration
and a default-deny GlobalNetworkPolicy that keeps cluster DNS.

The cluster declares Calico's customary pod CIDR 192.168.0.0/16 (services 10.96.0.0/12).
Two pools split it: ``workloads`` (192.168.0.0/17, VXLAN across subnets, natOutgoing) for
every node, and ``edge`` (192.168.128.0/18, no encapsulation) for the nodes labelled
``zone=edge``; the last quarter is left for later pools. Felix logs at Info, encrypts pod
traffic with WireGuard and exports Prometheus metrics.

``default-deny`` has no order, so Calico evaluates it after every ordered policy and the
Kubernetes NetworkPolicies (order 1000): traffic they do not allow is denied, except DNS
to CoreDNS (UDP and TCP 53) and anything in kube-system and calico-system.
``k8sdsl explain network`` reads it with the Kubernetes policies.
"""

from __future__ import annotations

from k8sdsl import App, Chart
from k8sdsl.core import ClusterNetwork
from k8sdsl.network import (
    CalicoAction,
    CalicoEntityRule,
    CalicoNetwork,
    CalicoRule,
    EncapsulationMode,
    FelixConfiguration,
    GlobalNetworkPolicy,
    IPPool,
    LogSeverity,
    PolicyType,
)

NETWORK = ClusterNetwork(pod_cidrs=("192.168.0.0/16",), service_cidrs=("10.96.0.0/12",))

POOLS = (
    IPPool(
        name="workloads",
        cidr="192.168.0.0/17",
        block_size=26,
        ipip_mode=EncapsulationMode.NEVER,
        vxlan_mode=EncapsulationMode.CROSS_SUBNET,
        nat_outgoing=True,
        node_selector="all()",
    ),
    IPPool(
        name="edge",
        cidr="192.168.128.0/18",
        block_size=26,
        ipip_mode=EncapsulationMode.NEVER,
        vxlan_mode=EncapsulationMode.NEVER,
        nat_outgoing=True,
        node_selector="zone == 'edge'",
    ),
)

FELIX = FelixConfiguration(
    log_severity_screen=LogSeverity.INFO,
    wireguard_enabled=True,
    prometheus_metrics_enabled=True,
)

#: cluster DNS as Calico selects it: CoreDNS's pods in kube-system
_DNS = CalicoEntityRule(
    selector="k8s-app == 'kube-dns'",
    namespace_selector="projectcalico.org/name == 'kube-system'",
    ports=(53,),
)


def build(app: App) -> None:
    chart = Chart(app, "calico-cluster", labels={"app.kubernetes.io/part-of": "calico-cluster"})
    CalicoNetwork(chart, "calico", pools=POOLS, felix=FELIX, network=NETWORK)
    GlobalNetworkPolicy(
        chart,
        "default-deny",
        selector="projectcalico.org/namespace != 'kube-system' && "
        "projectcalico.org/namespace != 'calico-system'",
        types=[PolicyType.INGRESS, PolicyType.EGRESS],
        egress=[
            CalicoRule(action=CalicoAction.ALLOW, protocol="UDP", destination=_DNS),
            CalicoRule(action=CalicoAction.ALLOW, protocol="TCP", destination=_DNS),
        ],
    )
