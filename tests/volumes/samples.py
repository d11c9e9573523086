"""One realistic value per volume source (pod form and PV form), and the objects that carry
them, shared by the snapshot, schema and rule tests."""

from __future__ import annotations

from typing import Any

from k8sdsl.core import LabelSelector
from k8sdsl.volumes import (
    AccessMode,
    AwsElasticBlockStoreVolumeSource,
    AzureDataDiskCachingMode,
    AzureDataDiskKind,
    AzureDiskVolumeSource,
    AzureFilePersistentVolumeSource,
    AzureFileVolumeSource,
    CephFsPersistentVolumeSource,
    CephFsVolumeSource,
    CinderPersistentVolumeSource,
    CinderVolumeSource,
    ClusterTrustBundleProjection,
    ConfigMapProjection,
    CsiPersistentVolumeSource,
    DownwardApiProjection,
    DownwardApiVolumeFile,
    FcVolumeSource,
    FlexPersistentVolumeSource,
    FlexVolumeSource,
    FlockerVolumeSource,
    GcePersistentDiskVolumeSource,
    GitRepoVolumeSource,
    GlusterfsPersistentVolumeSource,
    GlusterfsVolumeSource,
    HostPathType,
    HostPathVolumeSource,
    IscsiPersistentVolumeSource,
    IscsiVolumeSource,
    KeyToPath,
    LocalObjectReference,
    LocalVolumeSource,
    NfsVolumeSource,
    ObjectReference,
    PersistentVolumeSource,
    PhotonPersistentDiskVolumeSource,
    PodCertificateKeyType,
    PodCertificateProjection,
    PortworxVolumeSource,
    PullPolicy,
    QuobyteVolumeSource,
    RbdPersistentVolumeSource,
    RbdVolumeSource,
    ScaleIoPersistentVolumeSource,
    ScaleIoStorageMode,
    ScaleIoVolumeSource,
    SecretProjection,
    SecretReference,
    ServiceAccountTokenProjection,
    StorageMedium,
    StorageOsPersistentVolumeSource,
    StorageOsVolumeSource,
    Volume,
    VsphereVirtualDiskVolumeSource,
)

