"""kustomize's rules for ``resources`` paths, on kustomization.yaml files found by
``k8sdsl check`` and on the kustomizations synth writes."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from k8sdsl import App, Chart, ConfigMap, Environment, EnvironmentValues, OutputLayout
from k8sdsl.cli import main
from k8sdsl.core import K8sVersion, Manifest
from k8sdsl.core._output import PlannedOutput
from k8sdsl.rules._registry import run_rules

CONFIG_MAP = "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: %s, namespace: shop}\n"


def kustomization(*resources: str) -> str:
    listed = "".join(f"  - {r}\n" for r in resources)
    return f"apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\nresources:\n{listed}"


def check(paths: list[Path], capsys: pytest.CaptureFixture[str]) -> tuple[int, list[Any]]:
    code = main(["check", "--format", "json", *map(str, paths)])
    return code, json.loads(capsys.readouterr().out)["findings"]


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    (tmp_path / ".git").mkdir()
    base = tmp_path / "base"
    base.mkdir()
    (base / "cm-base.yaml").write_text(CONFIG_MAP % "base")
    (base / "kustomization.yaml").write_text(kustomization("cm-base.yaml"))
    (tmp_path / "loose.yaml").write_text(CONFIG_MAP % "loose")
    (tmp_path / "plain-folder").mkdir()
    (tmp_path / "plain-folder" / "cm-plain.yaml").write_text(CONFIG_MAP % "plain")
    env = tmp_path / "env"
    (env / "web").mkdir(parents=True)
    (env / "web" / "cm-a.yaml").write_text(CONFIG_MAP % "a")
    return tmp_path


def test_a_good_kustomization_passes(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (repo / "env" / "kustomization.yaml").write_text(
        kustomization("web/cm-a.yaml", "../base", "https://github.com/example/x//deploy?ref=v1")
    )
    code, found = check([repo / "env", repo / "base"], capsys)
    assert [f for f in found if f["code"].startswith("kustomize/")] == []
    assert code == 0


def test_every_kustomize_path_rule(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (repo / "env" / "kustomization.yaml").write_text(
        kustomization(
            "web/cm-a.yaml",  # 0: fine
            str(repo / "env" / "web" / "cm-a.yaml"),  # 1: absolute
            "../loose.yaml",  # 2: a file outside the root
            "web/missing.yaml",  # 3: nothing there
            "../plain-folder",  # 4: a folder without a kustomization
            "./web/../web/cm-a.yaml",  # 5: resources[0] again
            "../base",  # 6: a base: fine
        )
    )
    code, found = check([repo / "env"], capsys)
    mine = sorted((f["path"], f["code"]) for f in found if f["code"].startswith("kustomize/"))
    assert mine == [
        ("resources[1]", "kustomize/absolute-path"),
        ("resources[2]", "kustomize/outside-root"),
        ("resources[3]", "kustomize/missing-resource"),
        ("resources[4]", "kustomize/not-a-kustomization"),
        ("resources[5]", "kustomize/duplicate-resource"),
    ]
    line = next(f for f in found if f["code"] == "kustomize/missing-resource")["obj"]
    assert line["source"].endswith("env/kustomization.yaml:7")  # the entry's line
    assert code == 1


def test_kustomizations_are_not_duplicates_of_each_other(
    repo: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (repo / "env" / "kustomization.yaml").write_text(kustomization("web/cm-a.yaml"))
    code, found = check([repo], capsys)
    assert code == 0, [f for f in found if f["severity"] == "error"]


def test_at_synth_the_planned_files_are_what_counts() -> None:
    doc = {
        "apiVersion": "kustomize.config.k8s.io/v1beta1",
        "kind": "Kustomization",
        "resources": ["web/cm.yaml", "web/gone.yaml"],
    }
    m = Manifest(doc, "prod/kustomization.yaml", K8sVersion("1.35"))
    plan = PlannedOutput(
        "dist",
        frozenset({"prod/kustomization.yaml", "prod/web/cm.yaml"}),
        {"prod/kustomization.yaml": "prod/kustomization.yaml"},
    )
    found = run_rules([m], {"output": plan}, only=["kustomize/resources"])
    assert [(f.code, f.path) for f in found] == [("kustomize/missing-resource", "resources[1]")]


class V(EnvironmentValues):
    pass


def test_synth_writes_kustomizations_that_pass_the_rules(tmp_path: Path) -> None:
    app = App(outdir=tmp_path / "dist")
    env = Environment(name="dev", namespace="shop", layout=OutputLayout.KUSTOMIZE, values=V())
    chart = Chart(app, "web", environment=env)
    ConfigMap(chart, "a", data={"k": "v"})
    # a chart-file chart in the same folder is listed too
    other = Chart(app, "extra", environment=env, layout=OutputLayout.CHART_FILE)
    ConfigMap(other, "b", data={"k": "v"})
    report = app.synth()
    assert not [f for f in report.findings if f.code.startswith("kustomize/")]
    text = (tmp_path / "dist" / "dev" / "kustomization.yaml").read_text()
    assert "  - extra.k8s.yaml\n  - web/configmap-a.yaml\n" in text
    assert main(["check", str(tmp_path / "dist")]) == 0
