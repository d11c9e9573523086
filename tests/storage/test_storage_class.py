"""StorageClass: defaults, every field, the default-class annotation, and Recycle refused."""

from __future__ import annotations

from typing import Any

import pytest

from k8sdsl import Chart, K8sDslError
from k8sdsl.storage import (
    DEFAULT_CLASS_ANNOTATION,
    NO_PROVISIONER,
    ReclaimPolicy,
    StorageClass,
    StorageClassSpec,
    TopologySelectorTerm,
    VolumeBindingMode,
)
from tests.conftest import assert_schema_valid


def _error(fn: Any) -> K8sDslError:
    with pytest.raises(K8sDslError) as info:
        fn()
    return info.value


def test_defaults(chart: Chart, yaml_snapshot: Any) -> None:
    sc = StorageClass(chart, "gp3", provisioner="ebs.csi.aws.com")
    obj = sc.to_k8s()
    assert "namespace" not in obj["metadata"]  # cluster-scoped, whatever the chart says
    assert obj["reclaimPolicy"] == "Delete"
    assert obj["volumeBindingMode"] == "WaitForFirstConsumer"
    assert "allowVolumeExpansion" not in obj
    assert "annotations" not in obj["metadata"]
    assert [obj] == yaml_snapshot
    assert_schema_valid([sc])


def test_every_field(chart: Chart, yaml_snapshot: Any) -> None:
    sc = StorageClass(
        chart,
        "fast",
        name="fast-ssd",
        provisioner="ebs.csi.aws.com",
        parameters={"type": "gp3", "iops": "6000", "encrypted": "true"},
        reclaim_policy=ReclaimPolicy.RETAIN,
        volume_binding_mode=VolumeBindingMode.IMMEDIATE,
        allow_volume_expansion=True,
        mount_options=["noatime"],
        allowed_topologies=[TopologySelectorTerm.zones("eu-west-1a", "eu-west-1b")],
        default=True,
        labels={"tier": "fast"},
        annotations={"example.com/owner": "platform"},
    )
    obj = sc.to_k8s()
    assert obj["metadata"]["annotations"] == {
        DEFAULT_CLASS_ANNOTATION: "true",
        "example.com/owner": "platform",
    }
    assert sc.default is True
    assert sc.provisioner == "ebs.csi.aws.com"
    assert sc.volume_binding_mode is VolumeBindingMode.IMMEDIATE
    assert [obj] == yaml_snapshot
    assert_schema_valid([sc])


def test_for_local_volumes(chart: Chart, yaml_snapshot: Any) -> None:
    sc = StorageClass.for_local_volumes(chart, "local-ssd")
    obj = sc.to_k8s()
    assert obj["provisioner"] == NO_PROVISIONER
    assert obj["volumeBindingMode"] == "WaitForFirstConsumer"
    assert obj["reclaimPolicy"] == "Retain"
    assert [obj] == yaml_snapshot
    assert_schema_valid([sc])


def test_topology_by_labels() -> None:
    term = TopologySelectorTerm.labels({"topology.kubernetes.io/region": ["eu-west-1"]})
    assert term.to_k8s() == {
        "matchLabelExpressions": [{"key": "topology.kubernetes.io/region", "values": ["eu-west-1"]}]
    }


def test_recycle_is_refused_with_a_reason(chart: Chart) -> None:
    err = _error(
        lambda: StorageClass(
            chart, "old", provisioner="x.example.com", reclaim_policy=ReclaimPolicy.RECYCLE
        )
    )
    (finding,) = err.findings
    assert finding.obj.source == "test/old"
    assert finding.path == "reclaim_policy"
    assert "never Recycle" in finding.message


def test_a_bad_provisioner_name(chart: Chart) -> None:
    err = _error(lambda: StorageClass(chart, "bad", provisioner="ebs csi"))
    assert err.findings[0].path == "provisioner"
    assert "no-provisioner" in err.findings[0].hint


def test_an_uppercase_provisioner_is_accepted_like_the_api_server_does() -> None:
    # validation lower-cases the provisioner before checking it
    assert StorageClassSpec(provisioner="Example.com/NFS").provisioner == "Example.com/NFS"


def test_too_many_parameters() -> None:
    with pytest.raises(K8sDslError) as info:
        StorageClassSpec(provisioner="x.y", parameters={f"k{i}": "v" for i in range(513)})
    assert "at most 512" in info.value.findings[0].message


def test_topology_values_must_be_unique() -> None:
    with pytest.raises(K8sDslError):
        TopologySelectorTerm.zones("a", "a")


def test_the_notes_class_field_case_cannot_be_written() -> None:
    with pytest.raises(K8sDslError) as info:
        StorageClassSpec(provisioner="x.y", ReclaimPolicy="Delete")  # type: ignore[call-arg]
    assert info.value.findings[0].hint == "did you mean 'reclaim_policy'?"
