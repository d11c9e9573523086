"""The declared cluster: what lives outside the app, as a typed value that rules read.

An app runs in a cluster that already has things: StorageClasses, CSI drivers, Secrets made
by hand, a CNI plugin, network ranges, a registry mirror, a domain. k8sdsl never guesses them:
they are declared here, in Python (``App(cluster=Cluster(...))``) or as a YAML file
(``k8sdsl check --cluster cluster.yaml``, camelCase or snake_case keys). What is not declared
is judged by the documented defaults (kubeadm's ranges, ``cluster.local``).
"""

from __future__ import annotations

import ipaddress
from dataclasses import replace
from pathlib import Path
from typing import Any

import yaml
from pydantic import (
    AliasChoices,
    AliasGenerator,
    ConfigDict,
    Field,
    field_validator,
    model_validator,
)
from pydantic_core import PydanticCustomError

from k8sdsl.core._findings import Finding, K8sDslError, ObjectRef, Severity, ValueInputError
from k8sdsl.core._model import K8sModel, to_camel
from k8sdsl.core._secret_source import SecretRef
from k8sdsl.core._types import (
    Cidr,
    DnsLabel,
    DnsSubdomain,
    LabelKey,
    LabelValue,
    NonEmptyStr,
    Registry,
)


def _both_spellings(name: str) -> AliasChoices:
    return AliasChoices(name, to_camel(name))


_CLUSTER_CONFIG = ConfigDict(
    frozen=True,
    extra="forbid",
    alias_generator=AliasGenerator(serialization_alias=to_camel, validation_alias=_both_spellings),
    populate_by_name=True,
)

#: kubeadm's default service range (``--service-cidr``)
DEFAULT_SERVICE_CIDR = "10.96.0.0/12"
#: the pod range of kubeadm's documented Flannel set-up (``--pod-network-cidr``)
DEFAULT_POD_CIDR = "10.244.0.0/16"
#: the cluster domain kubelets are given by default
DEFAULT_CLUSTER_DOMAIN = "cluster.local"


def api_server_service_ip(service_cidr: str) -> str:
    """The ClusterIP of the ``kubernetes.default`` Service: the first address of the primary
    service range (10.96.0.1 for kubeadm's 10.96.0.0/12; kube-apiserver's
    ``ServiceIPRange``/kubeadm's ``GetAPIServerVirtualIP``). It must be a SAN of the API
    server's certificate: pods reach the API server at it."""
    net = ipaddress.ip_network(service_cidr, strict=False)
    return str(net.network_address + 1)


class ExistingObject(K8sModel):
    """An object the cluster has already, made outside the app (a Secret created by hand, a
    ServiceAccount of an operator, a ClusterRole of another tool). References to it are not
    dangling. ``namespace`` is None for cluster-scoped kinds."""

    model_config = _CLUSTER_CONFIG

    kind: NonEmptyStr
    name: DnsSubdomain
    namespace: DnsLabel | None = None
    #: keys of a ConfigMap or Secret, when references to single keys should be checked
    keys: tuple[str, ...] | None = None

    def as_secret_ref(self) -> SecretRef:
        """A declared Secret as a pod's reference (``Volume.secret(..., secret_name=db)``,
        ``EnvVar.from_secret(..., secret=db, key=...)``); its ``keys``, when declared, are
        checked where the reference is made."""
        if self.kind != "Secret":
            raise K8sDslError(
                [
                    Finding(
                        Severity.ERROR,
                        "value/secret-source",
                        f"ExistingObject {self.kind} {self.name!r} is not a Secret",
                        ObjectRef(kind=self.kind, name=self.name, namespace=self.namespace),
                        "kind",
                        "reference a declared object of kind Secret",
                    )
                ],
                summary=f"{self.kind} {self.name!r} is no Secret",
            )
        keys = frozenset(self.keys) if self.keys is not None else None
        return SecretRef(self.name, keys, "declared in the cluster")


