"""PersistentVolumeClaim: defaults, every field, unset vs "" class, and the notes' mistakes."""

from __future__ import annotations

from typing import Any

import pytest

from k8sdsl import Chart, K8sDslError, LabelSelector
from k8sdsl.storage import (
    NO_CLASS,
    PersistentVolume,
    PersistentVolumeClaim,
    StorageClass,
    volume_snapshot,
)
from k8sdsl.volumes import (
    AccessMode,
    PersistentVolumeClaimSpec,
    TypedObjectReference,
    VolumeMode,
)
from tests.conftest import assert_schema_valid

RWO = AccessMode.READ_WRITE_ONCE
RWX = AccessMode.READ_WRITE_MANY


def test_defaults(chart: Chart, yaml_snapshot: Any) -> None:
    claim = PersistentVolumeClaim(chart, "data", storage="1Gi", access_modes=[RWO])
    spec = claim.to_k8s()["spec"]
    assert "storageClassName" not in spec  # unset: the cluster's default class
    assert spec["volumeMode"] == "Filesystem"
    assert claim.to_k8s()["metadata"] == {"name": "data", "namespace": "default"}
    assert [claim.to_k8s()] == yaml_snapshot
    assert_schema_valid([claim])


def test_every_field(chart: Chart, yaml_snapshot: Any) -> None:
    fast = StorageClass(chart, "fast", provisioner="ebs.csi.aws.com")
    source = PersistentVolumeClaim(
        chart, "source", storage="1Gi", access_modes=[RWO], storage_class=fast
    )
    claim = PersistentVolumeClaim(
        chart,
        "data",
        name="data-copy",
        namespace="apps",
        storage="2Gi",
        storage_limit="4Gi",
        access_modes=[RWO],
        storage_class=fast,
        volume_mode=VolumeMode.BLOCK,
        selector={"tier": "fast"},
        volume="pv-0001",
        data_source=source,
        data_source_ref=TypedObjectReference(kind="PersistentVolumeClaim", name="source"),
        labels={"app.kubernetes.io/name": "db"},
        annotations={"example.com/owner": "team-a"},
    )
    spec = claim.to_k8s()["spec"]
    assert spec["storageClassName"] == "fast"
    assert spec["dataSource"] == {"kind": "PersistentVolumeClaim", "name": "source"}
    assert spec["resources"] == {"requests": {"storage": "2Gi"}, "limits": {"storage": "4Gi"}}
    assert [claim.to_k8s()] == yaml_snapshot
    assert_schema_valid([claim])


def test_volume_attributes_class_exists_from_1_29(chart: Chart) -> None:
    claim = PersistentVolumeClaim(
        chart, "data", storage="1Gi", access_modes=[RWO], volume_attributes_class_name="gold"
    )
    assert claim.to_k8s()["spec"]["volumeAttributesClassName"] == "gold"
    assert_schema_valid([claim], versions=["1.29", "1.34", "1.37"])


def test_unset_and_empty_class_are_kept_apart(chart: Chart) -> None:
    unset = PersistentVolumeClaim(chart, "a", storage="1Gi", access_modes=[RWO])
    empty = PersistentVolumeClaim(
        chart, "b", storage="1Gi", access_modes=[RWO], storage_class=NO_CLASS
    )
    named = PersistentVolumeClaim(
        chart, "c", storage="1Gi", access_modes=[RWO], storage_class="gp3"
    )
    assert unset.storage_class_name is None and "storageClassName" not in unset.to_k8s()["spec"]
    assert empty.storage_class_name == "" and empty.to_k8s()["spec"]["storageClassName"] == ""
    assert named.to_k8s()["spec"]["storageClassName"] == "gp3"


def test_pre_binding_to_a_persistent_volume(chart: Chart) -> None:
    volume = PersistentVolume.nfs(chart, "lapv", server="10.0.0.5", path="/srv", capacity="1Gi")
    claim = PersistentVolumeClaim(
        chart, "data", storage="1Gi", access_modes=[RWX], storage_class=NO_CLASS, volume=volume
    )
    assert claim.to_k8s()["spec"]["volumeName"] == "lapv"


def test_snapshot_data_source(chart: Chart) -> None:
    claim = PersistentVolumeClaim(
        chart, "restored", storage="1Gi", access_modes=[RWO], data_source=volume_snapshot("nightly")
    )
    assert claim.to_k8s()["spec"]["dataSource"] == {
        "apiGroup": "snapshot.storage.k8s.io",
        "kind": "VolumeSnapshot",
        "name": "nightly",
    }


def test_data_source_and_data_source_ref_must_agree(chart: Chart) -> None:
    err = _error(
        lambda: PersistentVolumeClaim(
            chart,
            "data",
            storage="1Gi",
            access_modes=[RWO],
            data_source=volume_snapshot("a"),
            data_source_ref=TypedObjectReference(
                api_group="snapshot.storage.k8s.io", kind="VolumeSnapshot", name="b"
            ),
        )
    )
    assert err.codes == ["storage/claim-data-source"]
    assert err.findings[0].path == "spec.dataSource"
    assert err.findings[0].obj.source == "test/data"


def test_a_core_group_data_source_must_be_a_claim(chart: Chart) -> None:
    from k8sdsl.volumes import TypedLocalObjectReference

    err = _error(
        lambda: PersistentVolumeClaim(
            chart,
            "data",
            storage="1Gi",
            access_modes=[RWO],
            data_source=TypedLocalObjectReference(kind="VolumeSnapshot", name="nightly"),
        )
    )
    assert err.findings[0].path == "spec.dataSource.kind"
    assert "snapshot.storage.k8s.io" in err.findings[0].hint


