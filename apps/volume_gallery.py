"""The volume gallery: every volume type of the course notes (and the two that came after
them, ``ephemeral`` and ``image``) used once, in the object where Kubernetes allows it, so
``dist/`` shows what each one looks like.

Charts, by the Kubernetes version whose kubelet still serves the types in them:

- ``volume-gallery`` (the app's target): the namespace, the types that are current (configMap,
  secret, downwardAPI, projected, emptyDir, ephemeral, csi inline, image, hostPath, fc,
  iscsi, nfs, flexVolume in pods; nfs, csi, local, hostPath, iscsi, fc and flexVolume as
  PersistentVolumes, each bound to a claim that a pod mounts through
  ``persistentVolumeClaim``). flexVolume is deprecated without a removal date: synth warns.
- ``volume-gallery-k8s-1-35``: portworxVolume (in-tree plugin removed in 1.36).
- ``volume-gallery-k8s-1-32``: gitRepo (disabled by default from 1.33).
- ``volume-gallery-k8s-1-30``: cephfs and rbd (removed in 1.31).
- ``volume-gallery-k8s-1-29``: azureFile and vsphereVolume (removed in 1.30).
- ``volume-gallery-csi-migration`` (the app's target): the notes' awsElasticBlockStore,
  gcePersistentDisk and azureDisk pods and PVs on a cluster that has their CSI drivers
  (``CLUSTER``), which serves them through CSI migration (``volumes/csi-migration``
  warnings), next to the CSI PVs that ``migrated_to_csi`` makes of the same disks.

Types whose in-tree plugin was removed in or before 1.28, the oldest target k8sdsl supports,
cannot be synthesized for any supported target: awsElasticBlockStore and azureDisk (1.27),
gcePersistentDisk (1.28), glusterfs and cinder (1.26), flocker, storageos and quobyte (1.25),
scaleIO (1.22) and photonPersistentDisk (1.16). Synth reports each as a
``volumes/removed-plugin`` error naming the CSI driver to use where there is one, unless the
declared cluster has that driver (the csi-migration chart); the tests (``tests/volumes``)
build and snapshot the others instead.

Pods are SecurePods. Those that use a type outside the restricted profile's volume list, a
node path or a privileged container say why in an exemption, which synth writes into the
pod's annotations. The gallery's namespace enforces the ``privileged`` Pod Security level
(the host-level types could not be admitted otherwise) and warns and audits at
``restricted``, so every exemption stays visible in the cluster too.
"""

from __future__ import annotations

from k8sdsl import App, Chart, Cluster, ConfigMap, ExistingObject, Namespace
from k8sdsl.network import BUSYBOX_IMAGE
from k8sdsl.security import Control, Exemption
from k8sdsl.storage import (
    NO_CLASS,
    PersistentVolume,
    PersistentVolumeClaim,
    StorageClass,
    VolumeNodeAffinity,
    migrated_to_csi,
)
from k8sdsl.volumes import (
    AccessMode,
    AwsElasticBlockStoreVolumeSource,
    AzureDataDiskKind,
    AzureDiskVolumeSource,
    AzureFilePersistentVolumeSource,
    AzureFileVolumeSource,
    CephFsPersistentVolumeSource,
    CephFsVolumeSource,
    ConfigMapProjection,
    CsiPersistentVolumeSource,
    DownwardApiProjection,
    DownwardApiVolumeFile,
    FcVolumeSource,
    FlexPersistentVolumeSource,
    FlexVolumeSource,
    GcePersistentDiskVolumeSource,
    GitRepoVolumeSource,
    HostPathType,
    HostPathVolumeSource,
    IscsiPersistentVolumeSource,
    IscsiVolumeSource,
    KeyToPath,
    LocalObjectReference,
    LocalVolumeSource,
    MountPropagation,
    NfsVolumeSource,
    PersistentVolumeSource,
    PortworxVolumeSource,
    PullPolicy,
    RbdPersistentVolumeSource,
    RbdVolumeSource,
    SecretProjection,
    SecretReference,
    ServiceAccountTokenProjection,
    StorageMedium,
    Volume,
    VsphereVirtualDiskVolumeSource,
)
from k8sdsl.workloads import Container, SecurePod, SecurityContext

