"""Storage builds on the public surface of ``k8sdsl.volumes``, never on its private modules,
so the volumes package can reorganise its implementation without breaking storage."""

from __future__ import annotations

import ast
from pathlib import Path

import k8sdsl.volumes

ROOT = Path(__file__).parents[2] / "k8sdsl"
STORAGE_FILES = sorted((ROOT / "storage").glob("*.py")) + [ROOT / "rules" / "storage.py"]


def _volume_imports(path: Path) -> list[tuple[str, list[str]]]:
    tree = ast.parse(path.read_text())
    return [
        (node.module, [alias.name for alias in node.names])
        for node in ast.walk(tree)
        if isinstance(node, ast.ImportFrom)
        and node.module is not None
        and node.module.startswith("k8sdsl.volumes")
    ]


def test_storage_imports_volumes_only_through_its_public_names() -> None:
    private = [
        (path.relative_to(ROOT).as_posix(), module)
        for path in STORAGE_FILES
        for module, _ in _volume_imports(path)
        if module != "k8sdsl.volumes"
    ]
    assert private == []
    used = {name for path in STORAGE_FILES for _, names in _volume_imports(path) for name in names}
    assert used <= set(k8sdsl.volumes.__all__)
