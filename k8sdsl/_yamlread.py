"""Reading Kubernetes YAML written by anyone: multi-document files, with line numbers."""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from k8sdsl._yamlblock import PLAIN_SCALAR_TAGS, STR_TAG, read_block_yaml

try:
    _BaseLoader: type[yaml.SafeLoader] = yaml.CSafeLoader  # type: ignore[assignment]
except AttributeError:  # pragma: no cover - PyYAML without libyaml
    _BaseLoader = yaml.SafeLoader

_MAP_TAG = "tag:yaml.org,2002:map"
_SEQ_TAG = "tag:yaml.org,2002:seq"
#: the tag SafeLoader resolves each plain scalar to, by its text (one regex pass per text)
_PLAIN_TAGS: dict[str, str] = {}
_PLAIN_TAGS_MAX = 100_000


class _Loader(_BaseLoader):  # type: ignore[misc,valid-type]
    """SafeLoader with the tag of each plain scalar text resolved once per process.

    The C parser asks Python for the tag of every node; a fleet repeats the same texts
    (``name``, ``apiVersion``, ``8080``) hundreds of thousands of times. SafeLoader has no
    path resolvers, so the tag depends on the text alone and memoizing it is exact."""

    def resolve(self, kind: Any, value: Any, implicit: Any) -> Any:
        if self.yaml_path_resolvers:  # pragma: no cover - SafeLoader has none
            return super().resolve(kind, value, implicit)
        if kind is yaml.ScalarNode:
            if not implicit[0]:
                return STR_TAG  # quoted: a string
            tag = _PLAIN_TAGS.get(value)
            if tag is None:
                tag = super().resolve(kind, value, implicit)
                if len(_PLAIN_TAGS) < _PLAIN_TAGS_MAX:
                    _PLAIN_TAGS[value] = tag
            return tag
        return _MAP_TAG if kind is yaml.MappingNode else _SEQ_TAG


#: A document may reach this many nodes through aliases beyond ten per node it spells out.
#: Real manifests stay far below; a "billion laughs" document (anchors nesting anchors)
#: would otherwise expand to hundreds of millions of nodes and hang the checker, so it is
#: refused, as kubectl's YAML parser refuses excessive aliasing.
ALIAS_ALLOWANCE = 100_000


class YamlReadError(Exception):
    """A file that cannot be read or parsed, with the place: ``file:line:column``."""

    def __init__(self, where: str, message: str) -> None:
        self.where = where
        self.message = message
        super().__init__(f"{where}: {message}")


@dataclass(frozen=True)
class DuplicateKey:
    """A key given twice in one mapping: YAML loaders keep the last value silently, while
    kubectl refuses the file ("key already set in map")."""

    path: str
    line: int
    first_line: int


@dataclass
class YamlDocument:
    """One document of a file: the data, its first line and the line of each JSON path."""

    data: Any
    file: str
    line: int
    lines: dict[str, int] = field(default_factory=dict)
    duplicates: list[DuplicateKey] = field(default_factory=list)


class _Walk:
    """One pass over a composed document: JSON path -> line, duplicate keys, and a budget on
    nodes reached through aliases."""

    def __init__(self, root: yaml.Node) -> None:
        self.lines: dict[str, int] = {}
        self.duplicates: list[DuplicateKey] = []
        self.budget = 10 * _distinct_nodes(root) + ALIAS_ALLOWANCE

    def visit(self, node: yaml.Node, prefix: str) -> None:
        self.budget -= 1
        if self.budget < 0:
            raise _TooManyAliases
        if isinstance(node, yaml.MappingNode):
            first: dict[str, int] = {}
            for key_node, value_node in node.value:
                key = str(key_node.value)
                path = f"{prefix}.{key}" if prefix else key
                line = key_node.start_mark.line + 1
                if key in first and key != "<<":
                    self.duplicates.append(DuplicateKey(path, line, first[key]))
                else:
                    first[key] = line
                    self.lines[path] = line
                self.visit(value_node, path)
        elif isinstance(node, yaml.SequenceNode):
            for i, item in enumerate(node.value):
                path = f"{prefix}[{i}]"
                self.lines[path] = item.start_mark.line + 1
                self.visit(item, path)


class _TooManyAliases(Exception):
    pass


def _distinct_nodes(root: yaml.Node) -> int:
    seen: set[int] = set()
    stack = [root]
    while stack:
        node = stack.pop()
        if id(node) in seen:
            continue
        seen.add(id(node))
        if isinstance(node, yaml.MappingNode):
            for key_node, value_node in node.value:
                stack += (key_node, value_node)
        elif isinstance(node, yaml.SequenceNode):
            stack += node.value
    return len(seen)


