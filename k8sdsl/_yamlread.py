"""Reading Kubernetes YAML written by anyone: multi-document files, with line numbers."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

try:
    _Loader: type[yaml.SafeLoader] = yaml.CSafeLoader  # type: ignore[assignment]
except AttributeError:  # pragma: no cover - PyYAML without libyaml
    _Loader = yaml.SafeLoader


class YamlReadError(Exception):
    """A file that cannot be read or parsed, with the place: ``file:line:column``."""

    def __init__(self, where: str, message: str) -> None:
        self.where = where
        self.message = message
        super().__init__(f"{where}: {message}")


@dataclass
class YamlDocument:
    """One document of a file: the data, its first line and the line of each JSON path."""

    data: Any
    file: str
    line: int
    lines: dict[str, int] = field(default_factory=dict)


def _paths(node: yaml.Node, prefix: str, out: dict[str, int]) -> None:
    if isinstance(node, yaml.MappingNode):
        for key_node, value_node in node.value:
            key = str(key_node.value)
            path = f"{prefix}.{key}" if prefix else key
            out[path] = key_node.start_mark.line + 1
            _paths(value_node, path, out)
    elif isinstance(node, yaml.SequenceNode):
        for i, item in enumerate(node.value):
            path = f"{prefix}[{i}]"
            out[path] = item.start_mark.line + 1
            _paths(item, path, out)


def read_yaml_file(path: Path) -> Iterator[YamlDocument]:
    """Every non-empty document of ``path``; raises :class:`YamlReadError` with the line."""
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise YamlReadError(str(path), f"cannot read the file: {exc}") from None
    loader = _Loader(text)
    try:
        while loader.check_node():
            node = loader.get_node()
            if node is None:
                continue
            data = loader.construct_document(node)
            lines: dict[str, int] = {}
            _paths(node, "", lines)
            if data is not None:
                yield YamlDocument(data, str(path), node.start_mark.line + 1, lines)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        where = f"{path}:{mark.line + 1}:{mark.column + 1}" if mark else str(path)
        problem = " ".join(p for p in (exc.context, exc.problem) if p)
        raise YamlReadError(where, f"invalid YAML: {problem}") from None
    except yaml.YAMLError as exc:
        raise YamlReadError(str(path), f"invalid YAML: {exc}") from None
    finally:
        loader.dispose()


def yaml_files(paths: list[Path]) -> Iterator[Path]:
    """Files named, and ``*.yaml``/``*.yml`` files under folders named, in sorted order."""
    for p in paths:
        if p.is_dir():
            yield from sorted(
                f for f in p.rglob("*") if f.is_file() and f.suffix in (".yaml", ".yml")
            )
        else:
            yield p
