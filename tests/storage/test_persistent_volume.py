"""PersistentVolume: every factory pinned, cluster scope, and the plugin facts enforced."""

from __future__ import annotations

from typing import Any

import pytest

from k8sdsl import App, Chart, K8sDslError
from k8sdsl.storage import (
    NodeSelectorRequirement,
    PersistentVolume,
    PersistentVolumeClaim,
    PersistentVolumeSpec,
    ReclaimPolicy,
    StorageClass,
    VolumeNodeAffinity,
)
from k8sdsl.volumes import (
    AccessMode,
    AwsElasticBlockStoreVolumeSource,
    EmptyDirVolumeSource,
    HostPathType,
    HostPathVolumeSource,
    IscsiPersistentVolumeSource,
    LocalVolumeSource,
    NfsVolumeSource,
    ObjectReference,
    SecretReference,
    VolumeMode,
)
from tests.conftest import assert_schema_valid

RWO = AccessMode.READ_WRITE_ONCE
ROX = AccessMode.READ_ONLY_MANY
RWX = AccessMode.READ_WRITE_MANY


def _error(fn: Any) -> K8sDslError:
    with pytest.raises(K8sDslError) as info:
        fn()
    return info.value


def test_defaults_and_cluster_scope(chart: Chart, yaml_snapshot: Any) -> None:
    volume = PersistentVolume(
        chart,
        "lapv",
        source=NfsVolumeSource(server="10.0.0.5", path="/var/nfs/general"),
        capacity="1Gi",
        access_modes=[RWX],
    )
    obj = volume.to_k8s()
    assert chart.namespace == "default"
    assert "namespace" not in obj["metadata"]  # a PV is cluster-scoped
    assert obj["spec"]["persistentVolumeReclaimPolicy"] == "Retain"
    assert obj["spec"]["volumeMode"] == "Filesystem"
    assert "storageClassName" not in obj["spec"]
    assert [obj] == yaml_snapshot
    assert_schema_valid([volume])


def test_nfs_factory(chart: Chart, yaml_snapshot: Any) -> None:
    volume = PersistentVolume.nfs(
        chart,
        "lapv",
        server="nfs.example.com",
        path="/exports/data",
        capacity="10Gi",
        mount_options=["nfsvers=4.1", "hard"],
        read_only=True,
        storage_class="nfs",
        labels={"tier": "shared"},
    )
    spec = volume.to_k8s()["spec"]
    assert spec["accessModes"] == ["ReadWriteMany"]
    assert spec["nfs"] == {"server": "nfs.example.com", "path": "/exports/data", "readOnly": True}
    assert [volume.to_k8s()] == yaml_snapshot
    assert_schema_valid([volume])


def test_local_factory_sets_node_affinity(chart: Chart, yaml_snapshot: Any) -> None:
    local = StorageClass.for_local_volumes(chart, "local-ssd")
    volume = PersistentVolume.local(
        chart,
        "ssd-node-1",
        path="/mnt/disks/ssd1",
        node="node-1",
        capacity="100Gi",
        storage_class=local,
    )
    spec = volume.to_k8s()["spec"]
    assert spec["nodeAffinity"]["required"]["nodeSelectorTerms"] == [
        {
            "matchExpressions": [
                {"key": "kubernetes.io/hostname", "operator": "In", "values": ["node-1"]}
            ]
        }
    ]
    assert spec["storageClassName"] == "local-ssd"
    assert [volume.to_k8s()] == yaml_snapshot
    assert_schema_valid([volume])


def test_local_block_device(chart: Chart) -> None:
    volume = PersistentVolume.local(
        chart,
        "raw",
        path="/dev/nvme1n1",
        node="node-1",
        capacity="100Gi",
        storage_class="local-ssd",
        volume_mode=VolumeMode.BLOCK,
    )
    assert volume.to_k8s()["spec"]["volumeMode"] == "Block"


def test_host_path_factory(chart: Chart, yaml_snapshot: Any) -> None:
    volume = PersistentVolume.host_path(
        chart,
        "scratch",
        path="/tmp/data",
        type=HostPathType.DIRECTORY_OR_CREATE,
        capacity="1Gi",
        reclaim_policy=ReclaimPolicy.DELETE,
        node_affinity=VolumeNodeAffinity.hostname("kind-control-plane"),
    )
    assert [volume.to_k8s()] == yaml_snapshot
    assert_schema_valid([volume])


