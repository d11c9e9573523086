"""The catalog: one table of facts per volume type, read by the volume and storage rules.

Sources: ``kubernetes/api`` core/v1 types (release-1.36), the kubernetes/website volume-types,
persistent-volumes and storage-classes pages, and the feature-gate pages (see
``docs/volumes.md`` for the version-by-version reading and the conflicts between pages).
"""

from __future__ import annotations

from dataclasses import dataclass
from types import MappingProxyType

from k8sdsl.core._findings import Finding, K8sDslError, ObjectRef, Severity
from k8sdsl.core._suggest import suggest
from k8sdsl.core._versions import K8sVersion
from k8sdsl.volumes._enums import AccessMode

RWO = AccessMode.READ_WRITE_ONCE
ROX = AccessMode.READ_ONLY_MANY
RWX = AccessMode.READ_WRITE_MANY
RWOP = AccessMode.READ_WRITE_ONCE_POD


@dataclass(frozen=True, slots=True)
class FeatureGate:
    """A feature gate a volume type or projection needs: on by default from ``default_on_in``
    (``None``: off by default in every version k8sdsl supports)."""

    name: str
    default_on_in: K8sVersion | None

    def enabled_by_default(self, version: K8sVersion | str) -> bool:
        return self.default_on_in is not None and K8sVersion(version) >= self.default_on_in


@dataclass(frozen=True, slots=True)
class VolumeTypeFacts:
    """What Kubernetes does with one volume type (one key of ``Volume``/``PersistentVolumeSpec``).

    - ``pod`` / ``pv``: allowed in a Pod's ``spec.volumes`` / a PersistentVolume's spec.
    - ``deprecated_in``: the release that deprecated it (a warning from then on).
    - ``removed_in``: the first release whose kubelet no longer serves it in-tree (for
      ``gitRepo``: the release that disables it by default). The field stays in the API, so
      the API server still accepts the object; the volume fails to mount unless
      ``csi_driver`` (CSI migration) is installed.
    - ``csi_driver``: where CSI migration sends the type, if it does.
    - ``replacement``: what to use instead when there is no migration.
    - ``pv_access_modes``: access modes the plugin supports as a PV (the docs' table);
      ``pv_access_modes_driver_dependent``: modes that depend on the driver or topology.
    - ``recycle`` / ``delete``: supports the Recycle / Delete reclaim policy.
    - ``always_read_only``: the kubelet mounts it read-only whatever the mount says.
    - ``mount_options``: a PV of this type can set ``spec.mountOptions``.
    - ``added_in`` / ``feature_gate``: the API field exists from ``added_in``; the gate must
      be on for it to work.
    """

    key: str
    pod: bool
    pv: bool
    deprecated_in: K8sVersion | None = None
    removed_in: K8sVersion | None = None
    csi_driver: str | None = None
    replacement: str = ""
    pv_access_modes: frozenset[AccessMode] = frozenset()
    pv_access_modes_driver_dependent: frozenset[AccessMode] = frozenset()
    recycle: bool = False
    delete: bool = False
    always_read_only: bool = False
    mount_options: bool = False
    added_in: K8sVersion | None = None
    feature_gate: FeatureGate | None = None
    notes: str = ""

    def is_removed(self, version: K8sVersion | str) -> bool:
        """True when the in-tree plugin no longer works by default in ``version``."""
        return self.removed_in is not None and K8sVersion(version) >= self.removed_in

    def is_deprecated(self, version: K8sVersion | str) -> bool:
        """True when ``version`` is at or after the deprecation (removed or not)."""
        return self.deprecated_in is not None and K8sVersion(version) >= self.deprecated_in

    def supports_access_mode(self, mode: AccessMode) -> bool | None:
        """True if the plugin supports ``mode`` as a PV, False if not, None if it depends on
        the driver (csi, flexVolume) or topology (vsphereVolume RWX)."""
        if mode in self.pv_access_modes:
            return True
        if mode in self.pv_access_modes_driver_dependent:
            return None
        return False

    def removal_hint(self) -> str:
        """What to do instead of this type, for findings."""
        if self.csi_driver:
            return (
                f"use a CSI PersistentVolume with driver {self.csi_driver!r} "
                f"(CsiPersistentVolumeSource); existing {self.key} volumes keep working only "
                "where CSI migration and that driver are installed"
            )
        return self.replacement or f"{self.key} has no replacement in Kubernetes"


