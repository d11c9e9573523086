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
from k8sdsl.storage._claim import NO_CLASS, PersistentVolumeClaim, volume_snapshot
from k8sdsl.storage._storage_class import StorageClass
from k8sdsl.storage._values import (
    HOSTNAME_LABEL,
    ZONE_LABEL,
    NodeFieldSelectorRequirement,
    NodeSelector,
    NodeSelectorOperator,
    NodeSelectorRequirement,
    NodeSelectorTerm,
    ReclaimPolicy,
    StorageClassSpec,
    TopologySelectorLabelRequirement,
    TopologySelectorTerm,
    VolumeBindingMode,
    VolumeNodeAffinity,
)

__all__ = [
    "DEFAULT_CLASS_ANNOTATION",
    "HOSTNAME_LABEL",
    "NO_CLASS",
    "NO_PROVISIONER",
    "ZONE_LABEL",
    "BindingPlan",
    "ClaimVerdict",
    "Mismatch",
    "NodeFieldSelectorRequirement",
    "NodeSelector",
    "NodeSelectorOperator",
    "NodeSelectorRequirement",
    "NodeSelectorTerm",
    "Outcome",
    "PersistentVolumeClaim",
    "ReclaimPolicy",
    "StorageClass",
    "StorageClassSpec",
    "TopologySelectorLabelRequirement",
    "TopologySelectorTerm",
    "VolumeBindingMode",
    "VolumeNodeAffinity",
    "bind",
    "volume_snapshot",
]