NAMESPACE = "volume-gallery"
LABELS = {"app.kubernetes.io/part-of": "volume-gallery"}
#: the long-running command of every gallery container: the volumes are the exhibit
SLEEP = ("sleep", "infinity")

IQN = "iqn.2001-04.com.example:storage.gallery"
CEPH_MONITORS = ("10.16.154.78:6789", "10.16.154.82:6789")


#: the cluster the gallery is written for: the Secrets its pods mount are made there (by
#: cert-manager, by hand), never committed to dist/
#: The CSI drivers are those of the in-tree types the notes show whose plugins are gone: with
#: them installed, CSI migration serves the in-tree volumes of the csi-migration chart.
CLUSTER = Cluster(
    objects=[
        ExistingObject(kind="Secret", name="gallery-tls", namespace="volume-gallery"),
        ExistingObject(kind="Secret", name="gallery-credentials", namespace="volume-gallery"),
    ],
    csi_drivers=["ebs.csi.aws.com", "pd.csi.storage.gke.io", "disk.csi.azure.com"],
)


def _volume_types(reason: str) -> Exemption:
    return Exemption(control=Control.VOLUME_TYPES, reason=reason)


def _pod(
    chart: Chart, id: str, *volumes: Volume, exemptions: tuple[Exemption, ...] = ()
) -> SecurePod:
    """A SecurePod whose one container mounts each volume at /gallery/<volume name>."""
    return SecurePod(
        chart,
        id,
        image=BUSYBOX_IMAGE,
        command=SLEEP,
        mounts=[v.mount(f"/gallery/{v.name}") for v in volumes],
        exemptions=exemptions,
    )


def _claimed(
    chart: Chart,
    key: str,
    source: PersistentVolumeSource,
    *,
    access_modes: tuple[AccessMode, ...] = (AccessMode.READ_WRITE_ONCE,),
    node_affinity: VolumeNodeAffinity | None = None,
    storage_class: StorageClass | str = NO_CLASS,
) -> Volume:
    """A PersistentVolume with ``source``, a claim pre-bound to it, and the pod volume that
    mounts the claim (named after the PV's type)."""
    # the claim names its PV and the PV reserves the claim (claimRef): no other claim can
    # take the PV first
    pv_name = f"volume-gallery-{key}"
    claim = PersistentVolumeClaim(
        chart,
        f"{key}-claim",
        storage="10Gi",
        access_modes=access_modes,
        storage_class=storage_class,
        volume=pv_name,
    )
    PersistentVolume(
        chart,
        pv_name,
        source=source,
        capacity="10Gi",
        access_modes=access_modes,
        storage_class=storage_class,
        node_affinity=node_affinity,
        claim_ref=claim,
    )
    return claim.volume()


# -- the app's target: current types --------------------------------------------------------


