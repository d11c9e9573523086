"""One value per volume source, fields exactly as ``core/v1`` (release-1.36).

Each class is named after its Kubernetes type and carries ``k8s_key``, the key it takes in
``Volume`` or ``PersistentVolumeSpec`` (``nfs``, ``awsElasticBlockStore``...). Where the
PersistentVolume form differs (Secret references that name a namespace, the CSI volume
handle, azureFile's secret namespace, glusterfs's endpoints namespace), there is a second
``...PersistentVolumeSource`` class.

Required fields are required. Identifiers the API marks optional but without which a
volume cannot work (a Secret's name, a ConfigMap's name, an image volume's reference, a
storageos volume name) are required here too: an empty one is never what was meant.
"""

from __future__ import annotations

import re
from typing import Annotated, ClassVar, Self

from pydantic import AfterValidator, Field, PlainValidator, model_validator
from pydantic_core import PydanticCustomError

from k8sdsl.core._images import Image, PullPolicy
from k8sdsl.core._model import K8sModel
from k8sdsl.core._quantity import Quantity
from k8sdsl.core._types import (
    AbsolutePath,
    DnsLabel,
    DnsSubdomain,
    FileMode,
    NonEmptyStr,
)
from k8sdsl.volumes._claim import PersistentVolumeClaimTemplate
from k8sdsl.volumes._enums import (
    AzureDataDiskCachingMode,
    AzureDataDiskKind,
    HostPathType,
    ScaleIoStorageMode,
    StorageMedium,
)
from k8sdsl.volumes._refs import (
    DownwardApiVolumeFile,
    Items,
    LocalObjectReference,
    ObjectReference,
    SecretReference,
)
from k8sdsl.volumes._tagged import NonEmpty

# -- constrained strings used only by volume sources --------------------------------------

_HUGE_PAGES_RE = re.compile(r"^HugePages-[0-9]+(Ki|Mi|Gi|Ti|Pi|Ei)$")
_IQN_RE = re.compile(
    r"^(iqn\.[0-9]{4}-[0-9]{2}\.[^\s]+|eui\.[0-9A-Fa-f]{16}|naa\.[0-9A-Fa-f]{16,32})$"
)
_WINDOWS_PATH_RE = re.compile(r"^[A-Za-z]:[\\/]")


def parse_medium(value: object) -> StorageMedium | str:
    if isinstance(value, str):
        if value in StorageMedium._value2member_map_:
            return StorageMedium(value)
        if _HUGE_PAGES_RE.match(value):
            return value
    named = {m.value.lower(): m for m in StorageMedium if m.value}
    guess = named.get(str(value).lower())
    raise PydanticCustomError(
        "storage_medium",
        "is not an emptyDir medium",
        {
            "hint": f"did you mean StorageMedium.{guess.name}?"
            if guess is not None
            else "use StorageMedium.MEMORY, StorageMedium.HUGE_PAGES or 'HugePages-<size>' "
            "such as 'HugePages-2Mi' (unset: the node's disk)",
            "value": str(value),
        },
    )


def check_csi_driver(value: str) -> str:
    # validateCSIDriverName: at most 63 characters, a DNS-1123 subdomain once lowercased
    lowered = value.lower()
    parts = lowered.split(".")
    ok = 0 < len(value) <= 63 and all(
        part and re.fullmatch(r"[a-z0-9]([-a-z0-9]*[a-z0-9])?", part) for part in parts
    )
    if not ok:
        raise PydanticCustomError(
            "csi_driver",
            "is not a CSI driver name: at most 63 characters, a DNS subdomain such as "
            "'ebs.csi.aws.com'",
            {"hint": "use the name the driver registers (its CSIDriver object)", "value": value},
        )
    return value


def check_iqn(value: str) -> str:
    if not _IQN_RE.match(value):
        raise PydanticCustomError(
            "iqn",
            "is not an iSCSI qualified name",
            {
                "hint": "use 'iqn.YYYY-MM.<reversed domain>:<name>' (for example "
                "'iqn.2001-04.com.example:storage.disk1'), 'eui.<16 hex>' or 'naa.<hex>'",
                "value": value,
            },
        )
    return value


