"""Every storage rule: an input that triggers it, and one where it stays quiet.

Rules read dicts, so these are the verdicts ``k8sdsl check`` gives hand-written YAML.
"""

from __future__ import annotations

from typing import Any

from k8sdsl import Severity
from k8sdsl.rules import registered_rules
from tests.conftest import check_objects
from tests.storage.objects import RWO, RWOP, RWX, pod, pv, pvc, storage_class

LOCAL = {"local": {"path": "/mnt/disks/ssd1"}}
NODE_AFFINITY = {
    "required": {
        "nodeSelectorTerms": [
            {
                "matchExpressions": [
                    {"key": "kubernetes.io/hostname", "operator": "In", "values": ["node-1"]}
                ]
            }
        ]
    }
}


def run(rule_id: str, *objects: dict[str, Any]) -> Any:
    return check_objects(list(objects), only=[rule_id])


def only_finding(rule_id: str, *objects: dict[str, Any]) -> Any:
    report = run(rule_id, *objects)
    assert [f.code for f in report.findings] == [rule_id], report.format()
    return report.findings[0]


def test_every_storage_rule_has_a_docstring_and_a_summary() -> None:
    storage = [r for r in registered_rules() if r.topic == "storage"]
    assert len(storage) >= 22
    for info in storage:
        assert info.summary and info.func.__doc__, info.id


# -- storage/unbound-claim ---------------------------------------------------------------------


def test_unbound_claim_names_the_closest_pv_and_each_reason() -> None:
    finding = only_finding(
        "storage/unbound-claim",
        pv("lapv", modes=[RWO], capacity="1Gi"),
        pvc("nfs-pvc", modes=[RWX], request="5Gi"),
    )
    assert finding.severity is Severity.ERROR
    assert finding.obj.kind == "PersistentVolumeClaim" and finding.obj.name == "nfs-pvc"
    assert finding.path == "spec.accessModes"
    assert "the closest PV is 'lapv'" in finding.message
    assert "accessModes: the PV has ReadWriteOnce, the claim wants ReadWriteMany" in finding.message
    assert "capacity: the PV has 1Gi, the claim requests 5Gi" in finding.message
    assert "access modes" in finding.hint


def test_unbound_claim_without_any_pv() -> None:
    finding = only_finding("storage/unbound-claim", pvc("data"))
    assert "static binding only" in finding.message


def test_unbound_claim_quiet_when_bound_or_provisioned() -> None:
    assert not run("storage/unbound-claim", pv("lapv"), pvc("nfs-pvc")).findings
    assert not run("storage/unbound-claim", storage_class("fast"), pvc("d", cls="fast")).findings


# -- storage/default-class-trap ----------------------------------------------------------------


def test_default_class_trap_is_an_error_when_the_app_has_a_default_class() -> None:
    finding = only_finding(
        "storage/default-class-trap",
        storage_class("standard", default=True),
        pv("lapv"),
        pvc("nfs-pvc", cls=None),
    )
    assert finding.severity is Severity.ERROR
    assert finding.path == "spec.storageClassName"
    assert "default StorageClass 'standard'" in finding.message
    assert "never bind to PV 'lapv'" in finding.message
    assert 'storageClassName: ""' in finding.hint


def test_default_class_trap_is_a_warning_when_the_cluster_decides() -> None:
    finding = only_finding("storage/default-class-trap", pv("lapv"), pvc("nfs-pvc", cls=None))
    assert finding.severity is Severity.WARNING


def test_default_class_trap_quiet_with_an_explicit_class() -> None:
    objects = [storage_class("standard", default=True), pv("lapv"), pvc("nfs-pvc", cls="")]
    assert not run("storage/default-class-trap", *objects).findings
    # a claim without class and no class-less PV that would fit: nothing to trap
    assert not run(
        "storage/default-class-trap", storage_class("standard", default=True), pvc("d", cls=None)
    ).findings


# -- storage/dynamic-provisioning -------------------------------------------------------------


