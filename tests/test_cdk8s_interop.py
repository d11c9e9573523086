"""k8sdsl and cdk8s together: the same bytes whichever path writes, foreign constructs in a
k8sdsl chart, and the api_object escape hatch."""

from __future__ import annotations

from pathlib import Path

import cdk8s
import cdk8s_plus_33 as kplus
import pytest
import yaml

from apps import build_app
from k8sdsl import App, Chart, ConfigMap, K8sDslError, Namespace


def files(folder: Path) -> dict[str, str]:
    return {p.name: p.read_text() for p in sorted(folder.glob("*.yaml"))}


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
