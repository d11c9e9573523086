"""Services: a stable name and virtual IP in front of the pods a selector picks."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from enum import StrEnum
from typing import Any, ClassVar, Self

from pydantic import model_validator
from pydantic_core import PydanticCustomError

from k8sdsl.core._construct import Construct, Resource
from k8sdsl.core._model import K8sModel
from k8sdsl.core._types import LabelKey, LabelValue, Port, PortName
from k8sdsl.workloads._container import Protocol
from k8sdsl.workloads._probes import PortRef


class ServiceType(StrEnum):
    """How the Service is reachable. Kubernetes' default is ``ClusterIP`` (inside only)."""

    CLUSTER_IP = "ClusterIP"
    NODE_PORT = "NodePort"
    LOAD_BALANCER = "LoadBalancer"
    EXTERNAL_NAME = "ExternalName"


class SessionAffinity(StrEnum):
    NONE = "None"
    CLIENT_IP = "ClientIP"


class ServicePort(K8sModel):
    """One port of a Service. ``target_port`` (a container port number or name) defaults
    to ``port``. ``ServicePort.tcp(80, target_port="http")``."""

    k8s_type = "ServicePort"

    port: Port
    target_port: PortRef | None = None
    name: PortName | None = None
    protocol: Protocol | None = None
    node_port: Port | None = None
    app_protocol: str | None = None

    @classmethod
    def tcp(
        cls, port: int, /, *, target_port: int | str | None = None, name: str | None = None
    ) -> ServicePort:
        return cls(port=port, target_port=target_port, name=name)

    @classmethod
    def udp(
        cls, port: int, /, *, target_port: int | str | None = None, name: str | None = None
    ) -> ServicePort:
        return cls(port=port, target_port=target_port, name=name, protocol=Protocol.UDP)


class _ServiceSpec(K8sModel):
    type: ServiceType | None = None
    selector: dict[LabelKey, LabelValue] | None = None
    ports: tuple[ServicePort, ...] | None = None
    cluster_ip: str | None = None
    session_affinity: SessionAffinity | None = None
    publish_not_ready_addresses: bool | None = None
    external_name: str | None = None

    @model_validator(mode="after")
    def _consistent(self) -> Self:
        ports = self.ports or ()
        if len(ports) > 1 and any(p.name is None for p in ports):
            raise PydanticCustomError(
                "unnamed_service_port",
                "a Service with more than one port must name every port",
                {"hint": "pass name= to every ServicePort ('http', 'metrics')"},
            )
        names = [p.name for p in ports if p.name]
        if len(names) != len(set(names)):
            raise PydanticCustomError(
                "duplicate_service_port_name",
                "port names must be unique",
                {"hint": "give each port its own name"},
            )
        keys = [(p.port, (p.protocol or Protocol.TCP).value) for p in ports]
        if len(keys) != len(set(keys)):
            raise PydanticCustomError(
                "duplicate_service_port",
                "a port/protocol pair is listed twice",
                {"hint": "list each port once"},
            )
        if any(p.node_port for p in ports) and self.type not in (
            ServiceType.NODE_PORT,
            ServiceType.LOAD_BALANCER,
        ):
            raise PydanticCustomError(
                "node_port_type",
                "node_port needs type NodePort or LoadBalancer",
                {"hint": "pass type=ServiceType.NODE_PORT, or drop node_port"},
            )
        if self.type is ServiceType.EXTERNAL_NAME:
            if not self.external_name:
                raise PydanticCustomError(
                    "external_name_missing",
                    "type ExternalName needs external_name",
                    {"hint": "pass external_name='db.example.com'"},
                )
        elif self.external_name:
            raise PydanticCustomError(
                "external_name_type",
                "external_name needs type ExternalName",
                {"hint": "pass type=ServiceType.EXTERNAL_NAME, or drop external_name"},
            )
        elif not ports:
            raise PydanticCustomError(
                "no_service_port",
                "a Service needs at least one port",
                {"hint": "pass ports=[80] or ports=[ServicePort.tcp(80, target_port='http')]"},
            )
        return self


class Service(Resource):
    """A Service (``v1/Service``).

    ``selector`` is a mapping of pod labels; ``ports`` are :class:`ServicePort` values (or
    plain numbers, meaning TCP with the same target port). ``type`` unset is ClusterIP.
    ``cluster_ip="None"`` makes a headless Service (DNS returns the pod IPs).
    Service names are DNS-1035 labels: they must start with a letter.
    """

    api_version: ClassVar[str] = "v1"
    kind: ClassVar[str] = "Service"

    def __init__(
        self,
        scope: Construct,
        id: str,
        *,
        selector: Mapping[str, str] | None,
        ports: Sequence[ServicePort | int],
        type: ServiceType | str | None = None,
        cluster_ip: str | None = None,
        session_affinity: SessionAffinity | str | None = None,
        publish_not_ready_addresses: bool | None = None,
        external_name: str | None = None,
        name: str | None = None,
        namespace: str | None = None,
        labels: Mapping[str, str] | None = None,
        annotations: Mapping[str, str] | None = None,
    ) -> None:
        super().__init__(
            scope, id, name=name, namespace=namespace, labels=labels, annotations=annotations
        )
        with self._values():
            self.spec = _ServiceSpec(
                type=type,
                selector=dict(selector) if selector is not None else None,
                ports=tuple(ServicePort(port=p) if isinstance(p, int) else p for p in ports)
                or None,
                cluster_ip=cluster_ip,
                session_affinity=session_affinity,
                publish_not_ready_addresses=publish_not_ready_addresses,
                external_name=external_name,
            )

    @property
    def selector(self) -> dict[str, str]:
        return dict(self.spec.selector or {})

    @property
    def ports(self) -> tuple[ServicePort, ...]:
        return self.spec.ports or ()

    def _body(self) -> dict[str, Any]:
        spec = self.spec.to_k8s()
        if "clusterIp" in spec:
            spec["clusterIP"] = spec.pop("clusterIp")
        return {"spec": spec}


__all__ = ["Service", "ServicePort", "ServiceType", "SessionAffinity"]
