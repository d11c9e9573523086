"""Valid public manifests (the shapes of the kubernetes.io examples): no error from check."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from k8sdsl.cli import main

PUBLIC = Path(__file__).parent / "fixtures" / "public"


def findings(capsys: pytest.CaptureFixture[str], path: Path) -> tuple[int, list[dict[str, str]]]:
    code = main(["check", "--format", "json", str(path)])
    return code, json.loads(capsys.readouterr().out)["findings"]


@pytest.mark.parametrize("path", sorted(PUBLIC.glob("*.yaml")), ids=lambda p: p.stem)
def test_public_manifest_has_no_error(capsys: pytest.CaptureFixture[str], path: Path) -> None:
    code, found = findings(capsys, path)
    assert [f for f in found if f["severity"] == "error"] == []
    assert code == 0


def test_a_mount_of_a_claim_template_is_a_volume_of_the_pod(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    text = (PUBLIC / "statefulset-web.yaml").read_text()
    bad = tmp_path / "web.yaml"
    bad.write_text(
        text.replace(
            "- name: www\n              mountPath", "- name: wwww\n              mountPath"
        )
    )
    code, found = findings(capsys, bad)
    assert code == 1
    (unknown,) = [f for f in found if f["code"] == "volumes/unknown-mount"]
    assert unknown["hint"] == "did you mean 'www'?"
