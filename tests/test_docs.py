"""Every Python example in README.md and docs/*.md runs, so the docs cannot drift."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
DOCS = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
FENCE = re.compile(r"^```python\n(.*?)^```", re.S | re.M)


def examples() -> list[tuple[str, str]]:
    out = []
    for doc in DOCS:
        if not doc.exists():
            continue
        for i, block in enumerate(FENCE.findall(doc.read_text())):
            out.append((f"{doc.name}#{i + 1}", block))
    return out


@pytest.mark.parametrize(("where", "code"), examples(), ids=[w for w, _ in examples()])
def test_example_runs(
    where: str, code: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("CDK8S_OUTDIR", raising=False)
    exec(compile(code, where, "exec"), {"__name__": "__docs__"})


def test_there_are_examples() -> None:
    assert len(examples()) >= 1
