"""Synth: every finding at once, nothing written on error, deterministic files, namespaces."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any, ClassVar

import pytest

from k8sdsl import App, Chart, ConfigMap, K8sDslError, Namespace
from k8sdsl.core import Resource


class Volume(Resource):
    """A minimal cluster-scoped resource for namespace tests."""

    api_version: ClassVar[str] = "v1"
    kind: ClassVar[str] = "PersistentVolume"

    def __init__(self, scope: Any, id: str, *, spec: dict[str, Any]) -> None:
        super().__init__(scope, id)
        self.spec = spec

    def _body(self) -> dict[str, Any]:
        return {"spec": self.spec}


PV_SPEC = {
    "capacity": {"storage": "1Gi"},
    "accessModes": ["ReadWriteOnce"],
    "hostPath": {"path": "/data"},
}


def read(dist: Path) -> dict[str, str]:
    return {p.name: p.read_text() for p in sorted(dist.iterdir())}


def test_synth_writes_one_file_per_chart(tmp_path: Path) -> None:
    app = App(outdir=tmp_path / "dist")
    a = Chart(app, "alpha", namespace="team-a")
    ConfigMap(a, "settings", data={"b": "2", "a": "1"})
    b = Chart(app, "beta")
    Namespace(b, "team-b")
    app.synth()
    files = read(tmp_path / "dist")
    assert list(files) == ["alpha.k8s.yaml", "beta.k8s.yaml"]
    assert files["alpha.k8s.yaml"] == (
        "# k8sdsl: k8s-version=1.35\n"
        "apiVersion: v1\n"
        "kind: ConfigMap\n"
        "metadata:\n"
        "  name: settings\n"
        "  namespace: team-a\n"
        "data:\n"
        '  a: "1"\n'
        '  b: "2"\n'
    )


def test_output_is_byte_identical_between_runs(tmp_path: Path) -> None:
    outputs = []
    for run in range(2):
        app = App(outdir=tmp_path / f"dist{run}")
        chart = Chart(app, "c", namespace="ns", labels={"team": "x"})
        for i in range(5):
            ConfigMap(chart, f"cm-{i}", data={f"k{j}": str(j) for j in range(5, 0, -1)})
        app.synth()
        outputs.append(read(tmp_path / f"dist{run}"))
    assert outputs[0] == outputs[1]


def test_chart_namespace_is_never_stamped_on_cluster_scoped_objects(tmp_path: Path) -> None:
    app = App(outdir=tmp_path / "dist")
    chart = Chart(app, "storage", namespace="apps")
    Volume(chart, "data", spec=PV_SPEC)
    ConfigMap(chart, "cm")
    objs = [r.to_k8s() for r in chart.resources()]
    assert "namespace" not in objs[0]["metadata"]
    assert objs[1]["metadata"]["namespace"] == "apps"


def test_a_namespace_on_a_cluster_scoped_object_is_an_error(chart: Chart) -> None:
    with pytest.raises(K8sDslError) as info:
        Namespace(chart, "x", namespace="other")
    assert info.value.codes == ["metadata/cluster-scoped"]


def test_invalid_name_reports_construct_path_field_and_fix(chart: Chart) -> None:
    with pytest.raises(K8sDslError) as info:
        ConfigMap(chart, "Bad_Name")
    (finding,) = info.value.findings
    assert finding.code == "metadata/dns-subdomain"
    assert finding.obj.source == "test/Bad_Name"
    assert finding.path == "metadata.name"
    assert finding.hint == "use 'bad-name'"


def test_duplicate_construct_ids_are_rejected(chart: Chart) -> None:
    ConfigMap(chart, "a")
    with pytest.raises(K8sDslError) as info:
        ConfigMap(chart, "a")
    assert info.value.codes == ["construct/duplicate-id"]


def test_failed_synth_writes_nothing_and_reports_every_error(tmp_path: Path) -> None:
    dist = tmp_path / "dist"
    good = App(outdir=dist)
    ConfigMap(Chart(good, "c", namespace="ns"), "cm", data={"a": "1"})
    good.synth()
    before = read(dist)

    bad = App(outdir=dist)
    chart = Chart(bad, "c", namespace="ns")
    ConfigMap(chart, "cm", data={"a": "1"})
    # two schema errors in two objects: both must be reported
    Volume(chart, "pv1", spec={**PV_SPEC, "accessModes": "ReadWriteOnce"})
    Volume(chart, "pv2", spec={**PV_SPEC, "PersistentVolumeReclaimPolicy": "Retain"})
    with pytest.raises(K8sDslError) as info:
        bad.synth()
    report = info.value.report
    assert {(f.obj.name, f.path) for f in report.errors} >= {
        ("pv1", "spec.accessModes"),
        ("pv2", "spec.PersistentVolumeReclaimPolicy"),
    }
    unknown = [f for f in report.errors if f.code == "schema/unknown-field"]
    assert unknown[0].hint == "did you mean spec.persistentVolumeReclaimPolicy?"
    assert unknown[0].obj.source == "c/pv2"
    assert "nothing was written" in str(info.value)
    assert read(dist) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["dist"]  # no staging left behind


def test_duplicate_objects_are_an_error(app: App) -> None:
    a = Chart(app, "a", namespace="ns")
    b = Chart(app, "b", namespace="ns")
    ConfigMap(a, "cm")
    ConfigMap(b, "cm")
    report = app.check()
    assert report.codes() == ["app/duplicate-object"]


def test_same_name_in_two_namespaces_is_fine(app: App) -> None:
    ConfigMap(Chart(app, "a", namespace="ns1"), "cm")
    ConfigMap(Chart(app, "b", namespace="ns2"), "cm")
    assert not app.check().has_errors()


def test_outdir_defaults_to_cdk8s_outdir(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("CDK8S_OUTDIR", str(tmp_path / "out"))
    assert App().outdir == tmp_path / "out"
    monkeypatch.delenv("CDK8S_OUTDIR")
    assert App().outdir == Path("dist")


@pytest.mark.parametrize("version", ["1.27", "1.38", "banana"])
def test_unsupported_versions_are_rejected(version: str) -> None:
    with pytest.raises(K8sDslError) as info:
        App(k8s_version=version)
    assert info.value.codes == ["app/k8s-version"]
    assert "1.28" in info.value.findings[0].hint


def test_chart_target_version_overrides_the_app(app: App) -> None:
    chart = Chart(app, "old", k8s_version="1.28")
    assert str(chart.k8s_version) == "1.28"
    assert str(Chart(app, "new").k8s_version) == str(app.k8s_version)


def test_unknown_kind_is_a_warning_with_a_suggestion(app: App) -> None:
    class Typo(Resource):
        api_version: ClassVar[str] = "v1"
        kind: ClassVar[str] = "ConfigMapp"

    Typo(Chart(app, "c", namespace="ns"), "x")
    report = app.check()
    (finding,) = report.findings
    assert finding.code == "schema/unknown-kind"
    assert finding.severity == "warning"
    assert "configmap" in finding.hint


def test_keys_are_sorted_like_cdk8s_integers_first() -> None:
    from k8sdsl.synth import sort_like_cdk8s

    data = {"b": 1, "10": 2, "a": {"z": None, "y": [{"d": 1, "c": 2}]}, "9": 3, "B": 4}
    assert list(sort_like_cdk8s(data)) == ["9", "10", "B", "a", "b"]
    assert sort_like_cdk8s(data)["a"] == {"y": [{"c": 2, "d": 1}]}


def test_write_is_atomic_swap(tmp_path: Path) -> None:
    from k8sdsl.synth import write_atomically

    dist = tmp_path / "dist"
    write_atomically(dist, {"a.k8s.yaml": "x\n"})
    (dist / "stale.k8s.yaml").write_text("old")
    write_atomically(dist, {"b.k8s.yaml": "y\n"})
    assert sorted(os.listdir(dist)) == ["b.k8s.yaml"]


def test_an_interrupted_swap_puts_the_old_output_back(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Ctrl-C between moving the old folder aside and moving the new one in: dist/ must
    still hold the previous output, not vanish."""
    from k8sdsl import synth

    dist = tmp_path / "dist"
    synth.write_atomically(dist, {"a.k8s.yaml": "old\n"})
    real_replace = os.replace

    def replace(src: Any, dst: Any) -> None:
        if Path(src).name.startswith(".dist.new-"):
            raise KeyboardInterrupt
        real_replace(src, dst)

    monkeypatch.setattr(synth.os, "replace", replace)
    with pytest.raises(KeyboardInterrupt):
        synth.write_atomically(dist, {"b.k8s.yaml": "new\n"})
    assert read(dist) == {"a.k8s.yaml": "old\n"}
    assert sorted(p.name for p in tmp_path.iterdir()) == ["dist"]


def test_adding_constructs_to_a_scope_does_not_scan_its_siblings(app: App) -> None:
    """The id check of each new construct uses an index: scanning the siblings made charts
    quadratic (8,000 ConfigMaps took 1.2 s to create, 2,000 took 0.07 s)."""

    class CountingList(list[Any]):
        scans = 0

        def __iter__(self) -> Any:
            CountingList.scans += 1
            return super().__iter__()

    chart = Chart(app, "big", namespace="ns")
    chart.node.children = CountingList()
    for i in range(500):
        ConfigMap(chart, f"cm-{i}")
    assert len(chart.node.children) == 500
    assert CountingList.scans == 0
    with pytest.raises(K8sDslError):
        ConfigMap(chart, "cm-7")  # the index still finds duplicates


def test_an_unwritable_output_folder_is_reported_without_a_traceback(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from k8sdsl.synth import run_main

    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    app = App(outdir=blocker / "dist")
    ConfigMap(Chart(app, "c", namespace="ns"), "cm")
    assert run_main(app) == 1
    err = capsys.readouterr().err
    assert f"cannot write {blocker / 'dist'}" in err and "hint:" in err
    assert "Traceback" not in err
