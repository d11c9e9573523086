"""Containers as values: image, command and args, environment, ports, resources, probes,
lifecycle hooks, volume mounts and the security context."""

from __future__ import annotations

import re
from collections.abc import Mapping
from enum import StrEnum
from typing import Annotated, Any, Self

from pydantic import AfterValidator, Field, field_validator, model_validator
from pydantic_core import PydanticCustomError

from k8sdsl.core._images import Image, ImagePullPolicy
from k8sdsl.core._model import K8sModel
from k8sdsl.core._quantity import Quantity
from k8sdsl.core._secret_source import SecretSource, check_secret_key, secret_name
from k8sdsl.core._types import (
    AbsolutePath,
    ConfigKey,
    DnsLabel,
    DnsSubdomain,
    Port,
    PortName,
    Protocol,  # one enum for every kind of port
)
from k8sdsl.volumes._mounts import normalize_mount_path
from k8sdsl.volumes._volume import Mount, VolumeDevice
from k8sdsl.workloads._probes import Lifecycle, Probe
from k8sdsl.workloads._security_context import SecurityContext

_ENV_NAME_RE = re.compile(r"^[-._a-zA-Z][-._a-zA-Z0-9]*$")
_ENV_FIELD_PATHS = (
    "metadata.name",
    "metadata.namespace",
    "metadata.uid",
    "spec.nodeName",
    "spec.serviceAccountName",
    "status.hostIP",
    "status.hostIPs",
    "status.podIP",
    "status.podIPs",
)
_ENV_SUBSCRIPT_RE = re.compile(r"^metadata\.(labels|annotations)\['[^']+'\]$")
_ENV_RESOURCE_RE = re.compile(
    r"^(limits|requests)\.(cpu|memory|ephemeral-storage|hugepages-[0-9]+(Ki|Mi|Gi|Ti|Pi|Ei)?)$"
)
_RESOURCE_NAME_RE = re.compile(
    r"^(cpu|memory|ephemeral-storage|hugepages-[0-9]+(Ki|Mi|Gi|Ti|Pi|Ei)?"
    r"|([a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*/[A-Za-z0-9]"
    r"([-A-Za-z0-9_.]*[A-Za-z0-9])?))$"
)


def _env_fix(value: str) -> str:
    return re.sub(r"[^-._a-zA-Z0-9]", "_", value).lstrip("0123456789") or "NAME"


def check_env_name(value: str) -> str:
    # The portable rule (every supported version): a letter, '_', '-' or '.', then those
    # and digits. Kubernetes 1.34 relaxed it, but 1.28 to 1.33 API servers reject the rest.
    if not _ENV_NAME_RE.match(value):
        raise PydanticCustomError(
            "env_name",
            "must start with a letter, '_', '-' or '.' and contain only letters, digits, "
            "'_', '-' and '.'",
            {"hint": f"use {_env_fix(value)!r}", "value": value},
        )
    return value


def check_env_field_path(value: str) -> str:
    if value in _ENV_FIELD_PATHS or _ENV_SUBSCRIPT_RE.match(value):
        return value
    raise PydanticCustomError(
        "field_path",
        "is not a pod field an environment variable can read",
        {
            "hint": "use one of "
            + ", ".join(_ENV_FIELD_PATHS)
            + ", metadata.labels['<key>'] or metadata.annotations['<key>']",
            "value": value,
        },
    )


def check_env_resource(value: str) -> str:
    if _ENV_RESOURCE_RE.match(value):
        return value
    raise PydanticCustomError(
        "container_resource",
        "is not a container resource an environment variable can read",
        {
            "hint": "use limits.cpu, limits.memory, limits.ephemeral-storage, requests.cpu, "
            "requests.memory or requests.ephemeral-storage",
            "value": value,
        },
    )


def check_resource_name(value: str) -> str:
    if _RESOURCE_NAME_RE.match(value):
        return value
    raise PydanticCustomError(
        "resource_name",
        "is not a container resource name",
        {
            "hint": "use cpu, memory, ephemeral-storage, hugepages-<size> or an extended "
            "resource such as nvidia.com/gpu",
            "value": value,
        },
    )


EnvName = Annotated[str, AfterValidator(check_env_name)]
"""An environment variable name that every supported API server accepts."""


ResourceName = Annotated[str, AfterValidator(check_resource_name)]
"""``cpu``, ``memory``, ``ephemeral-storage``, ``hugepages-<size>`` or ``domain/name``."""


