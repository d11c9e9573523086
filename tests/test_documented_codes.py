"""Every finding code k8sdsl can report is documented: a new code without a line in the docs
fails here. Codes are read from the source (string literals of the form ``family/name`` of a
known family), so a code cannot hide in a rule, a construct or the CLI."""

from __future__ import annotations

import re
from pathlib import Path

from k8sdsl.rules._registry import load_rules, registered_rules

ROOT = Path(__file__).resolve().parent.parent
DOCS = "\n".join(p.read_text() for p in [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))])
CODE = re.compile(r'"([a-z0-9]+(?:-[a-z0-9]+)*/[a-z0-9]+(?:-[a-z0-9]+)*)"')
MEMO = re.compile(r'\.memo\(\s*"([^"]+)"')
#: families of codes that come from outside the rule modules
OTHER_FAMILIES = {
    "app",
    "cdk8s",
    "chart",
    "cluster",
    "configmap",
    "construct",
    "crd",
    "internal",
    "schema",
    "secret",
    "synth",
    "value",
    "yaml",
}


def source_codes() -> set[str]:
    load_rules()
    families = {r.id.split("/", 1)[0] for r in registered_rules()} | OTHER_FAMILIES
    codes: set[str] = set()
    memo_keys: set[str] = set()
    for path in (ROOT / "k8sdsl").rglob("*.py"):
        text = path.read_text()
        memo_keys.update(MEMO.findall(text))
        codes.update(c for c in CODE.findall(text) if c.split("/", 1)[0] in families)
    # image repositories (Flannel's, Calico's) have the shape of a code
    return codes - memo_keys - {"flannel/flannel", "calico/node", "calico/cni"}


def documented(code: str) -> bool:
    if f"`{code}`" in DOCS:
        return True
    family, name = code.split("/", 1)
    # pod-security/<control>: docs/security.md lists the controls by name
    return family == "pod-security" and f"`{name}`" in DOCS


def test_every_code_is_documented() -> None:
    codes = source_codes()
    assert len(codes) > 100  # the scan finds the codes (it would pass vacuously otherwise)
    missing = sorted(c for c in codes if not documented(c))
    assert missing == [], f"document these codes in docs/*.md: {missing}"


def test_every_registered_rule_is_documented() -> None:
    load_rules()
    missing = sorted(r.id for r in registered_rules() if not documented(r.id))
    assert missing == [], f"document these rules in docs/*.md: {missing}"