def check_host_path(value: str) -> str:
    if not (value.startswith("/") or _WINDOWS_PATH_RE.match(value)):
        raise PydanticCustomError(
            "host_path",
            "must be an absolute path on the node",
            {"hint": f"use {'/' + value.lstrip('./')!r}", "value": value},
        )
    if ".." in re.split(r"[\\/]", value):
        raise PydanticCustomError(
            "host_path",
            "must not contain '..' (the API server rejects back-steps in hostPath)",
            {"hint": "write the resolved path", "value": value},
        )
    return value


def check_git_directory(value: str) -> str:
    if value.startswith("/") or ".." in value.split("/"):
        raise PydanticCustomError(
            "git_directory",
            "must be a relative path without '..'",
            {"hint": "use '.' to clone into the volume's root", "value": value},
        )
    return value


EmptyDirMedium = Annotated[StorageMedium | str, PlainValidator(parse_medium)]
"""An emptyDir medium: a :class:`StorageMedium`, or ``HugePages-<size>`` (``HugePages-2Mi``)."""

CsiDriverName = Annotated[str, AfterValidator(check_csi_driver)]
"""A CSI driver name (``ebs.csi.aws.com``): a DNS subdomain of at most 63 characters."""

Iqn = Annotated[str, AfterValidator(check_iqn)]
"""An iSCSI qualified name: ``iqn.2001-04.com.example:disk1``, ``eui.…`` or ``naa.…``."""

HostPath = Annotated[str, AfterValidator(check_host_path)]
"""An absolute path on the node (``/data``; ``C:\\data`` on Windows nodes), without ``..``."""

GitDirectory = Annotated[str, AfterValidator(check_git_directory)]
"""The directory a gitRepo volume clones into: relative, no ``..``; ``.`` is the root."""

FsType = NonEmptyStr
"""A filesystem type the host supports (``ext4``, ``xfs``, ``ntfs``)."""

Partition = Annotated[int, Field(ge=0, le=255)]
"""A partition number of a disk; 0 (or unset) mounts the whole disk."""

Lun = Annotated[int, Field(ge=0, le=255)]
"""A SCSI logical unit number, 0 to 255."""

Monitors = Annotated[tuple[NonEmptyStr, ...], NonEmpty]
"""Ceph monitors (``host:port``), at least one."""


class VolumeSourceBase(K8sModel):
    """What every volume source has: its key in ``Volume``/``PersistentVolumeSpec``."""

    #: the key this source takes in a Volume or a PersistentVolumeSpec (``nfs``, ``csi``...)
    k8s_key: ClassVar[str] = ""


# -- sources, in the order of the API reference -------------------------------------------


class AwsElasticBlockStoreVolumeSource(VolumeSourceBase):
    """An AWS EBS volume (``awsElasticBlockStore``). The EBS volume must exist, in the node's
    availability zone, and attaches to one node at a time.

    In-tree plugin deprecated 1.19, removed 1.27: use the ``ebs.csi.aws.com`` CSI driver.
    Defaults: ``fs_type`` unset is ``ext4``; ``partition`` unset (0) mounts the whole disk;
    ``read_only`` unset is ``False``.
    """

    k8s_key: ClassVar[str] = "awsElasticBlockStore"
    k8s_type = "AWSElasticBlockStoreVolumeSource"

    volume_id: NonEmptyStr = Field(serialization_alias="volumeID")
    fs_type: FsType | None = None
    partition: Partition | None = None
    read_only: bool | None = None


class AzureDiskVolumeSource(VolumeSourceBase):
    """An Azure data disk (``azureDisk``). Same struct in Pods and PersistentVolumes.

    In-tree plugin deprecated 1.19, removed 1.27: use ``disk.csi.azure.com``.
    Defaults: ``caching_mode`` ReadWrite, ``fs_type`` ext4, ``read_only`` False, ``kind``
    Shared.
    """

    k8s_key: ClassVar[str] = "azureDisk"
    k8s_type = "AzureDiskVolumeSource"

    disk_name: NonEmptyStr
    disk_uri: NonEmptyStr = Field(serialization_alias="diskURI")
    caching_mode: AzureDataDiskCachingMode | None = None
    fs_type: FsType | None = None
    read_only: bool | None = None
    kind: AzureDataDiskKind | None = None


