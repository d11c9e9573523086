"""``Volume``: a name and exactly one source; the unions of pod and PV sources; and
``Mount`` / ``VolumeDevice``, where a container sees a volume (each carries its volume)."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Annotated, Any, Self, TypeAlias, get_args

from pydantic import (
    AfterValidator,
    SerializerFunctionWrapHandler,
    field_validator,
    model_serializer,
    model_validator,
)
from pydantic_core import PydanticCustomError

from k8sdsl.core._images import PullPolicy
from k8sdsl.core._model import K8sModel
from k8sdsl.core._quantity import Quantity
from k8sdsl.core._secret_source import SecretSource, check_secret_key
from k8sdsl.core._secret_source import secret_name as _secret_name
from k8sdsl.core._types import AbsolutePath, DnsLabel, RelativePath
from k8sdsl.volumes._catalog import volume_facts
from k8sdsl.volumes._claim import PersistentVolumeClaimTemplate
from k8sdsl.volumes._enums import (
    AccessMode,
    HostPathType,
    MountPropagation,
    RecursiveReadOnly,
    StorageMedium,
    VolumeMode,
)
from k8sdsl.volumes._projected import ProjectedVolume, ProjectionBase
from k8sdsl.volumes._refs import DownwardApiVolumeFile, KeyToPath, LocalObjectReference
from k8sdsl.volumes._sources import (
    AwsElasticBlockStoreVolumeSource,
    AzureDiskVolumeSource,
    AzureFilePersistentVolumeSource,
    AzureFileVolumeSource,
    CephFsPersistentVolumeSource,
    CephFsVolumeSource,
    CinderPersistentVolumeSource,
    CinderVolumeSource,
    ConfigMapVolumeSource,
    CsiPersistentVolumeSource,
    CsiVolumeSource,
    DownwardApiVolumeSource,
    EmptyDirVolumeSource,
    EphemeralVolumeSource,
    FcVolumeSource,
    FlexPersistentVolumeSource,
    FlexVolumeSource,
    FlockerVolumeSource,
    GcePersistentDiskVolumeSource,
    GitRepoVolumeSource,
    GlusterfsPersistentVolumeSource,
    GlusterfsVolumeSource,
    HostPathVolumeSource,
    ImageVolumeSource,
    IscsiPersistentVolumeSource,
    IscsiVolumeSource,
    LocalVolumeSource,
    NfsVolumeSource,
    PersistentVolumeClaimVolumeSource,
    PhotonPersistentDiskVolumeSource,
    PortworxVolumeSource,
    QuobyteVolumeSource,
    RbdPersistentVolumeSource,
    RbdVolumeSource,
    ScaleIoPersistentVolumeSource,
    ScaleIoVolumeSource,
    SecretVolumeSource,
    StorageOsPersistentVolumeSource,
    StorageOsVolumeSource,
    VolumeSourceBase,
    VsphereVirtualDiskVolumeSource,
)
from k8sdsl.volumes._tagged import tagged_union

# The unions are written out once as plain ``Union``s so type checkers see every member; at
# run time they become tagged unions (pydantic picks the member by the value's class).
_PodSource: TypeAlias = (
    AwsElasticBlockStoreVolumeSource
    | AzureDiskVolumeSource
    | AzureFileVolumeSource
    | CephFsVolumeSource
    | CinderVolumeSource
    | ConfigMapVolumeSource
    | CsiVolumeSource
    | DownwardApiVolumeSource
    | EmptyDirVolumeSource
    | EphemeralVolumeSource
    | FcVolumeSource
    | FlexVolumeSource
    | FlockerVolumeSource
    | GcePersistentDiskVolumeSource
    | GitRepoVolumeSource
    | GlusterfsVolumeSource
    | HostPathVolumeSource
    | ImageVolumeSource
    | IscsiVolumeSource
    | NfsVolumeSource
    | PersistentVolumeClaimVolumeSource
    | PhotonPersistentDiskVolumeSource
    | PortworxVolumeSource
    | ProjectedVolume
    | QuobyteVolumeSource
    | RbdVolumeSource
    | ScaleIoVolumeSource
    | SecretVolumeSource
    | StorageOsVolumeSource
    | VsphereVirtualDiskVolumeSource
)
_PersistentVolumeSource: TypeAlias = (
    AwsElasticBlockStoreVolumeSource
    | AzureDiskVolumeSource
    | AzureFilePersistentVolumeSource
    | CephFsPersistentVolumeSource
    | CinderPersistentVolumeSource
    | CsiPersistentVolumeSource
    | FcVolumeSource
    | FlexPersistentVolumeSource
    | FlockerVolumeSource
    | GcePersistentDiskVolumeSource
    | GlusterfsPersistentVolumeSource
    | HostPathVolumeSource
    | IscsiPersistentVolumeSource
    | LocalVolumeSource
    | NfsVolumeSource
    | PhotonPersistentDiskVolumeSource
    | PortworxVolumeSource
    | QuobyteVolumeSource
    | RbdPersistentVolumeSource
    | ScaleIoPersistentVolumeSource
    | StorageOsPersistentVolumeSource
    | VsphereVirtualDiskVolumeSource
)

#: every source a Pod's ``spec.volumes[]`` accepts, in the API reference's order
POD_SOURCE_TYPES: tuple[type[VolumeSourceBase], ...] = get_args(_PodSource)

#: every source a PersistentVolume's spec accepts (the PV forms where they differ)
PERSISTENT_VOLUME_SOURCE_TYPES: tuple[type[VolumeSourceBase], ...] = get_args(
    _PersistentVolumeSource
)

if TYPE_CHECKING:
    VolumeSource: TypeAlias = _PodSource
    PersistentVolumeSource: TypeAlias = _PersistentVolumeSource
else:
    VolumeSource = tagged_union(*POD_SOURCE_TYPES, kind="pod_volume_source")
    PersistentVolumeSource = tagged_union(
        *PERSISTENT_VOLUME_SOURCE_TYPES, kind="persistent_volume_source"
    )
# VolumeSource: the source of a Pod volume, exactly one of the pod-form source values.
# PersistentVolumeSource: the source of a PersistentVolume, exactly one of the PV-capable
# source values (the PV forms where they differ: CsiPersistentVolumeSource with its volume
# handle, Secret references with a namespace, LocalVolumeSource...); read ``source.k8s_key``
# for the key it takes in ``spec``.

_POD_FORM = {t.k8s_key: t for t in POD_SOURCE_TYPES}
_PV_FORM = {t.k8s_key: t for t in PERSISTENT_VOLUME_SOURCE_TYPES}


def pod_form_hint(source: object) -> str:
    """The fix for a PV-only source put into a Pod volume."""
    key = getattr(type(source), "k8s_key", "")
    if key == "local":
        return (
            "local volumes exist only as PersistentVolumes: create a PersistentVolume "
            "with LocalVolumeSource and mount a claim (Volume.claim)"
        )
    if key == "csi":
        return (
            "CsiPersistentVolumeSource belongs in a PersistentVolume; for an inline "
            "ephemeral CSI volume use CsiVolumeSource (no volume_handle)"
        )
    if key in _POD_FORM:
        return f"use {_POD_FORM[key].__name__}, the pod form (Secret references without namespace)"
    return "pass one of the *VolumeSource values allowed in pods"


def pv_form_hint(source: object) -> str:
    """The fix for a pod-only source (or pod form) put into a PersistentVolume."""
    key = getattr(type(source), "k8s_key", "")
    if key in _PV_FORM:
        return f"use {_PV_FORM[key].__name__}, the PersistentVolume form"
    return (
        f"{key or type(source).__name__} is allowed only in pods; a PersistentVolume "
        "takes a PV-capable source (nfs, csi, local, hostPath, iscsi, fc...)"
    )


class Volume(K8sModel):
    """A pod volume: a DNS-label ``name`` and exactly one ``source``.

    ``Volume(name="cache", source=EmptyDirVolumeSource())`` renders
    ``{"name": "cache", "emptyDir": {}}``. The named factories (:meth:`empty_dir`,
    :meth:`config_map`, :meth:`secret`, :meth:`claim`, ...) cover the usual sources; attach a
    volume to a container with ``volume.mount("/path")``, and the pod lists it once.
    """

    k8s_type = "Volume"

    name: DnsLabel
    source: VolumeSource

    @field_validator("source", mode="before")
    @classmethod
    def _pod_form(cls, value: Any) -> Any:
        if isinstance(value, VolumeSourceBase):
            if type(value) not in POD_SOURCE_TYPES:
                raise PydanticCustomError(
                    "pod_volume_source",
                    "{kind} is not allowed in a Pod volume",
                    {"kind": type(value).__name__, "hint": pod_form_hint(value)},
                )
            return value
        # A Kubernetes-shaped dict ({"nfs": {...}}) or a bare key: name the value to use.
        keys = (
            list(value) if isinstance(value, Mapping) else [value] if isinstance(value, str) else []
        )
        known = [k for k in keys if isinstance(k, str) and k in _POD_FORM]
        hint = (
            f"use {_POD_FORM[known[0]].__name__}(...)"
            if len(known) == 1
            else "use one source value, for example NfsVolumeSource(server=..., path=...)"
        )
        raise PydanticCustomError(
            "pod_volume_source",
            "source must be one volume source value, not {kind}",
            {"kind": type(value).__name__, "hint": hint},
        )

    @model_serializer(mode="wrap")
    def _render(self, handler: SerializerFunctionWrapHandler) -> dict[str, Any]:
        out: dict[str, Any] = handler(self)
        return {"name": out["name"], type(self.source).k8s_key: out["source"]}

    @property
    def k8s_key(self) -> str:
        """The key of this volume's source (``emptyDir``, ``nfs``...)."""
        return type(self.source).k8s_key

    # -- attaching ----------------------------------------------------------------------------

    def mount(
        self,
        mount_path: str,
        *,
        read_only: bool | None = None,
        sub_path: str | None = None,
        sub_path_expr: str | None = None,
        mount_propagation: MountPropagation | None = None,
        recursive_read_only: RecursiveReadOnly | None = None,
    ) -> Mount:
        """This volume mounted at ``mount_path``: ``Container(mounts=[cache.mount("/cache")])``.

        The pod collects the volume from the mount, so it is listed once in ``spec.volumes``.
        """
        return Mount(
            volume=self,
            mount_path=mount_path,
            read_only=read_only,
            sub_path=sub_path,
            sub_path_expr=sub_path_expr,
            mount_propagation=mount_propagation,
            recursive_read_only=recursive_read_only,
        )

    def device(self, device_path: str) -> VolumeDevice:
        """This (raw block) volume as a device at ``device_path`` (``volumeDevices``)."""
        return VolumeDevice(volume=self, device_path=device_path)

    # -- named factories ----------------------------------------------------------------------

    @classmethod
    def of(cls, name: str, /, source: VolumeSourceBase) -> Volume:
        """``Volume.of("data", NfsVolumeSource(server=..., path=...))``."""
        return cls(name=name, source=source)

    @classmethod
    def empty_dir(
        cls,
        name: str,
        /,
        *,
        medium: StorageMedium | str | None = None,
        size_limit: str | Quantity | None = None,
    ) -> Volume:
        """A scratch directory for the pod's life. ``medium`` unset is the node's disk;
        ``StorageMedium.MEMORY`` is a tmpfs (give it ``size_limit``)."""
        return cls(name=name, source=EmptyDirVolumeSource(medium=medium, size_limit=size_limit))

    @classmethod
    def config_map(
        cls,
        name: str,
        /,
        *,
        config_map_name: str,
        items: Sequence[KeyToPath] | Mapping[str, str] | None = None,
        default_mode: int | None = None,
        optional: bool | None = None,
    ) -> Volume:
        """A ConfigMap's keys as files (read-only). ``items`` may be KeyToPath values or a
        ``{key: path}`` mapping; unset projects every key."""
        return cls(
            name=name,
            source=ConfigMapVolumeSource(
                name=config_map_name,
                items=_items(items),
                default_mode=default_mode,
                optional=optional,
            ),
        )

    @classmethod
    def secret(
        cls,
        name: str,
        /,
        *,
        secret_name: str | SecretSource,
        items: Sequence[KeyToPath] | Mapping[str, str] | None = None,
        default_mode: int | None = None,
        optional: bool | None = None,
    ) -> Volume:
        """A Secret's keys as files on a tmpfs (read-only). ``secret_name`` is a name, or
        what makes the Secret (an ``ExternalSecret``, a ``SealedSecret``, a Secret declared
        in the cluster: its name is then the one produced). ``default_mode`` unset is
        ``0o644``; ``0o400`` keeps keys from other users of the container."""
        projected = _items(items)
        for i, item in enumerate(projected or ()):
            check_secret_key(secret_name, item.key, where=f"secret.items[{i}].key")
        return cls(
            name=name,
            source=SecretVolumeSource(
                secret_name=_secret_name(secret_name),
                items=projected,
                default_mode=default_mode,
                optional=optional,
            ),
        )

    @classmethod
    def claim(cls, name: str, /, *, claim_name: str, read_only: bool | None = None) -> Volume:
        """A PersistentVolumeClaim of the pod's namespace."""
        return cls(
            name=name,
            source=PersistentVolumeClaimVolumeSource(claim_name=claim_name, read_only=read_only),
        )

    @classmethod
    def host_path(cls, name: str, /, *, path: str, type: HostPathType | None = None) -> Volume:
        """A node path. Pods using it need a Pod Security exemption (baseline forbids it)."""
        return cls(name=name, source=HostPathVolumeSource(path=path, type=type))

    @classmethod
    def nfs(cls, name: str, /, *, server: str, path: str, read_only: bool | None = None) -> Volume:
        """An NFS export mounted directly (no mount options: use a PersistentVolume for them)."""
        return cls(name=name, source=NfsVolumeSource(server=server, path=path, read_only=read_only))

    @classmethod
    def projected(
        cls, name: str, /, *sources: ProjectionBase, default_mode: int | None = None
    ) -> Volume:
        """Several projections in one directory (read-only)."""
        return cls(name=name, source=ProjectedVolume.of(*sources, default_mode=default_mode))

    @classmethod
    def downward_api(
        cls, name: str, /, *items: DownwardApiVolumeFile, default_mode: int | None = None
    ) -> Volume:
        """Pod fields and container resources as files (read-only)."""
        return cls(
            name=name, source=DownwardApiVolumeSource(items=items, default_mode=default_mode)
        )

    @classmethod
    def ephemeral(
        cls,
        name: str,
        /,
        *,
        storage: str | Quantity,
        access_modes: Sequence[AccessMode] = (AccessMode.READ_WRITE_ONCE,),
        storage_class_name: str | None = None,
        volume_mode: VolumeMode | None = None,
        labels: Mapping[str, str] | None = None,
    ) -> Volume:
        """A generic ephemeral volume: a claim of ``storage`` bytes created with the pod and
        deleted with it. ``access_modes`` defaults to ``[ReadWriteOnce]``;
        ``storage_class_name`` unset uses the cluster's default class."""
        template = PersistentVolumeClaimTemplate.of(
            storage=storage,
            access_modes=access_modes,
            storage_class_name=storage_class_name,
            volume_mode=volume_mode,
            labels=labels,
        )
        return cls(name=name, source=EphemeralVolumeSource(volume_claim_template=template))

    @classmethod
    def csi(
        cls,
        name: str,
        /,
        *,
        driver: str,
        volume_attributes: Mapping[str, str] | None = None,
        read_only: bool | None = None,
        fs_type: str | None = None,
        node_publish_secret_name: str | None = None,
    ) -> Volume:
        """A CSI ephemeral inline volume (the driver must support the Ephemeral mode)."""
        secret = (
            LocalObjectReference(name=node_publish_secret_name)
            if node_publish_secret_name is not None
            else None
        )
        return cls(
            name=name,
            source=CsiVolumeSource(
                driver=driver,
                volume_attributes=dict(volume_attributes) if volume_attributes else None,
                read_only=read_only,
                fs_type=fs_type,
                node_publish_secret_ref=secret,
            ),
        )

    @classmethod
    def image(
        cls, name: str, /, *, reference: str, pull_policy: PullPolicy | None = None
    ) -> Volume:
        """An OCI image or artifact, read-only (1.31+; on by default from 1.35)."""
        return cls(
            name=name, source=ImageVolumeSource(reference=reference, pull_policy=pull_policy)
        )


