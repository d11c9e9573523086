"""k8sdsl and cdk8s together: the same bytes whichever path writes, foreign constructs in a
k8sdsl chart, and the api_object escape hatch."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import cdk8s
import cdk8s_plus_33 as kplus
import pytest
import yaml

from apps import build_app
from k8sdsl import App, Chart, ConfigMap, K8sDslError, Namespace


def files(folder: Path) -> dict[str, str]:
    # the charts' files and the configuration files in folders (nodes/<pool>/...)
    return {p.relative_to(folder).as_posix(): p.read_text() for p in sorted(folder.rglob("*.yaml"))}


def test_apps_are_byte_identical_through_cdk8s(tmp_path: Path) -> None:
    """The fast path (k8sdsl writes) and the cdk8s path (every object an ApiObject, cdk8s's
    own App.synth writes) give the same files for every app definition."""
    build_app(outdir=tmp_path / "fast").synth()
    build_app(outdir=tmp_path / "cdk8s").synth(via_cdk8s=True)
    fast, slow = files(tmp_path / "fast"), files(tmp_path / "cdk8s")
    assert sorted(fast) == sorted(slow)
    for name in fast:
        assert fast[name] == slow[name], name


def test_cdk8s_plus_construct_in_a_k8sdsl_chart(tmp_path: Path) -> None:
    app = App(outdir=tmp_path / "dist")
    chart = Chart(app, "mixed", namespace="shop", labels={"team": "web"})
    ConfigMap(chart, "settings", data={"mode": "fast"})
    kplus.ConfigMap(chart.cdk8s_chart, "plus-config", data={"a": "1"})
    kplus.ServiceAccount(chart.cdk8s_chart, "robot", automount_token=False)
    Namespace(chart, "shop")
    app.synth()
    docs = list(yaml.safe_load_all(files(tmp_path / "dist")["mixed.k8s.yaml"]))
    by_name = {d["metadata"]["name"]: d for d in docs}
    assert [d["kind"] for d in docs] == ["ConfigMap", "Namespace", "ConfigMap", "ServiceAccount"]
    # foreign objects get the chart namespace and labels, never a hash suffix
    assert by_name["mixed-plus-config"]["metadata"]["namespace"] == "shop"
    assert by_name["mixed-plus-config"]["metadata"]["labels"] == {"team": "web"}
    assert by_name["mixed-robot"]["automountServiceAccountToken"] is False
    # the chart namespace is not stamped on the cluster-scoped Namespace
    assert "namespace" not in by_name["shop"]["metadata"]


def test_foreign_objects_are_checked_by_the_schema(tmp_path: Path) -> None:
    app = App(outdir=tmp_path / "dist")
    chart = Chart(app, "mixed", namespace="shop")
    obj = cdk8s.ApiObject(
        chart.cdk8s_chart,
        "raw",
        api_version="v1",
        kind="ConfigMap",
        metadata=cdk8s.ApiObjectMetadata(name="raw"),
    )
    obj.add_json_patch(cdk8s.JsonPatch.add("/Data", {"a": "1"}))
    with pytest.raises(K8sDslError) as info:
        app.synth()
    (finding,) = info.value.findings
    assert (finding.code, finding.path, finding.hint) == (
        "schema/unknown-field",
        "Data",
        "did you mean data?",
    )
    assert finding.obj.source == "mixed/raw"
    assert not (tmp_path / "dist").exists()


def test_escape_hatch_patches_are_applied_and_checked(tmp_path: Path) -> None:
    app = App(outdir=tmp_path / "dist")
    chart = Chart(app, "c", namespace="ns")
    cm = ConfigMap(chart, "settings", data={"a": "1"})
    cm.api_object.add_json_patch(cdk8s.JsonPatch.add("/data/b", "2"))
    cm.api_object.metadata.add_annotation("example.com/owner", "team-a")
    app.synth()
    (doc,) = yaml.safe_load_all(files(tmp_path / "dist")["c.k8s.yaml"])
    assert doc["data"] == {"a": "1", "b": "2"}
    assert doc["metadata"]["annotations"] == {"example.com/owner": "team-a"}
    cm.api_object.add_json_patch(cdk8s.JsonPatch.add("/binaryData", {"x": "not base64!"}))
    cm.api_object.add_json_patch(cdk8s.JsonPatch.add("/spec", {}))
    with pytest.raises(K8sDslError) as info:
        app.synth()
    assert "spec" in {f.path for f in info.value.findings}


def test_cdk8s_plus_errors_are_findings_with_the_construct_path(tmp_path: Path) -> None:
    """cdk8s-plus refusing a construct at synth: a finding, never node's stack trace."""
    app = App(outdir=tmp_path / "dist")
    chart = Chart(app, "mixed", namespace="shop")
    ConfigMap(chart, "settings", data={"a": "1"})
    kplus.Deployment(chart.cdk8s_chart, "web")  # no container
    with pytest.raises(K8sDslError) as info:
        app.synth()
    (finding,) = info.value.findings
    assert finding.code == "cdk8s/error"
    assert finding.obj.source == "mixed/web/Resource"
    assert "PodSpec must have at least 1 container" in finding.message
    assert "    at " not in str(info.value)  # no node stack
    assert not (tmp_path / "dist").exists()