class AzureFileVolumeSource(VolumeSourceBase):
    """An Azure File share (SMB) in a Pod (``azureFile``); the Secret holds the storage
    account name and key and lives in the Pod's namespace.

    In-tree plugin deprecated 1.21, removed 1.30: use ``file.csi.azure.com``.
    """

    k8s_key: ClassVar[str] = "azureFile"
    k8s_type = "AzureFileVolumeSource"

    secret_name: DnsSubdomain
    share_name: NonEmptyStr
    read_only: bool | None = None


class AzureFilePersistentVolumeSource(VolumeSourceBase):
    """An Azure File share in a PersistentVolume. ``secret_namespace`` unset means the
    namespace of the pod that uses the claim."""

    k8s_key: ClassVar[str] = "azureFile"
    k8s_type = "AzureFilePersistentVolumeSource"

    secret_name: DnsSubdomain
    share_name: NonEmptyStr
    read_only: bool | None = None
    secret_namespace: DnsLabel | None = None


class CephFsVolumeSource(VolumeSourceBase):
    """A CephFS mount in a Pod (``cephfs``).

    Deprecated 1.28, removed 1.31 with no CSI migration: use the ceph-csi driver
    (``cephfs.csi.ceph.com``) through a CSI PersistentVolume. Defaults: ``path`` ``/``,
    ``user`` ``admin``, ``secret_file`` ``/etc/ceph/user.secret``, ``read_only`` False.
    """

    k8s_key: ClassVar[str] = "cephfs"
    k8s_type = "CephFSVolumeSource"

    monitors: Monitors
    path: AbsolutePath | None = None
    user: NonEmptyStr | None = None
    secret_file: AbsolutePath | None = None
    secret_ref: LocalObjectReference | None = None
    read_only: bool | None = None


class CephFsPersistentVolumeSource(VolumeSourceBase):
    """A CephFS mount in a PersistentVolume: its Secret reference names a namespace."""

    k8s_key: ClassVar[str] = "cephfs"
    k8s_type = "CephFSPersistentVolumeSource"

    monitors: Monitors
    path: AbsolutePath | None = None
    user: NonEmptyStr | None = None
    secret_file: AbsolutePath | None = None
    secret_ref: SecretReference | None = None
    read_only: bool | None = None


class CinderVolumeSource(VolumeSourceBase):
    """An OpenStack Cinder volume in a Pod (``cinder``; not in the notes, still in the API).

    Removed 1.26: use ``cinder.csi.openstack.org``.
    """

    k8s_key: ClassVar[str] = "cinder"
    k8s_type = "CinderVolumeSource"

    volume_id: NonEmptyStr = Field(serialization_alias="volumeID")
    fs_type: FsType | None = None
    read_only: bool | None = None
    secret_ref: LocalObjectReference | None = None


class CinderPersistentVolumeSource(VolumeSourceBase):
    """An OpenStack Cinder volume in a PersistentVolume (Secret reference with namespace)."""

    k8s_key: ClassVar[str] = "cinder"
    k8s_type = "CinderPersistentVolumeSource"

    volume_id: NonEmptyStr = Field(serialization_alias="volumeID")
    fs_type: FsType | None = None
    read_only: bool | None = None
    secret_ref: SecretReference | None = None


class ConfigMapVolumeSource(VolumeSourceBase):
    """A ConfigMap's keys as files (``configMap``), always mounted read-only.

    ``items`` unset projects every key to a file named after it. ``default_mode`` unset is
    ``0o644``. ``optional`` unset is False: the pod waits until the ConfigMap exists.
    A container that mounts it with ``sub_path`` gets no updates when the ConfigMap changes.
    """

    k8s_key: ClassVar[str] = "configMap"
    k8s_type = "ConfigMapVolumeSource"

    name: DnsSubdomain
    items: Items | None = None
    default_mode: FileMode | None = None
    optional: bool | None = None


class CsiVolumeSource(VolumeSourceBase):
    """A CSI ephemeral inline volume in a Pod (``csi``; GA 1.25). It has no volume handle:
    the driver creates the volume for the pod and deletes it with the pod. Only drivers
    that declare the ``Ephemeral`` lifecycle mode accept it."""

    k8s_key: ClassVar[str] = "csi"
    k8s_type = "CSIVolumeSource"

    driver: CsiDriverName
    read_only: bool | None = None
    fs_type: FsType | None = None
    volume_attributes: dict[str, str] | None = None
    node_publish_secret_ref: LocalObjectReference | None = None


