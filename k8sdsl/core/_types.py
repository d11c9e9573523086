"""Kubernetes string and number constraints, each named once as an ``Annotated`` alias."""

from __future__ import annotations

import ipaddress
import re
from enum import StrEnum
from typing import Annotated

from pydantic import AfterValidator, Field
from pydantic_core import PydanticCustomError

_LABEL_RE = re.compile(r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?$")
_QUALIFIED_NAME_RE = re.compile(r"^([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]$")
_LABEL_VALUE_RE = re.compile(r"^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$")
_IANA_SVC_RE = re.compile(r"^[a-z0-9]([a-z0-9-]*[a-z0-9])?$")


def dns_fix(value: str, limit: int = 253, dots: bool = True) -> str:
    """The nearest valid DNS-1123 name: lowercase, other characters turned into ``-``."""
    allowed = "a-z0-9.-" if dots else "a-z0-9-"
    text = re.sub(f"[^{allowed}]", "-", value.lower())
    text = re.sub(r"-+", "-", text)
    # every part between dots must be non-empty and start and end with a letter or digit
    text = ".".join(p.strip("-") for p in text.split(".") if p.strip("-")) if dots else text
    text = text.strip("-.")
    return text[:limit].rstrip("-.") or "name"


def _err(kind: str, message: str, value: str, hint: str) -> PydanticCustomError:
    return PydanticCustomError(kind, message, {"hint": hint, "value": value})


def check_dns_label(value: str) -> str:
    if len(value) > 63 or not _LABEL_RE.match(value):
        raise _err(
            "dns_label",
            "must be a DNS-1123 label: at most 63 lowercase letters, digits and '-', "
            "starting and ending with a letter or digit",
            value,
            f"use {dns_fix(value, 63, dots=False)!r}",
        )
    return value


def check_dns_subdomain(value: str) -> str:
    if len(value) > 253 or not all(part and _LABEL_RE.match(part) for part in value.split(".")):
        raise _err(
            "dns_subdomain",
            "must be a DNS-1123 subdomain: at most 253 lowercase letters, digits, '-' and '.', "
            "each part starting and ending with a letter or digit",
            value,
            f"use {dns_fix(value)!r}",
        )
    return value


_REGISTRY_RE = re.compile(
    r"^(?:[a-z0-9](?:[a-z0-9-]*[a-z0-9])?)(?:\.[a-z0-9](?:[a-z0-9-]*[a-z0-9])?)*"
    r"(?::[0-9]{1,5})?(?:/[a-z0-9]+(?:[._-][a-z0-9]+)*)*$"
)


def check_registry(value: str) -> str:
    """An image registry as images name it: ``host[:port][/path]``, no scheme, no spaces."""
    if not _REGISTRY_RE.match(value):
        # a space has no safe fix (two words, or a typo?): then only an example
        fixed = "" if " " in value.strip() else re.sub(r"^[a-z]+://", "", value.lower())
        fixed = fixed.strip().strip("/")
        raise _err(
            "registry",
            "must be a registry as image references write it: host[:port][/path], lowercase, "
            "without a scheme (https://), spaces or a trailing '/'",
            value,
            f"use {fixed!r}"
            if fixed and _REGISTRY_RE.match(fixed)
            else "for example 'registry.example.com' or 'registry.example.com:5000/team'",
        )
    return value


Registry = Annotated[str, AfterValidator(check_registry)]
"""An image registry prefix: ``registry.example.com``, ``localhost:5000/team``."""


def check_label_key(value: str) -> str:
    prefix, slash, name = value.rpartition("/")
    ok = bool(name) and len(name) <= 63 and bool(_QUALIFIED_NAME_RE.match(name))
    if slash and not prefix:
        ok = False
    if prefix:
        try:
            check_dns_subdomain(prefix)
        except PydanticCustomError:
            ok = False
    if not ok:
        raise _err(
            "label_key",
            "must be a qualified name: an optional DNS subdomain prefix and '/', then at most 63 "
            "letters, digits, '-', '_' or '.', starting and ending with a letter or digit",
            value,
            "for example 'app.kubernetes.io/name' or 'tier'",
        )
    return value


def check_label_value(value: str) -> str:
    if len(value) > 63 or not _LABEL_VALUE_RE.match(value):
        raise _err(
            "label_value",
            "must be empty or at most 63 letters, digits, '-', '_' or '.', starting and ending "
            "with a letter or digit",
            value,
            f"use {re.sub(r'[^A-Za-z0-9_.-]', '-', value)[:63].strip('-_.')!r}",
        )
    return value


def check_port_name(value: str) -> str:
    if (
        len(value) > 15
        or not _IANA_SVC_RE.match(value)
        or "--" in value
        or not re.search("[a-z]", value)
    ):
        raise _err(
            "port_name",
            "must be an IANA service name: at most 15 lowercase letters, digits and '-', with "
            "at least one letter and no '--'",
            value,
            f"use {dns_fix(value, 15, dots=False)!r}",
        )
    return value


def check_cidr(value: str) -> str:
    try:
        net = ipaddress.ip_network(value, strict=False)
    except ValueError:
        raise _err(
            "cidr", "is not a CIDR (address/prefix-length)", value, "for example '10.0.0.0/24'"
        ) from None
    if "/" not in value:
        raise _err("cidr", "has no prefix length", value, f"use {str(net)!r}")
    try:
        ipaddress.ip_network(value, strict=True)
    except ValueError:
        raise _err(
            "cidr",
            "has host bits set: the address is not the start of its network",
            value,
            f"use {str(net)!r}",
        ) from None
    return value


_CONFIG_KEY_RE = re.compile(r"^[-._a-zA-Z0-9]+$")


def check_config_key(value: str) -> str:
    if len(value) > 253 or not _CONFIG_KEY_RE.match(value) or value in (".", ".."):
        raise _err(
            "config_key",
            "must be a ConfigMap/Secret key: letters, digits, '-', '_' and '.'",
            value,
            f"use {re.sub(r'[^-._a-zA-Z0-9]', '-', value)!r}",
        )
    return value


def check_absolute_path(value: str) -> str:
    if not value.startswith("/"):
        raise _err("absolute_path", "must be an absolute path", value, f"use {'/' + value!r}")
    if any(c.isspace() for c in value) and value.strip() != value:
        raise _err(
            "absolute_path",
            "has leading or trailing whitespace",
            value,
            f"use {value.strip()!r}",
        )
    return value


def check_relative_path(value: str) -> str:
    if value.startswith("/") or ".." in value.split("/") or not value:
        raise _err(
            "relative_path",
            "must be a relative path without '..'",
            value,
            f"use {value.lstrip('/').replace('../', '')!r}",
        )
    return value


_DURATION_RE = re.compile(r"^-?(0|([0-9]+(\.[0-9]+)?(ns|us|\u00b5s|ms|s|m|h))+)$")


def check_duration(value: str) -> str:
    if not _DURATION_RE.match(value):
        digits = "".join(c for c in value if c.isdigit())
        raise _err(
            "duration",
            "must be a Go duration: a number with a unit (ns, us, ms, s, m, h), such as "
            "'300ms', '2m' or '1h30m'",
            value,
            f"use {digits + 's' if digits else '30s'!r}",
        )
    return value


DnsLabel = Annotated[str, AfterValidator(check_dns_label)]
"""A DNS-1123 label (RFC 1123): names of namespaces, services, volumes, containers, ports."""

DnsSubdomain = Annotated[str, AfterValidator(check_dns_subdomain)]
"""A DNS-1123 subdomain: the name of most objects (ConfigMap, PersistentVolume, Pod...)."""

LabelKey = Annotated[str, AfterValidator(check_label_key)]
"""A label or annotation key: ``[prefix/]name``."""

LabelValue = Annotated[str, AfterValidator(check_label_value)]
"""A label value: empty or at most 63 characters of ``[A-Za-z0-9_.-]``."""

Port = Annotated[int, Field(ge=1, le=65535)]
"""A TCP/UDP/SCTP port number, 1 to 65535."""

PortName = Annotated[str, AfterValidator(check_port_name)]
"""A named port (IANA_SVC_NAME): at most 15 characters, at least one letter."""

Cidr = Annotated[str, AfterValidator(check_cidr)]
"""An IPv4 or IPv6 CIDR with host bits zero (``10.0.0.0/24``, not ``10.0.0.1/24``)."""

AbsolutePath = Annotated[str, AfterValidator(check_absolute_path)]
"""An absolute path inside a container or on a host, without surrounding whitespace."""

RelativePath = Annotated[str, AfterValidator(check_relative_path)]
"""A relative path inside a volume, with no ``..`` element."""

FileMode = Annotated[int, Field(ge=0, le=0o777)]
"""A file mode as an integer (use octal literals: ``0o644``)."""

ConfigKey = Annotated[str, AfterValidator(check_config_key)]
"""A key of a ConfigMap or Secret: ``[-._a-zA-Z0-9]+``, at most 253 characters."""

Duration = Annotated[str, AfterValidator(check_duration)]
"""A Go ``time.Duration`` as configuration files write it (``metav1.Duration``): ``2m``,
``300ms``, ``1h30m``."""

NonEmptyStr = Annotated[str, Field(min_length=1, pattern=r"\S")]
"""A string that must not be empty (``volumeID: ""`` is never meant)."""


class Protocol(StrEnum):
    """The L4 protocol of a port: container, Service and NetworkPolicy ports all use this
    one enum (``k8sdsl.workloads.Protocol`` and ``k8sdsl.network.Protocol`` are this one).
    Kubernetes' default is ``TCP``."""

    TCP = "TCP"
    UDP = "UDP"
    SCTP = "SCTP"
