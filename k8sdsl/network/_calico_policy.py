"""Calico's NetworkPolicy and GlobalNetworkPolicy as typed values and resources.

The fields are those of the CRDs pinned in ``k8sdsl/crd_schemas`` (projectcalico/calico
v3.29.7): ``order`` (lower first; Calico puts Kubernetes NetworkPolicies at 1000), a
``selector`` expression (a string in Calico's selector language: ``app == 'web'``,
``has(role)``, ``all()``, joined with ``&&``), ``types`` and ordered ``ingress``/``egress``
rules whose ``action`` is Allow, Deny, Log or Pass. The resources are written as
``projectcalico.org/v3`` (what calicoctl and the Calico API server take; the CRD form
``crd.projectcalico.org/v1`` is validated against the same schema).
"""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Mapping, Sequence
from enum import StrEnum
from typing import Any, ClassVar

from pydantic import field_validator, model_validator

from k8sdsl.core._construct import Construct, Resource
from k8sdsl.core._model import K8sModel
from k8sdsl.network._policy import PolicyType

#: the apiVersion Calico policies are written in
CALICO_API_VERSION = "projectcalico.org/v3"
#: the order Calico gives Kubernetes NetworkPolicies in the default tier
KUBERNETES_POLICY_ORDER = 1000
#: Calico's protocol names (``numorstring.Protocol``); a number 1-255 is any IP protocol
CALICO_PROTOCOLS = ("TCP", "UDP", "ICMP", "ICMPv6", "SCTP", "UDPLite")
#: the protocols whose rules may name ports
PORT_PROTOCOLS = ("TCP", "UDP", "SCTP", "UDPLite")
_PORT_RANGE = re.compile(r"([0-9]+):([0-9]+)")
_PORT_NAME = re.compile(r"[a-z0-9]([a-z0-9-]{0,13}[a-z0-9])?")


class CalicoAction(StrEnum):
    """What a matching rule does: ``Allow`` and ``Deny`` decide, ``Log`` logs and goes on,
    ``Pass`` skips the rest of the tier (the Kubernetes policies in it too)."""

    ALLOW = "Allow"
    DENY = "Deny"
    LOG = "Log"
    PASS = "Pass"


class CalicoEntityRule(K8sModel):
    """A rule's ``source`` or ``destination``: endpoints by ``selector`` (in the policy's
    namespace, or in the namespaces ``namespace_selector`` matches), addresses by ``nets``,
    and ``ports`` (numbers, ``"8000:8080"`` ranges or port names)."""

    k8s_type: ClassVar[str] = "EntityRule"

    selector: str | None = None
    namespace_selector: str | None = None
    nets: tuple[str, ...] | None = None
    ports: tuple[int | str, ...] | None = None

    @field_validator("nets")
    @classmethod
    def _nets(cls, value: tuple[str, ...] | None) -> tuple[str, ...] | None:
        for net in value or ():
            try:
                ipaddress.ip_network(net, strict=False)
            except ValueError:
                raise ValueError(f"{net!r} is not a CIDR (write 10.0.0.0/8)") from None
        return value

    @field_validator("ports")
    @classmethod
    def _ports(cls, value: tuple[int | str, ...] | None) -> tuple[int | str, ...] | None:
        for port in value or ():
            if isinstance(port, int):
                ok = 0 <= port <= 65535
            else:
                match = _PORT_RANGE.fullmatch(port)
                ok = (
                    int(match[1]) <= int(match[2]) <= 65535
                    if match
                    else bool(_PORT_NAME.fullmatch(port))
                )
            if not ok:
                raise ValueError(
                    f"port {port!r} is not a port 0-65535, a range 'low:high' or a port name"
                )
        return value


