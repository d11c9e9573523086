"""The catalog says what the reference says: where each type is allowed, its lifecycle, its
CSI driver, access modes and reclaim support."""

from __future__ import annotations

import pytest

from k8sdsl.core import K8sDslError, K8sVersion
from k8sdsl.volumes import CATALOG, PROJECTION_CATALOG, AccessMode, volume_facts

RWO, ROX, RWX, RWOP = (
    AccessMode.READ_WRITE_ONCE,
    AccessMode.READ_ONLY_MANY,
    AccessMode.READ_WRITE_MANY,
    AccessMode.READ_WRITE_ONCE_POD,
)

# key: (pod, pv, deprecated, removed, csi driver) from the reference's table
LIFECYCLE = {
    "awsElasticBlockStore": (True, True, "1.19", "1.27", "ebs.csi.aws.com"),
    "azureDisk": (True, True, "1.19", "1.27", "disk.csi.azure.com"),
    "azureFile": (True, True, "1.21", "1.30", "file.csi.azure.com"),
    "cephfs": (True, True, "1.28", "1.31", None),
    "csi": (True, True, None, None, None),
    "downwardAPI": (True, False, None, None, None),
    "emptyDir": (True, False, None, None, None),
    "fc": (True, True, None, None, None),
    "flocker": (True, True, "1.22", "1.25", None),
    "gcePersistentDisk": (True, True, "1.17", "1.28", "pd.csi.storage.gke.io"),
    "gitRepo": (True, False, "1.11", "1.33", None),
    "glusterfs": (True, True, "1.25", "1.26", None),
    "hostPath": (True, True, None, None, None),
    "iscsi": (True, True, None, None, None),
    "local": (False, True, None, None, None),
    "nfs": (True, True, None, None, None),
    "persistentVolumeClaim": (True, False, None, None, None),
    "projected": (True, False, None, None, None),
    "portworxVolume": (True, True, "1.25", "1.36", "pxd.portworx.com"),
    "rbd": (True, True, "1.28", "1.31", None),
    "scaleIO": (True, True, "1.16", "1.22", None),
    "secret": (True, False, None, None, None),
    "storageos": (True, True, "1.22", "1.25", None),
    "vsphereVolume": (True, True, "1.19", "1.30", "csi.vsphere.vmware.com"),
    "flexVolume": (True, True, "1.23", None, None),
    "configMap": (True, False, None, None, None),
    "ephemeral": (True, False, None, None, None),
    "image": (True, False, None, None, None),
    "cinder": (True, True, "1.11", "1.26", "cinder.csi.openstack.org"),
    "quobyte": (True, True, "1.22", "1.25", None),
    "photonPersistentDisk": (True, True, None, "1.16", None),
}


def test_the_table_covers_every_key() -> None:
    assert set(LIFECYCLE) == set(CATALOG)


@pytest.mark.parametrize("key", sorted(LIFECYCLE))
def test_lifecycle(key: str) -> None:
    pod, pv, deprecated, removed, driver = LIFECYCLE[key]
    facts = volume_facts(key)
    assert (facts.pod, facts.pv, facts.csi_driver) == (pod, pv, driver)
    assert facts.deprecated_in == (K8sVersion(deprecated) if deprecated else None)
    assert facts.removed_in == (K8sVersion(removed) if removed else None)


@pytest.mark.parametrize("key", sorted(k for k, f in CATALOG.items() if f.removed_in))
def test_removed_types_without_migration_name_a_replacement(key: str) -> None:
    facts = CATALOG[key]
    assert facts.csi_driver or facts.replacement
    assert facts.removal_hint()


def test_access_modes_per_plugin() -> None:
    assert CATALOG["awsElasticBlockStore"].pv_access_modes == {RWO}
    assert CATALOG["nfs"].pv_access_modes == {RWO, ROX, RWX}
    assert CATALOG["gcePersistentDisk"].pv_access_modes == {RWO, ROX}
    assert CATALOG["portworxVolume"].pv_access_modes == {RWO, RWX}
    assert CATALOG["hostPath"].pv_access_modes == {RWO}


def test_read_write_once_pod_is_csi_only() -> None:
    for key, facts in CATALOG.items():
        expected = None if key == "csi" else False
        assert facts.supports_access_mode(RWOP) is expected, key


def test_supports_access_mode_is_three_valued() -> None:
    assert CATALOG["awsElasticBlockStore"].supports_access_mode(RWX) is False
    assert CATALOG["nfs"].supports_access_mode(RWX) is True
    assert CATALOG["flexVolume"].supports_access_mode(RWX) is None
    assert CATALOG["vsphereVolume"].supports_access_mode(RWX) is None