#: pod volume key -> one volume of that type, as a user would write it
POD_VOLUMES: dict[str, Volume] = {
    "awsElasticBlockStore": Volume.of(
        "ebs", AwsElasticBlockStoreVolumeSource(volume_id="vol-0a1b2c3d4e5f67890", fs_type="ext4")
    ),
    "azureDisk": Volume.of(
        "azure-disk",
        AzureDiskVolumeSource(
            disk_name="data-disk",
            disk_uri="/subscriptions/sub/resourceGroups/rg/providers/Microsoft.Compute/disks/data",
            caching_mode=AzureDataDiskCachingMode.READ_ONLY,
            kind=AzureDataDiskKind.MANAGED,
        ),
    ),
    "azureFile": Volume.of(
        "azure-file", AzureFileVolumeSource(secret_name="azure-storage", share_name="reports")
    ),
    "cephfs": Volume.of(
        "cephfs",
        CephFsVolumeSource(
            monitors=("10.16.154.78:6789", "10.16.154.82:6789"),
            path="/shared",
            user="app",
            secret_ref=LocalObjectReference(name="ceph-secret"),
            read_only=True,
        ),
    ),
    "cinder": Volume.of("cinder", CinderVolumeSource(volume_id="bd82f7e2-wece-4c01-a505")),
    "configMap": Volume.config_map(
        "config",
        config_map_name="app-config",
        items={"app.properties": "app.properties"},
        default_mode=0o444,
    ),
    "csi": Volume.csi(
        "secrets-store",
        driver="secrets-store.csi.k8s.io",
        read_only=True,
        volume_attributes={"secretProviderClass": "vault-db"},
    ),
    "downwardAPI": Volume.downward_api(
        "podinfo",
        DownwardApiVolumeFile.field(path="labels", field_path="metadata.labels"),
        DownwardApiVolumeFile.resource(
            path="memory_limit", container_name="app", resource="limits.memory", divisor="1Mi"
        ),
    ),
    "emptyDir": Volume.empty_dir("cache", medium=StorageMedium.MEMORY, size_limit="64Mi"),
    "ephemeral": Volume.ephemeral("scratch", storage="1Gi", storage_class_name="fast-ssd"),
    "fc": Volume.of(
        "fc", FcVolumeSource.by_target(target_wwns=["500a0982991b8dc5"], lun=2, fs_type="ext4")
    ),
    "flexVolume": Volume.of(
        "flex",
        FlexVolumeSource(
            driver="example.com/lvm",
            fs_type="ext4",
            options={"volumeID": "vol1", "size": "1000m"},
        ),
    ),
    "flocker": Volume.of("flocker", FlockerVolumeSource(dataset_uuid="6a8e1c2e-91b4")),
    "gcePersistentDisk": Volume.of(
        "gce-pd", GcePersistentDiskVolumeSource(pd_name="my-data-disk", fs_type="ext4")
    ),
    "gitRepo": Volume.of(
        "git",
        GitRepoVolumeSource(
            repository="https://example.com/me/my-git-repository.git",
            revision="22f1d8406d464b0c0874075539c1f2e96c253775",
            directory=".",
        ),
    ),
    "glusterfs": Volume.of(
        "gluster", GlusterfsVolumeSource(endpoints="glusterfs-cluster", path="kube_vol")
    ),
    "hostPath": Volume.host_path("host-logs", path="/var/log", type=HostPathType.DIRECTORY),
    "image": Volume.image(
        "model",
        reference="registry.example.com/models/llm:1.2",
        pull_policy=PullPolicy.IF_NOT_PRESENT,
    ),
    "iscsi": Volume.of(
        "iscsi",
        IscsiVolumeSource(
            target_portal="10.0.2.15:3260",
            iqn="iqn.2001-04.com.example:storage.kube.sys1.xyz",
            lun=0,
            fs_type="ext4",
            read_only=True,
        ),
    ),
    "nfs": Volume.nfs("nfs", server="nfs.example.com", path="/var/nfs/general"),
    "persistentVolumeClaim": Volume.claim("data", claim_name="nfs-pvc"),
    "photonPersistentDisk": Volume.of(
        "photon", PhotonPersistentDiskVolumeSource(pd_id="d0b3f4c2", fs_type="ext4")
    ),
    "portworxVolume": Volume.of("px", PortworxVolumeSource(volume_id="pxvol", fs_type="ext4")),
    "projected": Volume.projected(
        "all-in-one",
        SecretProjection(
            name="mysecret", items=[KeyToPath(key="username", path="my-group/my-username")]
        ),
        ConfigMapProjection(
            name="myconfigmap", items=[KeyToPath(key="config", path="my-group/my-config")]
        ),
        DownwardApiProjection(
            items=[DownwardApiVolumeFile.field(path="name", field_path="metadata.name")]
        ),
        ServiceAccountTokenProjection(path="token", audience="vault", expiration_seconds=3600),
    ),
    "quobyte": Volume.of(
        "quobyte", QuobyteVolumeSource(registry="registry:7861", volume="testVolume")
    ),
    "rbd": Volume.of(
        "rbd",
        RbdVolumeSource(
            monitors=("10.16.154.78:6789",),
            image="foo",
            pool="kube",
            secret_ref=LocalObjectReference(name="ceph-secret"),
            fs_type="ext4",
        ),
    ),
    "scaleIO": Volume.of(
        "scaleio",
        ScaleIoVolumeSource(
            gateway="https://localhost:443/api",
            system="scaleio",
            protection_domain="sd0",
            storage_pool="sp1",
            storage_mode=ScaleIoStorageMode.THICK_PROVISIONED,
            volume_name="vol-0",
            secret_ref=LocalObjectReference(name="sio-secret"),
        ),
    ),
    "secret": Volume.secret("tls", secret_name="web-tls", default_mode=0o400),
    "storageos": Volume.of(
        "storageos", StorageOsVolumeSource(volume_name="redis-vol01", fs_type="ext4")
    ),
    "vsphereVolume": Volume.of(
        "vmdk",
        VsphereVirtualDiskVolumeSource(
            volume_path="[DatastoreName] volumes/myDisk", fs_type="ext4"
        ),
    ),
}

#: projections that exist only in later versions: key -> (volume, first version with it)
LATER_PROJECTIONS: dict[str, tuple[Volume, str]] = {
    "clusterTrustBundle": (
        Volume.projected(
            "trust",
            ClusterTrustBundleProjection(
                path="ca.pem",
                signer_name="example.com/my-signer",
                label_selector=LabelSelector.of({"example.com/trust": "root"}),
            ),
        ),
        "1.29",
    ),
    "podCertificate": (
        Volume.projected(
            "pod-cert",
            PodCertificateProjection(
                signer_name="example.com/pod-identity",
                key_type=PodCertificateKeyType.ED25519,
                credential_bundle_path="credentials.pem",
            ),
        ),
        "1.34",
    ),
}

