"""Argo CD and Flux objects: typed, valid against their pinned CRD schemas, pointing at
folders that exist and at the namespace of the objects there (at synth and on YAML)."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import pytest
import yaml

from k8sdsl import (
    App,
    ArgoCdApplication,
    ArgoCdApplicationSet,
    Chart,
    ConfigMap,
    Environment,
    EnvironmentValues,
    FluxGitRepository,
    FluxKustomization,
    K8sDslError,
    OutputLayout,
)
from k8sdsl._crd_schema import crd_kind, validate_crd
from k8sdsl.cli import main

REPO = "https://git.example.com/gitops.git"
ROOT = Path(__file__).resolve().parent.parent


class V(EnvironmentValues):
    pass


def env(name: str, namespace: str | None = None) -> Environment[V]:
    return Environment(
        name=name, namespace=namespace or f"web-{name}", layout=OutputLayout.KUSTOMIZE, values=V()
    )


def app_with(tmp_path: Path, *envs: Environment[V]) -> tuple[App, Chart]:
    app = App(outdir=tmp_path / "dist")
    for e in envs:
        ConfigMap(Chart(app, f"web-{e.name}", environment=e), "settings", data={"k": "v"})
    return app, Chart(app, "gitops", namespace="argocd")


def test_the_gitops_kinds_are_pinned() -> None:
    for api_version, kind in [
        ("argoproj.io/v1alpha1", "Application"),
        ("argoproj.io/v1alpha1", "ApplicationSet"),
        ("kustomize.toolkit.fluxcd.io/v1", "Kustomization"),
        ("source.toolkit.fluxcd.io/v1", "GitRepository"),
    ]:
        assert crd_kind(api_version, kind) is not None, kind
    # kustomize's own Kustomization is not Flux's
    assert crd_kind("kustomize.config.k8s.io/v1beta1", "Kustomization") is None


def test_an_application_per_environment(tmp_path: Path, yaml_snapshot: Any) -> None:
    dev, prod = env("dev"), env("prod")
    app, gitops = app_with(tmp_path, dev, prod)
    apps = [
        ArgoCdApplication.for_environment(gitops, e, repo_url=REPO, app_name="web")
        for e in (dev, prod)
    ]
    report = app.synth()
    assert not [f for f in report.findings if f.code.startswith(("gitops/", "schema/"))]
    docs = [a.to_k8s() for a in apps]
    assert [d["spec"]["source"]["path"] for d in docs] == ["dist/dev", "dist/prod"]
    assert [d["spec"]["destination"]["namespace"] for d in docs] == ["web-dev", "web-prod"]
    assert all(validate_crd(d) == [] for d in docs)
    assert docs == yaml_snapshot


def test_the_repo_path_of_the_app_is_the_prefix(tmp_path: Path) -> None:
    app = App(outdir=tmp_path / "out", repo_path="clusters/main")
    e = env("dev")
    ConfigMap(Chart(app, "web-dev", environment=e), "settings", data={"k": "v"})
    a = ArgoCdApplication.for_environment(
        Chart(app, "gitops", namespace="argocd"), e, repo_url=REPO, app_name="web"
    )
    app.synth()
    assert a.to_k8s()["spec"]["source"]["path"] == "clusters/main/dev"


def test_a_path_that_is_not_in_the_output_fails_synth(tmp_path: Path) -> None:
    app, gitops = app_with(tmp_path, env("dev"))
    ArgoCdApplication(
        gitops, "web", repo_url=REPO, path="dist/devv", destination_namespace="web-dev"
    )
    with pytest.raises(K8sDslError) as info:
        app.synth()
    (found,) = [f for f in info.value.findings if f.code.startswith("gitops/")]
    assert (found.code, found.path) == ("gitops/path-missing", "spec.source.path")
    assert found.obj.source == "gitops/web"


def test_a_destination_namespace_other_than_the_objects_fails_synth(tmp_path: Path) -> None:
    app, gitops = app_with(tmp_path, env("dev"))
    ArgoCdApplication(gitops, "web", repo_url=REPO, path="dist/dev", destination_namespace="web")
    with pytest.raises(K8sDslError) as info:
        app.synth()
    (found,) = [f for f in info.value.findings if f.code.startswith("gitops/")]
    assert (found.code, found.path) == ("gitops/namespace-mismatch", "spec.destination.namespace")
    assert "'web-dev'" in found.message and "'web-dev'" in found.hint


def flux_app(tmp_path: Path, *, wrong: bool) -> tuple[App, FluxGitRepository, FluxKustomization]:
    dev = env("dev")
    app, _ = app_with(tmp_path, dev)
    flux = Chart(app, "flux", namespace="flux-system")
    source = FluxGitRepository(flux, "gitops", url=REPO, branch="main")
    ks = FluxKustomization.for_environment(flux, dev, source=source, app_name="web")
    if wrong:
        FluxKustomization(flux, "wrong", source=source, path="dist/nope")
    return app, source, ks


def test_flux_source_and_kustomizations(tmp_path: Path, yaml_snapshot: Any) -> None:
    app, _, _ = flux_app(tmp_path / "a", wrong=True)
    with pytest.raises(K8sDslError) as info:
        app.synth()
    found = [(f.obj.name, f.code) for f in info.value.findings if f.code.startswith("gitops/")]
    assert found == [("wrong", "gitops/path-missing")]
    app, source, ks = flux_app(tmp_path / "b", wrong=False)
    app.synth()
    docs = [source.to_k8s(), ks.to_k8s()]
    assert ks.to_k8s()["spec"]["path"] == "./dist/dev"
    assert all(validate_crd(d) == [] for d in docs)
    assert docs == yaml_snapshot


def test_an_application_set_over_the_environments(tmp_path: Path, yaml_snapshot: Any) -> None:
    dev, prod = env("dev"), env("prod")
    app, gitops = app_with(tmp_path, dev, prod)
    appset = ArgoCdApplicationSet(
        gitops, "web", environments=[dev, prod], repo_url=REPO, app_name="web"
    )
    app.synth()
    doc = appset.to_k8s()
    assert validate_crd(doc) == []
    elements = doc["spec"]["generators"][0]["list"]["elements"]
    assert [e["path"] for e in elements] == ["dist/dev", "dist/prod"]
    assert doc == yaml_snapshot


def test_a_typo_in_an_application_is_a_schema_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "app.yaml"
    path.write_text(
        "apiVersion: argoproj.io/v1alpha1\nkind: Application\n"
        "metadata: {name: web, namespace: argocd}\n"
        "spec:\n  project: default\n  destination: {namespace: web, server: x}\n"
        "  source: {repoUrl: x, path: ., targetRevision: HEAD}\n"
    )
    assert main(["check", "--format", "json", str(path)]) == 1
    found = json.loads(capsys.readouterr().out)["findings"]
    unknown = [f for f in found if f["code"] == "schema/unknown-field"]
    assert [f["path"] for f in unknown] == ["spec.source.repoUrl"]
    assert "repoURL" in unknown[0]["hint"]


def test_the_rules_on_yaml_in_a_repository(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """``k8sdsl check`` resolves the paths against the repository root (``.git``)."""
    app, gitops = app_with(tmp_path / "build", env("dev"))
    ArgoCdApplication.for_environment(gitops, env("dev"), repo_url=REPO, app_name="web")
    app.synth()
    repo = tmp_path / "repo"
    (repo / ".git").mkdir(parents=True)
    shutil.copytree(tmp_path / "build" / "dist", repo / "dist")
    code, found = _check(repo / "dist", capsys)
    assert code == 0, [f for f in found if f["severity"] == "error"]
    # the environment's folder gone, or the namespace changed: both are found in YAML
    argocd = repo / "dist" / "gitops.k8s.yaml"
    text = argocd.read_text()
    argocd.write_text(text.replace("path: dist/dev", "path: dist/qa"))
    code, found = _check(repo / "dist", capsys)
    assert [f["code"] for f in found if f["severity"] == "error"] == ["gitops/path-missing"]
    argocd.write_text(text.replace("namespace: web-dev", "namespace: web-qa"))
    code, found = _check(repo / "dist", capsys)
    assert [f["code"] for f in found if f["severity"] == "error"] == ["gitops/namespace-mismatch"]


def _check(path: Path, capsys: pytest.CaptureFixture[str]) -> tuple[int, list[Any]]:
    code = main(["check", "--format", "json", str(path)])
    return code, json.loads(capsys.readouterr().out)["findings"]


def test_the_example_apps_argocd_applications_point_at_dist() -> None:
    """apps/environments.py: each Application syncs a committed folder with a kustomization."""
    docs = list(yaml.safe_load_all((ROOT / "dist" / "environments-argocd.k8s.yaml").read_text()))
    for doc in docs:
        folder = ROOT / doc["spec"]["source"]["path"]
        assert (folder / "kustomization.yaml").is_file(), folder
        listed = yaml.safe_load((folder / "kustomization.yaml").read_text())["resources"]
        assert all((folder / p).is_file() for p in listed)