def _items(items: Sequence[KeyToPath] | Mapping[str, str] | None) -> tuple[KeyToPath, ...] | None:
    if items is None:
        return None
    if isinstance(items, Mapping):
        return tuple(KeyToPath(key=k, path=p) for k, p in items.items())
    return tuple(items)


# -- mounts: where a container sees a volume ---------------------------------------------


def check_mount_path(value: str) -> str:
    # The API server accepts any absolute path, but whitespace inside a mount path is
    # practically always a typo (the notes' "/projected -volume"): the container then
    # finds its files somewhere nobody looks.
    if any(c.isspace() for c in value):
        fixed = re.sub(r"\s+", "", value)
        raise PydanticCustomError(
            "mount_path",
            "contains whitespace",
            {"hint": f"use {fixed!r}", "value": value},
        )
    return value


MountPath = Annotated[AbsolutePath, AfterValidator(check_mount_path)]
"""Where a container sees a volume: an absolute path without whitespace."""


def check_sub_path_expr(value: str) -> str:
    if value.startswith("/") or ".." in value.split("/") or not value:
        raise PydanticCustomError(
            "sub_path_expr",
            "must be a relative path without '..' (it may use $(VAR) references)",
            {"hint": "for example '$(POD_NAME)'", "value": value},
        )
    return value


