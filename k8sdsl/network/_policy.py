"""NetworkPolicy parts as values: peers, ports, ingress and egress rules.

Values only (no constructs): ``NetworkPolicy`` and the patterns in ``_patterns.py`` take
these. Each value checks what the API server checks, so a policy that synthesizes is one
the API server accepts:

* a peer is an ``ipBlock`` alone, or a pod selector, a namespace selector, or both;
* every ``except`` is a strict subset of its ``cidr``, and CIDRs have host bits zero;
* ``endPort`` needs a numeric ``port`` and is at least ``port``.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable, Mapping
from enum import StrEnum
from typing import Annotated, Any, Self

from pydantic import Field, PlainValidator, model_validator
from pydantic_core import PydanticCustomError

from k8sdsl.core._dns import (
    CLUSTER_DNS_LABELS,
    CLUSTER_DNS_NAMESPACE,
    CLUSTER_DNS_PORT,
)
from k8sdsl.core._findings import Finding, ObjectRef, Severity, ValueInputError
from k8sdsl.core._model import K8sModel
from k8sdsl.core._selectors import LabelSelector
from k8sdsl.core._types import Cidr, Port, Protocol, check_dns_label, check_port_name

#: The label Kubernetes puts on every namespace (immutable, set by the API server since 1.22).
NAMESPACE_NAME_LABEL = "kubernetes.io/metadata.name"

LabelsOrSelector = Mapping[str, str] | LabelSelector


def _selector(value: LabelsOrSelector | None) -> LabelSelector:
    if value is None:
        return LabelSelector.everything()
    if isinstance(value, LabelSelector):
        return value
    return LabelSelector.of(dict(value))


def check_port_or_name(value: Any) -> int | str:
    """A port number 1-65535, or a container port name (IANA service name)."""
    if isinstance(value, str) and value.isdigit():
        value = int(value)
    if isinstance(value, int) and not isinstance(value, bool):
        if not 1 <= value <= 65535:
            raise PydanticCustomError(
                "port_range",
                "port {value} is outside 1-65535{why}",
                {
                    "value": value,
                    "why": " (0 is not 'all ports')" if value == 0 else "",
                    "hint": "leave the port out to allow every port of the protocol "
                    "(NetworkPolicyPort.all_tcp())"
                    if value == 0
                    else "use a port number from 1 to 65535",
                },
            )
        return value
    if isinstance(value, str):
        return check_port_name(value)
    raise PydanticCustomError(
        "port_type",
        "a port is a number or a port name, not {kind}",
        {"kind": type(value).__name__, "hint": "for example 6379 or 'redis'"},
    )


PortOrName = Annotated[int | str, PlainValidator(check_port_or_name)]
"""A NetworkPolicy port: a number (1-65535) or the name of a container port."""


class PolicyType(StrEnum):
    """A direction a NetworkPolicy isolates (``spec.policyTypes[]``)."""

    INGRESS = "Ingress"
    EGRESS = "Egress"


class PolicyDirection(StrEnum):
    """Which directions a pattern such as ``DefaultDenyPolicy`` covers."""

    INGRESS = "ingress"
    EGRESS = "egress"
    BOTH = "both"

    @classmethod
    def _missing_(cls, value: object) -> PolicyDirection | None:
        # "Ingress" and "Egress" are how policyTypes spell them
        if isinstance(value, str):
            for member in cls:
                if member.value == value.lower():
                    return member
        return None

    @property
    def policy_types(self) -> tuple[PolicyType, ...]:
        """The ``policyTypes`` this direction renders, in Kubernetes' usual order."""
        if self is PolicyDirection.INGRESS:
            return (PolicyType.INGRESS,)
        if self is PolicyDirection.EGRESS:
            return (PolicyType.EGRESS,)
        return (PolicyType.INGRESS, PolicyType.EGRESS)