def _v(text: str) -> K8sVersion:
    return K8sVersion(text)


_ALL = frozenset(AccessMode)

_FACTS: tuple[VolumeTypeFacts, ...] = (
    VolumeTypeFacts(
        "awsElasticBlockStore",
        pod=True,
        pv=True,
        deprecated_in=_v("1.19"),
        removed_in=_v("1.27"),
        csi_driver="ebs.csi.aws.com",
        pv_access_modes=frozenset({RWO}),
        delete=True,
        mount_options=True,
        notes="The EBS volume must exist in the node's availability zone; one node at a time.",
    ),
    VolumeTypeFacts(
        "azureDisk",
        pod=True,
        pv=True,
        deprecated_in=_v("1.19"),
        removed_in=_v("1.27"),
        csi_driver="disk.csi.azure.com",
        pv_access_modes=frozenset({RWO}),
        delete=True,
        mount_options=True,
    ),
    VolumeTypeFacts(
        "azureFile",
        pod=True,
        pv=True,
        deprecated_in=_v("1.21"),
        removed_in=_v("1.30"),
        csi_driver="file.csi.azure.com",
        pv_access_modes=frozenset({RWO, ROX, RWX}),
        delete=True,
        mount_options=True,
        notes="The PV form adds secretNamespace (default: the pod's namespace).",
    ),
    VolumeTypeFacts(
        "cephfs",
        pod=True,
        pv=True,
        deprecated_in=_v("1.28"),
        removed_in=_v("1.31"),
        replacement="use the ceph-csi driver (cephfs.csi.ceph.com) through a CSI "
        "PersistentVolume; there is no CSI migration for cephfs",
        pv_access_modes=frozenset({RWO, ROX, RWX}),
        mount_options=True,
    ),
    VolumeTypeFacts(
        "cinder",
        pod=True,
        pv=True,
        deprecated_in=_v("1.11"),
        removed_in=_v("1.26"),
        csi_driver="cinder.csi.openstack.org",
        pv_access_modes=frozenset({RWO}),
        delete=True,
        mount_options=True,
        notes="Not in the course notes. Deprecated in 1.11 per volumes.md, 1.18 per the PV "
        "page; k8sdsl takes the earlier.",
    ),
    VolumeTypeFacts(
        "configMap",
        pod=True,
        pv=False,
        always_read_only=True,
        notes="A container mounting it with subPath gets no updates.",
    ),
    VolumeTypeFacts(
        "csi",
        pod=True,
        pv=True,
        pv_access_modes_driver_dependent=_ALL,
        delete=True,
        mount_options=True,
        notes="Pod form: CSI ephemeral inline volume (GA 1.25), no volumeHandle. PV form: "
        "volumeHandle required. Delete works through the driver's external-provisioner. "
        "ReadWriteOncePod (GA 1.29) works only with CSI.",
    ),
    VolumeTypeFacts("downwardAPI", pod=True, pv=False, always_read_only=True),
    VolumeTypeFacts(
        "emptyDir",
        pod=True,
        pv=False,
        notes="medium Memory without sizeLimit may grow to the node's allocatable memory.",
    ),
    VolumeTypeFacts(
        "ephemeral",
        pod=True,
        pv=False,
        notes="Generic ephemeral volume (GA 1.23): creates a PVC named <pod>-<volume>, owned "
        "by the pod; the claim template sets its access modes.",
    ),
    VolumeTypeFacts(
        "fc",
        pod=True,
        pv=True,
        pv_access_modes=frozenset({RWO, ROX}),
        notes="Set targetWWNs with lun, or wwids, not both.",
    ),
    VolumeTypeFacts(
        "flexVolume",
        pod=True,
        pv=True,
        deprecated_in=_v("1.23"),
        replacement="write or use a CSI driver; FlexVolume has no migration plan",
        pv_access_modes=frozenset({RWO, ROX}),
        pv_access_modes_driver_dependent=frozenset({RWX}),
        notes="Deprecated but not removed. Bidirectional propagation is sometimes needed by "
        "its drivers.",
    ),
    VolumeTypeFacts(
        "flocker",
        pod=True,
        pv=True,
        deprecated_in=_v("1.22"),
        removed_in=_v("1.25"),
        replacement="Flocker is discontinued: move the data to a CSI-backed volume",
        pv_access_modes=frozenset({RWO}),
        delete=True,
    ),
    VolumeTypeFacts(
        "gcePersistentDisk",
        pod=True,
        pv=True,
        deprecated_in=_v("1.17"),
        removed_in=_v("1.28"),
        csi_driver="pd.csi.storage.gke.io",
        pv_access_modes=frozenset({RWO, ROX}),
        delete=True,
        mount_options=True,
        notes="Many nodes may mount one disk, read-only only.",
    ),
    VolumeTypeFacts(
        "gitRepo",
        pod=True,
        pv=False,
        deprecated_in=_v("1.11"),
        removed_in=_v("1.33"),
        replacement="clone the repository in an init container (image with git, e.g. "
        "alpine/git) into an emptyDir volume that the app container mounts",
        feature_gate=FeatureGate("GitRepoVolumeDriver", None),
        notes="Disabled by default from 1.33 (GitRepoVolumeDriver off); the current docs say "
        "1.35 was the last version where it could be used.",
    ),
    VolumeTypeFacts(
        "glusterfs",
        pod=True,
        pv=True,
        deprecated_in=_v("1.25"),
        removed_in=_v("1.26"),
        replacement="use a GlusterFS CSI driver (or move the data); there is no migration",
        pv_access_modes=frozenset({RWO, ROX, RWX}),
        delete=True,
        mount_options=True,
    ),
    VolumeTypeFacts(
        "hostPath",
        pod=True,
        pv=True,
        pv_access_modes=frozenset({RWO}),
        recycle=True,
        notes="Delete: the in-tree deleter removes only /tmp/... paths (testing only). Recycle "
        "is rejected for path '/'. Forbidden by the baseline Pod Security Standard.",
    ),
    VolumeTypeFacts(
        "image",
        pod=True,
        pv=False,
        always_read_only=True,
        added_in=_v("1.31"),
        feature_gate=FeatureGate("ImageVolume", _v("1.35")),
        notes="Gate ImageVolume: alpha 1.31, beta off by default 1.33, on by default 1.35 "
        "(one docs page says 1.33). subPath/subPathExpr work from 1.33. Mounted noexec.",
    ),
    VolumeTypeFacts(
        "iscsi",
        pod=True,
        pv=True,
        pv_access_modes=frozenset({RWO, ROX}),
        mount_options=True,
        notes="One writer, many readers.",
    ),
    VolumeTypeFacts(
        "local",
        pod=False,
        pv=True,
        pv_access_modes=frozenset({RWO}),
        mount_options=True,
        notes="Static PVs only (no dynamic provisioning); the PV needs spec.nodeAffinity; use "
        "a StorageClass with WaitForFirstConsumer. Not in the docs' access-mode table: a "
        "node-local volume is effectively ReadWriteOnce. The kubelet's local plugin takes "
        "mount options (SupportsMountOption is true).",
    ),
    VolumeTypeFacts(
        "nfs",
        pod=True,
        pv=True,
        pv_access_modes=frozenset({RWO, ROX, RWX}),
        recycle=True,
        mount_options=True,
        notes="Mount options only on a PV (spec.mountOptions), never on a pod's nfs volume.",
    ),
    VolumeTypeFacts("persistentVolumeClaim", pod=True, pv=False),
    VolumeTypeFacts(
        "photonPersistentDisk",
        pod=True,
        pv=True,
        removed_in=_v("1.16"),
        replacement="VMware Photon is discontinued: move the data to a CSI-backed volume",
        pv_access_modes=frozenset({RWO}),
        notes="Not in the course notes; removed in 1.16, still in the API.",
    ),
    VolumeTypeFacts(
        "portworxVolume",
        pod=True,
        pv=True,
        deprecated_in=_v("1.25"),
        removed_in=_v("1.36"),
        csi_driver="pxd.portworx.com",
        pv_access_modes=frozenset({RWO, RWX}),
        delete=True,
        notes="CSI migration on by default 1.31, GA and locked 1.33.",
    ),
    VolumeTypeFacts("projected", pod=True, pv=False, always_read_only=True),
    VolumeTypeFacts(
        "quobyte",
        pod=True,
        pv=True,
        deprecated_in=_v("1.22"),
        removed_in=_v("1.25"),
        replacement="use the Quobyte CSI driver (csi.quobyte.com); there is no migration",
        pv_access_modes=frozenset({RWO, ROX, RWX}),
        delete=True,
        mount_options=True,
        notes="Not in the course notes; still in the API.",
    ),
    VolumeTypeFacts(
        "rbd",
        pod=True,
        pv=True,
        deprecated_in=_v("1.28"),
        removed_in=_v("1.31"),
        replacement="use the ceph-csi RBD driver (rbd.csi.ceph.com) through a CSI "
        "PersistentVolume; the CSIMigrationRBD gate never went GA and was removed with the "
        "plugin, so existing rbd volumes stop working",
        pv_access_modes=frozenset({RWO, ROX}),
        delete=True,
        mount_options=True,
    ),
    VolumeTypeFacts(
        "scaleIO",
        pod=True,
        pv=True,
        deprecated_in=_v("1.16"),
        removed_in=_v("1.22"),
        replacement="use the Dell PowerFlex CSI driver (csi-vxflexos.dellemc.com); there is "
        "no migration",
        pv_access_modes=frozenset({RWO, ROX}),
        delete=True,
        notes="The PV page says 1.21; the volume-types page and PR #101685 say 1.22.",
    ),
    VolumeTypeFacts(
        "secret",
        pod=True,
        pv=False,
        always_read_only=True,
        notes="Backed by tmpfs; a container mounting it with subPath gets no updates.",
    ),
    VolumeTypeFacts(
        "storageos",
        pod=True,
        pv=True,
        deprecated_in=_v("1.22"),
        removed_in=_v("1.25"),
        replacement="use the StorageOS (Ondat) CSI driver (csi.storageos.com); there is no "
        "migration",
        pv_access_modes=frozenset({RWO}),
        delete=True,
        notes="Older docs list StorageOS among the types with mount options, but its kubelet "
        "plugin refused them (SupportsMountOption returned false).",
    ),
    VolumeTypeFacts(
        "vsphereVolume",
        pod=True,
        pv=True,
        deprecated_in=_v("1.19"),
        removed_in=_v("1.30"),
        csi_driver="csi.vsphere.vmware.com",
        pv_access_modes=frozenset({RWO}),
        pv_access_modes_driver_dependent=frozenset({RWX}),
        delete=True,
        mount_options=True,
        notes="ReadWriteMany works only when the pods are on one node.",
    ),
)

