"""The line reader of plain block YAML (``k8sdsl._yamlblock``) gives exactly what libyaml's
way gives, or steps aside: the same data (types included), the same line of each path, the
same first line of each document; never an answer for a text libyaml reads otherwise or
refuses."""

from __future__ import annotations

import math
import random
from pathlib import Path
from typing import Any

import pytest
import yaml

from k8sdsl import _yamlread
from k8sdsl._yamlblock import read_block_yaml

ROOT = Path(__file__).resolve().parent.parent


def _typed(value: Any) -> Any:
    """The value with the type of every leaf, so 1, 1.0 and True do not compare equal."""
    if isinstance(value, dict):
        return {k: _typed(v) for k, v in value.items()}, "dict", list(value)
    if isinstance(value, list):
        return [_typed(v) for v in value], "list"
    if isinstance(value, float) and math.isnan(value):
        return "nan", "float"
    return value, type(value).__name__


def _libyaml(text: str) -> list[tuple[Any, int, dict[str, int], list[Any]]]:
    docs = _yamlread._read_with_libyaml(text, "x.yaml")
    return [(_typed(d.data), d.line, d.lines, d.duplicates) for d in docs]


def _block(text: str) -> list[tuple[Any, int, dict[str, int], list[Any]]] | None:
    got = read_block_yaml(text)
    if got is None:
        return None
    return [(_typed(data), line, lines, dups) for data, line, lines, dups in got]


def _same_or_aside(text: str) -> bool:
    """True when the block reader read ``text`` (and gave libyaml's answer), False when it
    stepped aside; fails when it gave another answer, or read a text libyaml refuses."""
    got = _block(text)
    try:
        want = _libyaml(text)
    except _yamlread.YamlReadError:
        assert got is None, f"read a text libyaml refuses:\n{text}"
        return False
    if got is None:
        return False
    assert got == want, text
    return True


# -- texts written by PyYAML in many styles, from random manifests -------------------------

#: scalars that mean something else than their text, or that a reader could misread
TRICKY = [
    "yes",
    "No",
    "on",
    "OFF",
    "true",
    "False",
    "~",
    "null",
    "Null",
    "",
    " ",
    "0",
    "-1",
    "+1",
    "0x1F",
    "0o17",
    "0b101",
    "017",
    "1_000",
    "1:30",
    "1.5",
    ".5",
    "1e3",
    "1.0e3",
    ".inf",
    "-.Inf",
    ".nan",
    "2001-12-14",
    "a: b",
    "a:b",
    "a #b",
    "a#b",
    "#x",
    "- x",
    "-x",
    "--flag=1",
    "---",
    "...",
    "it's",
    'say "hi"',
    "back\\slash",
    "[x]",
    "{a}",
    "x[0]",
    "a,b",
    "*star",
    "&amp",
    "!bang",
    "|pipe",
    ">gt",
    "%pct",
    "@at",
    "`tick",
    "?q",
    ":c",
    "x:",
    "trailing ",
    " leading",
    "two  spaces",
    "tab\there",
    "new\nline",
    "é ü ✓",
    "🙂",
    "=",
    "<<",
    "http://x.example/y?a=1&b=2",
    "*.example.com",
    "10.0.0.0/8",
]


def _scalar(rng: random.Random) -> Any:
    roll = rng.random()
    if roll < 0.35:
        return rng.choice(TRICKY)
    if roll < 0.5:
        return rng.randint(-5, 70000)
    if roll < 0.55:
        return rng.choice([True, False, None, 0.5, -2.25, 1e20])
    return rng.choice(["web", "apps", "nginx:1.27.3", "app.kubernetes.io/name", "100m"])


def _key(rng: random.Random) -> Any:
    roll = rng.random()
    if roll < 0.1:
        return rng.choice(["true", "8080", "null", "a b", "a:b", "-k", ".k", "<<", "é"])
    return rng.choice(
        ["name", "image", "spec", "app.kubernetes.io/name", "a_b", "x-y", "k8s/role", "0x"]
    ) + rng.choice(["", "1", "2"])


def _node(rng: random.Random, depth: int) -> Any:
    roll = rng.random()
    if depth > 4 or roll < 0.45:
        return _scalar(rng)
    if roll < 0.75:
        return {_key(rng): _node(rng, depth + 1) for _ in range(rng.randint(0, 4))}
    return [_node(rng, depth + 1) for _ in range(rng.randint(0, 3))]


def _dump(rng: random.Random, docs: list[Any]) -> str:
    return yaml.dump_all(
        docs,
        Dumper=rng.choice([yaml.SafeDumper, yaml.CSafeDumper]),
        default_flow_style=False,
        sort_keys=rng.random() < 0.5,
        indent=rng.choice([2, 2, 4]),
        width=rng.choice([80, 10_000]),
        allow_unicode=rng.random() < 0.5,
        explicit_start=rng.random() < 0.5,
    )


def test_pyyaml_output_in_many_styles_reads_the_same() -> None:
    rng = random.Random(20261204)
    read = 0
    total = 600
    for _ in range(total):
        docs = [
            {
                "apiVersion": "v1",
                "kind": rng.choice(["ConfigMap", "Pod"]),
                "metadata": {"name": "x"},
                **{_key(rng): _node(rng, 1) for _ in range(rng.randint(0, 5))},
            }
            for _ in range(rng.randint(1, 3))
        ]
        read += _same_or_aside(_dump(rng, docs))
    # the test means something only if the reader takes many of them (a text with any
    # escaped, multi-line or flow-styled scalar is left to libyaml whole)
    assert read > total // 5, read