class IpBlock(K8sModel):
    """``ipBlock``: a CIDR, minus the CIDRs in ``except_`` (rendered as ``except``).

    Both must have host bits zero (``10.0.0.0/24``, not ``10.0.0.1/24``), and each
    exception must be a strict subset of ``cidr``: the API server rejects anything else.
    IP blocks are meant for traffic leaving or entering the cluster; pod IPs are ephemeral
    and whether an ipBlock matches them depends on the network plugin.
    """

    k8s_type = "IPBlock"

    cidr: Cidr
    except_: tuple[Cidr, ...] | None = None

    @model_validator(mode="after")
    def _except_inside(self) -> Self:
        outer = ipaddress.ip_network(self.cidr)
        for inner_text in self.except_ or ():
            inner = ipaddress.ip_network(inner_text)
            if inner.version != outer.version or not inner.subnet_of(outer) or inner == outer:  # type: ignore[arg-type]
                raise PydanticCustomError(
                    "except_outside_cidr",
                    "except {inner} is not a strict subset of cidr {outer}: the API server "
                    "rejects it",
                    {
                        "inner": inner_text,
                        "outer": self.cidr,
                        "hint": f"use a CIDR inside {self.cidr} with a longer prefix, or "
                        "widen cidr",
                    },
                )
        return self


class NetworkPolicyPeer(K8sModel):
    """One ``from``/``to`` entry. Build it with the factories (``Peer`` is a short alias).

    * ``Peer.pods(labels=...)``: pods of the policy's namespace;
    * ``Peer.pods(labels=..., namespace="web")`` or ``namespace_labels=...``: pods in
      other namespaces (both selectors in one peer: they must both match);
    * ``Peer.namespace(labels=...)`` / ``Peer.namespace(name=...)``: all pods in matching
      namespaces;
    * ``Peer.ip_block(cidr=..., except_=[...])``: addresses outside the cluster;
    * ``Peer.cluster_dns()``: the cluster DNS pods (``kube-system``, ``k8s-app=kube-dns``).
    """

    k8s_type = "NetworkPolicyPeer"

    pod_selector: LabelSelector | None = None
    namespace_selector: LabelSelector | None = None
    #: rendered ``ipBlock``; the trailing ``_`` keeps the name free for the factory
    ip_block_: IpBlock | None = None

    @model_validator(mode="after")
    def _one_kind(self) -> Self:
        has_selector = self.pod_selector is not None or self.namespace_selector is not None
        if self.ip_block_ is not None and has_selector:
            raise PydanticCustomError(
                "peer_shape",
                "a peer is either an ipBlock or selectors, not both",
                {"hint": "split it into two peers of the same rule"},
            )
        if self.ip_block_ is None and not has_selector:
            raise PydanticCustomError(
                "peer_shape",
                "a peer needs a pod selector, a namespace selector or an ipBlock",
                {"hint": "use Peer.pods(), Peer.namespace() or Peer.ip_block()"},
            )
        return self

    @classmethod
    def pods(
        cls,
        labels: LabelsOrSelector | None = None,
        *,
        namespace: str | None = None,
        namespace_labels: LabelsOrSelector | None = None,
    ) -> NetworkPolicyPeer:
        """Pods matching ``labels`` (all pods when ``None``).

        Without ``namespace``/``namespace_labels`` they are pods of the policy's own
        namespace. ``namespace="web"`` selects the namespace by its
        ``kubernetes.io/metadata.name`` label; ``namespace_labels`` by any labels.
        """
        if namespace is not None and namespace_labels is not None:
            raise _factory_error(
                "give namespace= or namespace_labels=, not both", "namespace_labels"
            )
        ns_selector: LabelSelector | None = None
        if namespace is not None:
            ns_selector = _namespace_named(namespace)
        elif namespace_labels is not None:
            ns_selector = _selector(namespace_labels)
        return cls(pod_selector=_selector(labels), namespace_selector=ns_selector)

    @classmethod
    def namespace(
        cls,
        labels: LabelsOrSelector | None = None,
        *,
        name: str | None = None,
    ) -> NetworkPolicyPeer:
        """Every pod in the namespaces matching ``labels``, or in the namespace ``name``.

        ``Peer.namespace()`` with neither is every pod in every namespace.
        """
        if name is not None and labels is not None:
            raise _factory_error("give labels= or name=, not both", "name")
        selector = _namespace_named(name) if name is not None else _selector(labels)
        return cls(namespace_selector=selector)

    @classmethod
    def ip_block(cls, *, cidr: str, except_: Iterable[str] | None = None) -> NetworkPolicyPeer:
        """Addresses in ``cidr`` except those in ``except_`` (each a strict subset)."""
        excepts = tuple(except_) if except_ is not None else None
        return cls(ip_block_=IpBlock(cidr=cidr, except_=excepts or None))

    @classmethod
    def cluster_dns(
        cls,
        *,
        namespace: str = CLUSTER_DNS_NAMESPACE,
        labels: Mapping[str, str] | None = None,
    ) -> NetworkPolicyPeer:
        """The cluster DNS pods: ``k8s-app=kube-dns`` in ``kube-system`` by default.

        CoreDNS keeps the ``kube-dns`` label and Service name for compatibility, so this
        matches both kube-dns and CoreDNS installs.
        """
        return cls.pods(dict(labels or CLUSTER_DNS_LABELS), namespace=namespace)


