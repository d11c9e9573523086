"""The small values volume sources share: references, key-to-path items, downward API files."""

from __future__ import annotations

import re
from typing import Annotated, Self

from pydantic import AfterValidator, model_validator
from pydantic_core import PydanticCustomError

from k8sdsl.core._model import K8sModel
from k8sdsl.core._quantity import Quantity
from k8sdsl.core._types import (
    ConfigKey,
    DnsLabel,
    DnsSubdomain,
    FileMode,
    NonEmptyStr,
    RelativePath,
)
from k8sdsl.volumes._tagged import NonEmpty

# The pod fields a downwardAPI *volume* can project (env vars can project more, such as
# spec.nodeName; the API server rejects those in volumes).
_VOLUME_FIELD_PATHS = (
    "metadata.name",
    "metadata.namespace",
    "metadata.uid",
    "metadata.labels",
    "metadata.annotations",
)
_SUBSCRIPT_RE = re.compile(r"^metadata\.(labels|annotations)\['[^']+'\]$")
_RESOURCE_RE = re.compile(
    r"^(limits|requests)\.(cpu|memory|ephemeral-storage|hugepages-[0-9]+(Ki|Mi|Gi|Ti|Pi|Ei)?)$"
)


def check_volume_field_path(value: str) -> str:
    if value in _VOLUME_FIELD_PATHS or _SUBSCRIPT_RE.match(value):
        return value
    raise PydanticCustomError(
        "field_path",
        "is not a pod field a downwardAPI volume can project",
        {
            "hint": "use one of "
            + ", ".join(_VOLUME_FIELD_PATHS)
            + ", metadata.labels['<key>'] or metadata.annotations['<key>'] (fields such as "
            "spec.nodeName or status.podIP are available as environment variables only)",
            "value": value,
        },
    )


def check_container_resource(value: str) -> str:
    if _RESOURCE_RE.match(value):
        return value
    raise PydanticCustomError(
        "container_resource",
        "is not a container resource a downwardAPI volume can project",
        {
            "hint": "use limits.cpu, limits.memory, limits.ephemeral-storage, requests.cpu, "
            "requests.memory, requests.ephemeral-storage or limits.hugepages-<size>",
            "value": value,
        },
    )


VolumeFieldPath = Annotated[str, AfterValidator(check_volume_field_path)]
"""A pod field a downwardAPI volume can project: ``metadata.name``, ``metadata.namespace``,
``metadata.uid``, ``metadata.labels``, ``metadata.annotations`` or one label/annotation
(``metadata.labels['app']``)."""

ContainerResource = Annotated[str, AfterValidator(check_container_resource)]
"""A container resource a downwardAPI volume can project (``limits.cpu``, ``requests.memory``,
``limits.hugepages-2Mi``...)."""


class LocalObjectReference(K8sModel):
    """A reference to an object in the pod's namespace, by name (``{name: ...}``)."""

    k8s_type = "LocalObjectReference"

    name: DnsSubdomain


class SecretReference(K8sModel):
    """A reference to a Secret in any namespace (used by PersistentVolume sources, which are
    cluster-scoped). ``namespace`` unset means the namespace of the claim's pod for most
    plugins; set it to be explicit."""

    k8s_type = "SecretReference"

    name: DnsSubdomain
    namespace: DnsLabel | None = None


class ObjectReference(K8sModel):
    """A full object reference (only storageos PersistentVolumes use it, for their Secret)."""

    k8s_type = "ObjectReference"

    name: DnsSubdomain
    namespace: DnsLabel | None = None
    kind: NonEmptyStr | None = None
    api_version: NonEmptyStr | None = None
    field_path: NonEmptyStr | None = None
    resource_version: NonEmptyStr | None = None
    uid: NonEmptyStr | None = None


class KeyToPath(K8sModel):
    """One key of a ConfigMap or Secret projected to a file: ``key`` -> ``path`` (relative to
    the mount), with an optional file ``mode`` (octal, e.g. ``0o400``; unset means the
    volume's ``defaultMode``)."""

    k8s_type = "KeyToPath"

    key: ConfigKey
    path: RelativePath
    mode: FileMode | None = None


class ObjectFieldSelector(K8sModel):
    """A pod field for a downwardAPI file. ``api_version`` unset means ``v1``."""

    k8s_type = "ObjectFieldSelector"

    field_path: VolumeFieldPath
    api_version: NonEmptyStr | None = None


class ResourceFieldSelector(K8sModel):
    """A container resource for a downwardAPI file. In a volume ``container_name`` is
    required (the volume belongs to the pod, not to one container). ``divisor`` unset is
    ``1`` (cores for cpu, bytes for memory)."""

    k8s_type = "ResourceFieldSelector"

    container_name: DnsLabel
    resource: ContainerResource
    divisor: Quantity | None = None


class DownwardApiVolumeFile(K8sModel):
    """One file of a downwardAPI volume or projection: a pod field *or* a container resource.

    Build it with :meth:`field` or :meth:`resource`; setting both or neither is an error.
    """

    k8s_type = "DownwardAPIVolumeFile"

    path: RelativePath
    field_ref: ObjectFieldSelector | None = None
    resource_field_ref: ResourceFieldSelector | None = None
    mode: FileMode | None = None

    @model_validator(mode="after")
    def _exactly_one_ref(self) -> Self:
        if (self.field_ref is None) == (self.resource_field_ref is None):
            raise PydanticCustomError(
                "one_of",
                "a downwardAPI file needs exactly one of field_ref and resource_field_ref",
                {
                    "hint": "use DownwardApiVolumeFile.field(path=..., field_path=...) or "
                    "DownwardApiVolumeFile.resource(path=..., container_name=..., resource=...)"
                },
            )
        return self

    @classmethod
    def field(cls, *, path: str, field_path: str, mode: int | None = None) -> DownwardApiVolumeFile:
        """A file holding a pod field: ``field(path="labels", field_path="metadata.labels")``."""
        return cls(path=path, field_ref=ObjectFieldSelector(field_path=field_path), mode=mode)

    @classmethod
    def resource(
        cls,
        *,
        path: str,
        container_name: str,
        resource: str,
        divisor: str | Quantity | None = None,
        mode: int | None = None,
    ) -> DownwardApiVolumeFile:
        """A file holding a container resource:
        ``resource(path="cpu_limit", container_name="app", resource="limits.cpu")``."""
        ref = ResourceFieldSelector(
            container_name=container_name, resource=resource, divisor=divisor
        )
        return cls(path=path, resource_field_ref=ref, mode=mode)


Items = Annotated[tuple[KeyToPath, ...], NonEmpty]
"""A non-empty list of key-to-path items (unset means: every key, named after the key)."""
