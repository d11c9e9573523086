"""Bare ``cdk8s synth`` never loses the previous output: the real CLI empties its ``output``
folder before the app runs, so cdk8s.yaml names a scratch folder there and the real one as
``k8sdsl.output``, which k8sdsl replaces atomically after a successful synth only."""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
from pathlib import Path

import pytest

from k8sdsl import App, K8sDslError
from k8sdsl.synth import resolve_outdir

ROOT = Path(__file__).resolve().parent.parent
CLI = ROOT / "node_modules" / ".bin" / "cdk8s"

MAIN = """\
import os, sys
from k8sdsl import App, Chart, ConfigMap
from k8sdsl.synth import run_main

app = App()
chart = Chart(app, "settings", namespace="demo")
ConfigMap(chart, "settings", data={"value": os.environ.get("VALUE", "one")})
if os.environ.get("FAIL"):
    # an error only synth sees: a second object of the same kind, namespace and name
    ConfigMap(Chart(app, "copy", namespace="demo"), "settings")
sys.exit(run_main(app))
"""


def hashes(folder: Path) -> dict[str, str]:
    """Every file under ``folder`` (any name, hidden ones too) and its sha256."""
    return {
        p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


def project(tmp_path: Path) -> Path:
    work = tmp_path / "gitops"
    work.mkdir()
    # this repository's own cdk8s.yaml, with the app command pointing at the test's app
    config = (ROOT / "cdk8s.yaml").read_text()
    assert "output: .k8sdsl-synth" in config and "k8sdsl:\n  output: dist" in config
    config = config.replace(".venv/bin/python -m apps", f"{sys.executable} main.py")
    (work / "cdk8s.yaml").write_text(config)
    (work / "main.py").write_text(MAIN)
    return work


def cdk8s_synth(work: Path, *args: str, **env: str) -> subprocess.CompletedProcess[str]:
    if not CLI.exists():
        pytest.skip("the cdk8s CLI is installed by `make install`")
    clean = {k: v for k, v in os.environ.items() if k not in ("CDK8S_OUTDIR", "FAIL", "VALUE")}
    path = f"{ROOT / '.venv' / 'bin'}{os.pathsep}{clean['PATH']}"
    return subprocess.run(
        [str(CLI), "synth", "--no-check-upgrade", *args],
        cwd=work,
        env={**clean, "PATH": path, "PYTHONPATH": str(ROOT), **env},
        capture_output=True,
        text=True,
        timeout=300,
    )


def test_a_failing_app_under_bare_cdk8s_synth_leaves_dist_byte_identical(
    tmp_path: Path,
) -> None:
    work = project(tmp_path)
    first = cdk8s_synth(work)
    assert first.returncode == 0, first.stderr
    before = hashes(work / "dist")
    assert list(before) == ["settings.k8s.yaml"]
    # the CLI lists the copy in its scratch folder
    assert ".k8sdsl-synth/settings.k8s.yaml" in first.stdout
    assert hashes(work / ".k8sdsl-synth") == before

    failed = cdk8s_synth(work, FAIL="1")
    assert failed.returncode != 0
    assert "app/duplicate-object" in failed.stderr and "nothing was written" in failed.stderr
    assert hashes(work / "dist") == before

    changed = cdk8s_synth(work, VALUE="two")
    assert changed.returncode == 0, changed.stderr
    after = hashes(work / "dist")
    assert list(after) == ["settings.k8s.yaml"] and after != before
    assert "value: two" in (work / "dist" / "settings.k8s.yaml").read_text()


def test_cdk8s_synth_output_writes_the_folder_asked_for(tmp_path: Path) -> None:
    work = project(tmp_path)
    proc = cdk8s_synth(work, "--output", "elsewhere")
    assert proc.returncode == 0, proc.stderr
    assert list(hashes(work / "elsewhere")) == ["settings.k8s.yaml"]
    assert not (work / "dist").exists()


def test_the_output_folder_is_resolved_from_cdk8s_yaml(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    config = tmp_path / "cdk8s.yaml"
    config.write_text("app: x\noutput: .scratch\nk8sdsl:\n  output: out\n")
    monkeypatch.delenv("CDK8S_OUTDIR", raising=False)
    assert resolve_outdir(None, config) == (Path("dist"), None)
    assert resolve_outdir("mine", config) == (Path("mine"), None)
    monkeypatch.setenv("CDK8S_OUTDIR", ".scratch")
    assert resolve_outdir(None, config) == (Path("out"), Path(".scratch"))
    monkeypatch.setenv("CDK8S_OUTDIR", "other")
    assert resolve_outdir(None, config) == (Path("other"), None)
    config.write_text("app: x\noutput: .scratch\n")  # no k8sdsl block: the CLI's folder
    monkeypatch.setenv("CDK8S_OUTDIR", ".scratch")
    assert resolve_outdir(None, config) == (Path(".scratch"), None)


@pytest.mark.parametrize(
    "config", ["output: dist\nk8sdsl: {output: dist}\n", "k8sdsl: {output: 3}\n", "k8sdsl: x\n"]
)
def test_a_cdk8s_yaml_that_would_lose_the_output_is_an_error(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, config: str
) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "cdk8s.yaml").write_text(config)
    monkeypatch.setenv("CDK8S_OUTDIR", "dist")
    with pytest.raises(K8sDslError) as err:
        App()
    (finding,) = err.value.findings
    assert (finding.code, finding.path) == ("synth/cdk8s-config", "k8sdsl.output")
