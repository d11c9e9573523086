"""``Ingress`` and ``IngressClass`` (``networking.k8s.io/v1``): HTTP(S) routes from outside the
cluster to Services, by host and path.

A backend is made from a :class:`~k8sdsl.workloads.Service` construct
(``IngressBackend.service(web, port="http")``), so its name and port are looked up in
Python: a misspelt port is an error at the user's line, not a 503 in production. The
checkers of hosts and paths here are the ones the ``network/ingress-*`` rules use on YAML.
"""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Mapping, Sequence
from enum import StrEnum
from typing import Any, ClassVar, Self

from pydantic import Field, model_validator
from pydantic_core import PydanticCustomError

from k8sdsl.core._construct import Construct, Resource
from k8sdsl.core._findings import Finding, K8sDslError, Severity
from k8sdsl.core._model import K8sModel
from k8sdsl.core._suggest import suggest
from k8sdsl.core._types import DnsLabel, DnsSubdomain, Port, PortName
from k8sdsl.security._cert_manager import Certificate
from k8sdsl.volumes._claim import TypedLocalObjectReference
from k8sdsl.workloads._service import Service

_LABEL = re.compile(r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?$")

#: the annotation that makes an IngressClass the cluster's default
DEFAULT_INGRESS_CLASS_ANNOTATION = "ingressclass.kubernetes.io/is-default-class"
#: the annotation that named an Ingress's class before ``spec.ingressClassName`` (deprecated)
LEGACY_INGRESS_CLASS_ANNOTATION = "kubernetes.io/ingress.class"


def ingress_host_problem(host: object) -> tuple[str, str] | None:
    """(message, hint) when ``host`` is not what the API server takes as an Ingress host: a
    DNS-1123 subdomain, lowercase, with ``*`` only as the whole first label, not an IP
    address and without a port."""
    if not isinstance(host, str):
        return f"host {host!r} is not a string", "write a DNS name such as 'shop.example.com'"
    try:
        ipaddress.ip_address(host)
    except ValueError:
        pass
    else:
        return (
            f"host {host!r} is an IP address; an Ingress host must be a DNS name",
            "leave host unset to match every host, or use a DNS name that resolves to it",
        )
    if ":" in host:
        return (
            f"host {host!r} has a port; an Ingress host is a DNS name only",
            f"write {host.split(':', 1)[0]!r}: the controller's listener decides the port",
        )
    labels = host.split(".")
    wildcard = labels[0] == "*"
    if wildcard:
        labels = labels[1:]
        if not labels:
            return (
                f"host {host!r} is only a wildcard",
                "write '*.example.com', or leave host unset to match every host",
            )
    if "*" in host and not wildcard:
        return (
            f"host {host!r} has '*' where only a whole first label may be a wildcard",
            "write it as '*.example.com' (one label deep), or list the hosts",
        )
    if len(host) > 253 or not all(part and _LABEL.match(part) for part in labels):
        fixed = re.sub(r"[^a-z0-9.-]", "-", host.lower().removeprefix("*."))
        fixed = ".".join(p.strip("-") for p in fixed.split(".") if p.strip("-")) or "example.com"
        return (
            f"host {host!r} is not a DNS-1123 subdomain (lowercase letters, digits, '-' and "
            "'.', each label starting and ending with a letter or digit)",
            f"use {('*.' if wildcard else '') + fixed!r}",
        )
    return None


def ingress_path_problem(path: object, path_type: object) -> tuple[str, str] | None:
    """(message, hint) when a path the API server refuses: ``Exact`` and ``Prefix`` paths
    must be absolute (start with ``/``); ``ImplementationSpecific`` is the controller's."""
    if path_type not in ("Exact", "Prefix"):
        return None
    if not isinstance(path, str) or not path.startswith("/"):
        return (
            f"path {path!r} of pathType {path_type} must start with '/'",
            f"write {'/' + str(path or '').lstrip('/')!r}",
        )
    return None


def host_matches(pattern: str, host: str) -> bool:
    """Whether ``pattern`` (a host, or ``*.example.com``) covers ``host``: a wildcard matches
    exactly one label (``*.example.com`` covers ``a.example.com``, not ``a.b.example.com``
    nor ``example.com``)."""
    if pattern == host:
        return True
    if pattern.startswith("*.") and not host.startswith("*."):
        head, _, rest = host.partition(".")
        return bool(head) and rest == pattern[2:]
    return False


class PathType(StrEnum):
    """How a path matches. ``Prefix`` matches whole path elements (``/api`` matches
    ``/api`` and ``/api/v1``, not ``/apiv1``); ``Exact`` matches the path only;
    ``ImplementationSpecific`` is up to the controller."""

    EXACT = "Exact"
    PREFIX = "Prefix"
    IMPLEMENTATION_SPECIFIC = "ImplementationSpecific"


class ServiceBackendPort(K8sModel):
    """A Service port, by ``name`` or by ``number`` (exactly one)."""

    k8s_type = "ServiceBackendPort"

    name: PortName | None = None
    number: Port | None = None

    @model_validator(mode="after")
    def _one(self) -> Self:
        if (self.name is None) == (self.number is None):
            raise PydanticCustomError(
                "backend_port",
                "a backend port is a name or a number, exactly one",
                {"hint": "pass port='http' or port=80"},
            )
        return self

    @classmethod
    def of(cls, port: int | str, /) -> ServiceBackendPort:
        """``80`` -> ``{number: 80}``; ``"http"`` -> ``{name: http}``."""
        return cls(number=port) if isinstance(port, int) else cls(name=port)


class IngressServiceBackend(K8sModel):
    """A Service of the Ingress's namespace and one of its ports."""

    k8s_type = "IngressServiceBackend"

    name: DnsLabel
    port: ServiceBackendPort


class IngressBackend(K8sModel):
    """Where matching requests go: a Service and port of the Ingress's namespace, or another
    object of that namespace (a ``resource`` backend: a controller's own kind, such as a
    storage bucket serving static files); exactly one of the two.

    ``IngressBackend.service(web, port="http")`` takes a :class:`Service` construct and
    resolves the port by name or number (the only port when ``port`` is left out), so a
    port the Service does not have is an error here. ``IngressBackend.service_name("web",
    port=80)`` names a Service made elsewhere; the ``network/ingress-backend`` and
    ``network/ingress-port`` rules check it at synth. ``IngressBackend.resource(
    api_group="k8s.example.com", kind="StorageBucket", name="static")`` routes to an object
    the controller understands; the Service rules leave it alone.
    """

    k8s_type = "IngressBackend"

    backend_service: IngressServiceBackend | None = Field(
        default=None, serialization_alias="service"
    )
    backend_resource: TypedLocalObjectReference | None = Field(
        default=None, serialization_alias="resource"
    )

    @model_validator(mode="after")
    def _one_backend(self) -> Self:
        if (self.backend_service is None) == (self.backend_resource is None):
            raise PydanticCustomError(
                "ingress_backend",
                "a backend is a Service or a resource, exactly one",
                {"hint": "use IngressBackend.service(...), .service_name(...) or .resource(...)"},
            )
        return self

    @classmethod
    def resource(cls, *, kind: str, name: str, api_group: str | None = None) -> IngressBackend:
        """A backend on the object ``kind``/``name`` of the Ingress's namespace, in API
        group ``api_group`` (unset: the core group); only controllers that know that kind
        can serve it."""
        return cls(
            backend_resource=TypedLocalObjectReference(kind=kind, name=name, api_group=api_group)
        )

    @classmethod
    def service(cls, service: Service, /, *, port: int | str | None = None) -> IngressBackend:
        """A backend on ``service``'s port ``port`` (a name or a number of the Service)."""
        ports = service.ports
        if port is None:
            if len(ports) != 1:
                names = ", ".join(str(p.name or p.port) for p in ports)
                raise _port_error(
                    service,
                    f"Service {service.name!r} has {len(ports)} ports ({names}); say which",
                    f"pass port={ports[0].name or ports[0].port!r}" if ports else "add a port",
                )
            chosen = ports[0]
            ref: int | str = chosen.name or chosen.port
        elif isinstance(port, str) and not isinstance(port, bool):
            if not any(p.name == port for p in ports):
                known = [p.name for p in ports if p.name]
                guess = suggest(port, known)
                raise _port_error(
                    service,
                    f"Service {service.name!r} has no port named {port!r} (it names: "
                    f"{', '.join(known) or 'none'})",
                    f"did you mean {guess!r}?" if guess else "use one of its port names or numbers",
                )
            ref = port
        else:
            if not any(p.port == port for p in ports):
                numbers = ", ".join(str(p.port) for p in ports)
                raise _port_error(
                    service,
                    f"Service {service.name!r} has no port {port} (it has: {numbers})",
                    "use the Service's port (not the container's targetPort)",
                )
            ref = port
        return cls.service_name(service.name, port=ref)

    @classmethod
    def service_name(cls, name: str, /, *, port: int | str) -> IngressBackend:
        """A backend on the Service called ``name`` (of the Ingress's namespace)."""
        return cls(
            backend_service=IngressServiceBackend(name=name, port=ServiceBackendPort.of(port))
        )

    @property
    def service_ref(self) -> tuple[str, int | str] | None:
        """(Service name, port name or number); ``None`` for a resource backend."""
        if self.backend_service is None:
            return None
        port = self.backend_service.port
        return self.backend_service.name, port.name if port.name is not None else port.number or 0


def _port_error(service: Service, message: str, hint: str) -> K8sDslError:
    return K8sDslError(
        [Finding(Severity.ERROR, "network/ingress-port", message, service.ref(), "port", hint)],
        summary=f"invalid IngressBackend for Service at {service.node.path}",
    )


class IngressPath(K8sModel):
    """One path of a host rule and its backend. ``path`` defaults to ``/`` and
    ``path_type`` to ``Prefix``: everything below the path (Kubernetes has no default for
    ``pathType``; k8sdsl writes it out). ``IngressPath.prefix("/api", backend)``."""

    k8s_type = "HTTPIngressPath"

    path: str = "/"
    path_type: PathType = PathType.PREFIX
    backend: IngressBackend

    @model_validator(mode="after")
    def _absolute(self) -> Self:
        problem = ingress_path_problem(self.path, self.path_type.value)
        if problem is not None:
            raise PydanticCustomError("ingress_path", problem[0], {"hint": problem[1]})
        return self

    @classmethod
    def prefix(cls, path: str, backend: IngressBackend, /) -> IngressPath:
        """``path`` and everything below it (by whole path elements)."""
        return cls(path=path, path_type=PathType.PREFIX, backend=backend)

    @classmethod
    def exact(cls, path: str, backend: IngressBackend, /) -> IngressPath:
        """``path`` only."""
        return cls(path=path, path_type=PathType.EXACT, backend=backend)

    def to_k8s(self) -> dict[str, Any]:
        out = super().to_k8s()
        out["path"] = self.path  # written even when it is the default: a reviewer sees it
        out["pathType"] = self.path_type.value
        return out


def _check_host(host: str | None) -> str | None:
    if host is None:
        return None
    problem = ingress_host_problem(host)
    if problem is not None:
        raise PydanticCustomError("ingress_host", problem[0], {"hint": problem[1]})
    return host


class IngressHostRule(K8sModel):
    """The paths served for one ``host`` (``spec.rules[]``; Kubernetes' ``IngressRule``,
    named apart from the NetworkPolicy :class:`~k8sdsl.network.IngressRule`). ``host``
    unset matches every host; ``*.example.com`` matches one label below it.
    ``IngressHostRule.to("shop.example.com", backend)`` routes every path to ``backend``."""

    k8s_type = "IngressRule"

    host: str | None = None
    paths: tuple[IngressPath, ...]

    @model_validator(mode="after")
    def _host(self) -> Self:
        _check_host(self.host)
        if not self.paths:
            raise PydanticCustomError(
                "ingress_paths",
                "a host rule needs at least one path",
                {"hint": "pass paths=[IngressPath(backend=...)], or use IngressHostRule.to()"},
            )
        return self

    @classmethod
    def to(cls, host: str | None, backend: IngressBackend, /) -> IngressHostRule:
        """Every path of ``host`` to ``backend`` (``/``, Prefix)."""
        return cls(host=host, paths=(IngressPath(backend=backend),))

    def to_k8s(self) -> dict[str, Any]:
        out: dict[str, Any] = {}
        if self.host is not None:
            out["host"] = self.host
        out["http"] = {"paths": [p.to_k8s() for p in self.paths]}
        return out


class IngressTls(K8sModel):
    """TLS for ``hosts``, with the certificate and key in the Secret ``secret_name`` (of
    the Ingress's namespace; type ``kubernetes.io/tls``). Every host should have a rule
    (``network/ingress-tls-host``), and the Secret must exist or be made by cert-manager or
    an ExternalSecret (``network/ingress-tls-secret``)."""

    k8s_type = "IngressTLS"

    hosts: tuple[str, ...]
    secret_name: DnsSubdomain

    @model_validator(mode="after")
    def _hosts(self) -> Self:
        if not self.hosts:
            raise PydanticCustomError(
                "ingress_tls_hosts",
                "a TLS entry needs the hosts its certificate is for",
                {"hint": "pass hosts=['shop.example.com']"},
            )
        for host in self.hosts:
            _check_host(host)
        return self

    @classmethod
    def for_rules(cls, rules: Sequence[IngressHostRule], /, *, secret_name: str) -> IngressTls:
        """TLS for every host the ``rules`` name (in their order), with one Secret: the
        easy way to serve a whole Ingress over HTTPS."""
        hosts = list(dict.fromkeys(r.host for r in rules if r.host is not None))
        return cls(hosts=tuple(hosts), secret_name=secret_name)

    @classmethod
    def from_certificate(
        cls, certificate: Certificate, /, *, hosts: Sequence[str] | None = None
    ) -> IngressTls:
        """TLS served with the Secret a cert-manager :class:`Certificate` keeps, for its DNS
        names (or the ``hosts`` given, which ``tls/host-not-covered`` holds to its names)."""
        return cls(
            hosts=tuple(hosts if hosts is not None else certificate.dns_names),
            secret_name=certificate.secret_name,
        )


class IngressClass(Resource):
    """An ``IngressClass`` (cluster-scoped): which controller implements Ingresses of this
    class (``controller="k8s.io/ingress-nginx"``). ``default=True`` writes the annotation
    that gives the class to every Ingress without ``ingressClassName``."""

    api_version: ClassVar[str] = "networking.k8s.io/v1"
    kind: ClassVar[str] = "IngressClass"

    def __init__(
        self,
        scope: Construct,
        id: str,
        *,
        controller: str,
        default: bool = False,
        name: str | None = None,
        labels: Mapping[str, str] | None = None,
        annotations: Mapping[str, str] | None = None,
    ) -> None:
        extra = {DEFAULT_INGRESS_CLASS_ANNOTATION: "true"} if default else {}
        super().__init__(
            scope, id, name=name, labels=labels, annotations={**dict(annotations or {}), **extra}
        )
        if not _CONTROLLER.match(controller):
            raise K8sDslError(
                [
                    Finding(
                        Severity.ERROR,
                        "network/ingress-class",
                        f"controller {controller!r} is not a domain-prefixed path",
                        self.ref(),
                        "spec.controller",
                        "write it as the controller documents it, e.g. 'k8s.io/ingress-nginx'",
                    )
                ],
                summary=f"invalid IngressClass at {self.node.path}",
            )
        self.controller = controller
        self.default = default

    def _body(self) -> dict[str, Any]:
        return {"spec": {"controller": self.controller}}


_CONTROLLER = re.compile(r"^[a-z0-9]([-a-z0-9.]*[a-z0-9])?(/[-a-zA-Z0-9_.]+)+$")


class Ingress(Resource):
    """An ``Ingress`` (``networking.k8s.io/v1``).

    ``rules`` are :class:`IngressHostRule` values; ``default_backend`` takes what no rule
    matches (one of the two is needed). ``ingress_class_name`` is an :class:`IngressClass`
    construct or a class name (unset: the cluster's default class). ``tls`` entries are
    :class:`IngressTls` values. Nothing else is defaulted: an Ingress without ``tls`` is
    served over plain HTTP, so give it one for anything reachable from outside (with
    cert-manager, ``annotations={"cert-manager.io/cluster-issuer": "letsencrypt"}`` makes
    the Secret).
    """

    api_version: ClassVar[str] = "networking.k8s.io/v1"
    kind: ClassVar[str] = "Ingress"

    def __init__(
        self,
        scope: Construct,
        id: str,
        *,
        rules: Sequence[IngressHostRule] | None = None,
        default_backend: IngressBackend | None = None,
        ingress_class_name: IngressClass | str | None = None,
        tls: Sequence[IngressTls] | None = None,
        name: str | None = None,
        namespace: str | None = None,
        labels: Mapping[str, str] | None = None,
        annotations: Mapping[str, str] | None = None,
    ) -> None:
        super().__init__(
            scope, id, name=name, namespace=namespace, labels=labels, annotations=annotations
        )
        self.rules: tuple[IngressHostRule, ...] = tuple(rules or ())
        self.default_backend = default_backend
        self.tls: tuple[IngressTls, ...] = tuple(tls or ())
        ingress_class = (
            ingress_class_name.name
            if isinstance(ingress_class_name, IngressClass)
            else ingress_class_name
        )
        self.ingress_class_name: str | None = ingress_class
        problems: list[Finding] = []
        if not self.rules and default_backend is None:
            problems.append(
                Finding(
                    Severity.ERROR,
                    "network/ingress-empty",
                    "an Ingress needs rules or a default_backend (the API server refuses one "
                    "with neither)",
                    self.ref(),
                    "spec",
                    "pass rules=[IngressHostRule.to('shop.example.com', backend)] or "
                    "default_backend=backend",
                )
            )
        if ingress_class is not None and (
            not isinstance(ingress_class, str) or not _is_subdomain(ingress_class)
        ):
            problems.append(
                Finding(
                    Severity.ERROR,
                    "network/ingress-class",
                    f"ingress class {ingress_class!r} is not a DNS-1123 subdomain",
                    self.ref(),
                    "spec.ingressClassName",
                    "pass an IngressClass construct or its name ('nginx')",
                )
            )
        if problems:
            raise K8sDslError(problems, summary=f"invalid Ingress at {self.node.path}")

    def backends(self) -> list[IngressBackend]:
        """Every backend: the default one, then each path's."""
        found = [self.default_backend] if self.default_backend is not None else []
        return found + [p.backend for r in self.rules for p in r.paths]

    def _body(self) -> dict[str, Any]:
        spec: dict[str, Any] = {}
        if self.ingress_class_name is not None:
            spec["ingressClassName"] = self.ingress_class_name
        if self.default_backend is not None:
            spec["defaultBackend"] = self.default_backend.to_k8s()
        if self.rules:
            spec["rules"] = [r.to_k8s() for r in self.rules]
        if self.tls:
            spec["tls"] = [t.to_k8s() for t in self.tls]
        return {"spec": spec}


def _is_subdomain(value: str) -> bool:
    return len(value) <= 253 and all(part and _LABEL.match(part) for part in value.split("."))


__all__ = [
    "DEFAULT_INGRESS_CLASS_ANNOTATION",
    "LEGACY_INGRESS_CLASS_ANNOTATION",
    "Ingress",
    "IngressBackend",
    "IngressClass",
    "IngressHostRule",
    "IngressPath",
    "IngressServiceBackend",
    "IngressTls",
    "PathType",
    "ServiceBackendPort",
    "host_matches",
    "ingress_host_problem",
    "ingress_path_problem",
]