def test_selector_from_a_label_selector(chart: Chart) -> None:
    claim = PersistentVolumeClaim(
        chart, "data", storage="1Gi", access_modes=[RWO], selector=LabelSelector.of(tier="fast")
    )
    assert claim.to_k8s()["spec"]["selector"] == {"matchLabels": {"tier": "fast"}}


def test_volume_and_mount_name_the_claim(chart: Chart) -> None:
    claim = PersistentVolumeClaim(chart, "shared.data", storage="1Gi", access_modes=[RWX])
    assert claim.volume().to_k8s() == {
        "name": "shared-data",
        "persistentVolumeClaim": {"claimName": "shared.data"},
    }
    mount = claim.mount("/data", name="data", read_only=True)
    assert mount.to_k8s() == {"name": "data", "mountPath": "/data", "readOnly": True}
    assert mount.volume.to_k8s()["persistentVolumeClaim"] == {"claimName": "shared.data"}
    err = _error(lambda: claim.mount("data"))
    assert err.findings[0].obj.source == "test/shared.data"
    assert err.findings[0].path == "mount_path"


def test_reading_back(chart: Chart) -> None:
    claim = PersistentVolumeClaim(chart, "data", storage="1Gi", access_modes=[RWX])
    assert str(claim.storage) == "1Gi"
    assert claim.access_modes == (RWX,)
    assert claim.volume_mode is VolumeMode.FILESYSTEM


def _error(fn: Any) -> K8sDslError:
    with pytest.raises(K8sDslError) as info:
        fn()
    return info.value


def test_errors_name_the_construct_path_the_field_and_the_fix(chart: Chart) -> None:
    err = _error(lambda: PersistentVolumeClaim(chart, "data", storage="1 GB", access_modes=[RWO]))
    (finding,) = err.findings
    assert finding.obj.source == "test/data"
    assert finding.path == "resources.requests.storage"
    assert finding.hint == "use '1G'"


def test_no_access_mode_is_an_error(chart: Chart) -> None:
    err = _error(lambda: PersistentVolumeClaim(chart, "data", storage="1Gi", access_modes=[]))
    assert err.findings[0].path == "access_modes"


def test_read_write_once_pod_alone(chart: Chart) -> None:
    err = _error(
        lambda: PersistentVolumeClaim(
            chart, "data", storage="1Gi", access_modes=[AccessMode.READ_WRITE_ONCE_POD, RWO]
        )
    )
    assert "ReadWriteOncePod" in err.findings[0].message


def test_limit_below_request(chart: Chart) -> None:
    err = _error(
        lambda: PersistentVolumeClaim(
            chart, "data", storage="2Gi", storage_limit="1Gi", access_modes=[RWO]
        )
    )
    assert "below the request" in err.findings[0].message


@pytest.mark.parametrize("size", ["0", "-1Gi"])
def test_a_request_of_zero_or_less(chart: Chart, size: str) -> None:
    # validation.go: "spec.resources[storage]: Invalid value: must be greater than zero"
    err = _error(lambda: PersistentVolumeClaim(chart, "data", storage=size, access_modes=[RWO]))
    (finding,) = err.findings
    assert (finding.code, finding.path) == ("value/storage-size", "resources.requests.storage")
    assert finding.obj.source == "test/data"


def test_requests_without_storage_and_a_limit_is_an_error_not_a_crash() -> None:
    from k8sdsl.volumes import VolumeResourceRequirements

    with pytest.raises(K8sDslError) as info:
        VolumeResourceRequirements(requests={}, limits={"storage": "1Gi"})
    assert [(f.code, f.path) for f in info.value.findings] == [
        ("value/missing-storage", "requests")
    ]


def test_a_lone_access_mode_is_a_list_of_one(chart: Chart) -> None:
    # AccessMode is a str: it must not be taken apart into 13 one-letter "modes"
    claim = PersistentVolumeClaim(chart, "data", storage="1Gi", access_modes=RWO)  # type: ignore[arg-type]
    assert claim.to_k8s()["spec"]["accessModes"] == ["ReadWriteOnce"]
    err = _error(
        lambda: PersistentVolumeClaim(chart, "typo", storage="1Gi", access_modes="RWO")  # type: ignore[arg-type]
    )
    assert [f.path for f in err.findings] == ["access_modes[0]"]


def test_an_uppercase_class_name_is_rejected(chart: Chart) -> None:
    err = _error(
        lambda: PersistentVolumeClaim(
            chart, "data", storage="1Gi", access_modes=[RWO], storage_class="Fast"
        )
    )
    assert err.findings[0].path.startswith("storage_class_name")


def test_the_notes_request_keys_cannot_be_written(chart: Chart) -> None:
    # PVC.yaml in the notes: "Resources: Requests: Storage: 1Gi"
    with pytest.raises(K8sDslError) as info:
        PersistentVolumeClaimSpec(access_modes=[RWX], Resources={"Requests": {"Storage": "1Gi"}})
    hints = {f.path: f.hint for f in info.value.findings}
    assert hints["Resources"] == "did you mean 'resources'?"
    with pytest.raises(TypeError):
        PersistentVolumeClaim(chart, "x", Resources={})  # type: ignore[call-arg]