def test_dynamic_provisioning_says_which_class_and_when() -> None:
    finding = only_finding(
        "storage/dynamic-provisioning", storage_class("fast"), pvc("data", cls="fast")
    )
    assert finding.severity is Severity.INFO
    assert "StorageClass 'fast'" in finding.message
    assert "ebs.csi.aws.com" in finding.message
    assert "WaitForFirstConsumer" in finding.message


def test_dynamic_provisioning_quiet_for_static_claims() -> None:
    assert not run("storage/dynamic-provisioning", pv("lapv"), pvc("nfs-pvc")).findings


# -- storage/unknown-class ---------------------------------------------------------------------


def test_unknown_class_for_a_named_class_outside_the_app() -> None:
    finding = only_finding("storage/unknown-class", pvc("data", cls="gp3"))
    assert finding.severity is Severity.WARNING
    assert "'gp3' is not in the app" in finding.message


def test_unknown_class_for_an_unset_class_without_default() -> None:
    finding = only_finding("storage/unknown-class", pvc("data", cls=None))
    assert "no default StorageClass" in finding.message


def test_unknown_class_quiet_when_the_class_is_in_the_app() -> None:
    assert not run("storage/unknown-class", storage_class("gp3"), pvc("d", cls="gp3")).findings


# -- storage/competing-claims ----------------------------------------------------------------


def test_competing_claims_names_both_claims_and_the_pv() -> None:
    finding = only_finding("storage/competing-claims", pv("lapv"), pvc("first"), pvc("second"))
    assert finding.obj.name == "second"
    assert "apps/first and apps/second both match PV 'lapv'" in finding.message
    assert "stays Pending" in finding.message


def test_competing_claims_quiet_with_a_pv_each() -> None:
    objects = [pv("a"), pv("b"), pvc("first"), pvc("second")]
    assert not run("storage/competing-claims", *objects).findings


# -- storage/oversized-volume ----------------------------------------------------------------


def test_oversized_volume_is_a_note() -> None:
    finding = only_finding(
        "storage/oversized-volume", pv("lapv", capacity="10Gi"), pvc("data", request="1Gi")
    )
    assert finding.severity is Severity.INFO
    assert "requests 1Gi and gets the whole 10Gi of PV 'lapv'" in finding.message


def test_oversized_volume_quiet_on_an_exact_fit() -> None:
    assert not run("storage/oversized-volume", pv("lapv"), pvc("data")).findings


# -- storage/unreserved-prebinding -------------------------------------------------------------


def test_unreserved_prebinding() -> None:
    finding = only_finding(
        "storage/unreserved-prebinding", pv("lapv"), pvc("data", volumeName="lapv")
    )
    assert finding.path == "spec.volumeName"
    assert "claimRef {name: data, namespace: apps}" in finding.hint


def test_unreserved_prebinding_quiet_when_the_pv_reserves_the_claim() -> None:
    reserved = pv("lapv", claimRef={"name": "data", "namespace": "apps"})
    assert not run(
        "storage/unreserved-prebinding", reserved, pvc("data", volumeName="lapv")
    ).findings


# -- storage/dangling-claim-ref ----------------------------------------------------------------


def test_dangling_claim_ref_suggests_the_claim_meant() -> None:
    reserved = pv("lapv", claimRef={"name": "nfs-PVC", "namespace": "apps"})
    finding = only_finding("storage/dangling-claim-ref", reserved, pvc("nfs-pvc"))
    assert finding.severity is Severity.WARNING
    assert finding.hint == "did you mean 'nfs-pvc'?"


def test_claim_ref_without_namespace_is_an_error() -> None:
    finding = only_finding("storage/dangling-claim-ref", pv("lapv", claimRef={"name": "data"}))
    assert finding.severity is Severity.ERROR
    assert finding.path == "spec.claimRef.namespace"