class CsiPersistentVolumeSource(VolumeSourceBase):
    """A CSI volume in a PersistentVolume (``csi``): ``volume_handle`` names the volume the
    driver manages. Secret references name a namespace because PVs are cluster-scoped."""

    k8s_key: ClassVar[str] = "csi"
    k8s_type = "CSIPersistentVolumeSource"

    driver: CsiDriverName
    volume_handle: NonEmptyStr
    read_only: bool | None = None
    fs_type: FsType | None = None
    volume_attributes: dict[str, str] | None = None
    controller_publish_secret_ref: SecretReference | None = None
    node_stage_secret_ref: SecretReference | None = None
    node_publish_secret_ref: SecretReference | None = None
    controller_expand_secret_ref: SecretReference | None = None
    node_expand_secret_ref: SecretReference | None = None


class DownwardApiVolumeSource(VolumeSourceBase):
    """Pod fields and container resources as files (``downwardAPI``), always read-only.
    ``default_mode`` unset is ``0o644``."""

    k8s_key: ClassVar[str] = "downwardAPI"
    k8s_type = "DownwardAPIVolumeSource"

    items: Annotated[tuple[DownwardApiVolumeFile, ...], NonEmpty]
    default_mode: FileMode | None = None


class EmptyDirVolumeSource(VolumeSourceBase):
    """A scratch directory that lives as long as the pod on its node (``emptyDir``).

    Defaults: ``medium`` unset is the node's disk; ``size_limit`` unset is no limit (for
    ``Memory``: up to the node's allocatable memory, counted against the container's limit).
    ``EmptyDirVolumeSource()`` renders ``emptyDir: {}``.
    """

    k8s_key: ClassVar[str] = "emptyDir"
    k8s_type = "EmptyDirVolumeSource"

    medium: EmptyDirMedium | None = None
    size_limit: Quantity | None = None

    @classmethod
    def memory(cls, *, size_limit: str | Quantity | None = None) -> EmptyDirVolumeSource:
        """A tmpfs (RAM) directory; give ``size_limit`` so it cannot eat the node's memory."""
        return cls(medium=StorageMedium.MEMORY, size_limit=size_limit)

    @classmethod
    def huge_pages(
        cls, *, page_size: str | None = None, size_limit: str | Quantity | None = None
    ) -> EmptyDirVolumeSource:
        """Huge pages: ``page_size="2Mi"`` renders ``medium: HugePages-2Mi``; unset renders
        ``HugePages`` (the pod must request exactly one huge page size)."""
        medium: str = StorageMedium.HUGE_PAGES if page_size is None else f"HugePages-{page_size}"
        return cls(medium=medium, size_limit=size_limit)


class EphemeralVolumeSource(VolumeSourceBase):
    """A generic ephemeral volume (``ephemeral``; GA 1.23): a PersistentVolumeClaim made from
    the template when the pod starts, named ``<pod>-<volume>``, owned by the pod and deleted
    with it. Any storage class that provisions dynamically can back it."""

    k8s_key: ClassVar[str] = "ephemeral"
    k8s_type = "EphemeralVolumeSource"

    volume_claim_template: PersistentVolumeClaimTemplate


