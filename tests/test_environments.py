"""Environments: typed values, one folder each, production labels and the production rules,
at synth and on YAML through ``k8sdsl check``; the output layouts, byte for byte."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import yaml

from k8sdsl import (
    App,
    Chart,
    ConfigMap,
    Environment,
    EnvironmentValues,
    K8sDslError,
    OutputLayout,
)
from k8sdsl._layout import resource_file_names
from k8sdsl.cli import main
from k8sdsl.core import PRODUCTION_LABEL
from k8sdsl.security import Role
from k8sdsl.workloads import Deployment, PodDisruptionBudget, SecurePodTemplate

DIGEST = "@sha256:5d0da3dc976460b72c77d94c8a1ad043720b0416bfc16c52c45d4847e53fadb6"


class WebValues(EnvironmentValues):
    replicas: int = 1
    image_tag: str
    budget: bool = False


def env(name: str, layout: OutputLayout = OutputLayout.KUSTOMIZE, **values: Any) -> Any:
    return Environment[WebValues](
        name=name, namespace=f"web-{name}", layout=layout, values=WebValues(**values)
    )


def web(app: App, e: Any) -> Chart:
    chart = Chart(app, f"web-{e.name}", environment=e)
    d = Deployment(
        chart,
        "web",
        replicas=e.values.replicas,
        template=SecurePodTemplate(image=f"registry.example.com/web:{e.values.image_tag}"),
    )
    if e.values.budget:
        PodDisruptionBudget.for_workload(d, max_unavailable=1)
    return chart


def files(folder: Path) -> dict[str, str]:
    return {p.relative_to(folder).as_posix(): p.read_text() for p in sorted(folder.rglob("*"))
            if p.is_file()}  # fmt: skip


def codes(found: list[dict[str, Any]], severity: str = "error") -> list[str]:
    return sorted(f["code"] for f in found if f["severity"] == severity)


# -- values ------------------------------------------------------------------------------


def test_values_are_typed_and_checked() -> None:
    e = env("prod", replicas=3, image_tag="1.4.2")
    assert e.values.replicas == 3 and isinstance(e.values, WebValues)
    with pytest.raises(K8sDslError) as info:
        WebValues(image_tag="1", replicaz=2)  # type: ignore[call-arg]
    assert [f.code for f in info.value.findings] == ["value/extra-forbidden"]
    assert "did you mean 'replicas'" in info.value.findings[0].hint


def test_production_is_prod_by_name_or_in_writing() -> None:
    assert env("prod", image_tag="1").is_production
    assert env("production", image_tag="1").is_production
    assert not env("staging", image_tag="1").is_production
    assert Environment(name="live", production=True, values=WebValues(image_tag="1")).is_production
    assert not Environment(
        name="prod", production=False, values=WebValues(image_tag="1")
    ).is_production


def test_a_chart_takes_its_environments_namespace_labels_and_folder() -> None:
    app = App(outdir="unused")
    chart = web(app, env("prod", replicas=2, image_tag="1.4.2", budget=True))
    (deployment, pdb) = [m.obj for m in chart.manifests()]
    assert deployment["metadata"]["namespace"] == "web-prod"
    assert deployment["metadata"]["labels"] == {
        "k8sdsl.io/environment": "prod",
        PRODUCTION_LABEL: "true",
    }
    assert chart.folder == "prod" and chart.layout is OutputLayout.KUSTOMIZE
    assert pdb["kind"] == "PodDisruptionBudget"


# -- layouts -----------------------------------------------------------------------------


def three_envs(outdir: Path) -> App:
    app = App(outdir=outdir)
    web(app, env("dev", image_tag="1.5.0-rc.1"))
    web(app, env("staging", layout=OutputLayout.RESOURCE_FILES, replicas=2, image_tag="1.4.2"))
    web(
        app, env("prod", layout=OutputLayout.CHART_FILE, replicas=3, image_tag="1.4.2", budget=True)
    )
    return app


def test_each_environment_gets_its_folder_in_its_layout(tmp_path: Path) -> None:
    three_envs(tmp_path / "dist").synth()
    out = files(tmp_path / "dist")
    assert sorted(out) == [
        "dev/kustomization.yaml",
        "dev/web-dev/deployment-web.yaml",
        "prod/web-prod.k8s.yaml",
        "staging/web-staging/deployment-web.yaml",
    ]
    assert yaml.safe_load(out["dev/kustomization.yaml"]) == {
        "apiVersion": "kustomize.config.k8s.io/v1beta1",
        "kind": "Kustomization",
        "metadata": {"name": "dev"},
        "resources": ["web-dev/deployment-web.yaml"],
    }
    # every object file records its target version, for k8sdsl check
    assert out["dev/web-dev/deployment-web.yaml"].startswith("# k8sdsl: k8s-version=1.35\n")


def test_output_is_byte_identical_across_runs(tmp_path: Path) -> None:
    three_envs(tmp_path / "a").synth()
    three_envs(tmp_path / "b").synth()
    three_envs(tmp_path / "c").synth(via_cdk8s=True)
    a, b, c = (files(tmp_path / x) for x in "abc")
    assert a == b == c


def test_the_kustomize_layout_snapshot(tmp_path: Path, yaml_snapshot: Any) -> None:
    app = App(outdir=tmp_path / "dist")
    chart = web(app, env("prod", replicas=2, image_tag="1.4.2", budget=True))
    ConfigMap(chart, "settings", data={"mode": "fast"})
    app.synth()
    out = files(tmp_path / "dist")
    docs = [{"file": name, "content": yaml.safe_load(text)} for name, text in out.items()]
    assert docs == yaml_snapshot


def test_file_names_are_safe_distinct_and_stable() -> None:
    objs = [
        {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "a", "namespace": "x"}},
        {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "a", "namespace": "y"}},
        {"apiVersion": "rbac.authorization.k8s.io/v1", "kind": "ClusterRole",
         "metadata": {"name": "system:Reader"}},
        {"apiVersion": "networking.k8s.io/v1", "kind": "NetworkPolicy",
         "metadata": {"name": "web", "namespace": "shop"}},
        {"apiVersion": "crd.projectcalico.org/v1", "kind": "NetworkPolicy",
         "metadata": {"name": "web", "namespace": "shop"}},
        {"apiVersion": "v1", "kind": "Service", "metadata": {"name": "web"}},
    ]  # fmt: skip
    assert resource_file_names(objs) == [
        "configmap-x-a.yaml",
        "configmap-y-a.yaml",
        "clusterrole-system-reader.yaml",
        "networkpolicy.networking.k8s.io-shop-web.yaml",
        "networkpolicy.crd.projectcalico.org-shop-web.yaml",
        "service-web.yaml",
    ]
    assert resource_file_names(objs) == resource_file_names([dict(o) for o in objs])


def test_a_chart_outside_environments_can_choose_a_layout(tmp_path: Path) -> None:
    app = App(outdir=tmp_path / "dist")
    chart = Chart(app, "rbac", namespace="shop", layout="resource-files")
    Role(chart, "reader", rules=[])
    app.synth()
    assert sorted(files(tmp_path / "dist")) == ["rbac/role-reader.yaml"]
    with pytest.raises(K8sDslError) as info:
        Chart(app, "bad", layout="one-big-file")
    assert info.value.findings[0].code == "chart/invalid"
    assert "'kustomize'" in info.value.findings[0].hint


# -- production rules ----------------------------------------------------------------------


def test_production_weaker_than_the_defaults_fails_synth(tmp_path: Path) -> None:
    out = tmp_path / "dist"
    app = App(outdir=out)
    web(app, env("prod", replicas=1, image_tag="latest"))
    with pytest.raises(K8sDslError) as info:
        app.synth()
    found = sorted(f.code for f in info.value.findings if f.code.startswith("environments/"))
    assert found == [
        "environments/production-image",
        "environments/production-pdb",
        "environments/production-replicas",
    ]
    replicas = next(f for f in info.value.findings if f.code.endswith("replicas"))
    assert replicas.obj.source == "web-prod/web" and replicas.path == "spec.replicas"
    assert not out.exists()


def test_the_same_values_pass_outside_production(tmp_path: Path) -> None:
    app = App(outdir=tmp_path / "dist")
    web(app, env("dev", replicas=1, image_tag="1.5.0"))
    report = app.synth()
    assert not [f for f in report.findings if f.code.startswith("environments/")]


def test_a_budget_that_selects_other_pods_does_not_count(tmp_path: Path) -> None:
    app = App(outdir=tmp_path / "dist")
    chart = web(app, env("prod", replicas=2, image_tag="1.4.2"))
    PodDisruptionBudget(chart, "other", selector={"app": "other"}, max_unavailable=1)
    with pytest.raises(K8sDslError) as info:
        app.synth()
    assert "environments/production-pdb" in {f.code for f in info.value.findings}


PROD_YAML = f"""\
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  namespace: web-prod
  labels: {{{PRODUCTION_LABEL}: "true"}}
