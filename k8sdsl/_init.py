"""``k8sdsl init DIR``: a new GitOps repository that works with ``make synth`` and ``make test``.

The files come from ``k8sdsl/templates/init/`` with a few names filled in: the app's name,
the k8sdsl version that made the repository (pinned in its pyproject.toml), pytest's, and the
cdk8s CLI of k8sdsl's own package-lock.json (the same lock, so ``npm ci`` installs the same
tree). Then ``main.py`` runs once with this Python, so the new repository starts with its
``dist/`` written and its tests green.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from dataclasses import dataclass
from importlib import metadata, resources
from pathlib import Path

#: the template folder's names that are hidden in the new repository
_RENAMED = {
    "gitignore": ".gitignore",
    "pre-commit-config.yaml": ".pre-commit-config.yaml",
    "github": ".github",
}
_NAME = re.compile(r"^[a-z]([-a-z0-9]{0,40}[a-z0-9])?$")
#: pytest as k8sdsl's own tests pin it (pyproject.toml, the ``test`` extra)
PYTEST_VERSION = "9.2.0"


class InitError(Exception):
    """Why ``init`` wrote nothing, with the fix."""

    def __init__(self, message: str, hint: str) -> None:
        super().__init__(f"{message}\n    hint: {hint}")
        self.message = message
        self.hint = hint


@dataclass(frozen=True)
class InitResult:
    """What ``init`` made: the repository's folder and its files (relative, sorted)."""

    root: Path
    files: tuple[str, ...]


def k8sdsl_version() -> str:
    """The installed k8sdsl's version: what the new repository pins."""
    try:
        return metadata.version("k8sdsl")
    except metadata.PackageNotFoundError:  # pragma: no cover - run from a bare checkout
        return "0.1.0"


def cdk8s_cli_version(lock: str) -> str:
    """The cdk8s CLI version that ``package-lock.json`` installs."""
    packages = json.loads(lock)["packages"]
    return str(packages["node_modules/cdk8s-cli"]["version"])


def template_files(name: str) -> dict[str, str]:
    """Path in the new repository -> text, for an app called ``name``."""
    root = resources.files("k8sdsl") / "templates" / "init"
    lock = (root / "package-lock.json").read_text(encoding="utf-8")
    fills = {
        "@@NAME@@": name,
        "@@VERSION@@": k8sdsl_version(),
        "@@PYTEST@@": PYTEST_VERSION,
        "@@CDK8S_CLI@@": cdk8s_cli_version(lock),
    }
    files: dict[str, str] = {}

    def walk(node: resources.abc.Traversable, prefix: tuple[str, ...]) -> None:
        for child in sorted(node.iterdir(), key=lambda c: c.name):
            if child.name == "__pycache__":
                continue
            parts = (*prefix, _RENAMED.get(child.name, child.name) if not prefix else child.name)
            if child.is_dir():
                walk(child, parts)
                continue
            text = child.read_text(encoding="utf-8")
            if child.name == "package-lock.json":
                # k8sdsl's own lock, under the new repository's package name
                text = text.replace('"name": "k8sdsl-tools"', f'"name": "{name}-tools"')
            for token, value in fills.items():
                text = text.replace(token, value)
            files["/".join(parts)] = text

    walk(root, ())
    return files


def init_repo(dest: Path, *, name: str | None = None, force: bool = False) -> InitResult:
    """Write a new repository into ``dest`` and synthesize its ``dist/`` once.

    ``dest`` must be empty or absent (``force=True`` writes into a folder that is not,
    replacing the template's files and leaving others alone). ``name`` (default: the
    folder's name) names the app, its namespaces and its Argo CD Applications: a DNS label.
    """
    name = name if name is not None else dest.resolve().name
    if not _NAME.match(name):
        raise InitError(
            f"init: the app name {name!r} is not a DNS label (lower-case letters, digits and "
            "'-', starting with a letter, at most 42 characters)",
            "pass --name with a name like 'shop' or 'billing-api'",
        )
    if dest.exists() and not dest.is_dir():
        raise InitError(f"init: {dest} is a file", "name a new or empty folder")
    if dest.is_dir() and any(dest.iterdir()) and not force:
        raise InitError(
            f"init: {dest} is not empty; nothing was written",
            "name a new or empty folder, or pass --force to write the template's files into "
            "it (files of the same name are replaced)",
        )
    files = template_files(name)
    for rel, text in files.items():
        path = dest / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    # the first synth, as `python main.py` runs it outside cdk8s: into dest/dist
    env = {k: v for k, v in os.environ.items() if k != "CDK8S_OUTDIR"}
    done = subprocess.run(
        [sys.executable, "main.py"], cwd=dest, capture_output=True, text=True, check=False, env=env
    )
    if done.returncode != 0:
        raise InitError(
            f"init: the new app's first synth failed:\n{done.stderr.strip()}",
            "this is a bug of the template: please report it with the output above",
        )
    written = sorted(str(p.relative_to(dest)) for p in (dest / "dist").rglob("*") if p.is_file())
    return InitResult(dest, tuple(sorted([*files, *written])))