Peer = NetworkPolicyPeer
"""Short name for :class:`NetworkPolicyPeer`: ``Peer.pods(...)``, ``Peer.ip_block(...)``."""


def _namespace_named(name: str) -> LabelSelector:
    try:
        check_dns_label(name)
    except PydanticCustomError as exc:
        raise _factory_error(
            f"namespace {name!r} {exc.message()}",
            "namespace",
            str((exc.context or {}).get("hint", "")),
        ) from None
    return LabelSelector.of({NAMESPACE_NAME_LABEL: name})


def _factory_error(message: str, path: str, hint: str = "") -> Exception:
    return ValueInputError(
        [
            Finding(
                Severity.ERROR,
                "value/peer",
                message,
                ObjectRef(kind="NetworkPolicyPeer", source="k8sdsl.network"),
                path,
                hint,
            )
        ],
        summary="invalid NetworkPolicyPeer",
    )


class NetworkPolicyPort(K8sModel):
    """One ``ports[]`` entry: a protocol and a port number, a named port, or a range.

    Use the factories: ``NetworkPolicyPort.tcp(6379)``, ``.udp(53)``, ``.sctp(9)``,
    ``.tcp("http")`` (a container port name), ``.tcp_range(start=32000, end=32768)``,
    ``.all_tcp()``. The protocol is always written out (Kubernetes would default it to
    TCP). A named port matches the destination pod's container port of that name and
    protocol; ``end_port`` needs a numeric ``port`` and is at least ``port``.
    """

    k8s_type = "NetworkPolicyPort"

    protocol: Protocol = Protocol.TCP
    port: PortOrName | None = None
    end_port: Port | None = None

    @model_validator(mode="after")
    def _range(self) -> Self:
        if self.end_port is None:
            return self
        if not isinstance(self.port, int):
            raise PydanticCustomError(
                "end_port_without_port",
                "end_port needs a numeric port (the start of the range); got port {port}",
                {
                    "port": repr(self.port),
                    "hint": "use NetworkPolicyPort.tcp_range(start=..., end=...)",
                },
            )
        if self.end_port < self.port:
            raise PydanticCustomError(
                "end_port_before_port",
                "end_port {end} is below port {start}: the range is empty",
                {
                    "end": self.end_port,
                    "start": self.port,
                    "hint": f"swap them: start={self.end_port}, end={self.port}",
                },
            )
        return self

    @classmethod
    def tcp(cls, port: int | str, /) -> NetworkPolicyPort:
        """TCP to ``port``: a number (1-65535) or a container port name."""
        return cls(protocol=Protocol.TCP, port=port)

    @classmethod
    def udp(cls, port: int | str, /) -> NetworkPolicyPort:
        """UDP to ``port``: a number (1-65535) or a container port name."""
        return cls(protocol=Protocol.UDP, port=port)

    @classmethod
    def sctp(cls, port: int | str, /) -> NetworkPolicyPort:
        """SCTP to ``port``: a number (1-65535) or a container port name."""
        return cls(protocol=Protocol.SCTP, port=port)

    @classmethod
    def tcp_range(cls, *, start: int, end: int) -> NetworkPolicyPort:
        """TCP ports ``start`` to ``end``, both included (``endPort``, GA in 1.25)."""
        return cls(protocol=Protocol.TCP, port=start, end_port=end)

    @classmethod
    def udp_range(cls, *, start: int, end: int) -> NetworkPolicyPort:
        """UDP ports ``start`` to ``end``, both included."""
        return cls(protocol=Protocol.UDP, port=start, end_port=end)

    @classmethod
    def sctp_range(cls, *, start: int, end: int) -> NetworkPolicyPort:
        """SCTP ports ``start`` to ``end``, both included."""
        return cls(protocol=Protocol.SCTP, port=start, end_port=end)

    @classmethod
    def all_tcp(cls) -> NetworkPolicyPort:
        """Every TCP port: the protocol without a port (never the invalid ``port: 0``)."""
        return cls(protocol=Protocol.TCP)

    @classmethod
    def all_udp(cls) -> NetworkPolicyPort:
        """Every UDP port."""
        return cls(protocol=Protocol.UDP)

    @classmethod
    def dns(cls) -> tuple[NetworkPolicyPort, NetworkPolicyPort]:
        """UDP and TCP 53: DNS uses UDP, and TCP when an answer does not fit a datagram."""
        return (cls.udp(CLUSTER_DNS_PORT), cls.tcp(CLUSTER_DNS_PORT))