class NodePool(K8sModel):
    """A group of alike nodes: how many, their labels and taints (for scheduling rules)."""

    model_config = _CLUSTER_CONFIG

    name: DnsSubdomain
    count: int = Field(default=1, ge=0)
    labels: dict[LabelKey, LabelValue] = Field(default_factory=dict)
    #: taints as ``key=value:Effect`` or ``key:Effect``
    taints: tuple[str, ...] = ()


#: kube-apiserver refuses a service range with more host bits than this:
#: ``maxCIDRBits = 20`` in cmd/kube-apiserver/app/options/validation.go
#: (``validateMaxCIDRRange``: "specified --service-cluster-ip-range is too large; for 32-bit
#: addresses, the mask must be >= 12"), and kubeadm checks the same
#: (``constants.MaximumBitsForServiceSubnet``, ``ValidateServiceSubnetSize``): /12 for IPv4,
#: /108 for IPv6. (Since the ServiceCIDR allocator, kube-apiserver skips the check when both
#: MultiCIDRServiceAllocator and DisableAllocatorDualWrite are on; kubeadm still refuses.)
MAX_SERVICE_HOST_BITS = 20
#: a node's pod range may be at most this many bits longer than the pod CIDR: kubeadm's
#: ``PodSubnetNodeMaskMaxDiff`` and the node IPAM controller's ``clusterSubnetMaxDiff``
#: (pkg/controller/nodeipam/ipam/cidrset/cidr_set.go: its bitmap of node ranges is
#: uncompressed)
MAX_NODE_MASK_DIFF = 16


def _family_problem(cidrs: tuple[str, ...], flag: str, fix: str) -> PydanticCustomError | None:
    """Dual stack is one range of each family, at most two in all (kube-apiserver's
    ``--service-cluster-ip-range`` and kube-controller-manager's ``--cluster-cidr``)."""
    families = [ipaddress.ip_network(c).version for c in cidrs]
    if len(cidrs) > 2 or len(set(families)) < len(families):
        return PydanticCustomError(
            "dual_stack",
            "dual stack is at most one IPv4 and one IPv6 range; {flag} refuses "
            "{count} ranges of families {families}",
            {
                "flag": flag,
                "count": len(cidrs),
                "families": "/".join(f"IPv{f}" for f in families),
                "hint": "keep one IPv4 range and at most one IPv6 range (the first is the "
                f"primary family); {fix}",
            },
        )
    return None


