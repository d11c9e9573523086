"""A user's own CRD, registered with ``k8sdsl.register_crd`` (or ``k8sdsl check --crd``):
its custom resources, made as plain cdk8s ApiObjects or with the classes ``cdk8s import``
generates, are validated against the CRD's openAPIV3Schema at synth and in check."""

from __future__ import annotations

import importlib
import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import cdk8s
import pytest
import yaml

from k8sdsl import App, Chart, K8sDslError, register_crd
from k8sdsl._crd_schema import forget_registered_crds, registered_crds
from k8sdsl.cli import main
from k8sdsl.testing import assert_findings, findings, synth_objects

ROOT = Path(__file__).resolve().parent.parent
CLI = ROOT / "node_modules" / ".bin" / "cdk8s"
#: a small hand-written CRD: a Widget whose spec.size is a required integer of 1 or more
WIDGET_CRD = Path(__file__).parent / "fixtures" / "crds" / "widget-crd.yaml"


@pytest.fixture(autouse=True)
def no_registered_crds() -> Iterator[None]:
    forget_registered_crds()
    yield
    forget_registered_crds()


def widget_app(tmp_path: Path, spec: dict[str, Any]) -> App:
    app = App(outdir=tmp_path / "dist")
    chart = Chart(app, "widgets", namespace="shop")
    # what a class of `cdk8s import` is: an ApiObject with the CRD's apiVersion and kind
    widget = cdk8s.ApiObject(
        chart.cdk8s_chart, "widget", api_version="example.com/v1", kind="Widget"
    )
    widget.add_json_patch(cdk8s.JsonPatch.add("/spec", spec))
    return app


def test_without_the_crd_the_kind_is_unknown_and_not_checked(tmp_path: Path) -> None:
    app = widget_app(tmp_path, {"size": "three"})
    report = assert_findings(app, {"schema/unknown-kind"})
    assert "register_crd" in report.findings[0].hint
    app.synth()


def test_a_registered_crd_validates_its_kind_at_synth(tmp_path: Path) -> None:
    assert register_crd(WIDGET_CRD) == [("example.com/v1", "Widget")]
    bad = widget_app(tmp_path, {"size": "three", "colour": "red"})
    with pytest.raises(K8sDslError) as info:
        bad.synth()
    found = {(f.code, f.path) for f in info.value.findings}
    assert found == {("schema/type", "spec.size"), ("schema/unknown-field", "spec.colour")}
    typo = next(f for f in info.value.findings if f.code == "schema/unknown-field")
    assert "spec.color" in typo.hint
    assert {f.obj.source for f in info.value.findings} == {"widgets/widget"}
    assert {f.obj.kind for f in info.value.findings} == {"Widget"}
    assert not (tmp_path / "dist").exists()

    good = widget_app(tmp_path, {"size": 3, "color": "blue"})
    assert_findings(good, set(), severity="info")
    good.synth()
    (written,) = yaml.safe_load_all((tmp_path / "dist" / "widgets.k8s.yaml").read_text())
    assert written["spec"] == {"color": "blue", "size": 3}
    assert written["metadata"]["namespace"] == "shop"


def test_required_fields_and_bounds_come_from_the_crd(tmp_path: Path) -> None:
    register_crd(WIDGET_CRD)
    (missing,) = findings(widget_app(tmp_path, {})).findings
    assert (missing.code, missing.path) == ("schema/required", "spec")
    assert "'size'" in missing.message
    too_small = findings(widget_app(tmp_path / "b", {"size": 0, "color": "pink"}))
    assert {(f.code, f.path) for f in too_small.findings} == {
        ("schema/invalid", "spec.size"),
        ("schema/enum", "spec.color"),
    }
    assert "minimum of 1" in next(f.message for f in too_small.findings if f.path == "spec.size")


def test_register_crd_takes_a_dict_and_one_version() -> None:
    crd = yaml.safe_load(WIDGET_CRD.read_text())
    beta = json.loads(json.dumps(crd["spec"]["versions"][0]))
    beta["name"] = "v1beta1"
    crd["spec"]["versions"].append(beta)
    assert register_crd(crd) == [("example.com/v1", "Widget"), ("example.com/v1beta1", "Widget")]
    forget_registered_crds()
    assert register_crd(crd, version="v1beta1") == [("example.com/v1beta1", "Widget")]
    (entry,) = registered_crds()
    assert (entry.namespaced, entry.source) == (True, "widgets.example.com")
    obj = {"apiVersion": "example.com/v1", "kind": "Widget", "metadata": {"name": "w"}}
    assert findings([obj]).codes() == ["schema/unknown-kind"]  # v1 was not registered


@pytest.mark.parametrize(
    ("crd", "version", "words"),
    [
        ("missing.yaml", None, "cannot read"),
        ("not-a-crd", None, "holds no CustomResourceDefinition"),
        (str(WIDGET_CRD), "v2", "has no version 'v2'"),
    ],
)
def test_what_is_not_a_crd_is_refused_by_name(
    tmp_path: Path, crd: str, version: str | None, words: str
) -> None:
    if crd == "not-a-crd":
        crd = str(tmp_path / "pod.yaml")
        Path(crd).write_text("apiVersion: v1\nkind: Pod\nmetadata: {name: p}\n")
    with pytest.raises(K8sDslError) as info:
        register_crd(tmp_path / crd if crd == "missing.yaml" else crd, version=version)
    (finding,) = info.value.findings
    assert finding.code == "crd/invalid"
    assert words in finding.message
    assert finding.hint
    assert registered_crds() == []