def test_cdk8s_validations_run_once_for_the_whole_app(tmp_path: Path) -> None:
    """cdk8s-plus validations (an Ingress with no rule) run as they would under cdk8s:
    the fast path used to write the Ingress, which the API server rejects."""
    app = App(outdir=tmp_path / "dist")
    kplus.Ingress(Chart(app, "one", namespace="shop").cdk8s_chart, "ing")
    kplus.ConfigMap(Chart(app, "two", namespace="shop").cdk8s_chart, "cm")
    with pytest.raises(K8sDslError) as info:
        app.synth()
    (finding,) = info.value.findings  # reported once, not once per chart
    assert (finding.code, finding.obj.source) == ("cdk8s/invalid", "one/ing")
    assert finding.message == "ingress with no rules or default backend"


def test_foreign_objects_keep_cdk8s_dependency_order(tmp_path: Path) -> None:
    """A cdk8s-plus StatefulSet depends on its headless Service: cdk8s writes the Service
    first, and so must k8sdsl."""
    app = App(outdir=tmp_path / "dist")
    chart = Chart(app, "db", namespace="data")
    kplus.StatefulSet(
        chart.cdk8s_chart,
        "pg",
        containers=[kplus.ContainerProps(image="postgres:16", port_number=5432)],
    )
    kinds = [m.kind for m in chart.manifests()]
    assert kinds == ["Service", "StatefulSet"]


def mixed_app(outdir: Path) -> App:
    app = App(outdir=outdir)
    chart = Chart(app, "mixed", namespace="shop", labels={"team": "web"})
    ConfigMap(chart, "settings", data={"mode": "fast"})
    kplus.ConfigMap(chart.cdk8s_chart, "plus-config", data={"a": "1"})
    kplus.ClusterRole(chart.cdk8s_chart, "reader")
    kplus.StatefulSet(
        chart.cdk8s_chart,
        "pg",
        containers=[kplus.ContainerProps(image="postgres:16", port_number=5432)],
    )
    Namespace(chart, "shop")
    cm = ConfigMap(chart, "patched", data={"a": "1"})
    cm.api_object.add_json_patch(cdk8s.JsonPatch.add("/data/b", "2"))
    ConfigMap(Chart(app, "plain", namespace="other"), "cm", data={"x": "1"})
    return app


def test_a_mixed_chart_is_byte_identical_through_cdk8s(tmp_path: Path) -> None:
    """The fast path and cdk8s's own App.synth write the same bytes for a chart mixing
    cdk8s-plus constructs (one with a dependency, one cluster-scoped) with k8sdsl ones: the
    chart namespace on the foreign namespaced objects only, k8sdsl's objects first."""
    fast_app = mixed_app(tmp_path / "fast")
    fast_app.synth()
    mixed_app(tmp_path / "cdk8s").synth(via_cdk8s=True)
    fast, slow = files(tmp_path / "fast"), files(tmp_path / "cdk8s")
    assert sorted(fast) == ["mixed.k8s.yaml", "plain.k8s.yaml"]
    for name in fast:
        assert fast[name] == slow[name], name
    docs = {d["metadata"]["name"]: d for d in yaml.safe_load_all(fast["mixed.k8s.yaml"])}
    assert docs["mixed-plus-config"]["metadata"]["namespace"] == "shop"
    assert "namespace" not in docs["mixed-reader"]["metadata"]  # ClusterRole
    assert docs["patched"]["data"] == {"a": "1", "b": "2"}