def test_dangling_claim_ref_quiet_when_the_claim_exists() -> None:
    reserved = pv("lapv", claimRef={"name": "data", "namespace": "apps"})
    assert not run("storage/dangling-claim-ref", reserved, pvc("data")).findings


# -- storage/multiple-default-classes ----------------------------------------------------------


def test_multiple_default_classes() -> None:
    finding = only_finding(
        "storage/multiple-default-classes",
        storage_class("a", default=True),
        storage_class("b", default=True),
    )
    assert "'a', 'b'" in finding.message


def test_one_default_class_is_fine() -> None:
    objects = [storage_class("a", default=True), storage_class("b")]
    assert not run("storage/multiple-default-classes", *objects).findings


# -- storage/read-write-once-pod-exclusive ---------------------------------------------------


def test_read_write_once_pod_mixed_with_other_modes_on_pv_and_claim() -> None:
    report = run(
        "storage/read-write-once-pod-exclusive",
        pv("lapv", modes=[RWOP, RWO], source={"csi": {"driver": "x.y", "volumeHandle": "1"}}),
        pvc("data", modes=[RWOP, RWX]),
    )
    assert [f.obj.kind for f in report.findings] == ["PersistentVolume", "PersistentVolumeClaim"]
    assert all(f.severity is Severity.ERROR for f in report.findings)


def test_read_write_once_pod_alone_is_fine() -> None:
    assert not run("storage/read-write-once-pod-exclusive", pvc("data", modes=[RWOP])).findings


# -- storage/required-field ------------------------------------------------------------------


def test_required_fields_of_pv_and_claim() -> None:
    bare_pv = pv("lapv", modes=[], capacity=None, source={})
    bare_claim = pvc("data", modes=[], request=None)
    report = run("storage/required-field", bare_pv, bare_claim)
    assert sorted(f.path for f in report.findings) == [
        "spec",
        "spec.accessModes",
        "spec.accessModes",
        "spec.capacity.storage",
        "spec.resources.requests.storage",
    ]


def test_two_sources_on_one_pv() -> None:
    both = pv("lapv", source={"nfs": {"server": "a", "path": "/x"}, "hostPath": {"path": "/y"}})
    finding = only_finding("storage/required-field", both)
    assert "2 volume sources (nfs, hostPath)" in finding.message


def test_the_notes_pvc_with_capitalised_keys_requests_no_storage() -> None:
    notes = pvc("nfs-pvc", request=None, cls=None)
    notes["spec"]["Resources"] = {"Requests": {"Storage": "1Gi"}}
    finding = only_finding("storage/required-field", notes)
    assert finding.path == "spec.resources.requests.storage"


def test_a_size_of_zero_or_less_is_rejected() -> None:
    # validation.go: ValidatePositiveQuantityValue on capacity and request
    report = run("storage/required-field", pv("empty", capacity="0"), pvc("data", request="-1Gi"))
    assert sorted((f.path, f.severity) for f in report.findings) == [
        ("spec.capacity.storage", Severity.ERROR),
        ("spec.resources.requests.storage", Severity.ERROR),
    ]
    assert all("greater than zero" in f.message for f in report.findings)
    assert not run("storage/required-field", pv("odd", capacity="lots")).findings  # schema's


def test_required_fields_quiet_on_complete_objects() -> None:
    assert not run("storage/required-field", pv("lapv"), pvc("data")).findings


# -- storage/class-reclaim-policy --------------------------------------------------------------


def test_storage_class_cannot_recycle() -> None:
    finding = only_finding(
        "storage/class-reclaim-policy", storage_class("x", reclaimPolicy="Recycle")
    )
    assert finding.path == "reclaimPolicy"


def test_storage_class_retain_is_fine() -> None:
    assert not run(
        "storage/class-reclaim-policy", storage_class("x", reclaimPolicy="Retain")
    ).findings


# -- local volumes -----------------------------------------------------------------------------


def test_local_pv_without_node_affinity() -> None:
    finding = only_finding("storage/local-node-affinity", pv("ssd", modes=[RWO], source=LOCAL))
    assert finding.severity is Severity.ERROR
    assert finding.path == "spec.nodeAffinity"