BAD_WIDGET = """\
apiVersion: example.com/v1
kind: Widget
metadata: {name: w, namespace: shop}
spec:
  size: "3"
"""


def test_check_with_crd_gives_the_same_verdict(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text(BAD_WIDGET)
    assert main(["check", "--format", "json", str(bad)]) == 0
    found = json.loads(capsys.readouterr().out)["findings"]
    assert [(f["code"], f["severity"]) for f in found] == [("schema/unknown-kind", "warning")]
    forget_registered_crds()
    assert main(["check", "--format", "json", "--crd", str(WIDGET_CRD), str(bad)]) == 1
    found = json.loads(capsys.readouterr().out)["findings"]
    assert [(f["code"], f["path"], f["obj"]["source"]) for f in found] == [
        ("schema/type", "spec.size", f"{bad}:5")
    ]
    forget_registered_crds()
    assert main(["check", "--crd", str(bad), str(bad)]) == 2
    assert "crd/invalid" in capsys.readouterr().err


def cdk8s_import(work: Path) -> None:
    """``cdk8s import`` of the CRD into ``work/imports``, as a user runs it (offline)."""
    if not CLI.exists():
        pytest.skip("the cdk8s CLI is installed by `make install`")
    env = {k: v for k, v in os.environ.items() if not k.startswith("CDK8S_")}
    env["PATH"] = f"{ROOT / '.venv' / 'bin'}{os.pathsep}{env['PATH']}"
    result = subprocess.run(
        [
            str(CLI),
            "import",
            "--language",
            "python",
            "--output",
            "imports",
            "--no-check-upgrade",
            str(WIDGET_CRD),
        ],
        cwd=work,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.slow
def test_the_classes_cdk8s_import_generates_are_validated_at_synth(tmp_path: Path) -> None:
    cdk8s_import(tmp_path)
    sys.path.insert(0, str(tmp_path))
    try:
        widgets: Any = importlib.import_module("imports.com.example")
        register_crd(WIDGET_CRD)
        app = App(outdir=tmp_path / "dist")
        chart = Chart(app, "widgets", namespace="shop")
        # size=0 passes the generated class's type check (a number): the CRD's minimum does not
        widgets.Widget(chart.cdk8s_chart, "small", spec=widgets.WidgetSpec(size=0))
        with pytest.raises(K8sDslError) as info:
            app.synth()
        (error,) = info.value.findings
        assert (error.code, error.path, error.obj.kind) == ("schema/invalid", "spec.size", "Widget")
        assert error.obj.source == "widgets/small"

        good = App(outdir=tmp_path / "dist")
        chart = Chart(good, "widgets", namespace="shop")
        color = widgets.WidgetSpecColor.GREEN
        widgets.Widget(chart.cdk8s_chart, "w", spec=widgets.WidgetSpec(size=2, color=color))
        good.synth()
        (written,) = yaml.safe_load_all((tmp_path / "dist" / "widgets.k8s.yaml").read_text())
        assert (written["kind"], written["spec"]) == ("Widget", {"color": "green", "size": 2})
    finally:
        sys.path.remove(str(tmp_path))
        for name in [n for n in sys.modules if n == "imports" or n.startswith("imports.")]:
            del sys.modules[name]


def test_the_crds_cdk8s_yaml_imports_are_registered_by_the_app(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """``cdk8s import`` with no arguments reads cdk8s.yaml's ``imports:``; the App registers
    the local CRD files among them, so the generated classes are validated without a call."""
    (tmp_path / "crds").mkdir()
    (tmp_path / "crds" / "widget.yaml").write_text(WIDGET_CRD.read_text())
    (tmp_path / "cdk8s.yaml").write_text(
        "language: python\napp: python main.py\n"
        "imports:\n  - k8s\n  - widgets:=crds/widget.yaml\n  - https://example.com/crd.yaml\n"
    )
    monkeypatch.chdir(tmp_path)
    app = widget_app(tmp_path, {"size": "three"})
    assert [(c.api_version, c.kind) for c in registered_crds()] == [("example.com/v1", "Widget")]
    assert_findings(app, {"schema/type"})
    (tmp_path / "crds" / "widget.yaml").write_text("kind: Pod\n")
    forget_registered_crds()
    with pytest.raises(K8sDslError) as info:
        App(outdir=tmp_path / "dist")
    assert info.value.codes == ["crd/invalid"]
    assert "widget.yaml" in info.value.findings[0].message


def test_a_cluster_scoped_crd_kind_gets_no_chart_namespace(tmp_path: Path) -> None:
    crd = yaml.safe_load(WIDGET_CRD.read_text())
    crd["spec"]["scope"] = "Cluster"
    crd["spec"]["names"]["kind"] = "ClusterWidget"
    register_crd(crd)
    app = App(outdir=tmp_path / "dist")
    chart = Chart(app, "widgets", namespace="shop")
    for kind in ("ClusterWidget", "Widget"):  # Widget: no CRD known, assumed namespaced
        obj = cdk8s.ApiObject(
            chart.cdk8s_chart, kind.lower(), api_version="example.com/v1", kind=kind
        )
        obj.add_json_patch(cdk8s.JsonPatch.add("/spec", {"size": 1}))
    namespaces = {o["kind"]: o["metadata"].get("namespace") for o in synth_objects(app)}
    assert namespaces == {"ClusterWidget": None, "Widget": "shop"}
    app.synth(via_cdk8s=True)
    written = yaml.safe_load_all((tmp_path / "dist" / "widgets.k8s.yaml").read_text())
    assert {o["kind"]: o["metadata"].get("namespace") for o in written} == namespaces
