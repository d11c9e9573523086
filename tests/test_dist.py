"""dist/ is exactly what synth writes now, and every object in it passes the strict schema."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest
import yaml

from apps import build_app
from k8sdsl._config_schema import validate_config
from k8sdsl.core import SUPPORTED_VERSIONS
from k8sdsl.synth import VERSION_HEADER

from .conftest import schema_errors

ROOT = Path(__file__).resolve().parent.parent
DIST = ROOT / "dist"


def files(folder: Path) -> dict[str, str]:
    # the charts' files and the configuration files in folders (nodes/<pool>/...)
    # and the inputs of other tools (pki/: openssl configs, cfssl CSRs, the easyrsa script)
    return {
        p.relative_to(folder).as_posix(): p.read_text()
        for p in sorted(folder.rglob("*"))
        if p.is_file() and p.suffix in (".yaml", ".cnf", ".json", ".sh")
    }


@pytest.fixture(scope="module")
def fresh(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    out = tmp_path_factory.mktemp("synth") / "dist"
    build_app(outdir=out).synth()
    return files(out)


def test_dist_matches_a_fresh_synth(fresh: dict[str, str]) -> None:
    committed = files(DIST)
    assert sorted(committed) == sorted(fresh), "run `make synth` and commit dist/"
    for name in fresh:
        assert committed[name] == fresh[name], f"dist/{name} drifted: run `make synth`"


def test_every_dist_object_passes_its_target_and_the_newest_schema() -> None:
    app = build_app(outdir="unused")
    targets = {f"{c.node.id}.k8s.yaml": str(c.k8s_version) for c in app.charts}
    failures = []
    for name, text in files(DIST).items():
        if not name.endswith(".yaml"):
            continue  # an input of another tool (pki/): no Kubernetes document
        docs = [d for d in yaml.safe_load_all(text) if d is not None]
        if name.endswith("/kustomization.yaml"):
            # kustomize's configuration: the kustomize/* rules judge it (test_environments)
            assert [d["apiVersion"] for d in docs] == ["kustomize.config.k8s.io/v1beta1"], name
            continue
        if "/" in name and len(docs) == 1 and validate_config(docs[0]) is not None:
            # a configuration file: k8sdsl's pinned schema of its kind
            problems = validate_config(docs[0]) or []
            failures += [f"{name}: {p.path}: {p.message}" for p in problems]
            continue
        # a chart's file, or one object's file of a chart laid out a file per object
        header = VERSION_HEADER.match(text.splitlines()[0])
        target = targets.get(name) or (header.group(1) if header else SUPPORTED_VERSIONS[-1])
        for obj in docs:
            for version in sorted({target, SUPPORTED_VERSIONS[-1]}):
                failures += [
                    f"{name} {obj['kind']}/{obj['metadata']['name']} @{version}: {e}"
                    for e in schema_errors(obj, version)
                ]
    assert not failures, "\n".join(failures)


def test_real_cdk8s_cli_writes_the_committed_dist(tmp_path: Path) -> None:
    cli = ROOT / "node_modules" / ".bin" / "cdk8s"
    if not cli.exists():
        pytest.skip("the cdk8s CLI is installed by `make install`")
    out = tmp_path / "out"
    env = {**os.environ, "PATH": f"{ROOT / '.venv' / 'bin'}{os.pathsep}{os.environ['PATH']}"}
    proc = subprocess.run(
        [str(cli), "synth", "--no-check-upgrade", "--output", str(out)],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert proc.returncode == 0, proc.stderr
    # no jsii or node warnings (k8sdsl's own findings may be printed: they are the report)
    assert "jsii" not in proc.stderr.lower() and "(node:" not in proc.stderr, proc.stderr
    assert files(out) == files(DIST)


def test_make_synth_leaves_dist_untouched_when_synth_fails(tmp_path: Path) -> None:
    """A broken app definition: `make synth` exits non-zero, reports every error with its
    construct path, field and hint, and dist/ keeps its previous content."""
    if not (ROOT / "node_modules" / ".bin" / "cdk8s").exists():
        pytest.skip("the cdk8s CLI is installed by `make install`")
    work = tmp_path / "project"
    (work / "apps").mkdir(parents=True)
    for name in ("Makefile", "cdk8s.yaml", "pyproject.toml", "package.json", "package-lock.json"):
        shutil.copy(ROOT / name, work / name)
    for name in (".venv", "node_modules"):
        (work / name).symlink_to(ROOT / name)
    shutil.copy(ROOT / "apps" / "__init__.py", work / "apps" / "__init__.py")
    shutil.copy(ROOT / "apps" / "__main__.py", work / "apps" / "__main__.py")
    (work / "apps" / "bad_name.py").write_text(
        "from k8sdsl import App, Chart, ConfigMap\n"
        "def build(app: App) -> None:\n"
        "    ConfigMap(Chart(app, 'one', namespace='ns'), 'Settings_Map')\n"
    )
    (work / "apps" / "bad_quantity.py").write_text(
        "from k8sdsl import App, Chart, Quantity\n"
        "from k8sdsl.core import K8sModel, Resource\n"
        "class Req(K8sModel):\n"
        "    storage: Quantity\n"
        "class Claim(Resource):\n"
        "    api_version = 'v1'\n"
        "    kind = 'PersistentVolumeClaim'\n"
        "    def __init__(self, scope, id, *, storage):\n"
        "        super().__init__(scope, id)\n"
        "        with self._values():\n"
        "            self.req = Req(storage=storage)\n"
        "def build(app: App) -> None:\n"
        "    Claim(Chart(app, 'two', namespace='ns'), 'data', storage='1GB')\n"
    )
    (work / "dist").mkdir()
    (work / "dist" / "keep.k8s.yaml").write_text("kept: true\n")
    proc = subprocess.run(
        [
            "make",
            "--no-print-directory",
            "-o",
            ".venv/.k8sdsl-installed",
            "-o",
            "node_modules/.k8sdsl-installed",
            "synth",
        ],
        cwd=work,
        capture_output=True,
        text=True,
        timeout=300,
        env={k: v for k, v in os.environ.items() if k != "CDK8S_OUTDIR"},
    )
    out = proc.stdout + proc.stderr
    assert proc.returncode != 0
    assert "one/Settings_Map" in out and "metadata.name" in out and "use 'settings-map'" in out
    assert "two/data" in out and "storage" in out and "use '1G'" in out
    assert "Traceback" not in out
    assert files(work / "dist") == {"keep.k8s.yaml": "kept: true\n"}
