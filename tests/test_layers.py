"""The layers of docs/architecture.md, enforced with import-linter on every import (module
level, inside functions, under TYPE_CHECKING): the contracts in pyproject.toml are kept, they
name every part of the package, and they do catch a violation."""

from __future__ import annotations

import subprocess
import sys
import textwrap
import tomllib
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PKG = ROOT / "k8sdsl"
LINT_IMPORTS = Path(sys.executable).parent / "lint-imports"


def run_lint_imports(cwd: Path, *extra: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(LINT_IMPORTS), "--no-cache", *extra],
        cwd=cwd,
        capture_output=True,
        text=True,
        env={"PYTHONPATH": str(cwd), "PATH": "/usr/bin:/bin"},
    )


def test_the_contracts_are_kept() -> None:
    result = run_lint_imports(ROOT)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "3 kept, 0 broken" in result.stdout


def contracts() -> list[dict[str, object]]:
    config = tomllib.loads((ROOT / "pyproject.toml").read_text())
    found: list[dict[str, object]] = config["tool"]["importlinter"]["contracts"]
    return found


def test_every_part_of_the_package_has_a_layer() -> None:
    [layers] = [c for c in contracts() if c["type"] == "layers"]
    named = {
        part.strip()
        for layer in layers["layers"]  # type: ignore[attr-defined]
        for part in str(layer).split("|")
    }
    parts = {
        f"k8sdsl.{p.stem if p.is_file() else p.name}"
        for p in PKG.iterdir()
        if (p.is_dir() and (p / "__init__.py").exists())
        or (p.suffix == ".py" and p.stem not in ("__init__", "__main__"))
    }
    assert parts == named, f"give these a layer: {sorted(parts - named)}"


@pytest.mark.parametrize(
    ("module", "source", "broken"),
    [
        # a value module reaching up into resources
        ("low/values.py", "from demo.high import resources\n", "Layers"),
        # an import inside a function counts too
        ("low/values.py", "def f():\n    from demo.high import resources\n", "Layers"),
        # a circle between two modules of one package
        ("high/resources.py", "from demo.high import more\n", "circle"),
    ],
)
def test_a_violation_breaks_a_contract(
    tmp_path: Path, module: str, source: str, broken: str
) -> None:
    """The same kinds of contract on a small package: each mistake is caught."""
    demo = tmp_path / "demo"
    for sub in ("low", "high"):
        (demo / sub).mkdir(parents=True)
        (demo / sub / "__init__.py").write_text("")
    (demo / "__init__.py").write_text("")
    (demo / "low" / "values.py").write_text("X = 1\n")
    (demo / "high" / "resources.py").write_text("from demo.low import values\n")
    (demo / "high" / "more.py").write_text("from demo.high import resources\n")
    (tmp_path / ".importlinter").write_text(
        textwrap.dedent(
            """\
            [importlinter]
            root_package = demo

            [importlinter:contract:layers]
            name = Layers
            type = layers
            layers =
                demo.high
                demo.low

            [importlinter:contract:acyclic]
            name = No circle
            type = acyclic_siblings
            ancestors = demo
            """
        )
    )
    assert run_lint_imports(tmp_path).returncode == 0
    target = demo / module
    target.write_text(target.read_text() + source)
    result = run_lint_imports(tmp_path)
    assert result.returncode == 1
    assert broken in result.stdout.split("Broken contracts", 1)[1]


def test_importing_k8sdsl_starts_no_node_process() -> None:
    code = (
        "import k8sdsl, k8sdsl.rules; k8sdsl.rules.load_rules(); import sys; "
        "print('cdk8s' in sys.modules, 'jsii' in sys.modules)"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout.split()
    assert out == ["False", "False"]