def test_csi_factory(chart: Chart, yaml_snapshot: Any) -> None:
    volume = PersistentVolume.csi(
        chart,
        "ebs-data",
        driver="ebs.csi.aws.com",
        volume_handle="vol-0123456789abcdef0",
        capacity="50Gi",
        fs_type="ext4",
        storage_class="gp3",
        access_modes=[AccessMode.READ_WRITE_ONCE_POD],
        node_affinity=VolumeNodeAffinity.zone("eu-west-1a"),
        volume_attributes={"encrypted": "true"},
        reclaim_policy=ReclaimPolicy.DELETE,
    )
    assert volume.to_k8s()["spec"]["csi"]["volumeHandle"] == "vol-0123456789abcdef0"
    assert [volume.to_k8s()] == yaml_snapshot
    assert_schema_valid([volume])


def test_every_field(chart: Chart, yaml_snapshot: Any) -> None:
    app_chart = Chart(chart.app, "apps", namespace="apps")
    claim = PersistentVolumeClaim(
        app_chart, "db", storage="20Gi", access_modes=[RWO], storage_class="iscsi"
    )
    volume = PersistentVolume(
        chart,
        "iscsi-1",
        name="iscsi-lun-1",
        source=IscsiPersistentVolumeSource(
            target_portal="10.0.0.9:3260",
            iqn="iqn.2001-04.com.example:storage.disk1",
            lun=1,
            fs_type="ext4",
            chap_auth_session=True,
            secret_ref=SecretReference(name="chap", namespace="storage"),
        ),
        capacity="20Gi",
        access_modes=[RWO, ROX],
        reclaim_policy=ReclaimPolicy.RETAIN,
        storage_class="iscsi",
        volume_mode=VolumeMode.FILESYSTEM,
        mount_options=["_netdev"],
        node_affinity=VolumeNodeAffinity.matching(
            NodeSelectorRequirement.exists("storage.example.com/iscsi"),
            NodeSelectorRequirement.not_in("node.kubernetes.io/instance-type", "t3.micro"),
        ),
        claim_ref=claim,
        volume_attributes_class_name="gold",
        labels={"tier": "block"},
        annotations={"example.com/owner": "storage-team"},
    )
    spec = volume.to_k8s()["spec"]
    assert spec["claimRef"] == {"name": "db", "namespace": "apps"}
    assert [volume.to_k8s()] == yaml_snapshot
    assert_schema_valid([volume], versions=["1.29", "1.33", "1.37"])


def test_reading_back(chart: Chart) -> None:
    volume = PersistentVolume.nfs(chart, "lapv", server="a", path="/x", capacity="1Gi")
    assert str(volume.capacity) == "1Gi"
    assert volume.access_modes == (RWX,)
    assert isinstance(volume.source, NfsVolumeSource)
    assert volume.storage_class_name is None


def test_claim_ref_needs_a_namespace(app: App) -> None:
    bare = Chart(app, "bare")
    claim = PersistentVolumeClaim(bare, "data", storage="1Gi", access_modes=[RWX])
    err = _error(
        lambda: PersistentVolume.nfs(
            bare, "lapv", server="a", path="/x", capacity="1Gi", claim_ref=claim
        )
    )
    assert err.codes == ["storage/claim-ref-namespace"]
    assert err.findings[0].path == "spec.claimRef.namespace"
    err = _error(
        lambda: PersistentVolume.nfs(
            bare,
            "lapv2",
            server="a",
            path="/x",
            capacity="1Gi",
            claim_ref=ObjectReference(name="data"),
        )
    )
    assert err.codes == ["storage/claim-ref-namespace"]


def test_a_namespace_argument_does_not_exist(chart: Chart) -> None:
    with pytest.raises(K8sDslError) as info:
        PersistentVolume.nfs(chart, "lapv", server="a", path="/x", capacity="1Gi", namespace="apps")  # type: ignore[call-arg]
    assert [(f.code, f.path) for f in info.value.findings] == [
        ("metadata/cluster-scoped", "metadata.namespace")
    ]


def test_ebs_with_read_write_many_is_an_error(chart: Chart) -> None:
    err = _error(
        lambda: PersistentVolume(
            chart,
            "disk",
            source=AwsElasticBlockStoreVolumeSource(volume_id="vol-1"),
            capacity="10Gi",
            access_modes=[RWX],
        )
    )
    (finding,) = err.findings
    assert finding.obj.source == "test/disk"
    assert finding.path == "access_modes"
    assert "awsElasticBlockStore volumes do not support ReadWriteMany" in finding.message
    assert "shared filesystem" in finding.hint


def test_read_write_once_pod_needs_csi_and_must_stand_alone(chart: Chart) -> None:
    err = _error(
        lambda: PersistentVolume.nfs(
            chart,
            "a",
            server="s",
            path="/x",
            capacity="1Gi",
            access_modes=[AccessMode.READ_WRITE_ONCE_POD],
        )
    )
    assert "only with CSI" in err.findings[0].hint
    err = _error(
        lambda: PersistentVolume.csi(
            chart,
            "b",
            driver="x.y",
            volume_handle="1",
            capacity="1Gi",
            access_modes=[AccessMode.READ_WRITE_ONCE_POD, RWO],
        )
    )
    assert "cannot be combined" in err.findings[0].message