CATALOG: MappingProxyType[str, VolumeTypeFacts] = MappingProxyType({f.key: f for f in _FACTS})
"""Volume type key (``nfs``, ``awsElasticBlockStore``...) -> its facts. Read-only."""


@dataclass(frozen=True, slots=True)
class ProjectionFacts:
    """When a kind of projected source exists and which gate it needs."""

    key: str
    added_in: K8sVersion | None = None
    feature_gate: FeatureGate | None = None


PROJECTION_CATALOG: MappingProxyType[str, ProjectionFacts] = MappingProxyType(
    {
        f.key: f
        for f in (
            ProjectionFacts("secret"),
            ProjectionFacts("configMap"),
            ProjectionFacts("downwardAPI"),
            ProjectionFacts("serviceAccountToken"),
            ProjectionFacts(
                "clusterTrustBundle",
                added_in=_v("1.29"),
                feature_gate=FeatureGate("ClusterTrustBundleProjection", _v("1.37")),
            ),
            ProjectionFacts(
                "podCertificate",
                added_in=_v("1.34"),
                feature_gate=FeatureGate("PodCertificateRequest", None),
            ),
        )
    }
)
"""Projection key (``secret``, ``clusterTrustBundle``...) -> when it exists and its gate."""


def volume_facts(key: str) -> VolumeTypeFacts:
    """The facts of one volume type by its Kubernetes key; an unknown key is a
    :class:`K8sDslError` with the closest key."""
    facts = CATALOG.get(key)
    if facts is None:
        guess = suggest(key, CATALOG)
        raise K8sDslError(
            [
                Finding(
                    Severity.ERROR,
                    "volumes/unknown-type",
                    f"{key!r} is not a Kubernetes volume type",
                    ObjectRef(kind="VolumeTypeFacts"),
                    "key",
                    f"did you mean {guess!r}?" if guess else "known: " + ", ".join(CATALOG),
                )
            ]
        )
    return facts
