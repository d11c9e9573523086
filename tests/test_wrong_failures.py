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