class _NotPlain(Exception):
    """The document needs SafeLoader's own constructor: a tag other than str, int, float,
    bool, null, map or seq (a merge key, a timestamp, ``!custom``) or a key that is not a
    scalar."""


class _Build:
    """One pass over a composed document that builds the data, its JSON path -> line map
    and its duplicate keys together: what ``_Walk`` plus ``construct_document`` give for
    the plain documents manifests are, in a fraction of the time. Only for a text without
    anchors (so no node is reached twice, and no alias budget is needed); anything else
    raises :class:`_NotPlain` and goes the general way."""

    def __init__(self, loader: Any, scalars: dict[tuple[str, str], Any]) -> None:
        self.constructors = loader.yaml_constructors
        self.loader = loader
        self.lines: dict[str, int] = {}
        self.duplicates: list[DuplicateKey] = []
        #: int, float, bool and null values by (tag, text): immutable, so shared
        self.scalars = scalars

    def scalar(self, node: Any) -> Any:
        tag = node.tag
        if tag == STR_TAG:
            return node.value
        if tag not in PLAIN_SCALAR_TAGS:
            raise _NotPlain
        key = (tag, node.value)
        try:
            return self.scalars[key]
        except KeyError:
            value = self.scalars[key] = self.constructors[tag](self.loader, node)
            return value

    def build(self, node: Any, prefix: str) -> Any:
        cls = type(node)
        if cls is yaml.ScalarNode:
            return self.scalar(node)
        lines = self.lines
        if cls is yaml.MappingNode:
            if node.tag != _MAP_TAG:
                raise _NotPlain
            mapping: dict[Any, Any] = {}
            first: dict[str, int] = {}
            for key_node, value_node in node.value:
                if type(key_node) is not yaml.ScalarNode:
                    raise _NotPlain
                key = str(key_node.value)
                path = f"{prefix}.{key}" if prefix else key
                line = key_node.start_mark.line + 1
                if key in first and key != "<<":
                    self.duplicates.append(DuplicateKey(path, line, first[key]))
                else:
                    first[key] = line
                    lines[path] = line
                mapping[self.scalar(key_node)] = self.build(value_node, path)
            return mapping
        if node.tag != _SEQ_TAG:
            raise _NotPlain
        items: list[Any] = []
        for i, item in enumerate(node.value):
            path = f"{prefix}[{i}]"
            lines[path] = item.start_mark.line + 1
            items.append(self.build(item, path))
        return items


def read_yaml_file(path: Path) -> Iterator[YamlDocument]:
    """Every non-empty document of ``path``; raises :class:`YamlReadError` with the line."""
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        line = path.read_bytes()[: exc.start].count(b"\n") + 1
        raise YamlReadError(
            f"{path}:{line}", f"cannot read the file: it is not UTF-8 text ({exc.reason})"
        ) from None
    except OSError as exc:
        raise YamlReadError(str(path), f"cannot read the file: {exc.strerror or exc}") from None
    return read_yaml_text(text, path)


def read_yaml_text(text: str, path: Path | str) -> Iterator[YamlDocument]:
    """Every non-empty document of ``text`` (read from ``path``, or ``-`` for stdin).

    Plain block YAML (what manifests nearly always are) is read line by line
    (:mod:`k8sdsl._yamlblock`), in a third of libyaml's time; any other text, or a text
    that holds anything else, is read by libyaml, which also reports the errors."""
    block = read_block_yaml(text)
    if block is not None:
        for data, line, lines, duplicates in block:
            yield YamlDocument(data, str(path), line, lines, [DuplicateKey(*d) for d in duplicates])
        return
    yield from _read_with_libyaml(text, path)


