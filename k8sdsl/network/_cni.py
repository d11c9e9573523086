"""Typed CNI network configuration lists: the ``.conflist`` file a node's container runtime
reads from ``/etc/cni/net.d``.

A :class:`CniConfigList` is the "network configuration" of the CNI specification
(github.com/containernetworking/cni, SPEC.md, "Section 1: Network configuration format"):
``cniVersion``, ``name``, ``plugins`` and the optional ``disableCheck`` (and, from 1.1.0,
``cniVersions``, ``disableGC`` and ``loadOnlyInlinedPlugins``). Its plugins are the reference
plugins of github.com/containernetworking/plugins, typed (bridge, ptp, macvlan, ipvlan,
host-device, loopback; the meta plugins portmap, bandwidth, tuning, firewall, sbr; IPAM
host-local, static, dhcp), or :class:`CustomPlugin` for any other binary (flannel, calico,
cilium-cni). Building one runs the checker that ``k8sdsl check`` runs on files
(:func:`k8sdsl.network.check_cni_config`): host-local ranges and gateways inside their
subnets and not overlapping, the interface plugin first and meta plugins after it.

``render()`` gives the file, byte for byte the same for the same value: JSON, two-space
indent, keys in the specification's order, a final newline.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from enum import StrEnum
from typing import TYPE_CHECKING, Annotated, Any, Literal

from pydantic import (
    AliasChoices,
    AliasGenerator,
    ConfigDict,
    Discriminator,
    Field,
    Tag,
    model_validator,
)

from k8sdsl.core._findings import Finding, ObjectRef, Severity, ValueInputError
from k8sdsl.core._model import K8sModel, to_camel
from k8sdsl.core._types import Cidr, NonEmptyStr
from k8sdsl.network._cni_check import check_cni_config

if TYPE_CHECKING:
    from k8sdsl._namespace_and_configmap import ConfigMap
    from k8sdsl.core._construct import Construct

#: CNI specification versions with configuration lists
CniVersion = Literal["0.3.0", "0.3.1", "0.4.0", "1.0.0", "1.1.0"]
#: the version k8sdsl writes by default: containerd 1.7+, CRI-O 1.24+ (libcni 1.x) read it
DEFAULT_CNI_VERSION: CniVersion = "1.0.0"
#: where container runtimes read CNI configuration (containerd's and CRI-O's default)
CNI_CONF_DIR = "/etc/cni/net.d"


def _both_spellings(name: str) -> AliasChoices:
    return AliasChoices(name, to_camel(name))


class _CniValue(K8sModel):
    """A part of a CNI configuration: camelCase keys out (and in, for a file read with
    :meth:`CniConfigList.from_cni`), unset fields left out."""

    model_config = ConfigDict(
        frozen=True,
        extra="forbid",
        alias_generator=AliasGenerator(
            serialization_alias=to_camel, validation_alias=_both_spellings
        ),
        populate_by_name=True,
    )

    def to_cni(self) -> dict[str, Any]:
        data = self.to_k8s()
        # "type" first, as the specification and every example write it
        return {"type": data.pop("type"), **data} if "type" in data else data


# --- IPAM (containernetworking/plugins, plugins/ipam) -------------------------------------


class Route(_CniValue):
    """A route the IPAM plugin returns: ``dst`` network via ``gw`` (default: the gateway)."""

    dst: Cidr
    gw: str | None = None


class CniDns(_CniValue):
    """DNS settings a plugin returns (SPEC.md, "Section 1", the well-known ``dns`` key)."""

    nameservers: tuple[str, ...] | None = None
    domain: str | None = None
    search: tuple[str, ...] | None = None
    options: tuple[str, ...] | None = None


class IpRange(_CniValue):
    """One host-local range: addresses of ``subnet`` from ``range_start`` (default the
    network address + 1) to ``range_end`` (default the last, leaving out the IPv4 broadcast
    address); ``gateway`` defaults to the network address + 1 and is never handed out."""

    subnet: Cidr
    range_start: str | None = None
    range_end: str | None = None
    gateway: str | None = None


class HostLocalIpam(_CniValue):
    """host-local IPAM: addresses from local ranges, recorded under ``data_dir`` on the node.

    ``ranges`` is a list of range sets; each set gives the pod one address (a dual-stack pod
    gets one from an IPv4 set and one from an IPv6 set). ``HostLocalIpam.of("10.22.0.0/16",
    "fd00:22::/64")`` makes one set per subnet.
    """

    type: Literal["host-local"] = "host-local"
    ranges: tuple[tuple[IpRange, ...], ...]
    routes: tuple[Route, ...] | None = None
    data_dir: str | None = None
    resolv_conf: str | None = None

    @model_validator(mode="before")
    @classmethod
    def _single_range(cls, value: Any) -> Any:
        # the single-range form of older files ("subnet", "gateway"... beside "type") is one
        # range set of one range, as host-local reads it (plugins/ipam/host-local config.go)
        if not isinstance(value, Mapping) or "subnet" not in value or "ranges" in value:
            return value
        keys = ("subnet", "rangeStart", "rangeEnd", "gateway")
        single = {k: value[k] for k in keys if k in value}
        return {**{k: v for k, v in value.items() if k not in keys}, "ranges": [[single]]}

    @classmethod
    def of(cls, *subnets: str, routes: tuple[str, ...] | None = None) -> HostLocalIpam:
        """One range set per subnet, and routes to ``routes`` (e.g. ``("0.0.0.0/0",)``)."""
        return cls(
            ranges=tuple((IpRange(subnet=s),) for s in subnets),
            routes=tuple(Route(dst=d) for d in routes) if routes is not None else None,
        )


class StaticAddress(_CniValue):
    """A fixed interface address (``10.10.0.1/24``) and its gateway."""

    address: NonEmptyStr
    gateway: str | None = None


class StaticIpam(_CniValue):
    """static IPAM: the addresses given, for one container."""

    type: Literal["static"] = "static"
    addresses: tuple[StaticAddress, ...]
    routes: tuple[Route, ...] | None = None
    dns: CniDns | None = None


class DhcpIpam(_CniValue):
    """dhcp IPAM: leases from a DHCP server through the ``dhcp`` daemon on the node."""

    type: Literal["dhcp"] = "dhcp"
    daemon_socket_path: str | None = None


def _type_of(value: Any) -> Any:
    return value.get("type") if isinstance(value, Mapping) else getattr(value, "type", None)


Ipam = Annotated[
    Annotated[HostLocalIpam, Tag("host-local")]
    | Annotated[StaticIpam, Tag("static")]
    | Annotated[DhcpIpam, Tag("dhcp")],
    Discriminator(
        _type_of,
        custom_error_type="ipam_type",
        custom_error_message="is not an IPAM k8sdsl types: host-local, static or dhcp",
    ),
]
"""The IPAM section of an interface plugin: host-local, static or dhcp."""


# --- plugins ------------------------------------------------------------------------------


class MacvlanMode(StrEnum):
    BRIDGE = "bridge"
    PRIVATE = "private"
    VEPA = "vepa"
    PASSTHRU = "passthru"


class IpvlanMode(StrEnum):
    L2 = "l2"
    L3 = "l3"
    L3S = "l3s"


class FirewallBackend(StrEnum):
    IPTABLES = "iptables"
    FIREWALLD = "firewalld"


class _Plugin(_CniValue):
    #: capabilities the runtime should pass in runtimeConfig (SPEC.md, "Section 1")
    capabilities: dict[str, bool] | None = None


class BridgePlugin(_Plugin):
    """bridge: a veth pair from the container to a Linux bridge on the node (``cni0``).

    ``is_gateway`` gives the bridge the range's gateway address, ``ip_masq`` masquerades
    traffic leaving the range, ``hairpin_mode`` lets a pod reach itself through a Service.
    """

    type: Literal["bridge"] = "bridge"
    bridge: str | None = None
    is_gateway: bool | None = None
    is_default_gateway: bool | None = None
    force_address: bool | None = None
    ip_masq: bool | None = None
    mtu: int | None = Field(default=None, ge=68)
    hairpin_mode: bool | None = None
    promisc_mode: bool | None = None
    vlan: int | None = Field(default=None, ge=0, le=4094)
    ipam: Ipam | None = None
    dns: CniDns | None = None


class PtpPlugin(_Plugin):
    """ptp: a veth pair and host routes, no bridge."""

    type: Literal["ptp"] = "ptp"
    ip_masq: bool | None = None
    mtu: int | None = Field(default=None, ge=68)
    ipam: Ipam | None = None
    dns: CniDns | None = None


class MacvlanPlugin(_Plugin):
    """macvlan: a MAC address of its own on the host interface ``master``."""

    type: Literal["macvlan"] = "macvlan"
    master: str | None = None
    mode: MacvlanMode | None = None
    mtu: int | None = Field(default=None, ge=68)
    link_in_container: bool | None = None
    ipam: Ipam | None = None


class IpvlanPlugin(_Plugin):
    """ipvlan: the host interface's MAC address, an IP of its own."""

    type: Literal["ipvlan"] = "ipvlan"
    master: str | None = None
    mode: IpvlanMode | None = None
    mtu: int | None = Field(default=None, ge=68)
    link_in_container: bool | None = None
    ipam: Ipam | None = None


