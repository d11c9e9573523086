"""Wrong failures on YAML the API accepts: unknown keys read as volume types, a hostPath PV
that many pods on one node read."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from k8sdsl.cli import main


def check(capsys: pytest.CaptureFixture[str], tmp_path: Path, text: str) -> list[dict[str, Any]]:
    path = tmp_path / "objects.yaml"
    path.write_text(text)
    main(["check", "--format", "json", str(path)])
    found: list[dict[str, Any]] = json.loads(capsys.readouterr().out)["findings"]
    return found


POD = """\
apiVersion: v1
kind: Pod
metadata: {name: disk, namespace: apps}
spec:
  containers: [{name: app, image: registry.example.com/app:1.0}]
  volumes:
    - name: data
      VOLUME
"""


@pytest.mark.parametrize("typo", ["pdName: {}", "PersistentVolumeClaim: {claimName: data}"])
def test_an_unknown_key_is_not_a_volume_type(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, typo: str
) -> None:
    found = check(capsys, tmp_path, POD.replace("VOLUME", typo))
    assert [f for f in found if f["code"] == "pod-security/volume-types"] == []
    # the schema names the unknown key instead
    assert any(f["code"].startswith("schema/") for f in found)


def test_a_real_volume_type_is_still_judged(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    found = check(capsys, tmp_path, POD.replace("VOLUME", "hostPath: {path: /data}"))
    hits = [f for f in found if f["code"] == "pod-security/volume-types"]
    assert [f["path"] for f in hits] == ["spec.volumes[0].hostPath"]


PV = """\
apiVersion: v1
kind: PersistentVolume
metadata: {name: local-data}
spec:
  capacity: {storage: 1Gi}
  accessModes: [MODES]
  hostPath: {path: /srv/data}
"""


@pytest.mark.parametrize(
    ("modes", "severities"),
    [
        ("ReadWriteOnce", []),
        ("ReadOnlyMany", ["warning"]),
        ("ReadWriteMany", ["warning"]),
        ("ReadWriteOncePod", ["error"]),
    ],
)
def test_hostpath_access_modes(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, modes: str, severities: list[str]
) -> None:
    found = check(capsys, tmp_path, PV.replace("MODES", modes))
    hits = [f for f in found if f["code"] == "storage/access-mode-unsupported"]
    assert [f["severity"] for f in hits] == severities


# -- look through typos ------------------------------------------------------------------------

NOTES_PV = """\
apiVersion: v1
kind: PersistentVolume
metadata: {name: nfs-pv}
spec:
  capacity: {storage: 1Gi}
  accessModes: [ReadWriteMany]
  PersistentVolumeReclaimPolicy: Recycle
  nfs: {server: nfs.example.com, path: /exports}
"""
NOTES_POD = """\
apiVersion: v1
kind: Pod
metadata: {name: app, namespace: default}
spec:
  containers:
    - name: app
      image: registry.example.com/app:1.0
      volumeMounts: [{name: data, mountPath: /data}]
  volumes:
    - name: data
      PersistentVolumeClaim: {claimName: CLAIM}
"""


def test_a_case_typo_does_not_hide_the_rules_on_its_field(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    found = check(capsys, tmp_path, NOTES_PV)
    by_code = {f["code"]: f for f in found}
    assert by_code["schema/unknown-field"]["path"] == "spec.PersistentVolumeReclaimPolicy"
    recycle = by_code["storage/recycle-deprecated"]
    # the finding points at the key as written, on its line, and says how it was read
    assert recycle["path"] == "spec.PersistentVolumeReclaimPolicy"
    assert recycle["obj"]["source"].endswith(":7")
    assert (
        "read as if 'PersistentVolumeReclaimPolicy' were 'persistentVolumeReclaimPolicy'"
        in (recycle["message"])
    )


@pytest.mark.parametrize(
    ("claim", "severity", "hint"),
    [
        ("nfs-PVC", "error", "claim names are lowercase: 'nfs-pvc'"),
        ("nfs-pvc", "warning", "add the PersistentVolumeClaim to the app, or fix claimName"),
    ],
)
def test_the_notes_claim_typo_shows_the_claim_problem(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, claim: str, severity: str, hint: str
) -> None:
    found = check(capsys, tmp_path, NOTES_POD.replace("CLAIM", claim))
    missing = [f for f in found if f["code"] == "storage/missing-claim"]
    assert [(f["severity"], f["hint"]) for f in missing] == [(severity, hint)]
    assert missing[0]["path"] == "spec.volumes[0].PersistentVolumeClaim.claimName"
    # read as the claim it means, the volume has a source (no volumes/missing-source)
    assert "volumes/missing-source" not in {f["code"] for f in found}


def test_an_ambiguous_or_unknown_key_is_not_read_as_anything(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    text = NOTES_PV.replace("PersistentVolumeReclaimPolicy", "zzzUnrelated")
    found = check(capsys, tmp_path, text)
    assert "storage/recycle-deprecated" not in {f["code"] for f in found}
    assert "schema/unknown-field" in {f["code"] for f in found}