def _current(app: App) -> None:
    chart = Chart(app, "volume-gallery", namespace=NAMESPACE, labels=LABELS)
    Namespace(
        chart,
        NAMESPACE,
        labels={
            "pod-security.kubernetes.io/enforce": "privileged",
            "pod-security.kubernetes.io/warn": "restricted",
            "pod-security.kubernetes.io/audit": "restricted",
        },
    )

    # Volumes the restricted profile allows: API data, scratch space, CSI and claims. The
    # Secrets they name are created by the platform's secret manager, never from git.
    ConfigMap(
        chart,
        "gallery-config",
        data={"app.properties": "greeting=hello\n", "config": "mode=gallery\n"},
    )
    config = Volume.config_map(
        "config", config_map_name="gallery-config", items={"app.properties": "app.properties"}
    )
    tls = Volume.secret("tls", secret_name="gallery-tls", default_mode=0o400)
    podinfo = Volume.downward_api(
        "podinfo",
        DownwardApiVolumeFile.field(path="labels", field_path="metadata.labels"),
        DownwardApiVolumeFile.resource(
            path="memory_limit", container_name="app", resource="limits.memory", divisor="1Mi"
        ),
    )
    all_in_one = Volume.projected(
        "all-in-one",
        SecretProjection(
            name="gallery-credentials",
            items=[KeyToPath(key="username", path="my-group/my-username")],
        ),
        ConfigMapProjection(
            name="gallery-config", items=[KeyToPath(key="config", path="my-group/my-config")]
        ),
        DownwardApiProjection(
            items=[DownwardApiVolumeFile.field(path="name", field_path="metadata.name")]
        ),
        ServiceAccountTokenProjection(path="token", audience="vault", expiration_seconds=3600),
    )
    cache = Volume.empty_dir("cache", medium=StorageMedium.MEMORY, size_limit="64Mi")
    scratch = Volume.ephemeral("scratch", storage="1Gi", storage_class_name="gallery-ebs")
    inline_csi = Volume.csi(
        "secrets-store",
        driver="secrets-store.csi.k8s.io",
        read_only=True,
        volume_attributes={"secretProviderClass": "gallery"},
    )
    model = Volume.image("model", reference=BUSYBOX_IMAGE, pull_policy=PullPolicy.IF_NOT_PRESENT)
    StorageClass(
        chart,
        "gallery-ebs",
        provisioner="ebs.csi.aws.com",
        parameters={"type": "gp3"},
    )
    _pod(chart, "api-data", config, tls, podinfo, all_in_one)
    _pod(chart, "scratch-space", cache, scratch, inline_csi, model)

    # Node-level and SAN types: outside the restricted profile, each pod says why.
    _pod(
        chart,
        "network-volumes",
        Volume.nfs("nfs", server="nfs.example.com", path="/var/nfs/general", read_only=True),
        Volume.of("fc", FcVolumeSource.by_target(target_wwns=["500a0982991b8dc5"], lun=2)),
        Volume.of("iscsi", IscsiVolumeSource(target_portal="10.0.2.15:3260", iqn=IQN, lun=0)),
        Volume.of(
            "flex",
            FlexVolumeSource(driver="example.com/lvm", fs_type="ext4", options={"size": "1Gi"}),
        ),
        exemptions=(
            _volume_types(
                "gallery of nfs, fc, iscsi and flexVolume pod volumes; nodes have the NFS "
                "client, the initiators and the flex driver installed"
            ),
        ),
    )
    _host_path_pod(chart)

    # PersistentVolume types, each bound to a claim that a pod mounts.
    claims = [
        _claimed(
            chart,
            "nfs",
            NfsVolumeSource(server="nfs.example.com", path="/var/nfs/general"),
            access_modes=(AccessMode.READ_WRITE_MANY,),
        ),
        _claimed(
            chart,
            "csi",
            CsiPersistentVolumeSource(
                driver="ebs.csi.aws.com", volume_handle="vol-0a1b2c3d4e5f67890", fs_type="ext4"
            ),
            access_modes=(AccessMode.READ_WRITE_ONCE_POD,),
        ),
        _claimed(
            chart,
            "local",
            LocalVolumeSource(path="/mnt/disks/ssd1"),
            node_affinity=VolumeNodeAffinity.hostname("node-1"),
            storage_class=StorageClass.for_local_volumes(chart, "gallery-local-disks"),
        ),
        _claimed(
            chart,
            "host-path",
            HostPathVolumeSource(path="/mnt/gallery", type=HostPathType.DIRECTORY_OR_CREATE),
        ),
        _claimed(
            chart,
            "iscsi",
            IscsiPersistentVolumeSource(target_portal="10.0.2.15:3260", iqn=IQN, lun=1),
        ),
        _claimed(
            chart,
            "fc",
            FcVolumeSource.by_wwids(wwids=["3600508b400105e210000900000490000"]),
        ),
        _claimed(
            chart,
            "flex",
            FlexPersistentVolumeSource(
                driver="example.com/lvm",
                secret_ref=SecretReference(name="lvm-credentials", namespace=NAMESPACE),
            ),
        ),
    ]
    for claim in claims:
        _pod(chart, f"uses-{claim.name}", claim)