class HostDevicePlugin(_Plugin):
    """host-device: moves an existing device (by name, MAC, kernel path or PCI address) into
    the container."""

    type: Literal["host-device"] = "host-device"
    device: str | None = None
    hwaddr: str | None = None
    kernelpath: str | None = None
    pci_bus_id: str | None = Field(
        default=None,
        serialization_alias="pciBusID",
        validation_alias=AliasChoices("pci_bus_id", "pciBusID"),
    )
    ipam: Ipam | None = None


class LoopbackPlugin(_Plugin):
    """loopback: brings ``lo`` up."""

    type: Literal["loopback"] = "loopback"


class PortMapPlugin(_Plugin):
    """portmap (meta): hostPort forwarding with iptables/nftables; needs the
    ``portMappings`` capability, set by default."""

    type: Literal["portmap"] = "portmap"
    capabilities: dict[str, bool] | None = Field(default_factory=lambda: {"portMappings": True})
    snat: bool | None = None
    mark_masq_bit: int | None = Field(default=None, ge=0, le=31)
    external_set_mark_chain: str | None = None


class BandwidthPlugin(_Plugin):
    """bandwidth (meta): traffic shaping with tbf; rates and bursts in bits (each rate with
    its burst). The ``bandwidth`` capability (the pod annotations
    ``kubernetes.io/ingress-bandwidth``/``egress-bandwidth``) is set by default."""

    type: Literal["bandwidth"] = "bandwidth"
    capabilities: dict[str, bool] | None = Field(default_factory=lambda: {"bandwidth": True})
    ingress_rate: int | None = Field(default=None, ge=0)
    ingress_burst: int | None = Field(default=None, ge=0)
    egress_rate: int | None = Field(default=None, ge=0)
    egress_burst: int | None = Field(default=None, ge=0)