class ContainerPort(K8sModel):
    """A port the container listens on. Naming it lets probes and Services refer to it by
    name. ``host_port`` binds the port on the node: the baseline profile forbids it."""

    k8s_type = "ContainerPort"

    container_port: Port
    name: PortName | None = None
    protocol: Protocol | None = None
    host_port: Port | None = None
    host_ip: str | None = None

    @classmethod
    def tcp(cls, port: int, /, *, name: str | None = None) -> ContainerPort:
        """A TCP port (``protocol`` left to Kubernetes' default, TCP)."""
        return cls(container_port=port, name=name)

    @classmethod
    def udp(cls, port: int, /, *, name: str | None = None) -> ContainerPort:
        return cls(container_port=port, name=name, protocol=Protocol.UDP)

    @property
    def effective_protocol(self) -> Protocol:
        return self.protocol or Protocol.TCP


class ResourceRequirements(K8sModel):
    """CPU, memory and other resources: ``requests`` reserve, ``limits`` cap.

    ``ResourceRequirements.of(cpu="100m", memory="128Mi", memory_limit="256Mi")``. A request
    above its limit is rejected by the API server, and here.
    """

    k8s_type = "ResourceRequirements"

    requests: dict[ResourceName, Quantity] | None = None
    limits: dict[ResourceName, Quantity] | None = None

    @model_validator(mode="after")
    def _request_within_limit(self) -> Self:
        for name, limit in (self.limits or {}).items():
            request = (self.requests or {}).get(name)
            if request is not None and request > limit:
                raise PydanticCustomError(
                    "request_above_limit",
                    "requests[{name}] = {request} is above limits[{name}] = {limit}",
                    {
                        "name": name,
                        "request": str(request),
                        "limit": str(limit),
                        "hint": "raise the limit or lower the request",
                    },
                )
        return self

    @classmethod
    def of(
        cls,
        *,
        cpu: str | None = None,
        memory: str | None = None,
        cpu_limit: str | None = None,
        memory_limit: str | None = None,
        ephemeral_storage: str | None = None,
        ephemeral_storage_limit: str | None = None,
    ) -> ResourceRequirements:
        requests = {
            k: v
            for k, v in (("cpu", cpu), ("memory", memory), ("ephemeral-storage", ephemeral_storage))
            if v is not None
        }
        limits = {
            k: v
            for k, v in (
                ("cpu", cpu_limit),
                ("memory", memory_limit),
                ("ephemeral-storage", ephemeral_storage_limit),
            )
            if v is not None
        }
        return cls(requests=requests or None, limits=limits or None)

    def with_defaults(self, defaults: ResourceRequirements) -> ResourceRequirements:
        """These requirements, with every resource they leave unset taken from ``defaults``.

        A default never contradicts what the user chose (the API server rejects a request
        above its limit): a default request is not added above the user's limit, and a
        default limit below the user's request is raised to that request.
        """
        own_requests = self.requests or {}
        limits = {**(defaults.limits or {}), **(self.limits or {})}
        for name, value in (defaults.limits or {}).items():
            request = own_requests.get(name)
            if name not in (self.limits or {}) and request is not None and request > value:
                limits[name] = request
        requests = dict(own_requests)
        for name, value in (defaults.requests or {}).items():
            if name not in requests:
                cap = limits.get(name)
                requests[name] = value if cap is None or value <= cap else cap
        return ResourceRequirements(requests=requests or None, limits=limits or None)


class SecretKeySelector(K8sModel):
    name: DnsSubdomain
    key: ConfigKey
    optional: bool | None = None


class ConfigMapKeySelector(K8sModel):
    name: DnsSubdomain
    key: ConfigKey
    optional: bool | None = None


class EnvFieldSelector(K8sModel):
    """A pod field read into an environment variable (``status.podIP``, ``spec.nodeName``)."""

    k8s_type = "ObjectFieldSelector"

    field_path: Annotated[str, AfterValidator(check_env_field_path)]
    api_version: str | None = None


class EnvResourceSelector(K8sModel):
    """A container's request or limit read into an environment variable."""

    k8s_type = "ResourceFieldSelector"

    resource: Annotated[str, AfterValidator(check_env_resource)]
    container_name: DnsLabel | None = None
    divisor: Quantity | None = None


class EnvVarSource(K8sModel):
    secret_key_ref: SecretKeySelector | None = None
    config_map_key_ref: ConfigMapKeySelector | None = None
    field_ref: EnvFieldSelector | None = None
    resource_field_ref: EnvResourceSelector | None = None

    @model_validator(mode="after")
    def _one_source(self) -> Self:
        if (
            sum(
                x is not None
                for x in (
                    self.secret_key_ref,
                    self.config_map_key_ref,
                    self.field_ref,
                    self.resource_field_ref,
                )
            )
            != 1
        ):
            raise PydanticCustomError(
                "env_source",
                "valueFrom needs exactly one source",
                {"hint": "use EnvVar.from_secret, from_config_map, from_field or from_resource"},
            )
        return self


