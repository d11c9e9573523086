"""FlannelNetwork: Flannel's kube-flannel manifest as a construct, from the declared network.

The objects are those of flannel-io/flannel ``Documentation/kube-flannel.yml``: the
``kube-flannel`` namespace (Pod Security ``privileged``: flanneld configures the node), the
``flannel`` ServiceAccount, ClusterRole (get pods, read nodes, patch nodes/status) and
ClusterRoleBinding, the ``kube-flannel-cfg`` ConfigMap (``cni-conf.json``, which the
``install-cni`` init container copies to ``/etc/cni/net.d/10-flannel.conflist``, and
``net-conf.json`` with ``Network`` = the declared pod CIDR, ``SubnetLen`` = the node mask and
the backend) and the ``kube-flannel-ds`` DaemonSet. The DaemonSet is a SecurePodTemplate
with every privilege Flannel needs written down as an exemption (host network, hostPath
volumes, NET_ADMIN/NET_RAW, root, the API token), so a reviewer of ``dist/`` sees why.
"""

from __future__ import annotations

import ipaddress
import json
from collections.abc import Mapping
from enum import StrEnum
from typing import Any

from pydantic import Field

from k8sdsl._namespace_and_configmap import ConfigMap, Namespace
from k8sdsl.core._cluster import Cluster, ClusterNetwork
from k8sdsl.core._construct import Construct
from k8sdsl.core._dns import DnsPolicy
from k8sdsl.core._model import K8sModel
from k8sdsl.network._cni import CniConfigList, CustomPlugin, PortMapPlugin
from k8sdsl.network._flannel_check import FLANNEL_NET_CONF_KEY
from k8sdsl.security._exemptions import Control, Exemption
from k8sdsl.security._rbac import ClusterRole, ClusterRoleBinding, PolicyRule
from k8sdsl.security._service_account import ServiceAccount
from k8sdsl.volumes._enums import HostPathType
from k8sdsl.volumes._volume import Mount, Volume
from k8sdsl.workloads._container import Container, EnvVar, ResourceRequirements
from k8sdsl.workloads._deployment import DaemonSet
from k8sdsl.workloads._pod import TaintEffect, Toleration, TolerationOperator
from k8sdsl.workloads._secure import SecurePodTemplate
from k8sdsl.workloads._security_context import (
    Capabilities,
    PodSecurityContext,
    SecurityContext,
)

#: the release of flannel-io/flannel these objects follow
FLANNEL_VERSION = "v0.26.4"
FLANNEL_IMAGE = f"ghcr.io/flannel-io/flannel:{FLANNEL_VERSION}"
FLANNEL_CNI_PLUGIN_IMAGE = "ghcr.io/flannel-io/flannel-cni-plugin:v1.6.2-flannel1"
FLANNEL_NAMESPACE = "kube-flannel"


class FlannelBackendType(StrEnum):
    VXLAN = "vxlan"
    HOST_GW = "host-gw"
    WIREGUARD = "wireguard"
    UDP = "udp"


class FlannelBackend(K8sModel):
    """The ``Backend`` of net-conf.json (flannel ``Documentation/backends.md``).

    ``vxlan`` (the recommended default: VXLAN in the kernel, ``vni`` 1 and ``port`` 8472 by
    default, ``direct_routing`` uses host-gw between nodes of one subnet); ``host-gw``
    (routes via the nodes, which need layer 2 adjacency); ``wireguard`` (encrypted, ``mode``
    separate/auto/ipv4/ipv6, ``listen_port`` 51820 by default); ``udp`` (user space, for
    debugging only).
    """

    type: FlannelBackendType = FlannelBackendType.VXLAN
    vni: int | None = Field(default=None, ge=1, le=16777215)
    port: int | None = Field(default=None, ge=1, le=65535)
    direct_routing: bool | None = None
    mtu: int | None = Field(default=None, ge=68)
    psk: str | None = None
    listen_port: int | None = Field(default=None, ge=1, le=65535)
    mode: str | None = None
    persistent_keepalive_interval: int | None = Field(default=None, ge=0)

    @classmethod
    def vxlan(
        cls, *, vni: int | None = None, port: int | None = None, direct_routing: bool | None = None
    ) -> FlannelBackend:
        return cls(type=FlannelBackendType.VXLAN, vni=vni, port=port, direct_routing=direct_routing)

    @classmethod
    def host_gw(cls) -> FlannelBackend:
        return cls(type=FlannelBackendType.HOST_GW)

    @classmethod
    def wireguard(
        cls, *, listen_port: int | None = None, mode: str | None = None
    ) -> FlannelBackend:
        return cls(type=FlannelBackendType.WIREGUARD, listen_port=listen_port, mode=mode)

    @classmethod
    def udp(cls, *, port: int | None = None) -> FlannelBackend:
        return cls(type=FlannelBackendType.UDP, port=port)

    def to_flannel(self) -> dict[str, Any]:
        """The Backend object as flannel spells it (``Type``, ``VNI``, ``DirectRouting``...)."""
        names = {
            "vni": "VNI",
            "port": "Port",
            "direct_routing": "DirectRouting",
            "mtu": "MTU",
            "psk": "PSK",
            "listen_port": "ListenPort",
            "mode": "Mode",
            "persistent_keepalive_interval": "PersistentKeepaliveInterval",
        }
        out: dict[str, Any] = {"Type": self.type.value}
        for field, name in names.items():
            value = getattr(self, field)
            if value is not None:
                out[name] = value
        return out