class TuningPlugin(_Plugin):
    """tuning (meta): sysctls and link settings of the container's interface."""

    type: Literal["tuning"] = "tuning"
    sysctl: dict[str, str] | None = None
    mac: str | None = None
    promisc: bool | None = None
    allmulti: bool | None = None
    mtu: int | None = Field(default=None, ge=68)
    tx_q_len: int | None = Field(default=None, ge=0)


class FirewallPlugin(_Plugin):
    """firewall (meta): lets the container's traffic through the host firewall."""

    type: Literal["firewall"] = "firewall"
    backend: FirewallBackend | None = None
    iptables_admin_chain_name: str | None = None
    firewalld_zone: str | None = None


class SbrPlugin(_Plugin):
    """sbr (meta): source-based routing of the container's addresses."""

    type: Literal["sbr"] = "sbr"
    table: int | None = Field(default=None, ge=1)


class CustomPlugin(_CniValue):
    """Any other plugin binary (flannel, calico, cilium-cni...): ``type`` and its fields as
    the plugin documents them, written as given (keys sorted)."""

    type: NonEmptyStr
    config: dict[str, Any] = Field(default_factory=dict)

    @model_validator(mode="before")
    @classmethod
    def _from_file(cls, value: Any) -> Any:
        # the plugin object of a file: every key but type is the plugin's own
        if isinstance(value, Mapping) and set(value) - {"type", "config"}:
            return {
                "type": value.get("type"),
                "config": {k: v for k, v in value.items() if k != "type"},
            }
        return value

    def to_cni(self) -> dict[str, Any]:
        body = {k: self.config[k] for k in sorted(self.config) if k != "type"}
        return {"type": self.type, **body}


_PLUGIN_CLASSES: dict[str, type[_CniValue]] = {
    "bridge": BridgePlugin,
    "ptp": PtpPlugin,
    "macvlan": MacvlanPlugin,
    "ipvlan": IpvlanPlugin,
    "host-device": HostDevicePlugin,
    "loopback": LoopbackPlugin,
    "portmap": PortMapPlugin,
    "bandwidth": BandwidthPlugin,
    "tuning": TuningPlugin,
    "firewall": FirewallPlugin,
    "sbr": SbrPlugin,
}


def _plugin_tag(value: Any) -> str:
    kind = _type_of(value)
    if isinstance(value, CustomPlugin) or kind not in _PLUGIN_CLASSES:
        return "CustomPlugin"
    return _PLUGIN_CLASSES[kind].__name__


CniPlugin = Annotated[
    Annotated[BridgePlugin, Tag("BridgePlugin")]
    | Annotated[PtpPlugin, Tag("PtpPlugin")]
    | Annotated[MacvlanPlugin, Tag("MacvlanPlugin")]
    | Annotated[IpvlanPlugin, Tag("IpvlanPlugin")]
    | Annotated[HostDevicePlugin, Tag("HostDevicePlugin")]
    | Annotated[LoopbackPlugin, Tag("LoopbackPlugin")]
    | Annotated[PortMapPlugin, Tag("PortMapPlugin")]
    | Annotated[BandwidthPlugin, Tag("BandwidthPlugin")]
    | Annotated[TuningPlugin, Tag("TuningPlugin")]
    | Annotated[FirewallPlugin, Tag("FirewallPlugin")]
    | Annotated[SbrPlugin, Tag("SbrPlugin")]
    | Annotated[CustomPlugin, Tag("CustomPlugin")],
    Discriminator(_plugin_tag),
]
"""One plugin configuration object of a list: a typed reference plugin or a CustomPlugin."""


