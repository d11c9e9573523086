"""An in-tree volume source as the CSI source that CSI migration turns it into.

With CSI migration the kubelet and the controllers hand an in-tree PersistentVolume to the
CSI driver after translating it (kubernetes/kubernetes,
``staging/src/k8s.io/csi-translation-lib/plugins``). :func:`migrated_to_csi` makes the same
translation once, in the app, so the PV names the driver itself and depends on nothing
in-tree: ``PersistentVolume(chart, "data", source=migrated_to_csi(ebs_source), ...)``.

Translated as csi-translation-lib does: the driver name; the volume handle (an EBS
``aws://<zone>/vol-...`` id becomes ``vol-...``; a GCE disk becomes
``projects/UNSPECIFIED/zones/<zone or UNSPECIFIED>/disks/<name>``, which the driver
completes from the node; an Azure disk's URI, a Cinder, Portworx or vSphere volume's id or
path as they are); ``fsType`` and ``readOnly``; the partition of EBS and GCE disks and the
caching mode of Azure disks as volume attributes. Azure File is not translated here: its
handle needs the storage account, which the in-tree source does not hold.
"""

from __future__ import annotations

import re

from k8sdsl.core._findings import Finding, K8sDslError, ObjectRef, Severity
from k8sdsl.volumes import (
    AwsElasticBlockStoreVolumeSource,
    AzureDiskVolumeSource,
    CinderVolumeSource,
    CsiPersistentVolumeSource,
    GcePersistentDiskVolumeSource,
    PortworxVolumeSource,
    VolumeSourceBase,
    VsphereVirtualDiskVolumeSource,
)

#: csi-translation-lib's placeholder, completed by the driver from the node it attaches to
UNSPECIFIED = "UNSPECIFIED"
_EBS_ID = re.compile(r"^vol-[^/]*$")


def migrated_to_csi(
    source: VolumeSourceBase, *, zone: str | None = None
) -> CsiPersistentVolumeSource:
    """The CSI PersistentVolume source CSI migration makes of ``source``. ``zone`` is the
    GCE disk's zone (its PV's ``topology.kubernetes.io/zone`` label), if known."""
    if isinstance(source, AwsElasticBlockStoreVolumeSource):
        return CsiPersistentVolumeSource(
            driver="ebs.csi.aws.com",
            volume_handle=_ebs_volume_id(source.volume_id),
            fs_type=source.fs_type,
            read_only=source.read_only,
            volume_attributes={"partition": str(source.partition or 0)},
        )
    if isinstance(source, GcePersistentDiskVolumeSource):
        return CsiPersistentVolumeSource(
            driver="pd.csi.storage.gke.io",
            volume_handle=f"projects/{UNSPECIFIED}/zones/{zone or UNSPECIFIED}/disks/"
            f"{source.pd_name}",
            fs_type=source.fs_type,
            read_only=source.read_only,
            volume_attributes={"partition": str(source.partition) if source.partition else ""},
        )
    if isinstance(source, AzureDiskVolumeSource):
        attributes = {"cachingMode": source.caching_mode.value} if source.caching_mode else None
        return CsiPersistentVolumeSource(
            driver="disk.csi.azure.com",
            volume_handle=source.disk_uri,
            fs_type=source.fs_type,
            read_only=source.read_only,
            volume_attributes=attributes,
        )
    if isinstance(source, CinderVolumeSource):
        return CsiPersistentVolumeSource(
            driver="cinder.csi.openstack.org",
            volume_handle=source.volume_id,
            fs_type=source.fs_type,
            read_only=source.read_only,
        )
    if isinstance(source, PortworxVolumeSource):
        return CsiPersistentVolumeSource(
            driver="pxd.portworx.com",
            volume_handle=source.volume_id,
            fs_type=source.fs_type,
            read_only=source.read_only,
        )
    if isinstance(source, VsphereVirtualDiskVolumeSource):
        attributes = (
            {"storagepolicyname": source.storage_policy_name}
            if source.storage_policy_name
            else None
        )
        return CsiPersistentVolumeSource(
            driver="csi.vsphere.vmware.com",
            volume_handle=source.volume_path,
            fs_type=source.fs_type,
            volume_attributes=attributes,
        )
    raise K8sDslError(
        [
            Finding(
                Severity.ERROR,
                "storage/csi-migration",
                f"{source.k8s_key} has no CSI translation here"
                + (
                    ": an Azure File handle needs the storage account, which the in-tree "
                    "source does not hold"
                    if source.k8s_key == "azureFile"
                    else ""
                ),
                ObjectRef(kind="migrated_to_csi", source="k8sdsl.storage"),
                "source",
                "write CsiPersistentVolumeSource(driver=..., volume_handle=...) as the driver's "
                "documentation describes",
            )
        ]
    )


def _ebs_volume_id(volume_id: str) -> str:
    """``aws://us-east-1a/vol-0123`` and ``aws:///vol-0123`` -> ``vol-0123``."""
    if not volume_id.startswith("aws://"):
        return volume_id
    found = volume_id[len("aws://") :].split("/")[-1]
    if not _EBS_ID.match(found):
        raise K8sDslError(
            [
                Finding(
                    Severity.ERROR,
                    "storage/csi-migration",
                    f"{volume_id!r} is not an EBS volume id (aws://<zone>/vol-...)",
                    ObjectRef(kind="migrated_to_csi", source="k8sdsl.storage"),
                    "source.volume_id",
                    "use the volume's id, vol-...",
                )
            ]
        )
    return found
