"""A rendered chart (what ``helm template`` prints) brought into a k8sdsl chart with
``cdk8s.Include`` gets every rule and the strict schema at synth, like k8sdsl's own objects,
and the same verdicts from ``k8sdsl check`` on the file."""

from __future__ import annotations

import json
from pathlib import Path

import cdk8s
import pytest
import yaml

from k8sdsl import App, Chart, ConfigMap, K8sDslError, Namespace
from k8sdsl.cli import main
from k8sdsl.testing import assert_findings, synth_objects

HELM = Path(__file__).parent / "fixtures" / "helm"
CLEAN = HELM / "web-chart.yaml"
#: the same release with its ConfigMap template left out and the container privileged
BROKEN = HELM / "web-chart-broken.yaml"


def app_including(tmp_path: Path, release: Path) -> tuple[App, Chart]:
    app = App(outdir=tmp_path / "dist")
    chart = Chart(app, "web", namespace="shop")
    cdk8s.Include(chart.cdk8s_chart, "release", url=str(release))
    return app, chart


def test_a_clean_rendered_chart_synths_with_the_chart_namespace(tmp_path: Path) -> None:
    app, _ = app_including(tmp_path, CLEAN)
    assert_findings(app, set(), severity="info")
    app.synth()
    written = list(yaml.safe_load_all((tmp_path / "dist" / "web.k8s.yaml").read_text()))
    rendered = [d for d in yaml.safe_load_all(CLEAN.read_text()) if d]
    assert [(d["kind"], d["metadata"]["name"]) for d in written] == [
        (d["kind"], d["metadata"]["name"]) for d in rendered
    ]
    assert {d["metadata"]["namespace"] for d in written} == {"shop"}
    for got, want in zip(written, rendered, strict=True):
        del got["metadata"]["namespace"]
        assert got == want


def test_a_broken_rendered_chart_fails_synth_naming_the_included_object(tmp_path: Path) -> None:
    app, _ = app_including(tmp_path, BROKEN)
    with pytest.raises(K8sDslError) as info:
        app.synth()
    (error,) = info.value.report.errors
    assert error.code == "references/missing-object"
    assert (error.obj.kind, error.obj.namespace, error.obj.name) == ("Deployment", "shop", "web")
    assert error.obj.source == "web/release/web-deployment"  # the Include's object
    assert error.path == "spec.template.spec.containers[0].envFrom[0].configMapRef.name"
    assert "web-env" in error.message
    warned = {f.code for f in info.value.report.warnings}
    assert {"pod-security/privileged", "pod-security/privilege-escalation"} <= warned
    assert not (tmp_path / "dist").exists()


def test_the_rules_look_across_included_and_k8sdsl_objects(tmp_path: Path) -> None:
    """A k8sdsl ConfigMap satisfies the release's reference; a k8sdsl Namespace enforcing
    restricted makes its privileged container an error."""
    app, chart = app_including(tmp_path, BROKEN)
    ConfigMap(chart, "web-env", data={"LOG_LEVEL": "info"})
    assert_findings(
        app, {"pod-security/privileged", "pod-security/privilege-escalation"}, severity="warning"
    )
    Namespace(chart, "shop", labels={"pod-security.kubernetes.io/enforce": "restricted"})
    report = assert_findings(
        app, {"pod-security/privileged", "pod-security/privilege-escalation"}, severity="error"
    )
    assert {f.obj.source for f in report.errors} == {"web/release/web-deployment"}


def test_included_objects_are_checked_against_the_strict_schema(tmp_path: Path) -> None:
    typo = tmp_path / "rendered.yaml"
    docs = [d for d in yaml.safe_load_all(CLEAN.read_text()) if d]
    deployment = next(d for d in docs if d["kind"] == "Deployment")
    deployment["spec"]["replica"] = deployment["spec"].pop("replicas")
    typo.write_text(yaml.safe_dump_all(docs))
    app, _ = app_including(tmp_path, typo)
    with pytest.raises(K8sDslError) as info:
        app.synth()
    (error,) = info.value.report.errors
    assert (error.code, error.path) == ("schema/unknown-field", "spec.replica")
    assert error.obj.source == "web/release/web-deployment"
    assert "replicas" in error.hint


def test_through_cdk8s_the_included_objects_are_written_the_same(tmp_path: Path) -> None:
    app, chart = app_including(tmp_path, CLEAN)
    ours = synth_objects(chart)
    app.synth(via_cdk8s=True)
    written = list(yaml.safe_load_all((tmp_path / "dist" / "web.k8s.yaml").read_text()))
    assert written == ours
    broken, _ = app_including(tmp_path / "b", BROKEN)
    with pytest.raises(K8sDslError) as info:
        broken.synth(via_cdk8s=True)
    assert info.value.report.errors[0].code == "references/missing-object"


def test_k8sdsl_check_gives_the_rendered_file_the_same_verdicts(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert main(["check", "--complete", "--format", "json", str(BROKEN)]) == 1
    found = json.loads(capsys.readouterr().out)["findings"]
    assert {(f["severity"], f["code"]) for f in found} == {
        ("error", "references/missing-object"),
        ("warning", "pod-security/privileged"),
        ("warning", "pod-security/privilege-escalation"),
    }
    assert main(["check", "--complete", str(CLEAN)]) == 0