spec:
  selector: {{matchLabels: {{app: web}}}}
  template:
    metadata: {{labels: {{app: web}}}}
    spec:
      containers:
        - name: web
          image: registry.example.com/web{DIGEST}
        - name: sidecar
          image: registry.example.com/sidecar:latest
"""


def test_production_rules_on_yaml(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "prod.yaml"
    path.write_text(PROD_YAML)
    assert main(["check", "--format", "json", str(path)]) == 1
    found = json.loads(capsys.readouterr().out)["findings"]
    mine = [f for f in found if f["code"].startswith("environments/")]
    assert sorted((f["code"], f["path"]) for f in mine) == [
        # a digest without a tag is fixed bytes: only the sidecar's latest is refused
        ("environments/production-image", "spec.template.spec.containers[1].image"),
        ("environments/production-pdb", "spec.template.metadata.labels"),
        ("environments/production-replicas", "spec.replicas"),
    ]
    # the same file with a budget and two replicas, and without the label, is not refused
    fixed = PROD_YAML.replace("spec:\n  selector", "spec:\n  replicas: 2\n  selector").replace(
        ":latest", ":1.2.0"
    ) + (
        "---\napiVersion: policy/v1\nkind: PodDisruptionBudget\n"
        "metadata: {name: web, namespace: web-prod}\n"
        "spec: {maxUnavailable: 1, selector: {matchLabels: {app: web}}}\n"
    )
    path.write_text(fixed)
    main(["check", "--format", "json", str(path)])
    found = json.loads(capsys.readouterr().out)["findings"]
    assert not [f for f in found if f["code"].startswith("environments/")]
    path.write_text(PROD_YAML.replace(f'labels: {{{PRODUCTION_LABEL}: "true"}}', "labels: {}"))
    main(["check", "--format", "json", str(path)])
    found = json.loads(capsys.readouterr().out)["findings"]
    assert not [f for f in found if f["code"].startswith("environments/")]