def test_local_pv_with_node_affinity() -> None:
    ok = pv("ssd", modes=[RWO], source=LOCAL, nodeAffinity=NODE_AFFINITY)
    assert not run("storage/local-node-affinity", ok).findings
    assert not run("storage/local-node-affinity", pv("nfs")).findings


def test_local_pv_under_an_immediate_class() -> None:
    local = pv("ssd", modes=[RWO], cls="local", source=LOCAL, nodeAffinity=NODE_AFFINITY)
    finding = only_finding(
        "storage/local-immediate-binding",
        storage_class("local", provisioner="kubernetes.io/no-provisioner", binding=None),
        local,
    )
    assert finding.severity is Severity.WARNING
    assert "binds Immediately" in finding.message


def test_local_pv_without_class_binds_immediately() -> None:
    local = pv("ssd", modes=[RWO], cls="", source=LOCAL, nodeAffinity=NODE_AFFINITY)
    finding = only_finding("storage/local-immediate-binding", local)
    assert "has no class" in finding.message


def test_local_pv_under_a_wait_for_first_consumer_class() -> None:
    local = pv("ssd", modes=[RWO], cls="local", source=LOCAL, nodeAffinity=NODE_AFFINITY)
    wait = storage_class("local", provisioner="kubernetes.io/no-provisioner")
    assert not run("storage/local-immediate-binding", wait, local).findings
    # a class outside the app: nothing to judge
    assert not run("storage/local-immediate-binding", local).findings


# -- storage/missing-claim ---------------------------------------------------------------------


def test_the_notes_claim_name_in_the_wrong_case() -> None:
    finding = only_finding("storage/missing-claim", pvc("nfs-pvc"), pod("nfs-pod", "nfs-PVC"))
    assert finding.obj.kind == "Pod"
    assert finding.path == "spec.volumes[0].persistentVolumeClaim.claimName"
    assert finding.hint == "did you mean 'nfs-pvc'?"


def test_a_claim_of_another_namespace_is_missing_too() -> None:
    finding = only_finding(
        "storage/missing-claim", pvc("data", namespace="other"), pod("web", "data")
    )
    assert "namespace 'other'" in finding.hint


def test_missing_claim_in_a_workload_template() -> None:
    finding = only_finding("storage/missing-claim", pod("web", "nothing", kind="Deployment"))
    assert finding.path == "spec.template.spec.volumes[0].persistentVolumeClaim.claimName"


def test_missing_claim_quiet_when_the_claim_exists() -> None:
    assert not run("storage/missing-claim", pvc("nfs-pvc"), pod("nfs-pod", "nfs-pvc")).findings


# -- catalog rules -----------------------------------------------------------------------------


def test_ebs_with_read_write_many() -> None:
    ebs = pv("disk", modes=[RWX], source={"awsElasticBlockStore": {"volumeID": "vol-1"}})
    finding = only_finding("storage/access-mode-unsupported", ebs)
    assert finding.severity is Severity.ERROR
    assert "awsElasticBlockStore volume, which does not support ReadWriteMany" in finding.message


def test_read_write_once_pod_outside_csi() -> None:
    finding = only_finding("storage/access-mode-unsupported", pv("nfs", modes=[RWOP]))
    assert "only with CSI" in finding.hint


def test_supported_and_driver_dependent_modes_are_fine() -> None:
    csi = pv("c", modes=[RWX], source={"csi": {"driver": "x.y", "volumeHandle": "1"}})
    assert not run("storage/access-mode-unsupported", pv("nfs", modes=[RWX]), csi).findings


def test_recycle_outside_nfs_and_host_path() -> None:
    ebs = pv(
        "disk",
        modes=[RWO],
        source={"awsElasticBlockStore": {"volumeID": "v"}},
        persistentVolumeReclaimPolicy="Recycle",
    )
    finding = only_finding("storage/recycle-unsupported", ebs)
    assert "only nfs and hostPath support Recycle" in finding.message