class FcVolumeSource(VolumeSourceBase):
    """A Fibre Channel volume (``fc``; still in-tree). Name it by ``target_wwns`` and ``lun``
    *or* by ``wwids``, not both: use :meth:`by_target` or :meth:`by_wwids`."""

    k8s_key: ClassVar[str] = "fc"
    k8s_type = "FCVolumeSource"

    target_wwns: Annotated[tuple[NonEmptyStr, ...], NonEmpty] | None = Field(
        default=None, serialization_alias="targetWWNs"
    )
    lun: Lun | None = None
    fs_type: FsType | None = None
    read_only: bool | None = None
    wwids: Annotated[tuple[NonEmptyStr, ...], NonEmpty] | None = None

    @model_validator(mode="after")
    def _target_or_wwids(self) -> Self:
        by_target = self.target_wwns is not None or self.lun is not None
        if by_target == (self.wwids is not None):
            raise PydanticCustomError(
                "one_of",
                "an fc volume needs target_wwns with lun, or wwids, and not both",
                {"hint": "use FcVolumeSource.by_target(...) or FcVolumeSource.by_wwids(...)"},
            )
        if self.target_wwns is not None and self.lun is None:
            raise PydanticCustomError(
                "missing_lun", "target_wwns needs a lun", {"hint": "pass lun=0 (or the LUN)"}
            )
        if self.lun is not None and self.target_wwns is None:
            raise PydanticCustomError(
                "missing_target", "lun needs target_wwns", {"hint": "pass target_wwns=[...]"}
            )
        return self

    @classmethod
    def by_target(
        cls,
        *,
        target_wwns: list[str] | tuple[str, ...],
        lun: int,
        fs_type: str | None = None,
        read_only: bool | None = None,
    ) -> FcVolumeSource:
        """A LUN behind one or more target world wide names."""
        return cls(target_wwns=tuple(target_wwns), lun=lun, fs_type=fs_type, read_only=read_only)

    @classmethod
    def by_wwids(
        cls,
        *,
        wwids: list[str] | tuple[str, ...],
        fs_type: str | None = None,
        read_only: bool | None = None,
    ) -> FcVolumeSource:
        """A volume named by its world wide identifiers."""
        return cls(wwids=tuple(wwids), fs_type=fs_type, read_only=read_only)


class FlexVolumeSource(VolumeSourceBase):
    """A FlexVolume driver's volume in a Pod (``flexVolume``; deprecated 1.23, not removed,
    no migration). The driver binary must be installed on every node. ``fs_type`` unset
    depends on the driver."""

    k8s_key: ClassVar[str] = "flexVolume"
    k8s_type = "FlexVolumeSource"

    driver: NonEmptyStr
    fs_type: FsType | None = None
    secret_ref: LocalObjectReference | None = None
    read_only: bool | None = None
    options: dict[str, str] | None = None


class FlexPersistentVolumeSource(VolumeSourceBase):
    """A FlexVolume driver's volume in a PersistentVolume (Secret reference with namespace)."""

    k8s_key: ClassVar[str] = "flexVolume"
    k8s_type = "FlexPersistentVolumeSource"

    driver: NonEmptyStr
    fs_type: FsType | None = None
    secret_ref: SecretReference | None = None
    read_only: bool | None = None
    options: dict[str, str] | None = None


class FlockerVolumeSource(VolumeSourceBase):
    """A Flocker dataset (``flocker``; removed 1.25, no migration). Name it by
    ``dataset_name`` (deprecated by Flocker) or ``dataset_uuid``, exactly one."""

    k8s_key: ClassVar[str] = "flocker"
    k8s_type = "FlockerVolumeSource"

    dataset_name: NonEmptyStr | None = None
    dataset_uuid: NonEmptyStr | None = Field(default=None, serialization_alias="datasetUUID")

    @model_validator(mode="after")
    def _exactly_one(self) -> Self:
        if (self.dataset_name is None) == (self.dataset_uuid is None):
            raise PydanticCustomError(
                "one_of",
                "a flocker volume needs exactly one of dataset_name and dataset_uuid",
                {"hint": "pass dataset_uuid=... (dataset_name is deprecated by Flocker)"},
            )
        if self.dataset_name is not None and "/" in self.dataset_name:
            raise PydanticCustomError(
                "dataset_name",
                "dataset_name must not contain '/'",
                {"hint": "use the dataset's name only", "value": self.dataset_name},
            )
        return self


class GcePersistentDiskVolumeSource(VolumeSourceBase):
    """A GCE persistent disk (``gcePersistentDisk``). The disk must exist in the node's
    project and zone; many nodes may mount it only read-only.

    In-tree plugin deprecated 1.17, removed 1.28: use ``pd.csi.storage.gke.io``.
    Defaults: ``fs_type`` ext4, ``partition`` 0 (whole disk), ``read_only`` False.
    """

    k8s_key: ClassVar[str] = "gcePersistentDisk"
    k8s_type = "GCEPersistentDiskVolumeSource"

    pd_name: NonEmptyStr
    fs_type: FsType | None = None
    partition: Partition | None = None
    read_only: bool | None = None