SubPathExpr = Annotated[str, AfterValidator(check_sub_path_expr)]
"""A subPath with ``$(VAR)`` references to the container's environment (``$(POD_NAME)``)."""


class Mount(K8sModel):
    """A volume mounted into a container (one ``volumeMounts`` entry).

    The mount carries its :class:`Volume`, so it cannot name a volume the pod lacks; the pod
    collects ``mount.volume`` from every container into ``spec.volumes`` once.

    Defaults (unset fields are left out): ``read_only`` False (but secret, configMap,
    downwardAPI, projected and image volumes are always read-only); no ``sub_path`` (the
    whole volume); ``mount_propagation`` None (Linux rprivate); ``recursive_read_only``
    Disabled.
    """

    k8s_type = "VolumeMount"

    volume: Volume
    mount_path: MountPath
    read_only: bool | None = None
    sub_path: RelativePath | None = None
    sub_path_expr: SubPathExpr | None = None
    mount_propagation: MountPropagation | None = None
    recursive_read_only: RecursiveReadOnly | None = None

    @model_validator(mode="after")
    def _consistent(self) -> Self:
        if self.sub_path is not None and self.sub_path_expr is not None:
            raise PydanticCustomError(
                "sub_path_conflict",
                "sub_path and sub_path_expr are mutually exclusive",
                {"hint": "keep sub_path_expr if the path uses $(VAR), else sub_path"},
            )
        facts = volume_facts(self.volume.k8s_key)
        if self.read_only is False and facts.always_read_only:
            raise PydanticCustomError(
                "read_only_source",
                "{key} volumes are always mounted read-only; read_only=False cannot make "
                "'{volume}' writable",
                {
                    "key": self.volume.k8s_key,
                    "volume": self.volume.name,
                    "hint": "drop read_only=False (or copy the files into an emptyDir in an "
                    "init container if the app must write next to them)",
                },
            )
        if self.read_only is False and getattr(self.volume.source, "read_only", None) is True:
            raise PydanticCustomError(
                "read_only_source",
                "the {key} source of '{volume}' sets read_only=True, which forces every mount "
                "read-only",
                {
                    "key": self.volume.k8s_key,
                    "volume": self.volume.name,
                    "hint": "drop read_only=False here, or read_only=True on the source",
                },
            )
        if self.recursive_read_only is RecursiveReadOnly.ENABLED:
            if self.read_only is not True:
                raise PydanticCustomError(
                    "recursive_read_only",
                    "recursive_read_only=Enabled needs read_only=True",
                    {"hint": "pass read_only=True"},
                )
            if self.mount_propagation not in (None, MountPropagation.NONE):
                raise PydanticCustomError(
                    "recursive_read_only",
                    "recursive_read_only=Enabled needs mount_propagation unset or None",
                    {"hint": "drop mount_propagation, or use RecursiveReadOnly.IF_POSSIBLE"},
                )
        return self

    @model_serializer(mode="wrap")
    def _render(self, handler: SerializerFunctionWrapHandler) -> dict[str, Any]:
        out: dict[str, Any] = handler(self)
        out.pop("volume", None)
        return {"name": self.volume.name, **out}


class VolumeDevice(K8sModel):
    """A raw block volume (a claim with ``volumeMode: Block``) exposed to a container as a
    device (one ``volumeDevices`` entry)."""

    k8s_type = "VolumeDevice"

    volume: Volume
    device_path: AbsolutePath

    @model_serializer(mode="wrap")
    def _render(self, handler: SerializerFunctionWrapHandler) -> dict[str, Any]:
        out: dict[str, Any] = handler(self)
        return {"name": self.volume.name, "devicePath": out["devicePath"]}