def flannel_net_conf(network: ClusterNetwork, backend: FlannelBackend) -> dict[str, Any]:
    """net-conf.json for ``network``: Network (and IPv6Network for dual stack) = the pod
    CIDRs, SubnetLen (IPv6SubnetLen) = the node masks, and the backend."""
    v4 = [c for c in network.pod_cidrs if ipaddress.ip_network(c).version == 4]
    v6 = [c for c in network.pod_cidrs if ipaddress.ip_network(c).version == 6]
    conf: dict[str, Any] = {}
    if v4:
        conf["Network"] = v4[0]
        conf["SubnetLen"] = network.node_cidr_mask_size_ipv4
    else:
        conf["EnableIPv4"] = False
    if v6:
        conf["EnableIPv6"] = True
        conf["IPv6Network"] = v6[0]
        conf["IPv6SubnetLen"] = network.node_cidr_mask_size_ipv6
    conf["Backend"] = backend.to_flannel()
    return conf


#: the CNI configuration kube-flannel.yml installs: the flannel plugin delegating to bridge
FLANNEL_CNI_CONFIG = CniConfigList(
    name="cbr0",
    cni_version="0.3.1",
    plugins=[
        CustomPlugin(
            type="flannel", config={"delegate": {"hairpinMode": True, "isDefaultGateway": True}}
        ),
        PortMapPlugin(),
    ],
)

_EXEMPTIONS = (
    Exemption(
        control=Control.HOST_NAMESPACES,
        reason="flanneld runs in the host network namespace: it creates the node's flannel.1 "
        "device, routes and iptables rules",
    ),
    Exemption(
        control=Control.HOST_PATH_VOLUMES,
        reason="the init containers install the CNI binary and conflist into /opt/cni/bin and "
        "/etc/cni/net.d; flanneld writes /run/flannel/subnet.env and shares /run/xtables.lock",
    ),
    Exemption(
        control=Control.VOLUME_TYPES,
        reason="hostPath volumes: see host-path-volumes",
    ),
    Exemption(
        control=Control.CAPABILITIES_BASELINE,
        reason="flanneld needs NET_ADMIN and NET_RAW to configure the node's links, routes and "
        "iptables (kube-flannel.yml adds exactly these)",
    ),
    Exemption(
        control=Control.CAPABILITIES_RESTRICTED,
        reason="NET_ADMIN and NET_RAW: see capabilities-baseline",
    ),
    Exemption(
        control=Control.RUN_AS_NON_ROOT,
        reason="flanneld and the installers run as root to write host files and iptables rules",
    ),
    Exemption(
        control=Control.RUN_AS_USER,
        reason="root: see run-as-non-root",
    ),
    Exemption(
        control=Control.RUN_AS_USER_BELOW_10000,
        reason="root: see run-as-non-root",
    ),
    Exemption(
        control=Control.READ_ONLY_ROOT_FILESYSTEM,
        reason="upstream runs flanneld's iptables/nftables tools on a writable root filesystem "
        "only (kube-flannel.yml)",
    ),
    Exemption(
        control=Control.SERVICE_ACCOUNT_TOKEN,
        reason="flanneld --kube-subnet-mgr reads its node's podCIDR and patches nodes/status "
        "through the API",
    ),
    Exemption(
        control=Control.IMAGE_DIGEST,
        reason=f"the images of the flannel {FLANNEL_VERSION} release, by tag as upstream "
        "publishes them; pin digests in your registry mirror",
    ),
)


def _declared_network(scope: Construct) -> ClusterNetwork:
    """The network of the App's declared cluster, else kubeadm's defaults."""
    root = scope
    while root.node.scope is not None:
        root = root.node.scope
    cluster = getattr(root, "cluster", None)
    return cluster.network if isinstance(cluster, Cluster) else ClusterNetwork()


