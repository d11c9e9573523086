"""The ``k8sdsl-check`` hook of .pre-commit-hooks.yaml, run by the real pre-commit as a user
runs it: a repository whose .pre-commit-config.yaml names this checkout and a commit of it;
pre-commit installs k8sdsl from that commit into its own environment. A commit with a bad
manifest is refused, naming the finding; a good one goes through."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent

BAD = """\
apiVersion: v1
kind: PersistentVolumeClaim
metadata:
  name: nfs-pvc
spec:
  accessModes:
    - ReadWriteMany
  storageClassName: ""
  Resources:
    Requests:
      storage: 1Gi
"""
GOOD = """\
apiVersion: v1
kind: ConfigMap
metadata: {name: settings, namespace: shop}
data: {mode: fast}
"""


def git(cwd: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        ["git", *args], cwd=cwd, capture_output=True, text=True, timeout=120, check=False
    )


@pytest.mark.slow
def test_the_hook_refuses_a_bad_manifest_and_passes_a_good_one(tmp_path: Path) -> None:
    pytest.importorskip("pre_commit")
    if shutil.which("git") is None:
        pytest.skip("git is not installed")
    rev = git(ROOT, "rev-parse", "HEAD").stdout.strip()
    if git(ROOT, "cat-file", "-e", f"{rev}:.pre-commit-hooks.yaml").returncode != 0:
        pytest.skip("the checked-out commit has no .pre-commit-hooks.yaml")
    repo = tmp_path / "gitops"
    repo.mkdir()
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith(("GIT_", "PRE_COMMIT"))},
        "PRE_COMMIT_HOME": str(tmp_path / "pre-commit-cache"),
        "GIT_AUTHOR_NAME": "t",
        "GIT_AUTHOR_EMAIL": "t@example.com",
        "GIT_COMMITTER_NAME": "t",
        "GIT_COMMITTER_EMAIL": "t@example.com",
        "GIT_CONFIG_GLOBAL": os.devnull,
    }
    git(repo, "init", "-q", "-b", "main")
    (repo / ".pre-commit-config.yaml").write_text(
        f"repos:\n  - repo: {ROOT}\n    rev: {rev}\n    hooks:\n      - id: k8sdsl-check\n"
    )
    hook = [sys.executable, "-m", "pre_commit"]
    installed = subprocess.run(
        [*hook, "install"], cwd=repo, env=env, capture_output=True, text=True, timeout=120
    )
    assert installed.returncode == 0, installed.stdout + installed.stderr

    def commit(message: str) -> subprocess.CompletedProcess[str]:
        subprocess.run(["git", "add", "-A"], cwd=repo, env=env, check=True)
        return subprocess.run(
            ["git", "commit", "-q", "-m", message],
            cwd=repo,
            env=env,
            capture_output=True,
            text=True,
            timeout=1200,  # the first run installs k8sdsl's environment
        )

    (repo / "pvc.yaml").write_text(BAD)
    bad = commit("a claim with Resources:")
    out = bad.stdout + bad.stderr
    assert bad.returncode != 0, out
    assert "k8sdsl check" in out and "Failed" in out
    assert "error[schema/unknown-field] PersistentVolumeClaim nfs-pvc (pvc.yaml:9)" in out
    assert "did you mean spec.resources?" in out
    assert git(repo, "rev-list", "--all").stdout == ""  # nothing was committed

    (repo / "pvc.yaml").unlink()
    (repo / "settings.yaml").write_text(GOOD)
    good = commit("a good ConfigMap")
    assert good.returncode == 0, good.stdout + good.stderr
    assert "k8sdsl check" in good.stdout + good.stderr and "Passed" in good.stdout + good.stderr
    assert git(repo, "log", "--format=%s").stdout.strip() == "a good ConfigMap"
