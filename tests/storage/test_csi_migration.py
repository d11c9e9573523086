"""migrated_to_csi: an in-tree source as the CSI source CSI migration makes of it (checked
against csi-translation-lib's translations by hand), and the gallery's cloud disks."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from k8sdsl import K8sDslError
from k8sdsl.storage import migrated_to_csi
from k8sdsl.volumes import (
    AwsElasticBlockStoreVolumeSource,
    AzureDataDiskCachingMode,
    AzureDiskVolumeSource,
    AzureFilePersistentVolumeSource,
    CinderVolumeSource,
    GcePersistentDiskVolumeSource,
    PortworxVolumeSource,
    VolumeSourceBase,
    VsphereVirtualDiskVolumeSource,
)

ROOT = Path(__file__).resolve().parents[2]
URI = "/subscriptions/s/resourceGroups/g/providers/Microsoft.Compute/disks/d"


@pytest.mark.parametrize(
    ("source", "zone", "expected"),
    [
        (
            AwsElasticBlockStoreVolumeSource(volume_id="aws://us-east-1a/vol-0abc", fs_type="xfs"),
            None,
            {
                "driver": "ebs.csi.aws.com",
                "volumeHandle": "vol-0abc",
                "fsType": "xfs",
                "volumeAttributes": {"partition": "0"},
            },
        ),
        (
            AwsElasticBlockStoreVolumeSource(volume_id="aws:///vol-0abc", partition=2),
            None,
            {
                "driver": "ebs.csi.aws.com",
                "volumeHandle": "vol-0abc",
                "volumeAttributes": {"partition": "2"},
            },
        ),
        (
            GcePersistentDiskVolumeSource(pd_name="data", read_only=True),
            "europe-west1-b",
            {
                "driver": "pd.csi.storage.gke.io",
                "volumeHandle": "projects/UNSPECIFIED/zones/europe-west1-b/disks/data",
                "readOnly": True,
                "volumeAttributes": {"partition": ""},
            },
        ),
        (
            AzureDiskVolumeSource(
                disk_name="d", disk_uri=URI, caching_mode=AzureDataDiskCachingMode.READ_ONLY
            ),
            None,
            {
                "driver": "disk.csi.azure.com",
                "volumeHandle": URI,
                "volumeAttributes": {"cachingMode": "ReadOnly"},
            },
        ),
        (
            CinderVolumeSource(volume_id="8b5ec1a2", fs_type="ext4"),
            None,
            {"driver": "cinder.csi.openstack.org", "volumeHandle": "8b5ec1a2", "fsType": "ext4"},
        ),
        (
            PortworxVolumeSource(volume_id="px-1"),
            None,
            {"driver": "pxd.portworx.com", "volumeHandle": "px-1"},
        ),
        (
            VsphereVirtualDiskVolumeSource(
                volume_path="[ds1] volumes/a.vmdk", storage_policy_name="gold"
            ),
            None,
            {
                "driver": "csi.vsphere.vmware.com",
                "volumeHandle": "[ds1] volumes/a.vmdk",
                "volumeAttributes": {"storagepolicyname": "gold"},
            },
        ),
    ],
)
def test_the_translation_of_each_type(
    source: VolumeSourceBase, zone: str | None, expected: dict[str, Any]
) -> None:
    assert migrated_to_csi(source, zone=zone).to_k8s() == expected


def test_a_gce_disk_without_a_zone_is_completed_by_the_driver() -> None:
    csi = migrated_to_csi(GcePersistentDiskVolumeSource(pd_name="data"))
    assert csi.volume_handle == "projects/UNSPECIFIED/zones/UNSPECIFIED/disks/data"


@pytest.mark.parametrize(
    ("source", "hint"),
    [
        (
            AzureFilePersistentVolumeSource(secret_name="s", share_name="share"),
            "write CsiPersistentVolumeSource",
        ),
        (AwsElasticBlockStoreVolumeSource(volume_id="aws://us-east-1a/disk-1"), "vol-"),
    ],
)
def test_what_cannot_be_translated_says_why(source: VolumeSourceBase, hint: str) -> None:
    with pytest.raises(K8sDslError) as caught:
        migrated_to_csi(source)
    [finding] = caught.value.findings
    assert finding.code == "storage/csi-migration"
    assert hint in finding.hint


def check(*args: str) -> list[dict[str, Any]]:
    out = subprocess.run(
        [sys.executable, "-m", "k8sdsl", "check", "--format", "json", *args],
        capture_output=True,
        text=True,
        cwd=ROOT,
    ).stdout
    found: list[dict[str, Any]] = json.loads(out)["findings"]
    return found


def test_the_gallery_cloud_disks_need_their_csi_drivers(tmp_path: Path) -> None:
    chart = ROOT / "dist" / "volume-gallery-csi-migration.k8s.yaml"
    header, body = chart.read_text().split("\n", 1)
    # synth recorded the drivers of the app's declared cluster: k8sdsl check dist/ uses them
    assert header.endswith("csi-drivers=disk.csi.azure.com,ebs.csi.aws.com,pd.csi.storage.gke.io")
    assert not [f for f in check(str(chart)) if f["severity"] == "error"]
    # the same objects with no record of the cluster
    plain = tmp_path / "plain.yaml"
    plain.write_text(body)
    bare = check(str(plain))
    removed = [f for f in bare if f["code"] == "volumes/removed-plugin"]
    # three pod volumes and three PVs use plugins no supported kubelet has
    assert len(removed) == 6
    cluster = tmp_path / "cluster.yaml"
    cluster.write_text("csiDrivers: [ebs.csi.aws.com, pd.csi.storage.gke.io, disk.csi.azure.com]\n")
    served = check("--cluster", str(cluster), str(plain))
    assert not [f for f in served if f["severity"] == "error"]
    migrated = [f for f in served if f["code"] == "volumes/csi-migration"]
    assert len(migrated) == 6
    # the CSI PVs that migrated_to_csi wrote depend on nothing in-tree
    assert not [f for f in migrated if "-csi" in f["obj"]["name"]]