#: PV key -> one PersistentVolume source of that type
PV_SOURCES: dict[str, PersistentVolumeSource] = {
    "awsElasticBlockStore": AwsElasticBlockStoreVolumeSource(volume_id="vol-0a1b2c3d4e5f67890"),
    "azureDisk": AzureDiskVolumeSource(
        disk_name="data-disk",
        disk_uri="/subscriptions/sub/resourceGroups/rg/providers/Microsoft.Compute/disks/data",
    ),
    "azureFile": AzureFilePersistentVolumeSource(
        secret_name="azure-storage", share_name="reports", secret_namespace="apps"
    ),
    "cephfs": CephFsPersistentVolumeSource(
        monitors=("10.16.154.78:6789",),
        secret_ref=SecretReference(name="ceph-secret", namespace="storage"),
    ),
    "cinder": CinderPersistentVolumeSource(
        volume_id="bd82f7e2", secret_ref=SecretReference(name="os", namespace="storage")
    ),
    "csi": CsiPersistentVolumeSource(
        driver="ebs.csi.aws.com",
        volume_handle="vol-0a1b2c3d4e5f67890",
        fs_type="ext4",
        node_stage_secret_ref=SecretReference(name="ebs-stage", namespace="kube-system"),
    ),
    "fc": FcVolumeSource.by_wwids(wwids=["3600508b400105e210000900000490000"]),
    "flexVolume": FlexPersistentVolumeSource(
        driver="example.com/lvm",
        secret_ref=SecretReference(name="lvm", namespace="storage"),
    ),
    "flocker": FlockerVolumeSource(dataset_uuid="6a8e1c2e-91b4"),
    "gcePersistentDisk": GcePersistentDiskVolumeSource(pd_name="my-data-disk", fs_type="ext4"),
    "glusterfs": GlusterfsPersistentVolumeSource(
        endpoints="glusterfs-cluster", path="kube_vol", endpoints_namespace="storage"
    ),
    "hostPath": HostPathVolumeSource(path="/mnt/data", type=HostPathType.DIRECTORY_OR_CREATE),
    "iscsi": IscsiPersistentVolumeSource(
        target_portal="10.0.2.15:3260",
        iqn="iqn.2001-04.com.example:storage.kube.sys1.xyz",
        lun=0,
        chap_auth_session=True,
        secret_ref=SecretReference(name="chap", namespace="storage"),
    ),
    "local": LocalVolumeSource(path="/mnt/disks/ssd1"),
    "nfs": NfsVolumeSource(server="nfs.example.com", path="/var/nfs/general"),
    "photonPersistentDisk": PhotonPersistentDiskVolumeSource(pd_id="d0b3f4c2"),
    "portworxVolume": PortworxVolumeSource(volume_id="pxvol"),
    "quobyte": QuobyteVolumeSource(registry="registry:7861", volume="testVolume"),
    "rbd": RbdPersistentVolumeSource(
        monitors=("10.16.154.78:6789",),
        image="foo",
        secret_ref=SecretReference(name="ceph-secret", namespace="storage"),
    ),
    "scaleIO": ScaleIoPersistentVolumeSource(
        gateway="https://localhost:443/api",
        system="scaleio",
        secret_ref=SecretReference(name="sio-secret", namespace="storage"),
    ),
    "storageos": StorageOsPersistentVolumeSource(
        volume_name="redis-vol01",
        secret_ref=ObjectReference(name="storageos", namespace="storage", kind="Secret"),
    ),
    "vsphereVolume": VsphereVirtualDiskVolumeSource(
        volume_path="[DatastoreName] volumes/myDisk", storage_policy_name="gold"
    ),
}


def pod(volume: Volume, *, name: str | None = None, **mount: Any) -> dict[str, Any]:
    """A minimal Pod that mounts ``volume`` at /mnt/<name> (mount options as keywords)."""
    mounted = volume.mount(f"/mnt/{volume.name}", **mount)
    return {
        "apiVersion": "v1",
        "kind": "Pod",
        "metadata": {"name": name or f"{volume.name}-pod", "namespace": "apps"},
        "spec": {
            "containers": [
                {
                    "name": "app",
                    "image": "registry.example.com/app:1.0",
                    "volumeMounts": [mounted.to_k8s()],
                }
            ],
            "volumes": [volume.to_k8s()],
        },
    }


def persistent_volume(name: str, source: PersistentVolumeSource) -> dict[str, Any]:
    """A minimal PersistentVolume with ``source`` (what the storage constructs render)."""
    spec: dict[str, Any] = {
        "capacity": {"storage": "10Gi"},
        "accessModes": [AccessMode.READ_WRITE_ONCE.value],
        "persistentVolumeReclaimPolicy": "Retain",
        source.k8s_key: source.to_k8s(),
    }
    if source.k8s_key == "local":
        spec["nodeAffinity"] = {
            "required": {
                "nodeSelectorTerms": [
                    {
                        "matchExpressions": [
                            {
                                "key": "kubernetes.io/hostname",
                                "operator": "In",
                                "values": ["node-1"],
                            }
                        ]
                    }
                ]
            }
        }
    return {
        "apiVersion": "v1",
        "kind": "PersistentVolume",
        "metadata": {"name": name},
        "spec": spec,
    }
