"""The one-pass reader of plain documents gives exactly what SafeLoader plus the line walk
give: the same data (types included), the same lines and the same duplicate keys."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

from k8sdsl import _yamlread
from k8sdsl._yamlread import YamlReadError, read_yaml_text

ROOT = Path(__file__).resolve().parent.parent


def _general(text: str) -> list[tuple[Any, dict[str, int], list[Any], int]]:
    """SafeLoader's constructor and the line walk, document by document (the general way)."""
    loader = yaml.SafeLoader(text)
    out = []
    try:
        while loader.check_node():
            node = loader.get_node()
            walk = _yamlread._Walk(node)
            walk.visit(node, "")
            data = loader.construct_document(node)
            if data is not None:
                out.append((data, walk.lines, walk.duplicates, node.start_mark.line + 1))
    finally:
        loader.dispose()
    return out


def _read(text: str) -> list[tuple[Any, dict[str, int], list[Any], int]]:
    return [(d.data, d.lines, d.duplicates, d.line) for d in read_yaml_text(text, "x.yaml")]


def _typed(value: Any) -> Any:
    """The value with the type of every leaf, so 1, 1.0 and True do not compare equal."""
    if isinstance(value, dict):
        return {(type(k).__name__, k): _typed(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_typed(v) for v in value]
    return (type(value).__name__, value)


CASES = {
    "scalars": """
apiVersion: v1
kind: ConfigMap
metadata: {name: a, labels: {x: "1"}}
data:
  int: 8080
  hex: 0x1F
  octal: 0o17
  float: 1.5
  exp: 1e3
  inf: .inf
  yes: yes
  no: No
  true: True
  null: ~
  empty:
  quoted: "8080"
  single: '~'
  sexagesimal: 1:30
  under: 1_000
""",
    "keys": """
1: one
2.5: two
true: three
~: four
"<<": quoted merge key
"<<": twice
""",
    "duplicates": """
kind: Pod
metadata:
  name: a
  name: b
spec:
  containers:
  - name: c
    image: x
    image: y
""",
    "nested duplicates": """
spec:
  template:
    metadata: {labels: {a: "1", a: "2"}}
  template:
    spec: {x: 1, x: 2}
  x: 1
  x: [1, 2]
""",
    "lists": """
kind: List
items:
- {kind: Pod, apiVersion: v1, metadata: {name: a}}
- [1, [2, [3]]]
- - nested
  - - deeper
""",
    "multi": "---\n# only a comment\n---\nkind: A\n---\n~\n---\n[]\n---\n{}\n",
    "timestamp": "when: 2001-12-14t21:59:43.10-05:00\nday: 2002-12-14\n",
    "binary": "data: !!binary aGVsbG8=\n",
    "set and omap": "s: !!set {a, b}\no: !!omap [{a: 1}, {b: 2}]\n",
    "merge": "base: &b {x: 1}\nderived:\n  <<: *b\n  y: 2\n",
    "anchors": "a: &x [1, 2]\nb: *x\nurl: http://h/?a=1&b=2\n",
    "value key": "=: v\n",
    "explicit tags": "a: !!str 1\nb: !!int '2'\nc: !!float '3'\n",
    "tabs and unicode": 'name: "caf\\u00e9"\nnote: ünïcode\n',
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_same_as_safe_loader(name: str) -> None:
    text = CASES[name]
    got = _read(text)
    want = _general(text)
    assert [(_typed(d), lines, dups, line) for d, lines, dups, line in got] == [
        (_typed(d), lines, dups, line) for d, lines, dups, line in want
    ]


def test_plain_documents_take_the_fast_way(monkeypatch: pytest.MonkeyPatch) -> None:
    """A plain manifest never reaches SafeLoader's constructor (the point of the fast way);
    an anchor sends the file the general way."""
    calls: list[int] = []
    original = _yamlread._Loader.construct_document

    def counted(self: Any, node: Any) -> Any:
        calls.append(1)
        return original(self, node)

    monkeypatch.setattr(_yamlread._Loader, "construct_document", counted)
    _read(CASES["scalars"] + "---\n" + CASES["duplicates"])
    assert calls == []
    _read(CASES["anchors"])
    assert calls == [1]


def test_custom_tag_is_still_an_error() -> None:
    with pytest.raises(YamlReadError, match="x.yaml:1"):
        _read("a: !Ref thing\n")


def test_every_yaml_file_of_the_repository_reads_the_same() -> None:
    files = sorted(
        f
        for folder in ("tests/fixtures", "dist", "docs")
        for f in (ROOT / folder).rglob("*")
        if f.suffix in (".yaml", ".yml")
    )
    assert len(files) > 100
    for f in files:
        text = f.read_text(encoding="utf-8")
        try:
            want = _general(text)
        except yaml.YAMLError:
            with pytest.raises(YamlReadError):
                _read(text)
            continue
        got = _read(text)
        assert [(_typed(d), ls, ds, n) for d, ls, ds, n in got] == [
            (_typed(d), ls, ds, n) for d, ls, ds, n in want
        ], f