class EnvVar(K8sModel):
    """One environment variable: a literal value or a value read from somewhere.

    Use the factories: ``EnvVar.of("LOG_LEVEL", "info")``,
    ``EnvVar.from_secret("DB_PASSWORD", secret="db", key="password")``,
    ``EnvVar.from_config_map(...)``, ``EnvVar.from_field("POD_IP", "status.podIP")``,
    ``EnvVar.from_resource("MEM_LIMIT", "limits.memory")``. A Secret in an environment
    variable is visible in ``/proc/<pid>/environ`` and crash dumps; scanners prefer a
    mounted secret volume (SecurePod needs the ``secret-env`` exemption for it).
    """

    k8s_type = "EnvVar"

    name: EnvName
    value: str | None = None
    value_from: EnvVarSource | None = None

    @model_validator(mode="after")
    def _value_or_source(self) -> Self:
        if self.value is not None and self.value_from is not None:
            raise PydanticCustomError(
                "env_value",
                "set value or value_from, not both",
                {"hint": "drop one of them"},
            )
        return self

    @classmethod
    def of(cls, name: str, value: str, /) -> EnvVar:
        return cls(name=name, value=value)

    @classmethod
    def from_secret(
        cls, name: str, /, *, secret: str | SecretSource, key: str, optional: bool | None = None
    ) -> EnvVar:
        """``key`` of ``secret``: a Secret name, or what makes the Secret (an
        ``ExternalSecret``, a ``SealedSecret``, a Secret declared in the cluster), whose
        name is then the one it produces and whose keys, when known, must include ``key``."""
        check_secret_key(secret, key, where=f"env[{name!r}].valueFrom.secretKeyRef.key")
        return cls(
            name=name,
            value_from=EnvVarSource(
                secret_key_ref=SecretKeySelector(
                    name=secret_name(secret), key=key, optional=optional
                )
            ),
        )

    @classmethod
    def from_config_map(
        cls, name: str, /, *, config_map: str, key: str, optional: bool | None = None
    ) -> EnvVar:
        return cls(
            name=name,
            value_from=EnvVarSource(
                config_map_key_ref=ConfigMapKeySelector(name=config_map, key=key, optional=optional)
            ),
        )

    @classmethod
    def from_field(cls, name: str, field_path: str, /) -> EnvVar:
        return cls(
            name=name, value_from=EnvVarSource(field_ref=EnvFieldSelector(field_path=field_path))
        )

    @classmethod
    def from_resource(
        cls,
        name: str,
        resource: str,
        /,
        *,
        container_name: str | None = None,
        divisor: str | None = None,
    ) -> EnvVar:
        return cls(
            name=name,
            value_from=EnvVarSource(
                resource_field_ref=EnvResourceSelector(
                    resource=resource, container_name=container_name, divisor=divisor
                )
            ),
        )


class LocalObjectReference(K8sModel):
    name: DnsSubdomain
    optional: bool | None = None


class EnvFromSource(K8sModel):
    """Every key of a ConfigMap or Secret as environment variables (``envFrom``)."""

    prefix: str | None = None
    config_map_ref: LocalObjectReference | None = None
    secret_ref: LocalObjectReference | None = None

    @model_validator(mode="after")
    def _one_source(self) -> Self:
        if (self.config_map_ref is None) == (self.secret_ref is None):
            raise PydanticCustomError(
                "env_from_source",
                "envFrom needs exactly one of config_map_ref and secret_ref",
                {"hint": "use EnvFromSource.config_map(name) or EnvFromSource.secret(name)"},
            )
        return self

    @classmethod
    def config_map(
        cls, name: str, /, *, prefix: str | None = None, optional: bool | None = None
    ) -> EnvFromSource:
        return cls(prefix=prefix, config_map_ref=LocalObjectReference(name=name, optional=optional))

    @classmethod
    def secret(
        cls,
        name: str | SecretSource,
        /,
        *,
        prefix: str | None = None,
        optional: bool | None = None,
    ) -> EnvFromSource:
        """Every key of the Secret ``name`` (or of the one an ``ExternalSecret``,
        ``SealedSecret`` or declared Secret is)."""
        return cls(
            prefix=prefix,
            secret_ref=LocalObjectReference(name=secret_name(name), optional=optional),
        )


class TerminationMessagePolicy(StrEnum):
    FILE = "File"
    FALLBACK_TO_LOGS_ON_ERROR = "FallbackToLogsOnError"


class ContainerRestartPolicy(StrEnum):
    """Only ``Always``, and only on an init container: it makes it a sidecar (1.29+)."""

    ALWAYS = "Always"


