"""What the common CNI plugins support: NetworkPolicy, encryption, IPv6 and dual stack.

The declared cluster names its plugin (``Cluster(cni="flannel")``); rules read this catalog
to judge what the plugin makes of an app (NetworkPolicies on Flannel alone are stored by
the API server and enforced by nobody). Each entry cites the project documentation its
facts come from. CniSupport is one of:

- ``yes``: the plugin does it (perhaps as an option of its own, such as a WireGuard backend);
- ``no``: it does not;
- ``when-enabled``: it can, but not by default (AWS VPC CNI's network policy agent);
- ``delegated``: another plugin does it or not (Multus and the networks it attaches;
  Azure CNI and the policy engine chosen for the cluster).

Facts as of the projects' documentation in 2025; a plugin's release notes win over this
table.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum

from k8sdsl.core._suggest import suggest


class CniSupport(StrEnum):
    YES = "yes"
    NO = "no"
    WHEN_ENABLED = "when-enabled"
    DELEGATED = "delegated"


@dataclass(frozen=True)
class CniPluginInfo:
    """One plugin of the catalog."""

    #: the name a cluster declares (``Cluster(cni=...)``), lower case
    name: str
    title: str
    network_policy: CniSupport
    encryption: CniSupport
    ipv6: CniSupport
    dual_stack: CniSupport
    #: where the facts come from
    source: str
    notes: str = ""
    #: other names the plugin goes by (``aws-vpc-cni``, ``ovn``)
    aliases: tuple[str, ...] = ()
    #: fragments of the images its DaemonSet runs, to recognise it in manifests
    images: tuple[str, ...] = ()


CNI_CATALOG: tuple[CniPluginInfo, ...] = (
    CniPluginInfo(
        "flannel",
        "Flannel",
        network_policy=CniSupport.NO,
        encryption=CniSupport.YES,
        ipv6=CniSupport.YES,
        dual_stack=CniSupport.YES,
        source="https://github.com/flannel-io/flannel/blob/master/Documentation/backends.md",
        notes="layer 3 overlay only; 'for network policy, other projects such as Calico can be "
        "used' (README); encryption with the wireguard backend; IPv6 and dual stack with "
        "EnableIPv6/IPv6Network in net-conf.json",
        images=("flannel-io/flannel", "flannel/flannel", "coreos/flannel", "flannelcni"),
    ),
    CniPluginInfo(
        "calico",
        "Calico",
        network_policy=CniSupport.YES,
        encryption=CniSupport.YES,
        ipv6=CniSupport.YES,
        dual_stack=CniSupport.YES,
        source="https://docs.tigera.io/calico/latest/about/",
        notes="Kubernetes NetworkPolicy plus its own NetworkPolicy/GlobalNetworkPolicy; "
        "WireGuard encryption (FelixConfiguration wireguardEnabled)",
        aliases=("calico-vxlan", "calico-bgp"),
        images=("calico/node", "calico/cni"),
    ),
    CniPluginInfo(
        "cilium",
        "Cilium",
        network_policy=CniSupport.YES,
        encryption=CniSupport.YES,
        ipv6=CniSupport.YES,
        dual_stack=CniSupport.YES,
        source="https://docs.cilium.io/en/stable/security/network/",
        notes="eBPF; Kubernetes NetworkPolicy plus CiliumNetworkPolicy (L7); transparent "
        "encryption with WireGuard or IPsec",
        images=("cilium/cilium",),
    ),
    CniPluginInfo(
        "weave",
        "Weave Net",
        network_policy=CniSupport.YES,
        encryption=CniSupport.YES,
        ipv6=CniSupport.NO,
        dual_stack=CniSupport.NO,
        source="https://github.com/weaveworks/weave/blob/master/site/kubernetes/kube-addon.md",
        notes="weave-npc enforces NetworkPolicy; encryption with a password (WEAVE_PASSWORD); "
        "IPv4 only; the project is archived (Weaveworks closed in 2024)",
        aliases=("weave-net", "weavenet"),
        images=("weaveworks/weave-kube", "weaveworks/weave-npc", "weave-kube"),
    ),
    CniPluginInfo(
        "canal",
        "Canal",
        network_policy=CniSupport.YES,
        encryption=CniSupport.NO,
        ipv6=CniSupport.NO,
        dual_stack=CniSupport.NO,
        source="https://docs.tigera.io/calico/latest/getting-started/kubernetes/flannel/"
        "install-for-flannel",
        notes="Flannel's networking with Calico's policy engine (calico-node in the canal "
        "DaemonSet); Calico's WireGuard needs Calico networking",
        images=(),
    ),
    CniPluginInfo(
        "kube-router",
        "Kube-router",
        network_policy=CniSupport.YES,
        encryption=CniSupport.NO,
        ipv6=CniSupport.YES,
        dual_stack=CniSupport.YES,
        source="https://www.kube-router.io/docs/",
        notes="BGP routing, an iptables/ipset network policy controller and an IPVS service "
        "proxy; dual stack since v2.0",
        aliases=("kuberouter",),
        images=("cloudnativelabs/kube-router",),
    ),
    CniPluginInfo(
        "antrea",
        "Antrea",
        network_policy=CniSupport.YES,
        encryption=CniSupport.YES,
        ipv6=CniSupport.YES,
        dual_stack=CniSupport.YES,
        source="https://antrea.io/docs/main/docs/traffic-encryption/",
        notes="Open vSwitch; Kubernetes NetworkPolicy plus Antrea-native policies; IPsec or "
        "WireGuard encryption",
        images=("antrea/antrea",),
    ),
    CniPluginInfo(
        "multus",
        "Multus",
        network_policy=CniSupport.DELEGATED,
        encryption=CniSupport.DELEGATED,
        ipv6=CniSupport.DELEGATED,
        dual_stack=CniSupport.DELEGATED,
        source="https://github.com/k8snetworkplumbingwg/multus-cni",
        notes="a meta plugin: the cluster network (the default delegate) enforces "
        "NetworkPolicy or not; extra attachments need MultiNetworkPolicy",
        aliases=("multus-cni",),
        images=("multus-cni",),
    ),
    CniPluginInfo(
        "ovn-kubernetes",
        "OVN-Kubernetes",
        network_policy=CniSupport.YES,
        encryption=CniSupport.YES,
        ipv6=CniSupport.YES,
        dual_stack=CniSupport.YES,
        source="https://ovn-kubernetes.io/",
        notes="OVN/Open vSwitch; IPsec encryption of pod traffic between nodes",
        aliases=("ovn", "ovnkubernetes", "ovn-k8s"),
        images=("ovn-kubernetes", "ovnkube"),
    ),
    CniPluginInfo(
        "kindnet",
        "kindnet",
        network_policy=CniSupport.YES,
        encryption=CniSupport.NO,
        ipv6=CniSupport.YES,
        dual_stack=CniSupport.YES,
        source="https://github.com/kubernetes-sigs/kind/releases/tag/v0.24.0",
        notes="kind's default CNI; enforces NetworkPolicy since kind v0.24.0 (older kind "
        "clusters do not)",
        images=("kindest/kindnetd", "kindnetd"),
    ),
    CniPluginInfo(
        "aws-vpc-cni",
        "Amazon VPC CNI",
        network_policy=CniSupport.WHEN_ENABLED,
        encryption=CniSupport.NO,
        ipv6=CniSupport.YES,
        dual_stack=CniSupport.NO,
        source="https://docs.aws.amazon.com/eks/latest/userguide/cni-network-policy.html",
        notes="pods get VPC addresses; NetworkPolicy from v1.14 with enableNetworkPolicy "
        "(the network policy agent), off by default; IPv4 or IPv6 clusters, not dual stack",
        aliases=("amazon-vpc-cni", "aws-node", "vpc-cni", "aws"),
        images=("amazon-k8s-cni", "amazon/aws-network-policy-agent"),
    ),
    CniPluginInfo(
        "azure-cni",
        "Azure CNI",
        network_policy=CniSupport.DELEGATED,
        encryption=CniSupport.NO,
        ipv6=CniSupport.YES,
        dual_stack=CniSupport.YES,
        source="https://learn.microsoft.com/azure/aks/use-network-policies",
        notes="NetworkPolicy only with the engine chosen at cluster creation "
        "(--network-policy azure, calico or cilium); none by default",
        aliases=("azure", "azure-vnet"),
        images=("azure-cni", "azure-vnet"),
    ),
)

_BY_NAME = {
    key: info for info in CNI_CATALOG for key in (info.name, *info.aliases, info.title.lower())
}


def _normalise(name: str) -> str:
    return re.sub(r"[\s_]+", "-", name.strip().lower())


def cni_plugin(name: str) -> CniPluginInfo | None:
    """The catalog entry of ``name`` (case and ``_``/space insensitive, aliases too)."""
    return _BY_NAME.get(_normalise(name))


def suggest_cni_plugin(name: str) -> str | None:
    """The catalog name closest to an unknown ``name`` (for "did you mean")."""
    return suggest(_normalise(name), sorted(_BY_NAME))


#: images of policy engines that may run beside Flannel (Canal's calico-node, kube-router's
#: firewall, a Cilium chained on Flannel, weave-npc, Antrea in policy-only mode)
POLICY_ENGINE_IMAGES = (
    "calico/node",
    "cilium/cilium",
    "cloudnativelabs/kube-router",
    "weaveworks/weave-npc",
    "antrea/antrea",
    "kube-network-policies",
    "aws-network-policy-agent",
    "azure-npm",
)


def infer_cni_plugin(images: list[str], *, calico_resources: bool = False) -> CniPluginInfo | None:
    """The plugin the images of a cluster's DaemonSets show, when they show one alone:
    Flannel without any policy engine beside it is Flannel; with calico-node it is Canal.
    ``calico_resources``: Calico's custom resources (FelixConfiguration, IPPool, Calico
    policies) are in the manifests, so Felix runs beside Flannel (Canal) even when the
    calico-node DaemonSet is installed by other means (the operator). Only the Flannel case
    is inferred (it is the one whose NetworkPolicies go unenforced)."""
    flannel = _BY_NAME["flannel"]
    has_flannel = any(f in image for image in images for f in flannel.images)
    calico = calico_resources or any("calico/node" in image for image in images)
    engines = calico or any(e in image for image in images for e in POLICY_ENGINE_IMAGES)
    if has_flannel and not engines:
        return flannel
    if has_flannel and calico:
        return _BY_NAME["canal"]
    return None
