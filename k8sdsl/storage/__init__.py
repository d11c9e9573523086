"""Persistent storage: PersistentVolume, PersistentVolumeClaim, StorageClass, the static binder
and NfsVolume."""

from k8sdsl.storage._binder import (
    DEFAULT_CLASS_ANNOTATION,
    NO_PROVISIONER,
    BindingPlan,
    ClaimVerdict,
    Mismatch,
    Outcome,
    bind,
)
from k8sdsl.storage._csi_migration import UNSPECIFIED, migrated_to_csi
from k8sdsl.storage._nfs import DEFAULT_EXPORT_OPTIONS, NfsExport, NfsVolume
from k8sdsl.storage._storage_class import StorageClass
from k8sdsl.storage._values import (
    HOSTNAME_LABEL,
    ZONE_LABEL,
    NodeFieldSelectorRequirement,
    NodeSelector,
    NodeSelectorOperator,
    NodeSelectorRequirement,
    NodeSelectorTerm,
    PersistentVolumeSpec,
    ReclaimPolicy,
    StorageClassSpec,
    TopologySelectorLabelRequirement,
    TopologySelectorTerm,
    VolumeBindingMode,
    VolumeNodeAffinity,
)
from k8sdsl.storage._volumes_and_claims import (
    NO_CLASS,
    PersistentVolume,
    PersistentVolumeClaim,
    volume_snapshot,
)

__all__ = [
    "BindingPlan",
    "ClaimVerdict",
    "DEFAULT_CLASS_ANNOTATION",
    "DEFAULT_EXPORT_OPTIONS",
    "HOSTNAME_LABEL",
    "Mismatch",
    "NO_CLASS",
    "NO_PROVISIONER",
    "NfsExport",
    "NfsVolume",
    "NodeFieldSelectorRequirement",
    "NodeSelector",
    "NodeSelectorOperator",
    "NodeSelectorRequirement",
    "NodeSelectorTerm",
    "Outcome",
    "PersistentVolume",
    "PersistentVolumeClaim",
    "PersistentVolumeSpec",
    "ReclaimPolicy",
    "StorageClass",
    "StorageClassSpec",
    "TopologySelectorLabelRequirement",
    "TopologySelectorTerm",
    "UNSPECIFIED",
    "VolumeBindingMode",
    "VolumeNodeAffinity",
    "ZONE_LABEL",
    "bind",
    "migrated_to_csi",
    "volume_snapshot",
]