def _host_path_pod(chart: Chart) -> None:
    """hostPath, and mount propagation: a privileged container mounts into a shared host
    directory (Bidirectional, which needs privileged) and the app container sees those
    mounts (HostToContainer)."""
    shared = Volume.host_path(
        "shared-mounts", path="/mnt/gallery-shared", type=HostPathType.DIRECTORY_OR_CREATE
    )
    logs = Volume.host_path("node-logs", path="/var/log", type=HostPathType.DIRECTORY)
    SecurePod(
        chart,
        "host-path",
        containers=[
            Container(
                name="mounter",
                image=BUSYBOX_IMAGE,
                command=SLEEP,
                security_context=SecurityContext(privileged=True),
                mounts=[
                    shared.mount("/mnt/shared", mount_propagation=MountPropagation.BIDIRECTIONAL)
                ],
            ),
            Container(
                name="app",
                image=BUSYBOX_IMAGE,
                command=SLEEP,
                mounts=[
                    shared.mount(
                        "/mnt/shared",
                        read_only=True,
                        mount_propagation=MountPropagation.HOST_TO_CONTAINER,
                    ),
                    logs.mount("/var/log/node", read_only=True),
                ],
            ),
        ],
        exemptions=(
            Exemption(
                control=Control.HOST_PATH_VOLUMES,
                reason="gallery of hostPath: node logs read-only, and a shared mount directory",
            ),
            _volume_types("hostPath is outside the restricted volume list"),
            Exemption(
                control=Control.PRIVILEGED,
                reason="Bidirectional mount propagation is available only to privileged "
                "containers; the mounter container demonstrates it",
            ),
            Exemption(
                control=Control.PRIVILEGE_ESCALATION,
                reason="a privileged container can always escalate; the API server rejects "
                "allowPrivilegeEscalation: false next to privileged: true",
            ),
        ),
    )


# -- older targets: types whose in-tree plugins were removed since 1.28 -------------------------


def _version_chart(app: App, version: str) -> Chart:
    return Chart(
        app,
        f"volume-gallery-k8s-{version.replace('.', '-')}",
        namespace=NAMESPACE,
        labels=LABELS,
        k8s_version=version,
    )


def _until_135(app: App) -> None:
    chart = _version_chart(app, "1.35")
    px = Volume.of("portworx", PortworxVolumeSource(volume_id="gallery-px", fs_type="ext4"))
    claim = _claimed(
        chart,
        "portworx",
        PortworxVolumeSource(volume_id="gallery-px-pv"),
        access_modes=(AccessMode.READ_WRITE_MANY,),
    )
    _pod(
        chart,
        "portworx",
        px,
        claim,
        exemptions=(_volume_types("gallery of portworxVolume, served in-tree until 1.35"),),
    )


def _until_132(app: App) -> None:
    chart = _version_chart(app, "1.32")
    git = Volume.of(
        "git",
        GitRepoVolumeSource(
            repository="https://github.com/kubernetes/examples.git",
            directory=".",
        ),
    )
    _pod(
        chart,
        "git-repo",
        git,
        exemptions=(_volume_types("gallery of gitRepo, enabled by default until 1.32"),),
    )