def test_recycle_only_for_nfs_and_host_path(chart: Chart) -> None:
    nfs = PersistentVolume.nfs(
        chart, "ok", server="s", path="/x", capacity="1Gi", reclaim_policy=ReclaimPolicy.RECYCLE
    )
    assert nfs.to_k8s()["spec"]["persistentVolumeReclaimPolicy"] == "Recycle"
    err = _error(
        lambda: PersistentVolume.csi(
            chart,
            "csi",
            driver="x.y",
            volume_handle="1",
            capacity="1Gi",
            reclaim_policy=ReclaimPolicy.RECYCLE,
        )
    )
    assert err.findings[0].path == "persistent_volume_reclaim_policy"
    err = _error(
        lambda: PersistentVolume.host_path(
            chart, "root", path="/", capacity="1Gi", reclaim_policy=ReclaimPolicy.RECYCLE
        )
    )
    assert "root" in err.findings[0].message


def test_mount_options_on_a_plugin_without_them(chart: Chart) -> None:
    err = _error(
        lambda: PersistentVolume(
            chart,
            "hp",
            source=HostPathVolumeSource(path="/srv"),
            capacity="1Gi",
            access_modes=[RWO],
            mount_options=["ro"],
        )
    )
    assert err.findings[0].path == "mount_options"


@pytest.mark.parametrize("size", ["0", "-5Gi"])
def test_a_capacity_of_zero_or_less(chart: Chart, size: str) -> None:
    # validation.go: ValidatePositiveQuantityValue on spec.capacity
    err = _error(lambda: PersistentVolume.nfs(chart, "lapv", server="s", path="/x", capacity=size))
    assert [(f.code, f.path) for f in err.findings] == [("value/storage-size", "capacity.storage")]


def test_a_capacity_without_storage() -> None:
    with pytest.raises(K8sDslError) as info:
        PersistentVolumeSpec(
            source=NfsVolumeSource(server="s", path="/x"), capacity={}, access_modes=[RWX]
        )
    assert [(f.code, f.path) for f in info.value.findings] == [
        ("value/missing-storage", "capacity")
    ]


def test_local_takes_mount_options(chart: Chart) -> None:
    volume = PersistentVolume.local(
        chart,
        "ssd",
        path="/mnt/disks/ssd1",
        node="node-1",
        capacity="100Gi",
        storage_class="local-ssd",
        mount_options=["noatime"],
    )
    assert volume.to_k8s()["spec"]["mountOptions"] == ["noatime"]
    assert_schema_valid([volume])


def test_local_without_node_affinity(chart: Chart) -> None:
    err = _error(
        lambda: PersistentVolume(
            chart,
            "ssd",
            source=LocalVolumeSource(path="/mnt/ssd"),
            capacity="1Gi",
            access_modes=[RWO],
            storage_class="local",
        )
    )
    assert err.codes == ["value/node-affinity"]
    assert "PersistentVolume.local" in err.findings[0].hint


def test_a_pod_only_source_is_refused(chart: Chart) -> None:
    err = _error(
        lambda: PersistentVolume(
            chart, "tmp", source=EmptyDirVolumeSource(), capacity="1Gi", access_modes=[RWO]
        )
    )
    assert err.findings[0].path == "source"
    assert "allowed only in pods" in err.findings[0].hint


def test_factory_source_errors_carry_the_path_of_the_pv(chart: Chart) -> None:
    err = _error(
        lambda: PersistentVolume.nfs(chart, "lapv", server="", path="var/nfs", capacity="1Gi")
    )
    assert {f.obj.source for f in err.findings} == {"test/lapv"}
    assert {f.path for f in err.findings} == {"server", "path"}
    assert chart.node.find_child("lapv") is None


def test_the_notes_reclaim_policy_key_cannot_be_written() -> None:
    # persistent volume.yaml in the notes: "PersistentVolumeReclaimPolicy: Recycle"
    err = _error(
        lambda: PersistentVolumeSpec(
            source=NfsVolumeSource(server="10.0.0.5", path="/var/nfs/general"),
            capacity={"storage": "1Gi"},
            access_modes=[RWX],
            PersistentVolumeReclaimPolicy="Recycle",
        )
    )
    (finding,) = err.findings
    assert finding.path == "PersistentVolumeReclaimPolicy"
    assert finding.hint == "did you mean 'persistent_volume_reclaim_policy'?"


def test_the_notes_empty_nfs_server_cannot_be_written(chart: Chart) -> None:
    err = _error(
        lambda: PersistentVolume.nfs(
            chart, "lapv", server="", path="/var/nfs/general", capacity="1Gi"
        )
    )
    assert err.findings[0].path == "server"
