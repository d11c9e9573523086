"""``k8sdsl check`` in CI: stdin, JSON manifests, a repository root, the declared cluster."""

from __future__ import annotations

import io
import json
from pathlib import Path
from typing import Any

import pytest

from k8sdsl.cli import main

POD = """\
apiVersion: v1
kind: Pod
metadata: {name: web, namespace: shop}
spec:
  containers:
    - name: web
      image: docker.io/library/nginx:1.27.3
"""


def check(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, list[Any], str]:
    code = main(["check", "--format", "json", *args])
    out, err = capsys.readouterr()
    return code, (json.loads(out)["findings"] if out else []), err


def codes(found: list[Any]) -> set[str]:
    return {f["code"] for f in found}


def test_a_dash_reads_standard_input(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("sys.stdin", io.StringIO(POD.replace("image:", "imag:")))
    code, found, _ = check(capsys, "-")
    assert code == 1
    (bad,) = [f for f in found if f["code"] == "schema/unknown-field"]
    assert bad["obj"]["source"].startswith("-:")


def test_json_manifests_are_read_in_a_folder_and_tool_folders_are_skipped(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    (tmp_path / "claim.json").write_text(
        json.dumps(
            {
                "apiVersion": "v1",
                "kind": "PersistentVolumeClaim",
                "metadata": {"name": "data"},
                "spec": {"accessModes": ["ReadWriteOnce"], "Resources": {}},
            }
        )
    )
    (tmp_path / "node_modules").mkdir()
    (tmp_path / "node_modules" / "broken.yaml").write_text("a: [\n")
    (tmp_path / ".git").mkdir()
    (tmp_path / ".git" / "broken.json").write_text("{")
    code, found, err = check(capsys, str(tmp_path))
    assert code == 1 and err == ""
    unknown = [f for f in found if f["code"] == "schema/unknown-field"]
    assert unknown[0]["obj"]["source"].endswith("claim.json:1")


def test_a_repository_root_with_other_yaml_is_not_an_error(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    (tmp_path / "ci.yml").write_text("on: [push]\njobs: {test: {runs-on: ubuntu-latest}}\n")
    (tmp_path / "package.json").write_text('{"name": "x", "private": true}\n')
    (tmp_path / "pod.yaml").write_text(POD)
    code, found, _ = check(capsys, str(tmp_path))
    assert code == 0
    skipped = [f for f in found if f["code"] == "yaml/not-kubernetes"]
    assert {f["severity"] for f in skipped} == {"info"} and len(skipped) == 2
    code, found, _ = check(capsys, "--strict", str(tmp_path))
    assert code == 1 and "yaml/not-an-object" in codes(found)


def test_half_an_object_is_still_an_error(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    path = tmp_path / "pod.yaml"
    path.write_text(POD.replace("apiVersion: v1\n", ""))
    code, found, _ = check(capsys, str(path))
    assert code == 1 and "yaml/not-an-object" in codes(found)


def test_allowed_registries_from_the_command_line(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    path = tmp_path / "pod.yaml"
    path.write_text(POD)
    _, found, _ = check(capsys, str(path))
    assert "images/registry" not in codes(found)
    code, found, _ = check(capsys, "--allowed-registries", "registry.example.com", str(path))
    assert "images/registry" in codes(found)
    _, found, _ = check(capsys, "--allowed-registries", "docker.io,ghcr.io", str(path))
    assert "images/registry" not in codes(found)


def test_a_cluster_file_is_read_and_a_bad_one_is_exit_2(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    pod = tmp_path / "pod.yaml"
    pod.write_text(POD)
    cluster = tmp_path / "cluster.yaml"
    cluster.write_text("allowedRegistries: [registry.example.com]\n")
    _, found, _ = check(capsys, "--cluster", str(cluster), str(pod))
    assert "images/registry" in codes(found)
    cluster.write_text("allowedRegistry: [registry.example.com]\n")
    code, _, err = check(capsys, "--cluster", str(cluster), str(pod))
    assert code == 2
    assert "allowedRegistry" in err and "did you mean" in err


def test_a_bad_cluster_domain_flag_is_exit_2(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    pod = tmp_path / "pod.yaml"
    pod.write_text(POD)
    code, _, err = check(capsys, "--cluster-domain", "Cluster..Local", str(pod))
    assert code == 2 and "cluster.local" in err


def test_version_flag(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as info:
        main(["--version"])
    assert info.value.code == 0
    assert capsys.readouterr().out.startswith("k8sdsl ")


IMAGE_VOLUME_POD = """\
apiVersion: v1
kind: Pod
metadata: {name: tools, namespace: apps}
spec:
  containers:
    - name: app
      image: registry.example.com/app:1.0
      volumeMounts: [{name: tools, mountPath: /tools}]
  volumes:
    - name: tools
      image: {reference: "registry.example.com/tools:1.0", pullPolicy: IfNotPresent}
"""


@pytest.mark.parametrize(
    ("version", "gates", "expected"),
    [
        ("1.34", "", "ImageVolume feature gate (on by default from 1.35"),
        ("1.34", "featureGates: {ImageVolume: true}\n", None),
        ("1.35", "", None),
        ("1.35", "featureGates: {ImageVolume: false}\n", "the declared cluster turns it off"),
    ],
)
def test_feature_gates_of_the_declared_cluster_decide_volumes_feature_gate(
    capsys: pytest.CaptureFixture[str],
    tmp_path: Path,
    version: str,
    gates: str,
    expected: str | None,
) -> None:
    pod = tmp_path / "pod.yaml"
    pod.write_text(IMAGE_VOLUME_POD)
    cluster = tmp_path / "cluster.yaml"
    cluster.write_text(gates or "{}\n")
    _, found, _ = check(capsys, "--cluster", str(cluster), "--k8s-version", version, str(pod))
    gate = [f for f in found if f["code"] == "volumes/feature-gate"]
    if expected is None:
        assert gate == []
    else:
        (finding,) = gate
        assert finding["severity"] == "warning"
        assert finding["path"] == "spec.volumes[0].image"
        assert expected in finding["message"]