def test_recycle_of_the_root_host_path() -> None:
    root = pv(
        "root",
        modes=[RWO],
        source={"hostPath": {"path": "/"}},
        persistentVolumeReclaimPolicy="Recycle",
    )
    assert "root" in only_finding("storage/recycle-unsupported", root).message


def test_recycle_on_nfs_is_supported_but_deprecated() -> None:
    nfs = pv("lapv", persistentVolumeReclaimPolicy="Recycle")
    assert not run("storage/recycle-unsupported", nfs).findings
    finding = only_finding("storage/recycle-deprecated", nfs)
    assert finding.severity is Severity.WARNING


def test_retain_is_not_deprecated() -> None:
    assert not run(
        "storage/recycle-deprecated", pv("lapv", persistentVolumeReclaimPolicy="Retain")
    ).findings


def test_mount_options_on_host_path() -> None:
    hp = pv("hp", modes=[RWO], source={"hostPath": {"path": "/srv"}}, mountOptions=["ro"])
    finding = only_finding("storage/mount-options-unsupported", hp)
    assert finding.path == "spec.mountOptions"


def test_mount_options_on_nfs() -> None:
    assert not run(
        "storage/mount-options-unsupported", pv("n", mountOptions=["nfsvers=4.1"])
    ).findings


def test_mount_options_on_a_local_pv() -> None:
    # the kubelet's local plugin takes mount options (SupportsMountOption is true)
    local = pv(
        "ssd", modes=[RWO], source=LOCAL, nodeAffinity=NODE_AFFINITY, mountOptions=["noatime"]
    )
    assert not run("storage/mount-options-unsupported", local).findings


# -- storage/claim-data-source -----------------------------------------------------------------


def test_claim_data_sources_that_disagree() -> None:
    claim = pvc(
        "data",
        dataSource={"kind": "PersistentVolumeClaim", "name": "a"},
        dataSourceRef={"kind": "PersistentVolumeClaim", "name": "b"},
    )
    finding = only_finding("storage/claim-data-source", claim)
    assert finding.path == "spec.dataSource"


def test_claim_data_source_next_to_a_cross_namespace_ref() -> None:
    claim = pvc(
        "data",
        dataSource={"kind": "PersistentVolumeClaim", "name": "a"},
        dataSourceRef={"kind": "PersistentVolumeClaim", "name": "a", "namespace": "x"},
    )
    assert "namespace" in only_finding("storage/claim-data-source", claim).message


def test_claim_data_sources_that_agree() -> None:
    snap = {"apiGroup": "snapshot.storage.k8s.io", "kind": "VolumeSnapshot", "name": "a"}
    claim = pvc("data", dataSource=snap, dataSourceRef=dict(snap))
    assert not run("storage/claim-data-source", claim).findings


# -- storage/delete-unsupported ----------------------------------------------------------------


def test_delete_on_nfs_leaves_a_failed_pv() -> None:
    finding = only_finding(
        "storage/delete-unsupported", pv("lapv", persistentVolumeReclaimPolicy="Delete")
    )
    assert finding.severity is Severity.WARNING
    assert "nfs volume, which Kubernetes cannot delete" in finding.message


def test_delete_where_a_deleter_exists() -> None:
    csi = pv(
        "c",
        modes=[RWO],
        source={"csi": {"driver": "x.y", "volumeHandle": "1"}},
        persistentVolumeReclaimPolicy="Delete",
    )
    tmp = pv(
        "t",
        modes=[RWO],
        source={"hostPath": {"path": "/tmp/data"}},
        persistentVolumeReclaimPolicy="Delete",
    )
    assert not run("storage/delete-unsupported", csi, tmp).findings
    srv = pv(
        "s",
        modes=[RWO],
        source={"hostPath": {"path": "/srv/data"}},
        persistentVolumeReclaimPolicy="Delete",
    )
    assert run("storage/delete-unsupported", srv).codes() == ["storage/delete-unsupported"]


