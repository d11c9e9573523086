"""CalicoNetwork: Calico's IP pools and Felix's configuration as typed values, rendered as
the ``crd.projectcalico.org/v1`` custom resources Calico reads (IPPool, FelixConfiguration).

The fields and their spellings are those of the CRDs pinned in ``k8sdsl/crd_schemas``
(projectcalico/calico v3.29.7); every pool is judged by the one IPPool checker
(:func:`k8sdsl.network.check_ip_pools`) that the ``calico/*`` rules run on YAML. Without
pools, CalicoNetwork makes one per family of the declared cluster's pod CIDR, as the Calico
operator does: ``default-ipv4-ippool`` (block /26, VXLAN across subnets, natOutgoing) and
``default-ipv6-ippool`` (block /122, no encapsulation).
"""

from __future__ import annotations

import ipaddress
from collections.abc import Mapping, Sequence
from enum import StrEnum
from typing import Any, ClassVar

from pydantic import Field

from k8sdsl.core._cluster import Cluster, ClusterNetwork
from k8sdsl.core._construct import Construct, Resource
from k8sdsl.core._findings import Finding, K8sDslError, ObjectRef, Severity, ValueInputError
from k8sdsl.core._model import K8sModel
from k8sdsl.network._calico_check import DEFAULT_BLOCK_SIZE, check_ip_pools

#: the apiVersion of Calico's CRDs (what ``kubectl apply`` writes)
CALICO_CRD_API_VERSION = "crd.projectcalico.org/v1"


class EncapsulationMode(StrEnum):
    """``ipipMode``/``vxlanMode`` of an IPPool: ``CrossSubnet`` encapsulates only traffic to
    nodes in another subnet."""

    NEVER = "Never"
    ALWAYS = "Always"
    CROSS_SUBNET = "CrossSubnet"


class IPPool(K8sModel):
    """One Calico IP pool (``IPPool`` spec): ``cidr``, ``block_size`` (the per-node blocks
    Calico IPAM hands out: IPv4 20-32, default 26; IPv6 116-128, default 122), at most one of
    ``ipip_mode``/``vxlan_mode`` on (IPIP is IPv4 only), ``nat_outgoing``, ``node_selector``
    (Calico selector syntax, ``all()`` for every node), ``disabled``."""

    k8s_type: ClassVar[str] = "IPPool"

    name: str = Field(min_length=1, max_length=253, exclude=True)
    cidr: str
    block_size: int | None = None
    ipip_mode: EncapsulationMode | None = None
    vxlan_mode: EncapsulationMode | None = None
    nat_outgoing: bool | None = None
    node_selector: str | None = None
    disabled: bool | None = None

    def __init__(self, /, **data: Any) -> None:
        super().__init__(**data)
        problems = check_ip_pools([(self.name, self.to_k8s())])
        if problems:
            raise ValueInputError(
                [
                    Finding(
                        p.severity,
                        p.code,
                        p.message,
                        ObjectRef(kind="IPPool", name=self.name, source="k8sdsl.network"),
                        p.path.removeprefix("spec."),
                        p.hint,
                    )
                    for p in problems
                ],
                summary=f"invalid IPPool {self.name!r}",
            )

    @property
    def network(self) -> ipaddress.IPv4Network | ipaddress.IPv6Network:
        return ipaddress.ip_network(self.cidr)


class LogSeverity(StrEnum):
    DEBUG = "Debug"
    INFO = "Info"
    WARNING = "Warning"
    ERROR = "Error"
    FATAL = "Fatal"


class RouteSource(StrEnum):
    CALICO_IPAM = "CalicoIPAM"
    WORKLOAD_IPS = "WorkloadIPs"


class FelixConfiguration(K8sModel):
    """The basics of Felix's ``FelixConfiguration`` spec (the ``default`` object applies to
    every node): log level, the eBPF data plane, WireGuard encryption, the VXLAN VNI and port,
    the tunnel MTUs, Prometheus metrics and where Felix's routes come from."""

    k8s_type: ClassVar[str] = "FelixConfiguration"

    log_severity_screen: LogSeverity | None = None
    bpf_enabled: bool | None = None
    wireguard_enabled: bool | None = None
    wireguard_enabled_v6: bool | None = Field(
        default=None, serialization_alias="wireguardEnabledV6"
    )
    vxlan_vni: int | None = Field(default=None, ge=1, le=16777215, serialization_alias="vxlanVNI")
    vxlan_port: int | None = Field(default=None, ge=1, le=65535)
    vxlan_mtu: int | None = Field(default=None, ge=68, serialization_alias="vxlanMTU")
    ipip_mtu: int | None = Field(default=None, ge=68, serialization_alias="ipipMTU")
    prometheus_metrics_enabled: bool | None = None
    prometheus_metrics_port: int | None = Field(default=None, ge=1, le=65535)
    route_source: RouteSource | None = None


