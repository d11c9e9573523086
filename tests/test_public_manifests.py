"""Valid public manifests (the shapes of the kubernetes.io examples): no error from check."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml

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


def test_the_corpus_is_wide_and_clean_as_a_whole(capsys: pytest.CaptureFixture[str]) -> None:
    """The shapes of the kubernetes/website examples (Deployment, Service, PV/PVC/Pod,
    emptyDir, Job, CronJob, DaemonSet, Ingress, NetworkPolicy, RBAC, HPA, PDB, ConfigMap env,
    security context, projected volumes, StatefulSet), checked together: valid YAML the API
    server accepts gives no error, only advice."""
    files = sorted(PUBLIC.glob("*.yaml"))
    assert len(files) >= 16
    main(["check", "--format", "json", str(PUBLIC)])
    found = json.loads(capsys.readouterr().out)["findings"]
    assert [f for f in found if f["severity"] == "error"] == []
    kinds = {
        d["kind"] for f in files for d in yaml.safe_load_all(f.read_text()) if isinstance(d, dict)
    }
    assert len(kinds) >= 16