# -- storage/waiting-for-consumer ------------------------------------------------------------


def test_a_delayed_claim_without_a_pod_waits() -> None:
    finding = only_finding(
        "storage/waiting-for-consumer", storage_class("fast"), pvc("data", cls="fast")
    )
    assert finding.severity is Severity.INFO
    assert "stays Pending until one does" in finding.message


def test_a_delayed_claim_with_a_pod_or_an_immediate_class() -> None:
    used = [storage_class("fast"), pvc("data", cls="fast"), pod("web", "data")]
    assert not run("storage/waiting-for-consumer", *used).findings
    in_template = [
        storage_class("fast"),
        pvc("data", cls="fast"),
        pod("web", "data", kind="Deployment"),
    ]
    assert not run("storage/waiting-for-consumer", *in_template).findings
    immediate = [storage_class("fast", binding="Immediate"), pvc("data", cls="fast")]
    assert not run("storage/waiting-for-consumer", *immediate).findings


# -- storage/volume-attributes-class-gate --------------------------------------------------------


def test_volume_attributes_class_before_the_gate_is_on_by_default() -> None:
    claim = pvc("data", volumeAttributesClassName="gold")
    volume = pv("lapv", volumeAttributesClassName="gold")
    report = check_objects([claim, volume], "1.33", only=["storage/volume-attributes-class-gate"])
    assert sorted((f.obj.kind, f.severity, f.path) for f in report.findings) == [
        ("PersistentVolume", Severity.WARNING, "spec.volumeAttributesClassName"),
        ("PersistentVolumeClaim", Severity.WARNING, "spec.volumeAttributesClassName"),
    ]
    assert "drops" in report.findings[0].message
    assert "VolumeAttributesClass=true" in report.findings[0].hint


def test_volume_attributes_class_quiet_from_1_34_or_when_unset() -> None:
    gold = pvc("data", volumeAttributesClassName="gold")
    rule = ["storage/volume-attributes-class-gate"]
    assert not check_objects([gold], "1.34", only=rule).findings
    assert not check_objects([pvc("data"), pv("lapv")], "1.29", only=rule).findings


# -- malformed YAML ----------------------------------------------------------------------------


def test_rules_do_not_crash_on_malformed_yaml() -> None:
    """``k8sdsl check`` reads anyone's YAML: lists where maps belong, numbers where lists
    belong, odd keys. The storage rules report what they can and never fail."""
    odd_volumes = pod("p", "data")
    odd_volumes["spec"]["volumes"] = 3
    odd_template = pod("w", "data", kind="Deployment")
    odd_template["spec"]["template"]["spec"]["volumes"] = {"name": "v0"}
    objects: list[dict[str, Any]] = [
        odd_volumes,
        odd_template,
        pv("a", modes=[{"mode": RWX}], capacity="lots", source={"nfs": "10.0.0.5:/x"}),  # type: ignore[list-item]
        pv("b", source={"hostPath": {"path": ["/tmp/x"]}}, persistentVolumeReclaimPolicy="Delete"),
        pv("c", claimRef={"name": ["data"], "namespace": {}}, mountOptions="ro"),
        pvc("data", modes=[RWX], selector={"matchLabels": ["a"]}, volumeName=7),
        pvc("other", resources={"requests": ["1Gi"]}, dataSource={"kind": ["x"]}),
        {"apiVersion": "v1", "kind": "PersistentVolumeClaim", "metadata": [], "spec": []},
        {"apiVersion": "storage.k8s.io/v1", "kind": "StorageClass", "metadata": {"name": "x",
         "annotations": ["a"]}, "reclaimPolicy": ["Recycle"], "volumeBindingMode": {}},
    ]  # fmt: skip
    ids = [r.id for r in registered_rules() if r.topic == "storage"]
    report = check_objects(objects, only=ids)
    assert "internal/rule-failed" not in report.codes(), report.format()