def _until_130(app: App) -> None:
    chart = _version_chart(app, "1.30")
    secret = LocalObjectReference(name="ceph-secret")
    ceph_pv_secret = SecretReference(name="ceph-secret", namespace=NAMESPACE)
    cephfs = Volume.of(
        "cephfs",
        CephFsVolumeSource(monitors=CEPH_MONITORS, path="/shared", secret_ref=secret),
    )
    rbd = Volume.of(
        "rbd",
        RbdVolumeSource(monitors=CEPH_MONITORS, image="gallery", pool="kube", secret_ref=secret),
    )
    claims = [
        _claimed(
            chart,
            "cephfs",
            CephFsPersistentVolumeSource(monitors=CEPH_MONITORS, secret_ref=ceph_pv_secret),
            access_modes=(AccessMode.READ_WRITE_MANY,),
        ),
        _claimed(
            chart,
            "rbd",
            RbdPersistentVolumeSource(
                monitors=CEPH_MONITORS, image="gallery-pv", secret_ref=ceph_pv_secret
            ),
        ),
    ]
    _pod(
        chart,
        "ceph",
        cephfs,
        rbd,
        *claims,
        exemptions=(_volume_types("gallery of cephfs and rbd, served in-tree until 1.30"),),
    )


def _until_129(app: App) -> None:
    chart = _version_chart(app, "1.29")
    azure = Volume.of(
        "azure-file", AzureFileVolumeSource(secret_name="azure-storage", share_name="gallery")
    )
    vmdk = Volume.of(
        "vmdk",
        VsphereVirtualDiskVolumeSource(volume_path="[datastore1] volumes/gallery.vmdk"),
    )
    claims = [
        _claimed(
            chart,
            "azure-file",
            AzureFilePersistentVolumeSource(
                secret_name="azure-storage", share_name="gallery-pv", secret_namespace=NAMESPACE
            ),
            access_modes=(AccessMode.READ_WRITE_MANY,),
        ),
        _claimed(
            chart,
            "vmdk",
            VsphereVirtualDiskVolumeSource(volume_path="[datastore1] volumes/gallery-pv.vmdk"),
        ),
    ]
    _pod(
        chart,
        "cloud-disks",
        azure,
        vmdk,
        *claims,
        exemptions=(
            _volume_types("gallery of azureFile and vsphereVolume, served in-tree until 1.29"),
        ),
    )


# -- the notes' cloud disks, served through CSI migration ------------------------------------

EBS = AwsElasticBlockStoreVolumeSource(volume_id="vol-0123456789abcdef0", fs_type="ext4")
GCE_PD = GcePersistentDiskVolumeSource(pd_name="gallery-disk", fs_type="ext4")
AZURE_DISK = AzureDiskVolumeSource(
    disk_name="gallery-disk",
    disk_uri="/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/gallery"
    "/providers/Microsoft.Compute/disks/gallery-disk",
    kind=AzureDataDiskKind.MANAGED,
)


def _csi_migration(app: App) -> None:
    """The notes' awsElasticBlockStore, gcePersistentDisk and azureDisk volumes, whose in-tree
    plugins are gone from every supported version, on a cluster that has their CSI drivers
    (see CLUSTER): in-tree pod volumes and PVs, which CSI migration serves (each a
    ``volumes/csi-migration`` warning), and the same disks as the CSI PVs that migration
    makes of them (``migrated_to_csi``), which depend on the drivers alone."""
    chart = Chart(app, "volume-gallery-csi-migration", namespace=NAMESPACE, labels=LABELS)
    inline = [
        Volume.of("ebs", EBS),
        Volume.of("gce-pd", GCE_PD),
        Volume.of("azure-disk", AZURE_DISK),
    ]
    in_tree = [_claimed(chart, f"{v.name}-in-tree", v.source) for v in inline]  # type: ignore[arg-type]
    csi = [_claimed(chart, f"{v.name}-csi", migrated_to_csi(v.source)) for v in inline]
    reason = "gallery of the notes' cloud disks, served through CSI migration"
    _pod(chart, "cloud-disks-in-tree", *inline, *in_tree, exemptions=(_volume_types(reason),))
    _pod(chart, "cloud-disks-csi", *csi)


def build(app: App) -> None:
    _current(app)
    _csi_migration(app)
    _until_135(app)
    _until_132(app)
    _until_130(app)
    _until_129(app)
