"""ConfigFile: a node or control-plane configuration file written beside the charts, in a
folder of the output, checked by the rules and a pinned schema, all or nothing."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest

from k8sdsl import App, Chart, ConfigFile, ConfigMap, K8sDslError
from k8sdsl.security import KubeletConfiguration
from k8sdsl.synth import write_atomically


def tree(folder: Path) -> dict[str, str]:
    return {
        p.relative_to(folder).as_posix(): p.read_text()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


@pytest.mark.parametrize(
    ("path", "why"),
    [
        ("kubelet-config.yaml", "goes into a folder of the output"),
        ("/etc/kubernetes/kubelet.yaml", "relative to the output folder"),
        ("nodes/../kubelet.yaml", "without '.', '..'"),
        ("nodes//kubelet.yaml", "without '.', '..'"),
        ("nodes/general/kubelet.conf", "must end with .yaml or .yml"),
        ("nodes/gen eral/kubelet.yaml", "'gen eral' is not a plain file or folder name"),
        ("", "non-empty"),
    ],
)
def test_a_bad_path_is_refused_at_the_users_line(path: str, why: str, app: App) -> None:
    with pytest.raises(K8sDslError) as err:
        ConfigFile(app, "kubelet", path=path, document=KubeletConfiguration())
    (finding,) = err.value.findings
    assert (finding.code, finding.path, finding.obj.source) == (
        "config-file/path",
        "path",
        "kubelet",
    )
    assert why in finding.message
    assert finding.hint


def test_two_files_cannot_share_a_path(app: App) -> None:
    chart = Chart(app, "nodes")
    ConfigFile(app, "a", path="nodes/general/kubelet-config.yaml", document=KubeletConfiguration())
    with pytest.raises(K8sDslError) as err:
        ConfigFile(
            chart, "b", path="nodes/general/kubelet-config.yaml", document=KubeletConfiguration()
        )
    (finding,) = err.value.findings
    assert (finding.code, finding.obj.source) == ("config-file/duplicate-path", "nodes/b")
    assert "already written by a" in finding.message


def test_a_document_must_render_itself(app: App) -> None:
    with pytest.raises(K8sDslError) as err:
        ConfigFile(app, "x", path="nodes/x.yaml", document={"kind": "KubeletConfiguration"})  # type: ignore[arg-type]
    assert [f.code for f in err.value.findings] == ["config-file/document"]


def test_synth_writes_the_files_in_their_folders(tmp_path: Path) -> None:
    app = App(outdir=tmp_path / "dist")
    chart = Chart(app, "apps", namespace="apps")
    ConfigMap(chart, "settings", data={"a": "b"})
    ConfigFile(app, "b", path="nodes/b/kubelet-config.yaml", document=KubeletConfiguration())
    ConfigFile(app, "a", path="nodes/a/kubelet-config.yaml", document=KubeletConfiguration())
    app.synth()
    files = tree(tmp_path / "dist")
    assert sorted(files) == [
        "apps.k8s.yaml",
        "nodes/a/kubelet-config.yaml",
        "nodes/b/kubelet-config.yaml",
    ]
    text = files["nodes/a/kubelet-config.yaml"]
    assert text.startswith(
        "# k8sdsl: k8s-version=1.35\napiVersion: kubelet.config.k8s.io/v1beta1\n"
        "kind: KubeletConfiguration\n"
    )
    assert files["nodes/a/kubelet-config.yaml"] == files["nodes/b/kubelet-config.yaml"]
    assert [c.path for c in app.config_files] == [
        "nodes/b/kubelet-config.yaml",
        "nodes/a/kubelet-config.yaml",
    ]


def test_synth_is_deterministic_and_identical_through_cdk8s(tmp_path: Path) -> None:
    def build(out: Path) -> App:
        app = App(outdir=out)
        ConfigMap(Chart(app, "apps", namespace="apps"), "settings", data={"a": "b"})
        ConfigFile(
            app,
            "kubelet",
            path="nodes/general/kubelet-config.yaml",
            document=KubeletConfiguration(max_pods=50),
        )
        return app

    build(tmp_path / "one").synth()
    build(tmp_path / "two").synth()
    build(tmp_path / "cdk8s").synth(via_cdk8s=True)
    one = tree(tmp_path / "one")
    assert one == tree(tmp_path / "two") == tree(tmp_path / "cdk8s")
    assert "maxPods: 50" in one["nodes/general/kubelet-config.yaml"]


def test_a_failing_file_leaves_the_old_output(tmp_path: Path) -> None:
    out = tmp_path / "dist"
    out.mkdir()
    (out / "keep.k8s.yaml").write_text("kept: true\n")
    app = App(outdir=out)
    ConfigMap(Chart(app, "apps", namespace="apps"), "settings", data={"a": "b"})
    ConfigFile(
        app,
        "kubelet",
        path="nodes/general/kubelet-config.yaml",
        document=KubeletConfiguration(read_only_port=10255),
    )
    with pytest.raises(K8sDslError) as err:
        app.synth()
    assert [(f.code, f.obj.source) for f in err.value.findings] == [
        ("kubelet/read-only-port", "kubelet")
    ]
    assert tree(out) == {"keep.k8s.yaml": "kept: true\n"}


def test_the_files_are_part_of_the_apps_manifests_and_check(app: App) -> None:
    ConfigFile(app, "kubelet", path="nodes/x/kubelet.yaml", document=KubeletConfiguration())
    (manifest,) = app.manifests()
    assert (manifest.kind, manifest.source, str(manifest.k8s_version)) == (
        "KubeletConfiguration",
        "kubelet",
        "1.35",
    )
    assert app.check().findings == ()


def test_write_atomically_makes_the_folders(tmp_path: Path) -> None:
    files: dict[str, Any] = {"a.k8s.yaml": "a\n", "nodes/x/k.yaml": "k\n"}
    write_atomically(tmp_path / "dist", files)
    assert tree(tmp_path / "dist") == files
    write_atomically(tmp_path / "dist", {"b.k8s.yaml": "b\n"})
    assert tree(tmp_path / "dist") == {"b.k8s.yaml": "b\n"}
    assert not os.path.exists(tmp_path / "dist" / "nodes")
