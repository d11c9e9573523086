"""Storage judged against the declared cluster: its StorageClasses and its CSI drivers."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from k8sdsl.cli import main

CLAIM = """\
apiVersion: v1
kind: PersistentVolumeClaim
metadata: {name: data, namespace: shop}
spec:
  storageClassName: CLASS
  accessModes: [ReadWriteOnce]
  resources: {requests: {storage: 1Gi}}
"""
EBS_PV = """\
apiVersion: v1
kind: PersistentVolume
metadata: {name: ebs}
spec:
  capacity: {storage: 5Gi}
  accessModes: [ReadWriteOnce]
  awsElasticBlockStore: {volumeID: vol-0123456789abcdef0, fsType: ext4}
"""
GLUSTER_PV = """\
apiVersion: v1
kind: PersistentVolume
metadata: {name: gluster}
spec:
  capacity: {storage: 5Gi}
  accessModes: [ReadWriteMany]
  glusterfs: {endpoints: gluster, path: vol}
"""


def check(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, text: str, cluster: str | None
) -> tuple[int, dict[str, Any]]:
    path = tmp_path / "objects.yaml"
    path.write_text(text)
    flags = []
    if cluster is not None:
        (tmp_path / "cluster.yaml").write_text(cluster)
        flags = ["--cluster", str(tmp_path / "cluster.yaml")]
    code = main(["check", "--format", "json", *flags, str(path)])
    found = json.loads(capsys.readouterr().out)["findings"]
    return code, {f["code"]: f for f in found}


def test_a_class_outside_the_app_is_a_warning_until_the_cluster_is_declared(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    code, found = check(capsys, tmp_path, CLAIM.replace("CLASS", "gp3"), None)
    assert code == 0 and found["storage/unknown-class"]["severity"] == "warning"
    assert "--cluster" in found["storage/unknown-class"]["hint"]


def test_a_declared_class_is_no_finding(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    code, found = check(capsys, tmp_path, CLAIM.replace("CLASS", "gp3"), "storageClasses: [gp3]")
    assert code == 0 and "storage/unknown-class" not in found


def test_a_class_the_declared_cluster_lacks_is_an_error(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    text = CLAIM.replace("CLASS", "standrd")
    code, found = check(capsys, tmp_path, text, "storageClasses: [gp3, standard]")
    assert code == 1
    unknown = found["storage/unknown-class"]
    assert unknown["severity"] == "error"
    assert "gp3, standard" in unknown["message"]
    assert unknown["hint"] == "did you mean 'standard'?"


def test_a_classless_claim_takes_the_declared_default(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    text = CLAIM.replace("  storageClassName: CLASS\n", "")
    _, found = check(capsys, tmp_path, text, None)
    assert "storage/unknown-class" in found
    _, found = check(capsys, tmp_path, text, "defaultStorageClass: gp3")
    assert "storage/unknown-class" not in found


def test_an_in_tree_type_is_served_by_csi_migration_when_its_driver_is_declared(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    code, found = check(capsys, tmp_path, EBS_PV, None)
    assert code == 1 and "volumes/removed-plugin" in found
    assert "declare it" in found["volumes/removed-plugin"]["hint"]
    code, found = check(capsys, tmp_path, EBS_PV, "csiDrivers: [ebs.csi.aws.com]")
    assert code == 0 and "volumes/removed-plugin" not in found
    migration = found["volumes/csi-migration"]
    assert migration["severity"] == "warning"
    assert "'ebs.csi.aws.com'" in migration["message"]


def test_a_type_without_migration_stays_an_error_whatever_is_installed(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    cluster = "csiDrivers: [ebs.csi.aws.com, pd.csi.storage.gke.io]"
    code, found = check(capsys, tmp_path, GLUSTER_PV, cluster)
    assert code == 1 and "volumes/removed-plugin" in found
    assert "volumes/csi-migration" not in found
