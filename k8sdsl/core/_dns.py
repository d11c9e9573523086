"""Cluster DNS as values: names of services and pods, ``dnsPolicy`` and ``dnsConfig``.

Values only, in core because they are shared vocabulary: ``Pod(dns_policy=..., dns_config=...)``
in ``k8sdsl.workloads``, the policies and the reachability explainer of ``k8sdsl.network`` and
the declared cluster's domain all use them. ``k8sdsl.network`` exports them; the
``ClusterDnsProbe`` construct lives in ``k8sdsl/network/_probe.py``.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Callable
from enum import StrEnum
from typing import Annotated, Self

from pydantic import AfterValidator, Field, model_validator
from pydantic_core import PydanticCustomError

from k8sdsl.core._findings import Finding, ObjectRef, Severity, ValueInputError
from k8sdsl.core._model import K8sModel
from k8sdsl.core._types import (
    NonEmptyStr,
    check_dns_label,
    check_dns_subdomain,
    check_port_name,
    dns_fix,
)

#: Kubernetes' default cluster domain (kubelet ``--cluster-domain``).
DEFAULT_CLUSTER_DOMAIN = "cluster.local"

#: The namespace and labels of the cluster DNS pods (CoreDNS keeps kube-dns's label).
CLUSTER_DNS_NAMESPACE = "kube-system"
CLUSTER_DNS_LABELS: dict[str, str] = {"k8s-app": "kube-dns"}
#: The port cluster DNS answers on; clients use UDP, and TCP for truncated answers.
CLUSTER_DNS_PORT = 53

# Limits enforced by the API server's pod validation (core/v1 validation.go).
MAX_NAMESERVERS = 3
MAX_SEARCHES = 32  # 6 before the ExpandedDNSConfig feature went GA in 1.28
MAX_SEARCH_CHARS = 2048  # the searches joined with spaces
# glibc's resolver caps ndots at 15; larger values are silently clamped.
MAX_NDOTS = 15


class DnsPolicy(StrEnum):
    """How a pod's ``/etc/resolv.conf`` is built (``spec.dnsPolicy``).

    Kubernetes' default is ``ClusterFirst``; k8sdsl leaves the field unset unless you choose.
    """

    #: Cluster DNS first (names in the cluster domain), others forwarded upstream. Default.
    CLUSTER_FIRST = "ClusterFirst"
    #: ``ClusterFirst`` for pods with ``hostNetwork: true``; without it those pods fall back
    #: to ``Default``.
    CLUSTER_FIRST_WITH_HOST_NET = "ClusterFirstWithHostNet"
    #: The node's resolver configuration: cluster names do NOT resolve.
    DEFAULT = "Default"
    #: Ignore the cluster: everything comes from ``dnsConfig``, which must list a nameserver.
    NONE = "None"


def check_cluster_domain(value: str) -> str:
    """A cluster domain is a DNS subdomain; a trailing dot is tolerated and removed."""
    return check_dns_subdomain(value.rstrip("."))


ClusterDomain = Annotated[str, AfterValidator(check_cluster_domain)]
"""The cluster's DNS domain (kubelet ``--cluster-domain``), ``cluster.local`` by default."""


def _check_nameserver(value: str) -> str:
    try:
        ipaddress.ip_address(value)
    except ValueError:
        raise PydanticCustomError(
            "nameserver",
            "a nameserver must be an IPv4 or IPv6 address, not a host name",
            {
                "hint": "for example '10.96.0.10' (the cluster DNS Service IP) or '1.1.1.1'",
                "value": value,
            },
        ) from None
    return value


def _check_search(value: str) -> str:
    # The API server trims one trailing dot, then requires a DNS-1123 subdomain. Newer
    # servers (RelaxedDNSSearchValidation) also take "_" and "."; k8sdsl keeps the strict
    # form so one definition works on every supported version.
    try:
        check_dns_subdomain(value[:-1] if value.endswith(".") else value)
    except PydanticCustomError:
        raise PydanticCustomError(
            "search_domain",
            "a search domain must be a DNS-1123 subdomain (an optional trailing '.')",
            {"hint": f"use {dns_fix(value)!r}", "value": value},
        ) from None
    return value


Nameserver = Annotated[str, AfterValidator(_check_nameserver)]
"""A resolver address in ``dnsConfig.nameservers``: an IP address."""

SearchDomain = Annotated[str, AfterValidator(_check_search)]
"""A domain in ``dnsConfig.searches``: a DNS-1123 subdomain, optionally ending in ``.``."""