def test_pod_only_types_have_no_access_modes() -> None:
    for facts in CATALOG.values():
        if not facts.pv:
            assert not facts.pv_access_modes and not facts.pv_access_modes_driver_dependent


def test_only_nfs_and_host_path_recycle() -> None:
    assert {k for k, f in CATALOG.items() if f.recycle} == {"nfs", "hostPath"}


def test_delete_support() -> None:
    deletes = {k for k, f in CATALOG.items() if f.delete}
    assert {"awsElasticBlockStore", "gcePersistentDisk", "azureDisk", "cinder", "csi"} <= deletes
    assert not deletes & {"nfs", "hostPath", "local", "iscsi", "fc", "cephfs"}


def test_mount_options_follow_the_kubelet_plugins() -> None:
    """``SupportsMountOption`` of each in-tree plugin (pkg/volume/*): the kubelet refuses a
    PV with mountOptions when it is false."""
    assert {k for k, f in CATALOG.items() if f.mount_options} == {
        "awsElasticBlockStore", "azureDisk", "azureFile", "cephfs", "cinder", "csi",
        "gcePersistentDisk", "glusterfs", "iscsi", "local", "nfs", "quobyte", "rbd",
        "vsphereVolume",
    }  # fmt: skip


def test_always_read_only_types() -> None:
    assert {k for k, f in CATALOG.items() if f.always_read_only} == {
        "configMap", "secret", "downwardAPI", "projected", "image",
    }  # fmt: skip


def test_version_helpers() -> None:
    ebs = CATALOG["awsElasticBlockStore"]
    assert not ebs.is_removed("1.26") and ebs.is_removed("1.27") and ebs.is_removed("1.35")
    assert ebs.is_deprecated("1.19") and not ebs.is_deprecated("1.18")
    assert not CATALOG["nfs"].is_removed("1.37")


def test_feature_gates() -> None:
    image = CATALOG["image"]
    assert image.added_in == "1.31"
    assert image.feature_gate is not None
    assert not image.feature_gate.enabled_by_default("1.34")
    assert image.feature_gate.enabled_by_default("1.35")
    bundle = PROJECTION_CATALOG["clusterTrustBundle"].feature_gate
    assert bundle is not None and bundle.enabled_by_default("1.37")
    certificate = PROJECTION_CATALOG["podCertificate"].feature_gate
    assert certificate is not None and not certificate.enabled_by_default("1.37")


def test_catalog_is_read_only() -> None:
    with pytest.raises(TypeError):
        CATALOG["nfs"] = CATALOG["hostPath"]  # type: ignore[index]
    with pytest.raises(AttributeError):
        CATALOG["nfs"].recycle = False  # type: ignore[misc]


def test_unknown_key_suggests_the_right_one() -> None:
    with pytest.raises(K8sDslError) as exc:
        volume_facts("emptydir")
    (finding,) = exc.value.findings
    assert finding.code == "volumes/unknown-type"
    assert finding.hint == "did you mean 'emptyDir'?"


def _table_rows() -> list[str]:
    from k8sdsl.volumes import PERSISTENT_VOLUME_SOURCE_TYPES, POD_SOURCE_TYPES

    pod = {t.k8s_key: t.__name__ for t in POD_SOURCE_TYPES}
    pv = {t.k8s_key: t.__name__ for t in PERSISTENT_VOLUME_SOURCE_TYPES}
    short = {RWO: "RWO", ROX: "ROX", RWX: "RWX", RWOP: "RWOP"}
    rows = []
    for key in sorted(CATALOG, key=str.lower):
        f = CATALOG[key]
        modes = [short[m] for m in AccessMode if m in f.pv_access_modes] + [
            short[m] + "?" for m in AccessMode if m in f.pv_access_modes_driver_dependent
        ]
        cells = [
            f"`{key}`",
            f"`{pod[key]}`" if key in pod else "–",
            f"`{pv[key]}`" if key in pv else "–",
            str(f.deprecated_in or "–"),
            str(f.removed_in or "–"),
            f"`{f.csi_driver}`" if f.csi_driver else "–",
            " ".join(modes) or "–",
            "✓" if f.recycle else "–",
            "✓" if f.delete else "–",
        ]
        rows.append("| " + " | ".join(cells) + " |")
    return rows


def test_the_docs_table_is_the_catalog() -> None:
    from pathlib import Path

    doc = (Path(__file__).parents[2] / "docs" / "volumes.md").read_text().splitlines()
    start = doc.index(
        "| key | pod value | PersistentVolume value | deprecated | removed | CSI driver "
        "| PV access modes | Recycle | Delete |"
    )
    table = [line for line in doc[start + 2 :] if line.startswith("| `")]
    table = table[: len(CATALOG)]
    assert table == _table_rows()