def _read_with_libyaml(text: str, path: Path | str) -> Iterator[YamlDocument]:
    loader = _Loader(text)
    # without "&" the text has no anchor, so no alias can reach a node twice
    anchors = "&" in text
    scalars: dict[tuple[str, str], Any] = {}
    try:
        while loader.check_node():
            node = loader.get_node()
            if node is None:
                continue
            try:
                if anchors:
                    raise _NotPlain
                fast = _Build(loader, scalars)
                data = fast.build(node, "")
            except _NotPlain:
                pass
            else:
                if data is not None:
                    yield YamlDocument(
                        data, str(path), node.start_mark.line + 1, fast.lines, fast.duplicates
                    )
                continue
            walk = _Walk(node)
            try:
                walk.visit(node, "")
            except _TooManyAliases:
                raise YamlReadError(
                    f"{path}:{node.start_mark.line + 1}",
                    "invalid YAML: the document expands its aliases (*name) to too many "
                    "nodes; write the repeated parts out instead of nesting anchors",
                ) from None
            data = loader.construct_document(node)
            if data is not None:
                yield YamlDocument(
                    data, str(path), node.start_mark.line + 1, walk.lines, walk.duplicates
                )
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        where = f"{path}:{mark.line + 1}:{mark.column + 1}" if mark else str(path)
        problem = " ".join(p for p in (exc.context, exc.problem) if p)
        raise YamlReadError(where, f"invalid YAML: {problem}") from None
    except yaml.reader.ReaderError as exc:
        # a control character (a binary file, a NUL byte): name its line, not a char offset
        line = text.count("\n", 0, max(exc.position, 0)) + 1
        raise YamlReadError(f"{path}:{line}", f"invalid YAML: {exc.reason}") from None
    except yaml.YAMLError as exc:
        raise YamlReadError(str(path), f"invalid YAML: {exc}") from None
    finally:
        loader.dispose()


def _paths(data: Any, prefix: str = "") -> Iterator[str]:
    if isinstance(data, dict):
        for key, value in data.items():
            path = f"{prefix}.{key}" if prefix else str(key)
            yield path
            yield from _paths(value, path)
    elif isinstance(data, list):
        for i, value in enumerate(data):
            path = f"{prefix}[{i}]"
            yield path
            yield from _paths(value, path)


def read_json_lines_text(text: str, path: Path | str) -> Iterator[YamlDocument]:
    """One document per line (an ABAC policy file: ``--authorization-policy-file``); blank
    lines and lines starting with ``#`` are skipped, as the API server skips them."""
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        try:
            data = json.loads(line)
        except json.JSONDecodeError as exc:
            raise YamlReadError(
                f"{path}:{number}:{exc.colno}",
                f"invalid JSON line: {exc.msg} (a policy file holds one JSON object a line)",
            ) from None
        lines = dict.fromkeys(_paths(data), number)
        yield YamlDocument(data, str(path), number, lines)


def read_json_lines_file(path: Path) -> Iterator[YamlDocument]:
    """:func:`read_json_lines_text` of a file; raises :class:`YamlReadError`."""
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        raise YamlReadError(
            str(path), f"cannot read the file: it is not UTF-8 text ({exc.reason})"
        ) from None
    except OSError as exc:
        raise YamlReadError(str(path), f"cannot read the file: {exc.strerror or exc}") from None
    return read_json_lines_text(text, path)


#: JSON-lines files: ABAC policy files (one Policy object a line)
JSON_LINES_SUFFIX = ".jsonl"


def _abac_policy_file(file: Path) -> bool:
    """A ``.jsonl`` file found in a folder is read only when it is an ABAC policy file (its
    first line names the ABAC API): other JSON-lines files are data, not configuration."""
    try:
        with open(file, encoding="utf-8", errors="replace") as fh:
            head = fh.read(4096)
    except OSError:
        return False
    first = next((ln for ln in head.splitlines() if ln.strip() and not ln.startswith("#")), "")
    return "abac.authorization.kubernetes.io/" in first


#: what a folder scan reads: YAML, and JSON manifests (``kubectl apply -f`` reads both)
MANIFEST_SUFFIXES = (".yaml", ".yml", ".json")
#: folders a scan does not enter: tools' own trees, never manifests of the repository
SKIPPED_FOLDERS = frozenset({"node_modules", "__pycache__"})


def _scanned(root: Path, file: Path) -> bool:
    parts = file.relative_to(root).parts[:-1]
    return not any(part.startswith(".") or part in SKIPPED_FOLDERS for part in parts)


def yaml_files(paths: list[Path]) -> Iterator[Path]:
    """Files named, and ``*.yaml``/``*.yml``/``*.json`` files (and ABAC policy files,
    ``*.jsonl``) under folders named, sorted.

    A folder scan skips hidden folders (``.git``, ``.venv``) and ``node_modules``.
    Symlinked files are read; symlinked folders under a folder are not entered (no loops).
    A file reached twice (named twice, or named and inside a folder named) is read once.
    """
    seen: set[Path] = set()
    for p in paths:
        found = (
            sorted(
                f
                for f in p.rglob("*")
                if f.is_file()
                and _scanned(p, f)
                and (
                    f.suffix in MANIFEST_SUFFIXES
                    or (f.suffix == JSON_LINES_SUFFIX and _abac_policy_file(f))
                )
            )
            if p.is_dir()
            else [p]
        )
        for f in found:
            key = f.resolve() if f.exists() else f
            if key not in seen:
                seen.add(key)
                yield f