class FlannelNetwork(Construct):
    """Flannel for a declared cluster network: every object of kube-flannel.yml.

    ``network`` gives the pod CIDR(s) and node masks written into net-conf.json (default:
    the App's declared cluster network, else kubeadm's 10.244.0.0/16 with /24 nodes);
    ``backend`` defaults to vxlan. Attributes: ``namespace``, ``service_account``,
    ``cluster_role``, ``binding``, ``config_map``, ``daemon_set``, ``cni_config`` (the
    CniConfigList in ``cni-conf.json``).
    """

    def __init__(
        self,
        scope: Construct,
        id: str,
        *,
        network: ClusterNetwork | None = None,
        backend: FlannelBackend | None = None,
        image: str = FLANNEL_IMAGE,
        cni_plugin_image: str = FLANNEL_CNI_PLUGIN_IMAGE,
        labels: Mapping[str, str] | None = None,
    ) -> None:
        super().__init__(scope, id)
        network = network if network is not None else _declared_network(scope)
        backend = backend if backend is not None else FlannelBackend()
        ns = FLANNEL_NAMESPACE
        common = {"app": "flannel", "k8s-app": "flannel", "tier": "node", **dict(labels or {})}
        self.namespace = Namespace(
            self,
            "namespace",
            name=ns,
            labels={**common, "pod-security.kubernetes.io/enforce": "privileged"},
        )
        self.service_account = ServiceAccount(
            self, "service-account", name="flannel", namespace=ns, labels=common
        )
        self.cluster_role = ClusterRole(
            self,
            "cluster-role",
            name="flannel",
            labels=common,
            rules=[
                PolicyRule.of("pods", verbs=["get"]),
                PolicyRule.of("nodes", verbs=["get", "list", "watch"]),
                PolicyRule.of("nodes/status", verbs=["patch"]),
            ],
        )
        self.binding = ClusterRoleBinding(
            self,
            "binding",
            name="flannel",
            labels=common,
            role=self.cluster_role,
            subjects=[self.service_account],
        )
        self.cni_config = FLANNEL_CNI_CONFIG
        net_conf = json.dumps(flannel_net_conf(network, backend), indent=2) + "\n"
        self.config_map = ConfigMap(
            self,
            "config",
            name="kube-flannel-cfg",
            namespace=ns,
            labels=common,
            data={"cni-conf.json": self.cni_config.render(), FLANNEL_NET_CONF_KEY: net_conf},
        )
        cfg = Volume.config_map("flannel-cfg", config_map_name="kube-flannel-cfg")

        def host(name: str, path: str, kind: HostPathType | None = None) -> Volume:
            return Volume.host_path(name, path=path, type=kind)

        root = SecurityContext(run_as_user=0, run_as_non_root=False, run_as_group=0)
        small = ResourceRequirements.of(cpu="100m", memory="50Mi", memory_limit="50Mi")
        installer = ResourceRequirements.of(cpu="10m", memory="16Mi", memory_limit="16Mi")
        template = SecurePodTemplate(
            labels=common,
            service_account_name="flannel",
            automount_service_account_token=True,
            host_network=True,
            # flanneld reaches the API server by its Service IP, not by name
            dns_policy=DnsPolicy.DEFAULT,
            priority_class_name="system-node-critical",
            tolerations=[
                Toleration(operator=TolerationOperator.EXISTS, effect=TaintEffect.NO_SCHEDULE)
            ],
            security_context=PodSecurityContext(
                run_as_user=0, run_as_non_root=False, run_as_group=0
            ),
            init_containers=[
                Container(
                    name="install-cni-plugin",
                    image=cni_plugin_image,
                    command=("cp",),
                    args=("-f", "/flannel", "/opt/cni/bin/flannel"),
                    resources=installer,
                    security_context=root,
                    mounts=(
                        Mount(volume=host("cni-plugin", "/opt/cni/bin"), mount_path="/opt/cni/bin"),
                    ),
                ),
                Container(
                    name="install-cni",
                    image=image,
                    command=("cp",),
                    args=(
                        "-f",
                        "/etc/kube-flannel/cni-conf.json",
                        "/etc/cni/net.d/10-flannel.conflist",
                    ),
                    resources=installer,
                    security_context=root,
                    mounts=(
                        Mount(volume=host("cni", "/etc/cni/net.d"), mount_path="/etc/cni/net.d"),
                        Mount(volume=cfg, mount_path="/etc/kube-flannel/"),
                    ),
                ),
            ],
            containers=[
                Container(
                    name="kube-flannel",
                    image=image,
                    command=("/opt/bin/flanneld",),
                    args=("--ip-masq", "--kube-subnet-mgr"),
                    env=(
                        EnvVar.from_field("POD_NAME", "metadata.name"),
                        EnvVar.from_field("POD_NAMESPACE", "metadata.namespace"),
                        EnvVar.of("EVENT_QUEUE_DEPTH", "5000"),
                    ),
                    resources=small,
                    security_context=SecurityContext(
                        run_as_user=0,
                        run_as_non_root=False,
                        run_as_group=0,
                        capabilities=Capabilities.drop_all(add=["NET_ADMIN", "NET_RAW"]),
                        read_only_root_filesystem=False,
                    ),
                    mounts=(
                        Mount(volume=host("run", "/run/flannel"), mount_path="/run/flannel"),
                        Mount(volume=cfg, mount_path="/etc/kube-flannel/"),
                        Mount(
                            volume=host(
                                "xtables-lock", "/run/xtables.lock", HostPathType.FILE_OR_CREATE
                            ),
                            mount_path="/run/xtables.lock",
                        ),
                    ),
                )
            ],
            exemptions=_EXEMPTIONS,
        )
        self.daemon_set = DaemonSet(
            self,
            "daemon-set",
            name="kube-flannel-ds",
            namespace=ns,
            labels=common,
            template=template,
        )