class _CalicoResource(Resource):
    """A Calico custom resource with a ``spec``."""

    api_version: ClassVar[str] = CALICO_CRD_API_VERSION

    def __init__(
        self,
        scope: Construct,
        id: str,
        *,
        name: str,
        spec: Mapping[str, Any],
        labels: Mapping[str, str] | None = None,
    ) -> None:
        super().__init__(scope, id, name=name, labels=labels)
        self.spec: dict[str, Any] = dict(spec)

    def _body(self) -> dict[str, Any]:
        return {"spec": dict(self.spec)}


class IPPoolResource(_CalicoResource):
    """The IPPool custom resource of one :class:`IPPool`."""

    kind: ClassVar[str] = "IPPool"


class FelixConfigurationResource(_CalicoResource):
    """The FelixConfiguration custom resource."""

    kind: ClassVar[str] = "FelixConfiguration"


def default_ip_pools(network: ClusterNetwork) -> list[IPPool]:
    """The pools the Calico operator makes for the pod CIDR: one per family."""
    pools = []
    for cidr in network.pod_cidrs:
        net = ipaddress.ip_network(cidr, strict=False)
        block = max(DEFAULT_BLOCK_SIZE[net.version], net.prefixlen)
        if net.version == 4:
            pools.append(
                IPPool(
                    name="default-ipv4-ippool",
                    cidr=str(net),
                    block_size=block,
                    ipip_mode=EncapsulationMode.NEVER,
                    vxlan_mode=EncapsulationMode.CROSS_SUBNET,
                    nat_outgoing=True,
                    node_selector="all()",
                )
            )
        else:
            pools.append(
                IPPool(
                    name="default-ipv6-ippool",
                    cidr=str(net),
                    block_size=block,
                    ipip_mode=EncapsulationMode.NEVER,
                    vxlan_mode=EncapsulationMode.NEVER,
                    nat_outgoing=False,
                    node_selector="all()",
                )
            )
    return pools


def _declared(scope: Construct) -> tuple[ClusterNetwork, bool]:
    """The App's declared cluster network (and whether it was declared), else the defaults."""
    root = scope
    while root.node.scope is not None:
        root = root.node.scope
    cluster = getattr(root, "cluster", None)
    if isinstance(cluster, Cluster):
        return cluster.network, "network" in cluster.model_fields_set
    return ClusterNetwork(), False


class CalicoNetwork(Construct):
    """Calico's IP pools and Felix configuration for a declared cluster network.

    ``pools`` default to one per family of the pod CIDR (``network=``, else the App's
    declared cluster, else kubeadm's 10.244.0.0/16); given pools are checked together: no two
    overlap (``calico/pool-overlap``) and, when the cluster declares its network, each lies
    inside the pod CIDR (``calico/pool-outside-pod-cidr``, an error here: the construct knows
    the network it is for). ``felix`` renders the ``default`` FelixConfiguration (always
    written, empty spec when not given). Attributes: ``pools`` (the values),
    ``pool_resources``, ``felix_configuration``.
    """

    def __init__(
        self,
        scope: Construct,
        id: str,
        *,
        pools: Sequence[IPPool] | None = None,
        felix: FelixConfiguration | None = None,
        network: ClusterNetwork | None = None,
        labels: Mapping[str, str] | None = None,
    ) -> None:
        super().__init__(scope, id)
        declared, is_declared = (network, True) if network is not None else _declared(scope)
        self.pools: tuple[IPPool, ...] = (
            tuple(pools) if pools is not None else tuple(default_ip_pools(declared))
        )
        problems = check_ip_pools(
            [(p.name, p.to_k8s()) for p in self.pools],
            declared.pod_cidrs if is_declared else None,
        )
        if problems:
            raise K8sDslError(
                [
                    Finding(
                        Severity.ERROR,
                        p.code,
                        p.message,
                        ObjectRef(CALICO_CRD_API_VERSION, "IPPool", p.pool, None, self.node.path),
                        p.path,
                        p.hint,
                    )
                    for p in problems
                ],
                summary=f"invalid CalicoNetwork at {self.node.path}",
            )
        common = dict(labels or {})
        self.pool_resources = [
            IPPoolResource(self, f"pool-{p.name}", name=p.name, spec=p.to_k8s(), labels=common)
            for p in self.pools
        ]
        self.felix_configuration = FelixConfigurationResource(
            self,
            "felix",
            name="default",
            spec=(felix or FelixConfiguration()).to_k8s(),
            labels=common,
        )


__all__ = [
    "CALICO_CRD_API_VERSION",
    "CalicoNetwork",
    "EncapsulationMode",
    "FelixConfiguration",
    "FelixConfigurationResource",
    "IPPool",
    "IPPoolResource",
    "LogSeverity",
    "RouteSource",
    "default_ip_pools",
]