class DnsConfigOption(K8sModel):
    """One resolver option (``dnsConfig.options[]``), written to ``resolv.conf``'s ``options``.

    ``value`` is a string in the API even for numbers; the factories fill it in.
    """

    k8s_type = "PodDNSConfigOption"

    name: NonEmptyStr
    value: str | None = None

    @classmethod
    def ndots(cls, dots: int, /) -> DnsConfigOption:
        """``ndots:<n>``: names with fewer dots are tried with the search domains first.

        Kubernetes writes ``ndots:5`` for ``ClusterFirst`` pods, so ``api.example.com`` is
        first looked up as five cluster names; ``ndots(1)`` or ``(2)`` cuts those lookups.
        """
        if not 0 <= dots <= MAX_NDOTS:
            raise _option_error("ndots", dots, f"between 0 and {MAX_NDOTS}")
        return cls(name="ndots", value=str(dots))

    @classmethod
    def timeout(cls, seconds: int, /) -> DnsConfigOption:
        """``timeout:<s>``: seconds to wait for a nameserver before trying the next (1-30)."""
        if not 1 <= seconds <= 30:
            raise _option_error("timeout", seconds, "between 1 and 30 seconds")
        return cls(name="timeout", value=str(seconds))

    @classmethod
    def attempts(cls, count: int, /) -> DnsConfigOption:
        """``attempts:<n>``: rounds over all nameservers before giving up (1-5)."""
        if not 1 <= count <= 5:
            raise _option_error("attempts", count, "between 1 and 5")
        return cls(name="attempts", value=str(count))

    @classmethod
    def single_request_reopen(cls) -> DnsConfigOption:
        """``single-request-reopen``: new socket for the AAAA query (conntrack races on UDP)."""
        return cls(name="single-request-reopen")

    @classmethod
    def edns0(cls) -> DnsConfigOption:
        """``edns0``: allow answers larger than 512 bytes over UDP."""
        return cls(name="edns0")


def _input_error(kind: str, code: str, path: str, message: str, hint: str) -> ValueInputError:
    finding = Finding(
        severity=Severity.ERROR,
        code=code,
        message=message,
        obj=ObjectRef(kind=kind, source="k8sdsl.network"),
        path=path,
        hint=hint,
    )
    return ValueInputError([finding], summary=f"invalid {kind}")


def _option_error(name: str, value: int, allowed: str) -> ValueInputError:
    return _input_error(
        "DnsConfigOption",
        "value/dns-option",
        "value",
        f"{name} must be {allowed} (got {value!r})",
        f"pass a number {allowed} to DnsConfigOption.{name}()",
    )


def _checked(check: Callable[[str], str], value: str, field: str, function: str) -> str:
    """Run a name check from ``k8sdsl.core`` and turn its error into a ``ValueInputError``."""
    try:
        return check(value)
    except PydanticCustomError as exc:
        ctx = exc.context or {}
        raise _input_error(
            function,
            "value/" + exc.type.replace("_", "-"),
            field,
            f"{exc.message()} (got {value!r})",
            str(ctx.get("hint", "")),
        ) from None


class DnsConfig(K8sModel):
    """``spec.dnsConfig``: resolver settings merged into what ``dnsPolicy`` generates.

    With ``DnsPolicy.NONE`` these are the only settings, so at least one nameserver is
    required (checked by the ``network/dns-config-missing`` rule on the pod). The API
    server's limits are checked here: at most 3 nameservers (IP addresses), 32 search
    domains, 2048 characters of searches. k8sdsl also refuses an option name given twice:
    the API server takes it, but which value the resolver uses is then unclear.
    Every field defaults to unset.
    """

    k8s_type = "PodDNSConfig"

    nameservers: tuple[Nameserver, ...] | None = Field(default=None, max_length=MAX_NAMESERVERS)
    searches: tuple[SearchDomain, ...] | None = Field(default=None, max_length=MAX_SEARCHES)
    options: tuple[DnsConfigOption, ...] | None = None

    @model_validator(mode="after")
    def _within_limits(self) -> Self:
        joined = " ".join(self.searches or ())
        if len(joined) > MAX_SEARCH_CHARS:
            raise PydanticCustomError(
                "search_too_long",
                "searches total {length} characters (joined with spaces); the limit is 2048",
                {"length": len(joined), "hint": "drop search domains or shorten them"},
            )
        seen: set[str] = set()
        for option in self.options or ():
            if option.name in seen:
                raise PydanticCustomError(
                    "duplicate_option",
                    "resolver option '{name}' is given twice",
                    {"name": option.name, "hint": "keep one entry per option name"},
                )
            seen.add(option.name)
        return self

    @classmethod
    def with_ndots(cls, dots: int, /, **fields: object) -> DnsConfig:
        """A config whose only option is ``ndots:<dots>`` (plus any other fields given).

        ``DnsConfig.with_ndots(2)`` is the usual fix for slow external lookups from
        ``ClusterFirst`` pods.
        """
        options = (DnsConfigOption.ndots(dots), *tuple(fields.pop("options", ()) or ()))  # type: ignore[arg-type]
        return cls(options=options, **fields)

    def ndots(self) -> int | None:
        """The ``ndots`` value set here, or ``None`` (then the resolver's default applies)."""
        for option in self.options or ():
            if option.name == "ndots" and option.value is not None:
                return int(option.value)
        return None