class GitRepoVolumeSource(VolumeSourceBase):
    """A git clone into an emptyDir (``gitRepo``), deprecated since 1.11 and disabled by
    default from 1.33 (``GitRepoVolumeDriver``): clone in an init container into an emptyDir
    instead. ``directory`` unset clones into a subdirectory named after the repository;
    ``"."`` clones into the volume's root. ``revision`` unset is the default branch's head."""

    k8s_key: ClassVar[str] = "gitRepo"
    k8s_type = "GitRepoVolumeSource"

    repository: NonEmptyStr
    revision: NonEmptyStr | None = None
    directory: GitDirectory | None = None


class GlusterfsVolumeSource(VolumeSourceBase):
    """A GlusterFS volume in a Pod (``glusterfs``; removed 1.26, no migration). ``endpoints``
    names an Endpoints object in the pod's namespace listing the Gluster servers."""

    k8s_key: ClassVar[str] = "glusterfs"
    k8s_type = "GlusterfsVolumeSource"

    endpoints: DnsSubdomain
    path: NonEmptyStr
    read_only: bool | None = None


class GlusterfsPersistentVolumeSource(VolumeSourceBase):
    """A GlusterFS volume in a PersistentVolume; ``endpoints_namespace`` unset is the
    namespace of the claim."""

    k8s_key: ClassVar[str] = "glusterfs"
    k8s_type = "GlusterfsPersistentVolumeSource"

    endpoints: DnsSubdomain
    path: NonEmptyStr
    read_only: bool | None = None
    endpoints_namespace: DnsLabel | None = None


class HostPathVolumeSource(VolumeSourceBase):
    """A file or directory of the node (``hostPath``). It behaves differently on each node,
    what the pod creates there is root-owned, and it breaks the baseline Pod Security
    Standard: pods that use it need an exemption. ``type`` unset (``""``) checks nothing."""

    k8s_key: ClassVar[str] = "hostPath"
    k8s_type = "HostPathVolumeSource"

    path: HostPath
    type: HostPathType | None = None


class IscsiVolumeSource(VolumeSourceBase):
    """An iSCSI LUN in a Pod (``iscsi``; still in-tree). One writer at a time, many readers.

    Defaults: ``iscsi_interface`` ``default`` (tcp transport), ``read_only`` False. CHAP
    authentication needs ``secret_ref``.
    """

    k8s_key: ClassVar[str] = "iscsi"
    k8s_type = "ISCSIVolumeSource"

    target_portal: NonEmptyStr
    iqn: Iqn
    lun: Lun
    iscsi_interface: NonEmptyStr | None = None
    fs_type: FsType | None = None
    read_only: bool | None = None
    portals: tuple[NonEmptyStr, ...] | None = None
    chap_auth_discovery: bool | None = None
    chap_auth_session: bool | None = None
    secret_ref: LocalObjectReference | None = None
    initiator_name: Iqn | None = None

    @model_validator(mode="after")
    def _chap_needs_secret(self) -> Self:
        _check_chap(self.chap_auth_discovery, self.chap_auth_session, self.secret_ref)
        return self


class IscsiPersistentVolumeSource(VolumeSourceBase):
    """An iSCSI LUN in a PersistentVolume (Secret reference with namespace)."""

    k8s_key: ClassVar[str] = "iscsi"
    k8s_type = "ISCSIPersistentVolumeSource"

    target_portal: NonEmptyStr
    iqn: Iqn
    lun: Lun
    iscsi_interface: NonEmptyStr | None = None
    fs_type: FsType | None = None
    read_only: bool | None = None
    portals: tuple[NonEmptyStr, ...] | None = None
    chap_auth_discovery: bool | None = None
    chap_auth_session: bool | None = None
    secret_ref: SecretReference | None = None
    initiator_name: Iqn | None = None

    @model_validator(mode="after")
    def _chap_needs_secret(self) -> Self:
        _check_chap(self.chap_auth_discovery, self.chap_auth_session, self.secret_ref)
        return self


def _check_chap(discovery: bool | None, session: bool | None, secret: object) -> None:
    # validation.go: "CHAP authentication requires a secretRef"
    if (discovery or session) and secret is None:
        raise PydanticCustomError(
            "chap_secret",
            "CHAP authentication needs secret_ref",
            {"hint": "pass secret_ref= the Secret with the CHAP credentials"},
        )