def test_a_cdk8s_chart_nested_in_a_k8sdsl_chart_is_an_error(tmp_path: Path) -> None:
    app = App(outdir=tmp_path / "dist")
    chart = Chart(app, "outer", namespace="shop")
    inner = cdk8s.Chart(chart.cdk8s_chart, "inner")
    kplus.ConfigMap(inner, "cm")
    with pytest.raises(K8sDslError) as info:
        app.synth()
    assert [(f.code, f.obj.source) for f in info.value.findings] == [
        ("cdk8s/nested-chart", "outer/inner")
    ]


def test_python_m_apps_reports_a_refused_cdk8s_construct_with_its_line(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """An app module whose cdk8s-plus construct throws while it is built: the report names
    the line of the app definition and the message, with no stack trace."""
    import types

    import apps

    source = tmp_path / "broken_app.py"
    source.write_text(
        "import cdk8s_plus_33 as kplus\n"
        "from k8sdsl import Chart\n"
        "def build(app):\n"
        "    chart = Chart(app, 'broken', namespace='db')\n"
        "    kplus.StatefulSet(chart.cdk8s_chart, 'pg',\n"
        "                      containers=[kplus.ContainerProps(image='postgres:16')])\n"
    )
    module = types.ModuleType("apps.broken_app")
    module.__file__ = str(source)
    exec(compile(source.read_text(), str(source), "exec"), module.__dict__)
    monkeypatch.setattr(apps, "app_modules", lambda: [module])
    with pytest.raises(K8sDslError) as info:
        apps.build_app(outdir=tmp_path / "dist")
    (finding,) = info.value.findings
    assert finding.code == "cdk8s/error"
    assert finding.obj.source == f"{source}:5"
    assert "ports cannot be determined" in finding.message


def test_cdk8s_app_wide_steps_run_once_per_synth(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """cdk8s resolves dependencies and validates the whole app in every Chart.to_json: one
    such call per chart made a fleet of mixed charts quadratic (1,600 charts: 9 s, not 3)."""
    calls = []
    real = cdk8s.Chart.to_json

    def counting(self: cdk8s.Chart) -> Any:
        calls.append(self.node.id)
        return real(self)

    monkeypatch.setattr(cdk8s.Chart, "to_json", counting)
    app = App(outdir=tmp_path / "dist")
    for i in range(5):
        chart = Chart(app, f"app-{i}", namespace="shop")
        ConfigMap(chart, "own", name=f"own-{i}")
        kplus.ConfigMap(chart.cdk8s_chart, "plus")
    app.synth()
    assert len(calls) == 1
    assert len(files(tmp_path / "dist")) == 5


def test_a_failing_object_in_a_later_chart_is_reported_once(tmp_path: Path) -> None:
    app = App(outdir=tmp_path / "dist")
    kplus.ConfigMap(Chart(app, "one", namespace="shop").cdk8s_chart, "cm")
    kplus.Deployment(Chart(app, "two", namespace="shop").cdk8s_chart, "web")  # no container
    with pytest.raises(K8sDslError) as info:
        app.synth()
    assert [(f.code, f.obj.source) for f in info.value.findings] == [
        ("cdk8s/error", "two/web/Resource")
    ]


def test_an_escape_hatch_patch_that_does_not_apply_is_a_finding(tmp_path: Path) -> None:
    app = App(outdir=tmp_path / "dist")
    cm = ConfigMap(Chart(app, "c", namespace="ns"), "settings", data={"a": "1"})
    cm.api_object.add_json_patch(cdk8s.JsonPatch.replace("/nothing/here", "x"))
    with pytest.raises(K8sDslError) as info:
        app.synth()
    (finding,) = info.value.findings
    assert (finding.code, finding.obj.source) == ("cdk8s/error", "c/settings")
    assert finding.hint
