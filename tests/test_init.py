"""``k8sdsl init DIR``: a new GitOps repository that works with ``make synth`` and ``make test``."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

import k8sdsl
from k8sdsl._init import InitError, cdk8s_cli_version, init_repo, template_files
from k8sdsl.cli import main

ROOT = Path(__file__).resolve().parent.parent
#: the k8sdsl checkout these tests run from: what the new repository installs in the slow test
SOURCE = Path(k8sdsl.__file__).resolve().parent.parent

EXPECTED_FILES = {
    ".github/workflows/ci.yaml",
    ".gitignore",
    ".pre-commit-config.yaml",
    "Makefile",
    "README.md",
    "cdk8s.yaml",
    "main.py",
    "package-lock.json",
    "package.json",
    "pyproject.toml",
    "tests/test_app.py",
}


def _dist(root: Path) -> dict[str, bytes]:
    dist = root / "dist"
    return {
        str(p.relative_to(dist)): p.read_bytes() for p in sorted(dist.rglob("*")) if p.is_file()
    }


def test_init_writes_the_repository_and_its_first_dist(tmp_path: Path) -> None:
    made = init_repo(tmp_path / "shop")
    root = made.root
    assert EXPECTED_FILES <= set(made.files)
    dist = _dist(root)
    assert set(dist) == {f[len("dist/") :] for f in made.files if f.startswith("dist/")}
    # two environments in the kustomize layout, an Argo CD Application for each
    for env in ("dev", "prod"):
        (kustomization,) = yaml.safe_load_all(dist[f"{env}/kustomization.yaml"])
        assert kustomization["kind"] == "Kustomization"
        assert all(f"{env}/{path}" in dist for path in kustomization["resources"])
    apps = [d for d in yaml.safe_load_all(dist["argocd.k8s.yaml"]) if d]
    assert [(a["metadata"]["name"], a["spec"]["source"]["path"]) for a in apps] == [
        ("shop-dev", "dist/dev"),
        ("shop-prod", "dist/prod"),
    ]
    # prod is production: two replicas or more and a budget (the environments/* rules)
    prod_deployment = yaml.safe_load(dist["prod/shop-prod/deployment-web.yaml"])
    assert prod_deployment["spec"]["replicas"] >= 2
    assert "prod/shop-prod/poddisruptionbudget-web.yaml" in dist


def test_the_new_repository_pins_this_k8sdsl_and_this_cdk8s_cli(tmp_path: Path) -> None:
    root = init_repo(tmp_path / "billing-api").root
    pyproject = (root / "pyproject.toml").read_text(encoding="utf-8")
    assert f'dependencies = ["k8sdsl=={k8sdsl_version()}"]' in pyproject
    assert 'name = "billing-api"' in pyproject
    ours = json.loads((ROOT / "package.json").read_text(encoding="utf-8"))
    theirs = json.loads((root / "package.json").read_text(encoding="utf-8"))
    assert theirs["devDependencies"] == ours["devDependencies"]
    lock = (root / "package-lock.json").read_text(encoding="utf-8")
    assert cdk8s_cli_version(lock) == ours["devDependencies"]["cdk8s-cli"]
    assert json.loads(lock)["packages"][""]["name"] == "billing-api-tools"
    # the same tree as k8sdsl's own lock, under the new name
    own = json.loads((ROOT / "package-lock.json").read_text(encoding="utf-8"))
    new = json.loads(lock)
    assert new["packages"].keys() == own["packages"].keys()
    assert {k: v for k, v in new["packages"].items() if k} == {
        k: v for k, v in own["packages"].items() if k
    }
    assert "@@" not in "".join(template_files("billing-api").values())


def k8sdsl_version() -> str:
    from k8sdsl._init import k8sdsl_version as version

    return version()


def test_the_new_repository_passes_its_own_tests_and_check(tmp_path: Path) -> None:
    root = init_repo(tmp_path / "shop").root
    done = subprocess.run(
        [sys.executable, "-m", "pytest", "-p", "no:cacheprovider"],
        cwd=root,
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert "3 passed" in done.stdout
    assert main(["check", str(root / "dist")]) == 0


def test_its_test_catches_a_stale_dist(tmp_path: Path) -> None:
    root = init_repo(tmp_path / "shop").root
    deployment = root / "dist/dev/shop-dev/deployment-web.yaml"
    deployment.write_text(deployment.read_text().replace("replicas: 1", "replicas: 5"))
    done = subprocess.run(
        [sys.executable, "-m", "pytest", "-p", "no:cacheprovider"],
        cwd=root,
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 1
    assert "dist/ is stale: run `make synth` and commit dist/" in done.stdout


def test_a_folder_that_is_not_empty_is_refused(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "notes.txt").write_text("mine")
    assert main(["init", str(tmp_path), "--name", "shop"]) == 2
    err = capsys.readouterr().err
    assert f"init: {tmp_path} is not empty; nothing was written" in err
    assert "--force" in err
    assert sorted(p.name for p in tmp_path.iterdir()) == ["notes.txt"]
    # --force writes the template beside what is there
    assert main(["init", str(tmp_path), "--name", "shop", "--force"]) == 0
    assert (tmp_path / "notes.txt").read_text() == "mine"
    assert (tmp_path / "main.py").is_file()


@pytest.mark.parametrize("name", ["Shop", "9lives", "a_b", "-x", "x" * 43])
def test_a_name_that_is_not_a_dns_label_is_refused(tmp_path: Path, name: str) -> None:
    with pytest.raises(InitError, match="is not a DNS label") as caught:
        init_repo(tmp_path / "app", name=name)
    assert "--name" in caught.value.hint
    assert not (tmp_path / "app").exists()


@pytest.mark.slow
@pytest.mark.skipif(shutil.which("make") is None, reason="make is not installed")
def test_make_synth_and_make_test_in_a_new_repository(tmp_path: Path) -> None:
    """End to end, as a new user: init, then the README's two commands on a fresh folder
    (a new .venv with k8sdsl from this checkout, the cdk8s CLI by npm ci from the lock), then
    a failing app leaves dist/ byte-identical."""
    root = tmp_path / "shop"
    assert main(["init", str(root)]) == 0
    first = _dist(root)
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in ("VIRTUAL_ENV", "CDK8S_OUTDIR", "PYTHONPATH", "MAKEFLAGS", "MAKELEVEL")
    }
    env["PATH"] = os.pathsep.join(
        p for p in env.get("PATH", "").split(os.pathsep) if not p.startswith(str(SOURCE))
    )

    def make(target: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            ["make", target, f"K8SDSL={SOURCE}"],
            cwd=root,
            env=env,
            capture_output=True,
            text=True,
            check=False,
            timeout=900,
        )

    synth = make("synth")
    assert synth.returncode == 0, synth.stdout[-3000:] + synth.stderr[-3000:]
    assert (root / ".venv/bin/k8sdsl").is_file()
    assert (root / "node_modules/.bin/cdk8s").exists()
    assert _dist(root) == first  # the real cdk8s synth writes what init wrote
    test = make("test")
    assert test.returncode == 0, test.stdout[-3000:] + test.stderr[-3000:]
    assert "3 passed" in test.stdout
    # a failing app: the real CLI runs it, nothing is lost
    main_py = root / "main.py"
    main_py.write_text(main_py.read_text().replace("replicas=3", "replicas=1"))
    failed = make("synth")
    assert failed.returncode != 0
    assert "environments/production-replicas" in failed.stdout + failed.stderr
    assert _dist(root) == first