class IngressRule(K8sModel):
    """One ``ingress[]`` rule: traffic from any of ``from_`` to any of ``ports``.

    ``from_`` unset or empty means from anywhere; ``ports`` unset or empty means every
    port. Both default to unset, so ``IngressRule()`` allows all ingress.
    """

    k8s_type = "NetworkPolicyIngressRule"

    from_: tuple[NetworkPolicyPeer, ...] | None = None
    ports: tuple[NetworkPolicyPort, ...] | None = None

    @classmethod
    def allow_all(cls) -> IngressRule:
        """``{}``: every source, every port."""
        return cls()


class EgressRule(K8sModel):
    """One ``egress[]`` rule: traffic to any of ``to`` on any of ``ports``.

    ``to`` unset or empty means to anywhere; ``ports`` unset or empty means every port.
    Both default to unset, so ``EgressRule()`` allows all egress.
    """

    k8s_type = "NetworkPolicyEgressRule"

    to: tuple[NetworkPolicyPeer, ...] | None = None
    ports: tuple[NetworkPolicyPort, ...] | None = Field(default=None)

    @classmethod
    def allow_all(cls) -> EgressRule:
        """``{}``: every destination, every port."""
        return cls()

    @classmethod
    def cluster_dns(
        cls,
        *,
        namespace: str = CLUSTER_DNS_NAMESPACE,
        labels: Mapping[str, str] | None = None,
    ) -> EgressRule:
        """Egress to the cluster DNS pods on UDP and TCP 53 (what ``allow_dns()`` adds)."""
        return cls(
            to=(NetworkPolicyPeer.cluster_dns(namespace=namespace, labels=labels),),
            ports=NetworkPolicyPort.dns(),
        )


__all__ = [
    "NAMESPACE_NAME_LABEL",
    "EgressRule",
    "IngressRule",
    "IpBlock",
    "NetworkPolicyPeer",
    "NetworkPolicyPort",
    "Peer",
    "PolicyDirection",
    "PolicyType",
    "PortOrName",
    "Protocol",
]
