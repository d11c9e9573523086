"""The app's tests: dist/ is what main.py synthesizes (dist/ is the YAML snapshot a reviewer
reads in a pull request), and what each environment promises holds."""

from __future__ import annotations

from pathlib import Path

import yaml
from main import build

from k8sdsl import App

DIST = Path(__file__).resolve().parent.parent / "dist"


def synthesized() -> dict[str, str]:
    """What ``make synth`` writes, in memory: every rule and the strict schema ran."""
    return build(App(outdir=DIST)).synth_yaml()


def test_dist_is_what_main_synthesizes() -> None:
    expected = synthesized()
    committed = {
        str(p.relative_to(DIST)): p.read_text(encoding="utf-8")
        for p in sorted(DIST.rglob("*"))
        if p.is_file()
    }
    assert committed == expected, "dist/ is stale: run `make synth` and commit dist/"


def test_each_environment_has_its_kustomization() -> None:
    files = synthesized()
    for env in ("dev", "prod"):
        (kustomization,) = yaml.safe_load_all(files[f"{env}/kustomization.yaml"])
        listed = kustomization["resources"]
        assert listed, env
        assert all(f"{env}/{path}" in files for path in listed), env


def test_prod_keeps_pods_serving() -> None:
    files = synthesized()
    objects = [
        doc
        for name, text in files.items()
        if name.startswith("prod/") and name.endswith(".yaml")
        for doc in yaml.safe_load_all(text)
        if doc
    ]
    (deployment,) = [o for o in objects if o["kind"] == "Deployment"]
    assert deployment["spec"]["replicas"] >= 2
    assert any(o["kind"] == "PodDisruptionBudget" for o in objects)