class CalicoRule(K8sModel):
    """One ingress or egress rule: ``action``, ``protocol`` (a Calico protocol name or a
    number), ``source`` and ``destination``. Ports need a protocol that has them."""

    k8s_type: ClassVar[str] = "Rule"

    action: CalicoAction
    protocol: str | int | None = None
    source: CalicoEntityRule | None = None
    destination: CalicoEntityRule | None = None

    @field_validator("protocol")
    @classmethod
    def _protocol(cls, value: str | int | None) -> str | int | None:
        if isinstance(value, int) and not 1 <= value <= 255:
            raise ValueError(f"protocol {value} is not an IP protocol number 1-255")
        if isinstance(value, str) and value not in CALICO_PROTOCOLS:
            raise ValueError(f"protocol {value!r} is not one of {', '.join(CALICO_PROTOCOLS)}")
        return value

    @model_validator(mode="after")
    def _ports_need_protocol(self) -> CalicoRule:
        has_ports = any(e is not None and e.ports for e in (self.source, self.destination))
        if has_ports and self.protocol not in PORT_PROTOCOLS:
            raise ValueError(
                "ports need protocol TCP, UDP, SCTP or UDPLite "
                f"(the rule has protocol {self.protocol!r})"
            )
        return self


class _CalicoPolicy(Resource):
    api_version: ClassVar[str] = CALICO_API_VERSION

    def __init__(
        self,
        scope: Construct,
        id: str,
        *,
        selector: str = "all()",
        order: float | None = None,
        types: Sequence[PolicyType] | None = None,
        ingress: Sequence[CalicoRule] = (),
        egress: Sequence[CalicoRule] = (),
        name: str | None = None,
        namespace: str | None = None,
        labels: Mapping[str, str] | None = None,
    ) -> None:
        super().__init__(scope, id, name=name, namespace=namespace, labels=labels)
        self.selector = selector
        self.order = order
        self.ingress: tuple[CalicoRule, ...] = tuple(ingress)
        self.egress: tuple[CalicoRule, ...] = tuple(egress)
        if types is None:
            # Calico's default: Egress alone when only egress rules are given
            types = (
                [PolicyType.EGRESS]
                if self.egress and not self.ingress
                else [PolicyType.INGRESS, *([PolicyType.EGRESS] if self.egress else [])]
            )
        self.types: tuple[PolicyType, ...] = tuple(types)

    def _spec(self) -> dict[str, Any]:
        spec: dict[str, Any] = {}
        if self.order is not None:
            spec["order"] = self.order
        spec["selector"] = self.selector
        spec["types"] = [t.value for t in self.types]
        if self.ingress:
            spec["ingress"] = [r.to_k8s() for r in self.ingress]
        if self.egress:
            spec["egress"] = [r.to_k8s() for r in self.egress]
        return spec

    def _body(self) -> dict[str, Any]:
        return {"spec": self._spec()}


class CalicoNetworkPolicy(_CalicoPolicy):
    """A Calico ``NetworkPolicy`` (namespaced): applies to the endpoints of its namespace that
    ``selector`` matches, in ``order`` (lower first, before Kubernetes policies below 1000)."""

    kind: ClassVar[str] = "NetworkPolicy"


class GlobalNetworkPolicy(_CalicoPolicy):
    """A Calico ``GlobalNetworkPolicy`` (cluster-scoped): applies to the endpoints of every
    namespace that ``selector`` matches (``namespace_selector`` narrows the namespaces)."""

    kind: ClassVar[str] = "GlobalNetworkPolicy"

    def __init__(
        self,
        scope: Construct,
        id: str,
        *,
        namespace_selector: str | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(scope, id, **kwargs)
        self.namespace_selector = namespace_selector

    def _spec(self) -> dict[str, Any]:
        spec = super()._spec()
        if self.namespace_selector is not None:
            spec["namespaceSelector"] = self.namespace_selector
        return spec


__all__ = [
    "CALICO_API_VERSION",
    "CALICO_PROTOCOLS",
    "KUBERNETES_POLICY_ORDER",
    "CalicoAction",
    "CalicoEntityRule",
    "CalicoNetworkPolicy",
    "CalicoRule",
    "GlobalNetworkPolicy",
]