class CniConfigList(_CniValue):
    """A network configuration list (SPEC.md, "Section 1: Network configuration format").

    >>> conf = CniConfigList(
    ...     name="k8s-pod-network",
    ...     plugins=[
    ...         BridgePlugin(bridge="cni0", is_gateway=True, ip_masq=True,
    ...                      ipam=HostLocalIpam.of("10.244.1.0/24", routes=("0.0.0.0/0",))),
    ...         PortMapPlugin(),
    ...     ],
    ... )
    >>> conf.file_name
    '10-k8s-pod-network.conflist'

    Building it checks it as ``k8sdsl check`` checks a file (codes ``cni/...``, see
    docs/cni.md); errors raise :class:`k8sdsl.K8sDslError`.
    """

    cni_version: CniVersion = DEFAULT_CNI_VERSION
    #: 1.1.0: every version this configuration is valid for (the runtime picks the highest)
    cni_versions: tuple[CniVersion, ...] | None = None
    #: the network's name, unique among a node's configurations
    name: NonEmptyStr
    #: runtimes must not call CHECK (0.4.0 and later)
    disable_check: bool | None = None
    #: 1.1.0: runtimes must not call GC
    disable_gc: bool | None = Field(
        default=None,
        serialization_alias="disableGC",
        validation_alias=AliasChoices("disable_gc", "disableGC"),
    )
    #: 1.1.0: plugins only from this file, none from ``<conf dir>/<name>/*.conf``
    load_only_inlined_plugins: bool | None = None
    plugins: tuple[CniPlugin, ...]
    #: the file's order among the node's configurations (runtimes take the first by name)
    priority: int = Field(default=10, ge=0, le=99, exclude=True)

    def __init__(self, /, **data: Any) -> None:
        super().__init__(**data)
        self._check()

    def _check(self) -> None:
        problems = [p for p in check_cni_config(self.to_cni()) if p.severity is Severity.ERROR]
        if problems:
            raise ValueInputError(
                [
                    Finding(
                        p.severity,
                        p.code,
                        p.message,
                        ObjectRef(kind="CniConfigList", name=self.name, source="k8sdsl.network"),
                        p.path,
                        p.hint,
                    )
                    for p in problems
                ],
                summary=f"invalid CNI configuration {self.name!r}",
            )

    @classmethod
    def from_cni(cls, data: Mapping[str, Any]) -> CniConfigList:
        """A configuration list read from its JSON (camelCase keys, as in a file)."""
        value = cls.model_validate(dict(data))
        value._check()
        return value

    def to_cni(self) -> dict[str, Any]:
        """The configuration as the node reads it, keys in the specification's order."""
        head = self.model_dump(
            by_alias=True, exclude_none=True, mode="json", exclude={"plugins", "priority"}
        )
        return {**head, "plugins": [p.to_cni() for p in self.plugins]}

    def render(self) -> str:
        """The ``.conflist`` file: deterministic JSON with a final newline."""
        return json.dumps(self.to_cni(), indent=2, ensure_ascii=False) + "\n"

    def to_config_map(
        self,
        scope: Construct,
        id: str,
        *,
        name: str | None = None,
        namespace: str | None = None,
        key: str | None = None,
        labels: Mapping[str, str] | None = None,
    ) -> ConfigMap:
        """A ConfigMap holding :meth:`render` under ``key`` (default :attr:`file_name`), for
        an installer DaemonSet to copy into :data:`CNI_CONF_DIR`: mount the ConfigMap (for
        example at ``/etc/cni-config``) and ``/etc/cni/net.d`` (a hostPath) in an init
        container that runs ``cp /etc/cni-config/<key> /etc/cni/net.d/<file_name>``, as
        kube-flannel's ``install-cni`` does with its ``cni-conf.json`` key."""
        from k8sdsl._namespace_and_configmap import ConfigMap

        return ConfigMap(
            scope,
            id,
            name=name,
            namespace=namespace,
            labels=labels,
            data={key or self.file_name: self.render()},
        )

    @property
    def install_path(self) -> str:
        """Where the file goes on a node: ``/etc/cni/net.d/<file_name>``."""
        return f"{CNI_CONF_DIR}/{self.file_name}"

    @property
    def file_name(self) -> str:
        """``<priority>-<name>.conflist``: runtimes load the first file in name order."""
        return f"{self.priority:02d}-{self.name}.conflist"
