"""The declared cluster: what lives outside the app, as a typed value that rules read.

An app runs in a cluster that already has things: StorageClasses, CSI drivers, Secrets made
by hand, a CNI plugin, network ranges, a registry mirror, a domain. k8sdsl never guesses them:
they are declared here, in Python (``App(cluster=Cluster(...))``) or as a YAML file
(``k8sdsl check --cluster cluster.yaml``, camelCase or snake_case keys). What is not declared
is judged by the documented defaults (kubeadm's ranges, ``cluster.local``).
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import Any

import yaml
from pydantic import AliasChoices, AliasGenerator, ConfigDict, Field, field_validator

from k8sdsl.core._findings import Finding, ObjectRef, Severity, ValueInputError
from k8sdsl.core._model import K8sModel, to_camel
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


class NodePool(K8sModel):
    """A group of alike nodes: how many, their labels and taints (for scheduling rules)."""

    model_config = _CLUSTER_CONFIG

    name: DnsSubdomain
    count: int = Field(default=1, ge=0)
    labels: dict[LabelKey, LabelValue] = Field(default_factory=dict)
    #: taints as ``key=value:Effect`` or ``key:Effect``
    taints: tuple[str, ...] = ()


class ClusterNetwork(K8sModel):
    """The cluster's address ranges. Defaults are kubeadm's service range and the pod range
    of its Flannel set-up; ``node_cidr_mask_size`` is the kube-controller-manager default."""

    model_config = _CLUSTER_CONFIG

    pod_cidrs: tuple[Cidr, ...] = (DEFAULT_POD_CIDR,)
    service_cidrs: tuple[Cidr, ...] = (DEFAULT_SERVICE_CIDR,)
    node_cidr_mask_size_ipv4: int = Field(default=24, ge=8, le=32)
    node_cidr_mask_size_ipv6: int = Field(default=64, ge=8, le=128)
    #: the networks the nodes' own addresses are in
    node_networks: tuple[Cidr, ...] = ()


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