def test_kubectl_style_indented_sequences_read_the_same() -> None:
    """kubectl and Helm indent a sequence under its key; PyYAML does not: both are read."""
    text = """\
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  labels:
    app: web
spec:
  template:
    spec:
      containers:
        - name: web
          image: nginx:1.27.3
          args:
            - --port=8080
            - "--log=info"
          ports:
            - containerPort: 8080
              protocol: TCP
        -   name: side
            image: 'busybox:1.36'
      volumes: []
      nodeSelector: {}
---
# a second document
apiVersion: v1
kind: ConfigMap
metadata:
  name: c
data:
  empty:
  quoted: ''
  it: 'it''s'
"""
    assert _same_or_aside(text)


# -- texts the reader must step aside for (libyaml reads them otherwise, or refuses) -------

ASIDE = {
    "comment after a value": "a: 1 # one\n",
    "comment after a key": "a: # none\n  b: 1\n",
    "flow sequence": "a: [1, 2]\n",
    "flow mapping": "a: {b: 1}\n",
    "literal block": "a: |\n  text\n",
    "folded block": "a: >-\n  text\n",
    "anchor and alias": "a: &x 1\nb: *x\n",
    "tag": "a: !!str 1\n",
    "merge key": "base: {x: 1}\nd:\n  <<: {y: 2}\n",
    "multi-line plain": "a: one\n  two\n",
    "multi-line quoted": "a: 'one\n  two'\n",
    "escaped double quotes": 'a: "tab\\there"\n',
    "tab": "a:\tb\n",
    "carriage return": "a: 1\r\nb: 2\r\n",
    "byte order mark": "\ufeffa: 1\n",
    "nested dash": "- - a\n  - b\n",
    "dash alone": "-\n  a: 1\n",
    "quoted key": "'a b': 1\n",
    "number key": "8080: http\n",
    "bool key": "true: 1\n",
    "duplicate key": "a: 1\na: 2\n",
    "timestamp": "day: 2001-12-14\n",
    "document end": "a: 1\n...\n",
    "directive": "%YAML 1.1\n---\na: 1\n",
    "content after ---": "--- a\n",
    "scalar document": "just text\n",
    "a value and a key below it": "a: 1\n  b: 2\n",
    "bad indentation": "a:\n    b: 1\n  c: 2\n",
    "sequence in a mapping": "a: 1\n- b\n",
    "a key in a sequence": "- a\nb: 1\n",
    "mapping value here": "a: b: c\n",
    "colon at the end": "a: b:\n",
    "value of a dash": "a: -\n",
    "explicit key": "? a\n: 1\n",
}


@pytest.mark.parametrize("name", sorted(ASIDE))
def test_what_the_reader_does_not_read_is_left_to_libyaml(name: str) -> None:
    text = ASIDE[name]
    assert read_block_yaml(text) is None
    _same_or_aside(text)  # and libyaml's answer (or error) stands


READ = {
    "empty": "",
    "only comments": "# nothing\n\n  # here\n",
    "empty documents": "---\n---\n# c\n---\na: 1\n",
    "indented root": "  a: 1\n  b:\n    c: 2\n",
    "root sequence": "- a\n- b: 1\n  c: 2\n- []\n",
    "null values": "a:\nb:\n  c:\nd: ~\n",
    "trailing spaces": "a: 1   \nb:   \n  c: x  \n",
    "sequence at the key's indentation": "a:\n- 1\n- x: 2\n  y:\n  - 3\nb: 4\n",
    "plain scalars that are not strings": "a: yes\nb: 0x1F\nc: 1:30\nd: .inf\ne: 017\n",
    "dashes in values": "a: -1\nb: --x\nc: ---\n- x\n"[:-4],
    "unicode": "name: café ✓\nemoji: 🙂\n",
    "dots and slashes in keys": "app.kubernetes.io/name: web\n./x: 1\n",
    "blank lines inside": "a:\n\n  b: 1\n\n\n  c: 2\n",
    "comments between a key and its block": "a:\n# out\n  # in\n  b: 1\nc:\n# x\n- 1\n",
    "comments before the first document": "# header\n---\na: 1\n---\n# only\n",
    "a sequence item's mapping with more spaces": "-   a: 1\n    b:\n    - x\n-  c: 2\n",
}


@pytest.mark.parametrize("name", sorted(READ))
def test_plain_block_texts_are_read_the_same(name: str) -> None:
    assert _same_or_aside(READ[name]), READ[name]


def test_every_yaml_file_of_the_repository_reads_the_same() -> None:
    """The apps' output, the fixtures (the notes' samples with their mistakes, public
    manifests) and the project's own YAML: read alike, whichever reader takes them."""
    read = 0
    files = [
        f
        for f in sorted(ROOT.rglob("*.y*ml"))
        if not any(p in {".venv", "node_modules", ".git"} for p in f.relative_to(ROOT).parts)
    ]
    for file in files:
        try:
            text = file.read_text(encoding="utf-8")
        except UnicodeDecodeError:
            continue
        read += _same_or_aside(text)
    assert read > len(files) // 3, (read, len(files))