class Container(K8sModel):
    """A container of a pod, as a value.

    Only ``name`` and ``image`` are required. ``env`` takes :class:`EnvVar` values or a plain
    mapping of literal values; ``mounts`` takes :class:`k8sdsl.volumes.Mount` values, and the
    pod puts each mounted volume into ``spec.volumes`` once. Nothing is defaulted here:
    :class:`SecurePod` and :class:`SecurePodTemplate` add the secure defaults.
    """

    k8s_type = "Container"

    name: DnsLabel
    image: Image
    image_pull_policy: ImagePullPolicy | None = None
    command: tuple[str, ...] | None = None
    args: tuple[str, ...] | None = None
    working_dir: AbsolutePath | None = None
    env: tuple[EnvVar, ...] | None = None
    env_from: tuple[EnvFromSource, ...] | None = None
    ports: tuple[ContainerPort, ...] | None = None
    resources: ResourceRequirements | None = None
    liveness_probe: Probe | None = None
    readiness_probe: Probe | None = None
    startup_probe: Probe | None = None
    lifecycle: Lifecycle | None = None
    mounts: tuple[Mount, ...] | None = Field(default=None, exclude=True)
    volume_devices: tuple[VolumeDevice, ...] | None = Field(default=None, exclude=True)
    security_context: SecurityContext | None = None
    restart_policy: ContainerRestartPolicy | None = None
    stdin: bool | None = None
    tty: bool | None = None
    termination_message_path: AbsolutePath | None = None
    termination_message_policy: TerminationMessagePolicy | None = None

    @field_validator("env", mode="before")
    @classmethod
    def _env_mapping(cls, value: Any) -> Any:
        if isinstance(value, Mapping):
            return tuple(
                EnvVar(name=k, value=v) if isinstance(v, str) else v for k, v in value.items()
            )
        return value

    @field_validator("ports", mode="before")
    @classmethod
    def _port_numbers(cls, value: Any) -> Any:
        # ports=[8080] is ContainerPort.tcp(8080)
        if isinstance(value, (list, tuple)):
            return tuple(
                ContainerPort(container_port=p)
                if isinstance(p, int) and not isinstance(p, bool)
                else p
                for p in value
            )
        return value

    @model_validator(mode="after")
    def _consistent(self) -> Self:
        for field in ("liveness_probe", "startup_probe"):
            probe: Probe | None = getattr(self, field)
            if probe is not None and probe.success_threshold not in (None, 1):
                raise PydanticCustomError(
                    "success_threshold",
                    "{field}.success_threshold must be 1 (the API server rejects other values)",
                    {"field": field, "hint": "drop success_threshold"},
                )
        seen_ports: set[tuple[int, str]] = set()
        seen_names: set[str] = set()
        for port in self.ports or ():
            key = (port.container_port, port.effective_protocol.value)
            if key in seen_ports:
                raise PydanticCustomError(
                    "duplicate_port",
                    "port {port}/{proto} is listed twice",
                    {"port": key[0], "proto": key[1], "hint": "list each port once"},
                )
            seen_ports.add(key)
            if port.name is not None:
                if port.name in seen_names:
                    raise PydanticCustomError(
                        "duplicate_port_name",
                        "port name '{name}' is used twice",
                        {"name": port.name, "hint": "give each port its own name"},
                    )
                seen_names.add(port.name)
        env_names = [e.name for e in self.env or ()]
        dupes = sorted({n for n in env_names if env_names.count(n) > 1})
        if dupes:
            raise PydanticCustomError(
                "duplicate_env",
                "environment variable(s) {names} set twice: the last one wins silently",
                {"names": ", ".join(dupes), "hint": "set each variable once"},
            )
        paths = [normalize_mount_path(m.mount_path) for m in self.mounts or ()]
        twice = sorted({p for p in paths if paths.count(p) > 1})
        if twice:
            raise PydanticCustomError(
                "duplicate_mount_path",
                "mount path(s) {paths} used twice",
                {"paths": ", ".join(twice), "hint": "mount each path once"},
            )
        return self

    def port_named(self, name: str) -> ContainerPort | None:
        return next((p for p in self.ports or () if p.name == name), None)

    def to_k8s(self) -> dict[str, Any]:
        out = super().to_k8s()
        if self.mounts:
            out["volumeMounts"] = [m.to_k8s() for m in self.mounts]
        if self.volume_devices:
            out["volumeDevices"] = [d.to_k8s() for d in self.volume_devices]
        return out


__all__ = [
    "ConfigKey",
    "ConfigMapKeySelector",
    "Container",
    "ContainerPort",
    "ContainerRestartPolicy",
    "EnvFieldSelector",
    "EnvFromSource",
    "EnvName",
    "EnvResourceSelector",
    "EnvVar",
    "EnvVarSource",
    "LocalObjectReference",
    "Protocol",
    "ResourceName",
    "ResourceRequirements",
    "SecretKeySelector",
    "TerminationMessagePolicy",
]