class LocalVolumeSource(VolumeSourceBase):
    """A local disk, partition or directory of one node (``local``; PersistentVolume only,
    static provisioning only). The PV must set ``nodeAffinity``; ``fs_type`` applies only
    when ``path`` is a block device."""

    k8s_key: ClassVar[str] = "local"
    k8s_type = "LocalVolumeSource"

    path: AbsolutePath
    fs_type: FsType | None = None


class NfsVolumeSource(VolumeSourceBase):
    """An NFS export (``nfs``). Mount options (``nfsvers``...) can be set only on a
    PersistentVolume (``spec.mountOptions``), never on a Pod's nfs volume.
    ``read_only`` unset is False."""

    k8s_key: ClassVar[str] = "nfs"
    k8s_type = "NFSVolumeSource"

    server: NonEmptyStr
    path: AbsolutePath
    read_only: bool | None = None


class PersistentVolumeClaimVolumeSource(VolumeSourceBase):
    """A PersistentVolumeClaim in the pod's namespace (``persistentVolumeClaim``).
    ``read_only`` unset is False."""

    k8s_key: ClassVar[str] = "persistentVolumeClaim"
    k8s_type = "PersistentVolumeClaimVolumeSource"

    claim_name: DnsSubdomain
    read_only: bool | None = None


class PhotonPersistentDiskVolumeSource(VolumeSourceBase):
    """A VMware Photon disk (``photonPersistentDisk``; removed 1.16, still in the API)."""

    k8s_key: ClassVar[str] = "photonPersistentDisk"
    k8s_type = "PhotonPersistentDiskVolumeSource"

    pd_id: NonEmptyStr = Field(serialization_alias="pdID")
    fs_type: FsType | None = None


class PortworxVolumeSource(VolumeSourceBase):
    """A Portworx volume (``portworxVolume``). Deprecated 1.25, in-tree plugin removed 1.36:
    use ``pxd.portworx.com``. ``fs_type`` unset is ext4."""

    k8s_key: ClassVar[str] = "portworxVolume"
    k8s_type = "PortworxVolumeSource"

    volume_id: NonEmptyStr = Field(serialization_alias="volumeID")
    fs_type: FsType | None = None
    read_only: bool | None = None


class QuobyteVolumeSource(VolumeSourceBase):
    """A Quobyte volume (``quobyte``; removed 1.25, still in the API). Defaults: ``user``
    and ``group`` from the pod (serviceaccount), ``tenant`` ``DEFAULT``."""

    k8s_key: ClassVar[str] = "quobyte"
    k8s_type = "QuobyteVolumeSource"

    registry: NonEmptyStr
    volume: NonEmptyStr
    read_only: bool | None = None
    user: NonEmptyStr | None = None
    group: NonEmptyStr | None = None
    tenant: NonEmptyStr | None = None


class RbdVolumeSource(VolumeSourceBase):
    """A Ceph RADOS block device in a Pod (``rbd``). Deprecated 1.28, removed 1.31; its
    CSI migration never went GA, so use ceph-csi (``rbd.csi.ceph.com``) directly.

    Defaults: ``pool`` ``rbd``, ``user`` ``admin``, ``keyring`` ``/etc/ceph/keyring``.
    """

    k8s_key: ClassVar[str] = "rbd"
    k8s_type = "RBDVolumeSource"

    monitors: Monitors
    image: NonEmptyStr
    fs_type: FsType | None = None
    pool: NonEmptyStr | None = None
    user: NonEmptyStr | None = None
    keyring: AbsolutePath | None = None
    secret_ref: LocalObjectReference | None = None
    read_only: bool | None = None


class RbdPersistentVolumeSource(VolumeSourceBase):
    """A Ceph RADOS block device in a PersistentVolume (Secret reference with namespace)."""

    k8s_key: ClassVar[str] = "rbd"
    k8s_type = "RBDPersistentVolumeSource"

    monitors: Monitors
    image: NonEmptyStr
    fs_type: FsType | None = None
    pool: NonEmptyStr | None = None
    user: NonEmptyStr | None = None
    keyring: AbsolutePath | None = None
    secret_ref: SecretReference | None = None
    read_only: bool | None = None


