"""The target version travels with the output: synth records it, ``check`` reads it."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from k8sdsl.cli import main

DIST = Path(__file__).parent.parent / "dist"


def test_every_written_file_names_its_target_version() -> None:
    for path in sorted(DIST.glob("*.k8s.yaml")):
        first = path.read_text().splitlines()[0]
        expected = (
            "1." + path.stem.split("-k8s-1-")[1].split(".")[0] if "-k8s-1-" in path.stem else "1.35"
        )
        # and the CSI drivers of the app's declared cluster (apps/volume_gallery.py)
        drivers = "disk.csi.azure.com,ebs.csi.aws.com,pd.csi.storage.gke.io"
        assert first == f"# k8sdsl: k8s-version={expected} csi-drivers={drivers}", path.name


def test_check_of_the_projects_own_output_passes(capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["check", "--format", "json", str(DIST)])
    found = json.loads(capsys.readouterr().out)["findings"]
    assert [f for f in found if f["severity"] == "error"] == []
    assert code == 0


def test_an_explicit_version_wins_over_the_recorded_one(
    capsys: pytest.CaptureFixture[str],
) -> None:
    gallery = DIST / "volume-gallery-k8s-1-29.k8s.yaml"
    code = main(["check", "--format", "json", "--k8s-version", "1.35", str(gallery)])
    found = json.loads(capsys.readouterr().out)["findings"]
    assert code == 1
    assert "volumes/removed-plugin" in {f["code"] for f in found}


def test_a_header_for_an_unsupported_version_is_ignored(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    path = tmp_path / "x.yaml"
    path.write_text(
        "# k8sdsl: k8s-version=1.12\napiVersion: v1\nkind: ConfigMap\nmetadata: {name: x}\n"
    )
    assert main(["check", str(path)]) == 0