def service_fqdn(
    service: str, *, namespace: str, cluster_domain: str = DEFAULT_CLUSTER_DOMAIN
) -> str:
    """``<service>.<namespace>.svc.<cluster-domain>``: the A/AAAA record of a Service.

    >>> service_fqdn("dns-target", namespace="default")
    'dns-target.default.svc.cluster.local'
    """
    _checked(check_dns_label, service, "service", "service_fqdn")
    _checked(check_dns_label, namespace, "namespace", "service_fqdn")
    domain = _checked(check_cluster_domain, cluster_domain, "cluster_domain", "service_fqdn")
    return f"{service}.{namespace}.svc.{domain.rstrip('.')}"


def pod_fqdn(
    hostname: str,
    *,
    subdomain: str,
    namespace: str,
    cluster_domain: str = DEFAULT_CLUSTER_DOMAIN,
) -> str:
    """``<hostname>.<subdomain>.<namespace>.svc.<cluster-domain>``.

    A pod gets this record when ``spec.hostname`` and ``spec.subdomain`` are set and a
    headless Service named ``subdomain`` exists in its namespace (StatefulSet pods get it
    through ``serviceName``).
    """
    _checked(check_dns_label, hostname, "hostname", "pod_fqdn")
    return (
        f"{hostname}.{service_fqdn(subdomain, namespace=namespace, cluster_domain=cluster_domain)}"
    )


def srv_name(
    port_name: str,
    *,
    protocol: str = "tcp",
    service: str,
    namespace: str,
    cluster_domain: str = DEFAULT_CLUSTER_DOMAIN,
) -> str:
    """``_<port-name>._<protocol>.<service>.<namespace>.svc.<cluster-domain>``: a SRV record.

    Cluster DNS publishes one for each named port of a Service; ``protocol`` is ``tcp``,
    ``udp`` or ``sctp`` (lowercase in the record).
    """
    proto = protocol.lower()
    if proto not in ("tcp", "udp", "sctp"):
        raise _input_error(
            "srv_name",
            "value/protocol",
            "protocol",
            f"protocol must be tcp, udp or sctp (got {protocol!r})",
            "use protocol='tcp'",
        )
    _checked(check_port_name, port_name, "port_name", "srv_name")
    fqdn = service_fqdn(service, namespace=namespace, cluster_domain=cluster_domain)
    return f"_{port_name}._{proto}.{fqdn}"


def cluster_search_domains(
    namespace: str, *, cluster_domain: str = DEFAULT_CLUSTER_DOMAIN
) -> tuple[str, str, str]:
    """The search list kubelet writes for ``ClusterFirst`` pods in ``namespace``.

    This is why ``nslookup dns-target`` works from the same namespace and
    ``kubernetes.default`` works from any namespace.
    """
    _checked(check_dns_label, namespace, "namespace", "cluster_search_domains")
    domain = _checked(
        check_cluster_domain, cluster_domain, "cluster_domain", "cluster_search_domains"
    ).rstrip(".")
    return (f"{namespace}.svc.{domain}", f"svc.{domain}", domain)


__all__ = [
    "CLUSTER_DNS_LABELS",
    "CLUSTER_DNS_NAMESPACE",
    "CLUSTER_DNS_PORT",
    "DEFAULT_CLUSTER_DOMAIN",
    "ClusterDomain",
    "DnsConfig",
    "DnsConfigOption",
    "DnsPolicy",
    "Nameserver",
    "SearchDomain",
    "cluster_search_domains",
    "pod_fqdn",
    "service_fqdn",
    "srv_name",
]
