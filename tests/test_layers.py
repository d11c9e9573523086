"""Layers point one way: core <- values <- resources <- rules/synth <- cli.

Checked on the source (module-level imports only: imports inside functions are the
deliberate, lazy way across, e.g. to cdk8s on demand).
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PKG = Path(__file__).resolve().parent.parent / "k8sdsl"


def module_name(path: Path) -> str:
    rel = path.relative_to(PKG.parent).with_suffix("")
    parts = list(rel.parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def top_level_imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text())
    found: set[str] = set()
    for node in tree.body:
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.dump(node.test):
            continue  # typing-only imports cost nothing at run time
        for sub in ast.walk(node) if isinstance(node, ast.Try | ast.If) else [node]:
            if isinstance(sub, ast.Import):
                found |= {a.name for a in sub.names}
            elif isinstance(sub, ast.ImportFrom) and sub.module and sub.level == 0:
                found.add(sub.module)
    return found


MODULES = {module_name(p): top_level_imports(p) for p in sorted(PKG.rglob("*.py"))}

# package -> k8sdsl packages it must not import at module level
FORBIDDEN = {
    "k8sdsl.core": [
        "k8sdsl.volumes",
        "k8sdsl.storage",
        "k8sdsl.workloads",
        "k8sdsl.network",
        "k8sdsl.security",
        "k8sdsl.rules",
        "k8sdsl.synth",
        "k8sdsl.cli",
    ],
    "k8sdsl.volumes": [
        "k8sdsl.storage",
        "k8sdsl.workloads",
        "k8sdsl.network",
        "k8sdsl.rules",
        "k8sdsl.synth",
        "k8sdsl.cli",
    ],
    "k8sdsl.rules": ["k8sdsl.synth", "k8sdsl.cli"],
    "k8sdsl.storage": ["k8sdsl.synth", "k8sdsl.cli"],
    "k8sdsl.workloads": ["k8sdsl.synth", "k8sdsl.cli"],
    "k8sdsl.network": ["k8sdsl.synth", "k8sdsl.cli"],
    "k8sdsl.security": ["k8sdsl.synth", "k8sdsl.cli"],
    "k8sdsl.synth": ["k8sdsl.cli"],
}


@pytest.mark.parametrize("package", sorted(FORBIDDEN))
def test_layers_point_one_way(package: str) -> None:
    bad = [
        f"{mod} imports {imp}"
        for mod, imports in MODULES.items()
        if mod == package or mod.startswith(package + ".")
        for imp in imports
        for forbidden in FORBIDDEN[package]
        if imp == forbidden or imp.startswith(forbidden + ".")
    ]
    assert not bad, "\n".join(bad)


def test_only_the_bridge_imports_cdk8s_at_module_level() -> None:
    """Importing k8sdsl must not start a node process: cdk8s is imported on demand."""
    importers = sorted(
        mod
        for mod, imports in MODULES.items()
        if any(i == "cdk8s" or i.startswith(("cdk8s.", "cdk8s_plus")) for i in imports)
    )
    assert importers == []


def test_importing_k8sdsl_starts_no_node_process() -> None:
    import subprocess
    import sys

    code = (
        "import k8sdsl, k8sdsl.rules; k8sdsl.rules.load_rules(); import sys; "
        "print('cdk8s' in sys.modules, 'jsii' in sys.modules)"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout.split()
    assert out == ["False", "False"]