class ClusterNetwork(K8sModel):
    """The cluster's address ranges. Defaults are kubeadm's service range and the pod range
    of its Flannel set-up; ``node_cidr_mask_size`` is the kube-controller-manager default.

    Validated as the components that take them do: dual stack is at most one IPv4 and one
    IPv6 range per list; a service range has at most 20 host bits (/12 IPv4, /108 IPv6,
    :data:`MAX_SERVICE_HOST_BITS`); the node mask of each pod range's family is no shorter
    than its prefix and at most 16 bits longer (:data:`MAX_NODE_MASK_DIFF`). The computed
    facts (nodes, pods per node, the API server's and DNS's service IPs, overlaps) are in
    :class:`k8sdsl.network.NetworkFacts`.
    """

    model_config = _CLUSTER_CONFIG

    pod_cidrs: tuple[Cidr, ...] = (DEFAULT_POD_CIDR,)
    service_cidrs: tuple[Cidr, ...] = (DEFAULT_SERVICE_CIDR,)
    node_cidr_mask_size_ipv4: int = Field(default=24, ge=8, le=32)
    node_cidr_mask_size_ipv6: int = Field(default=64, ge=8, le=128)
    #: the networks the nodes' own addresses are in
    node_networks: tuple[Cidr, ...] = ()

    @field_validator("pod_cidrs")
    @classmethod
    def _pod_families(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        problem = _family_problem(
            value, "kube-controller-manager --cluster-cidr", "give one larger range instead"
        )
        if problem is not None:
            raise problem
        return value

    @field_validator("service_cidrs")
    @classmethod
    def _service_ranges(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        problem = _family_problem(
            value,
            "kube-apiserver --service-cluster-ip-range",
            "to add addresses to a running cluster, create a ServiceCIDR object",
        )
        if problem is not None:
            raise problem
        for cidr in value:
            net = ipaddress.ip_network(cidr)
            host_bits = net.max_prefixlen - net.prefixlen
            if host_bits > MAX_SERVICE_HOST_BITS:
                smallest = net.max_prefixlen - MAX_SERVICE_HOST_BITS
                raise PydanticCustomError(
                    "service_cidr_too_large",
                    "service range {cidr} is too large: kube-apiserver and kubeadm refuse "
                    "more than {bits} host bits (for {total}-bit addresses the mask must be "
                    ">= {smallest})",
                    {
                        "cidr": cidr,
                        "bits": MAX_SERVICE_HOST_BITS,
                        "total": net.max_prefixlen,
                        "smallest": smallest,
                        "hint": f"use a /{smallest} or smaller range, such as "
                        f"{next(net.subnets(new_prefix=smallest))}",
                    },
                )
        return value

    @model_validator(mode="after")
    def _node_masks(self) -> ClusterNetwork:
        for i, cidr in enumerate(self.pod_cidrs):
            net = ipaddress.ip_network(cidr)
            field = f"node_cidr_mask_size_ipv{net.version}"
            mask = (
                self.node_cidr_mask_size_ipv4 if net.version == 4 else self.node_cidr_mask_size_ipv6
            )
            if mask < net.prefixlen:
                raise PydanticCustomError(
                    "node_mask",
                    "pod_cidrs[{i}] {cidr} is smaller than one node's range: {field} is {mask}, "
                    "shorter than the /{prefix} prefix, so not even one node fits",
                    {
                        "i": i,
                        "cidr": cidr,
                        "field": field,
                        "mask": mask,
                        "prefix": net.prefixlen,
                        "hint": f"set {field} to {net.prefixlen} or more, or give a pod range "
                        f"of /{mask} or larger",
                    },
                )
            if mask - net.prefixlen > MAX_NODE_MASK_DIFF:
                raise PydanticCustomError(
                    "node_mask",
                    "pod_cidrs[{i}] {cidr} with {field} {mask} makes 2^{diff} node ranges: "
                    "kubeadm and the node IPAM controller allow at most {limit} bits between "
                    "the pod prefix and the node mask",
                    {
                        "i": i,
                        "cidr": cidr,
                        "field": field,
                        "mask": mask,
                        "diff": mask - net.prefixlen,
                        "limit": MAX_NODE_MASK_DIFF,
                        "hint": f"use a pod range of /{mask - MAX_NODE_MASK_DIFF} or smaller, or "
                        f"set {field} to {net.prefixlen + MAX_NODE_MASK_DIFF} or less",
                    },
                )
        return self


class Cluster(K8sModel):
    """What lives outside the app, declared so that rules judge references to it honestly.

    Every field has a documented default; an empty declaration is kubeadm's cluster with
    nothing installed beyond what Kubernetes itself brings.
    """

    model_config = _CLUSTER_CONFIG

    #: StorageClasses the cluster has (claims may name them)
    storage_classes: tuple[DnsSubdomain, ...] = ()
    #: the class marked default (claims without storageClassName get it)
    default_storage_class: DnsSubdomain | None = None
    #: CSI drivers installed (``ebs.csi.aws.com``): in-tree types they migrate are served
    csi_drivers: tuple[DnsSubdomain, ...] = ()
    #: objects that exist already (ConfigMaps, Secrets, ServiceAccounts, roles...)
    objects: tuple[ExistingObject, ...] = ()
    #: registries images may come from (None: any)
    allowed_registries: tuple[Registry, ...] | None = None
    cluster_domain: DnsSubdomain = DEFAULT_CLUSTER_DOMAIN
    #: feature gates switched away from the target version's defaults
    feature_gates: dict[NonEmptyStr, bool] = Field(default_factory=dict)
    #: the CNI plugin that runs (``flannel``, ``calico``, ``cilium``...); None: not declared
    cni: NonEmptyStr | None = None
    network: ClusterNetwork = Field(default_factory=ClusterNetwork)
    node_pools: tuple[NodePool, ...] = ()
    #: addresses and names clients reach the API server at (for its certificate's SANs)
    api_server_addresses: tuple[NonEmptyStr, ...] = ()
    #: IngressClasses the cluster has (installed with their controllers); Ingresses may name
    #: them. Empty, with no IngressClass among the objects: classes are not judged
    ingress_classes: tuple[DnsSubdomain, ...] = ()
    #: the class marked default (Ingresses without ingressClassName get it)
    default_ingress_class: DnsSubdomain | None = None

    @field_validator(
        "storage_classes", "csi_drivers", "allowed_registries", "ingress_classes", mode="before"
    )
    @classmethod
    def _not_a_string(cls, value: Any) -> Any:
        if isinstance(value, str):
            raise ValueError("give a list of names, not one string")
        return value

    @property
    def api_server_service_ip(self) -> str | None:
        """The ClusterIP of ``kubernetes.default`` (first address of the primary range)."""
        cidrs = self.network.service_cidrs
        return api_server_service_ip(cidrs[0]) if cidrs else None

    def has_object(self, kind: str, name: str, namespace: str | None = None) -> bool:
        """Whether the cluster declares an object of ``kind`` named ``name`` (in
        ``namespace``, for namespaced kinds)."""
        return self.find_object(kind, name, namespace) is not None

    def find_object(
        self, kind: str, name: str, namespace: str | None = None
    ) -> ExistingObject | None:
        for obj in self.objects:
            if obj.kind == kind and obj.name == name and obj.namespace == namespace:
                return obj
        return None

    def has_storage_class(self, name: str) -> bool:
        return name in self.storage_classes or name == self.default_storage_class

    def has_ingress_class(self, name: str) -> bool:
        return name in self.ingress_classes or name == self.default_ingress_class

    @classmethod
    def from_file(cls, path: str | Path) -> Cluster:
        """Read a declared cluster from a YAML (or JSON) file; errors name the file."""
        source = str(path)
        try:
            data = yaml.safe_load(Path(path).read_text(encoding="utf-8"))
        except (OSError, ValueError, yaml.YAMLError) as exc:
            raise ValueInputError(
                [
                    Finding(
                        Severity.ERROR,
                        "cluster/unreadable",
                        f"cannot read the cluster file: {exc}",
                        ObjectRef(kind="Cluster", source=source),
                        hint="give a YAML file with the fields of k8sdsl.Cluster",
                    )
                ],
                summary=f"invalid cluster file {source}",
            ) from None
        if data is None:
            data = {}
        if not isinstance(data, dict):
            raise ValueInputError(
                [
                    Finding(
                        Severity.ERROR,
                        "cluster/not-a-mapping",
                        f"the cluster file holds a {type(data).__name__}, not a mapping",
                        ObjectRef(kind="Cluster", source=source),
                        hint="write fields such as storageClasses: [standard] at the top level",
                    )
                ],
                summary=f"invalid cluster file {source}",
            )
        if data.get("kind") == "Cluster":  # an optional apiVersion/kind header
            data = {k: v for k, v in data.items() if k not in ("apiVersion", "kind")}
        try:
            return cls.model_validate(data)
        except ValueInputError as exc:
            where = ObjectRef(kind="Cluster", source=source)
            raise ValueInputError(
                [replace(f, obj=where) for f in exc.findings],
                summary=f"invalid cluster file {source}",
            ) from None
