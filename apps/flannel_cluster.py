"""A Flannel cluster's network: kube-flannel for the declared pod CIDR, and the node CNI
configuration an installer copies into /etc/cni/net.d.

The cluster is kubeadm's defaults written out (pod CIDR 10.244.0.0/16 with /24 nodes: 256
nodes of 254 addresses; services 10.96.0.0/12). FlannelNetwork writes ``net-conf.json``
from it (Network 10.244.0.0/16, SubnetLen 24, VXLAN) and ``cni-conf.json`` (flannel
delegating to bridge, then portmap). Beside it, the bridge configuration of one node
(10.244.1.0/24, the node range kube-controller-manager hands the second node) as a
``CniConfigList`` in a ConfigMap, to show the conflist a node without Flannel would read.

``k8sdsl check --cluster <this network> dist/flannel-cluster.k8s.yaml`` compares both with
the declared ranges.
"""

from __future__ import annotations

from k8sdsl import App, Chart
from k8sdsl.core import ClusterNetwork
from k8sdsl.network import (
    BridgePlugin,
    CniConfigList,
    FlannelBackend,
    FlannelNetwork,
    HostLocalIpam,
    PortMapPlugin,
)

NETWORK = ClusterNetwork(
    pod_cidrs=("10.244.0.0/16",),
    service_cidrs=("10.96.0.0/12",),
    node_cidr_mask_size_ipv4=24,
)

#: the bridge network of the node whose podCIDR is 10.244.1.0/24
NODE_CNI = CniConfigList(
    name="k8s-pod-network",
    plugins=[
        BridgePlugin(
            bridge="cni0",
            is_gateway=True,
            ip_masq=True,
            ipam=HostLocalIpam.of("10.244.1.0/24", routes=("0.0.0.0/0",)),
        ),
        PortMapPlugin(),
    ],
)


def build(app: App) -> None:
    chart = Chart(app, "flannel-cluster", labels={"app.kubernetes.io/part-of": "flannel-cluster"})
    FlannelNetwork(chart, "flannel", network=NETWORK, backend=FlannelBackend.vxlan())
    NODE_CNI.to_config_map(
        chart, "node-cni", name="node-cni-config", namespace="kube-system", key="cni-conf.json"
    )