class ScaleIoVolumeSource(VolumeSourceBase):
    """A Dell EMC ScaleIO volume in a Pod (``scaleIO``; removed 1.22, no migration: the
    Dell PowerFlex CSI driver replaces it). Defaults: ``storage_mode`` ThinProvisioned,
    ``fs_type`` xfs, ``ssl_enabled`` False."""

    k8s_key: ClassVar[str] = "scaleIO"
    k8s_type = "ScaleIOVolumeSource"

    gateway: NonEmptyStr
    system: NonEmptyStr
    secret_ref: LocalObjectReference
    ssl_enabled: bool | None = None
    protection_domain: NonEmptyStr | None = None
    storage_pool: NonEmptyStr | None = None
    storage_mode: ScaleIoStorageMode | None = None
    volume_name: NonEmptyStr | None = None
    fs_type: FsType | None = None
    read_only: bool | None = None


class ScaleIoPersistentVolumeSource(VolumeSourceBase):
    """A ScaleIO volume in a PersistentVolume (Secret reference with namespace)."""

    k8s_key: ClassVar[str] = "scaleIO"
    k8s_type = "ScaleIOPersistentVolumeSource"

    gateway: NonEmptyStr
    system: NonEmptyStr
    secret_ref: SecretReference
    ssl_enabled: bool | None = None
    protection_domain: NonEmptyStr | None = None
    storage_pool: NonEmptyStr | None = None
    storage_mode: ScaleIoStorageMode | None = None
    volume_name: NonEmptyStr | None = None
    fs_type: FsType | None = None
    read_only: bool | None = None


class SecretVolumeSource(VolumeSourceBase):
    """A Secret's keys as files (``secret``) on a tmpfs, always mounted read-only.

    ``items`` unset projects every key; ``default_mode`` unset is ``0o644`` (use ``0o400``
    for keys); ``optional`` unset is False (the pod waits for the Secret). A container that
    mounts it with ``sub_path`` gets no updates.
    """

    k8s_key: ClassVar[str] = "secret"
    k8s_type = "SecretVolumeSource"

    secret_name: DnsSubdomain
    items: Items | None = None
    default_mode: FileMode | None = None
    optional: bool | None = None


class StorageOsVolumeSource(VolumeSourceBase):
    """A StorageOS volume in a Pod (``storageos``; removed 1.25, no migration).
    ``volume_namespace`` unset is the pod's namespace."""

    k8s_key: ClassVar[str] = "storageos"
    k8s_type = "StorageOSVolumeSource"

    volume_name: NonEmptyStr
    volume_namespace: NonEmptyStr | None = None
    fs_type: FsType | None = None
    read_only: bool | None = None
    secret_ref: LocalObjectReference | None = None


class StorageOsPersistentVolumeSource(VolumeSourceBase):
    """A StorageOS volume in a PersistentVolume (its Secret is a full object reference)."""

    k8s_key: ClassVar[str] = "storageos"
    k8s_type = "StorageOSPersistentVolumeSource"

    volume_name: NonEmptyStr
    volume_namespace: NonEmptyStr | None = None
    fs_type: FsType | None = None
    read_only: bool | None = None
    secret_ref: ObjectReference | None = None


class VsphereVirtualDiskVolumeSource(VolumeSourceBase):
    """A vSphere VMDK (``vsphereVolume``). Deprecated 1.19, in-tree plugin removed 1.30:
    use ``csi.vsphere.vmware.com``. ``volume_path`` looks like
    ``[datastore1] volumes/disk.vmdk``."""

    k8s_key: ClassVar[str] = "vsphereVolume"
    k8s_type = "VsphereVirtualDiskVolumeSource"

    volume_path: NonEmptyStr
    fs_type: FsType | None = None
    storage_policy_name: NonEmptyStr | None = None
    storage_policy_id: NonEmptyStr | None = Field(
        default=None, serialization_alias="storagePolicyID"
    )


class ImageVolumeSource(VolumeSourceBase):
    """An OCI image or artifact mounted read-only (and noexec) (``image``; API field 1.31+,
    feature gate ``ImageVolume`` on by default from 1.35). ``pull_policy`` unset is Always
    for ``:latest`` or no tag, else IfNotPresent. ``sub_path`` mounts work from 1.33."""

    k8s_key: ClassVar[str] = "image"
    k8s_type = "ImageVolumeSource"

    #: checked as container images are: ``[registry/]repository[:tag][@sha256:digest]``
    reference: Image
    pull_policy: PullPolicy | None = None
