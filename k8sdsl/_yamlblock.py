"""A reader for the plain block YAML that manifests nearly always are, line by line.

``k8sdsl check`` spends most of its time reading YAML: libyaml's composer makes a node and
two marks for every scalar and calls back into Python to resolve each tag, then the nodes
are walked again to build the data and the line of each JSON path. Manifests written by
synth, kubectl, Helm or PyYAML use a small part of YAML: block mappings and sequences,
one ``key: value`` or ``- item`` a line, plain scalars and one-line quoted strings. This
reader reads exactly that part, in one pass over the lines, and gives what
:func:`k8sdsl._yamlread.read_yaml_text` gives: the same data (types included), the same
line for each path, the same duplicate keys, the same first line of each document.

Anything else in a text (a comment after a value, a flow collection that is not empty, a
block scalar, an anchor or a tag, a multi-line or escaped string, a tab, a key that is not
a plain string, an indentation libyaml would refuse...) makes :func:`read_block_yaml`
return ``None`` and the caller reads the whole text with libyaml: this reader never guesses.
Plain scalars get their tag from PyYAML's own resolver and their value from its own
constructor, so ``yes``, ``0x1F`` or ``~`` mean here what they mean there.
"""

from __future__ import annotations

import re
from typing import Any

import yaml

#: characters libyaml refuses or reads in ways this reader does not follow: control
#: characters, tabs, carriage returns, the BOM and the Unicode line breaks YAML 1.1 counts
_UNSUPPORTED_TEXT = re.compile(
    "[^\n\x20-\x7e\xa0-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]|[\u2028\u2029\ufeff]"
)
_SINGLE_QUOTED = re.compile(r"'((?:[^']|'')*)'\Z")
_DOUBLE_QUOTED = re.compile(r'"([^"\\]*)"\Z')
#: first characters of a value that start something other than a plain scalar
_INDICATORS = frozenset("?:,[]{}#&*!|>'\"%@`")

#: the tags of the plain scalars both readers build alone (strings, and the immutable
#: values SafeConstructor makes without state); any other tag goes to libyaml's way
STR_TAG = "tag:yaml.org,2002:str"
PLAIN_SCALAR_TAGS = frozenset(
    {
        "tag:yaml.org,2002:int",
        "tag:yaml.org,2002:float",
        "tag:yaml.org,2002:bool",
        "tag:yaml.org,2002:null",
    }
)


class _Unsupported(Exception):
    """The text leaves the part of YAML this reader reads."""


_LOADER = yaml.SafeLoader("")


def _plain(text: str) -> Any:
    """A plain scalar's value by PyYAML's SafeLoader resolver and constructor (callers
    remember it per text)."""
    tag = _LOADER.resolve(yaml.ScalarNode, text, (True, False))  # type: ignore[no-untyped-call]
    if tag == STR_TAG:
        return text
    if tag not in PLAIN_SCALAR_TAGS:
        raise _Unsupported  # a timestamp, a merge key, ``=``
    return _LOADER.yaml_constructors[tag](_LOADER, yaml.ScalarNode(tag, text, style=None))


def _scalar(text: str) -> Any:
    """The value a one-line scalar (after ``key: `` or ``- ``) spells; ``[]`` and ``{}``
    are the caller's (a new container each time)."""
    first = text[0]
    if first == "'":
        m = _SINGLE_QUOTED.match(text)
        if m is None:
            raise _Unsupported
        return m.group(1).replace("''", "'")
    if first == '"':
        m = _DOUBLE_QUOTED.match(text)
        if m is None:
            raise _Unsupported
        return m.group(1)
    if (
        first in _INDICATORS
        or (first == "-" and (len(text) == 1 or text[1] == " "))
        or ": " in text
        or " #" in text
        or text[-1] == ":"
    ):
        raise _Unsupported
    return _plain(text)


#: every line (``re.M``): indentation, ``- `` (a sequence item), ``key:`` and the rest
_LINES = re.compile(
    r"^( *)(-(?: +|$))?(?:([A-Za-z0-9_./][A-Za-z0-9_./-]*):(?: +|$))?(.*)$", re.MULTILINE
)
_NOTHING = object()
#: raw value text -> value, for texts whose value is immutable (not ``[]`` or ``{}``)
_VALUES: dict[str, Any] = {}
#: key texts that are plain strings (not ``true``, ``8080`` or ``null``)
_KEYS: set[str] = set()


def _value(raw: str) -> Any:
    """:func:`_scalar`, remembered per text."""
    value = _VALUES.get(raw, _NOTHING)
    if value is _NOTHING:
        value = _scalar(raw)
        if len(_VALUES) < 100_000:
            _VALUES[raw] = value
    return value


def _key(text: str) -> str:
    """``text`` when it is a plain string key, remembered."""
    if text not in _KEYS:
        if not isinstance(_plain(text), str):
            raise _Unsupported  # ``true:``, ``8080:``, ``null:``: not a string key
        if len(_KEYS) < 100_000:
            _KEYS.add(text)
    return text


def read_block_yaml(text: str) -> list[tuple[Any, int, dict[str, int], list[Any]]] | None:
    """Every non-empty document of ``text`` as (data, first line, path -> line, duplicate
    keys); ``None`` when the text leaves plain block YAML, or gives a key twice (libyaml's
    way lists duplicates with the line of each first one)."""
    if _UNSUPPORTED_TEXT.search(text) is not None:
        return None
    try:
        return _read(text)
    except _Unsupported:
        return None


def _read(text: str) -> list[tuple[Any, int, dict[str, int], list[Any]]]:
    documents: list[tuple[Any, int, dict[str, int], list[Any]]] = []
    values, keys = _VALUES, _KEYS
    root: Any = None
    first_line = 0
    lines: dict[str, int] = {}
    # the open collections, innermost last: (indentation, container, is a mapping, path)
    stack: list[tuple[int, Any, bool, str]] = []
    top_indent: int = -1
    items: Any = None
    is_map, prefix = False, ""
    # a ``key:`` with nothing after it: (its mapping, key, path, indentation)
    pending: tuple[dict[str, Any], str, str, int] | None = None
    number = 0
    for spaces, dash, key, rest in _LINES.findall(text):
        number += 1
        if rest and rest[-1] == " ":
            rest = rest.rstrip(" ")
        if not dash and not key and (not rest or rest[0] == "#"):
            continue  # a blank or comment line
        indent = len(spaces)
        if indent == 0 and not dash and not key and rest[0] in "-.%":
            if rest != "---":
                raise _Unsupported  # ``...``, a directive, ``--- value``
            if pending is not None:
                pending[0][pending[1]] = None
                pending = None
            if root is not None:
                documents.append((root, first_line, lines, []))
            root, lines, stack = None, {}, []
            top_indent, items, is_map, prefix = -1, None, False, ""
            continue
        if pending is not None:
            owner, name, path, key_indent = pending
            pending = None
            if indent > key_indent or (indent == key_indent and dash):
                # the value of ``key:`` is the block that starts on this line
                opened: Any = [] if dash else {}
                owner[name] = opened
                top_indent, items, is_map, prefix = indent, opened, not dash, path
                stack.append((indent, opened, is_map, path))
            else:
                owner[name] = None
        if top_indent != indent or (not is_map and not dash):
            while stack:
                top = stack[-1]
                if top[0] > indent or (top[0] == indent and not top[2] and not dash):
                    stack.pop()  # the line is back out of this collection
                else:
                    break
            if not stack:
                if root is not None:
                    raise _Unsupported  # a second root node: libyaml refuses it
                root = [] if dash else {}
                first_line = number
                stack.append((indent, root, not dash, ""))
            top_indent, items, is_map, prefix = stack[-1]
            if top_indent != indent:
                raise _Unsupported
        if dash:
            if is_map or not rest and not key:
                raise _Unsupported  # ``-`` in a mapping, or ``-`` alone (item below)
            path = f"{prefix}[{len(items)}]"
            lines[path] = number
            if not key:
                if rest[:2] == "- " or rest == "-":
                    raise _Unsupported  # ``- - item``
                if rest == "[]" or rest == "{}":
                    items.append([] if rest == "[]" else {})
                else:
                    value = values.get(rest, _NOTHING)
                    items.append(_value(rest) if value is _NOTHING else value)
                continue
            # ``- key: value``: a mapping whose keys line up under this first one
            mapping: dict[str, Any] = {}
            items.append(mapping)
            top_indent, items, is_map, prefix = indent + len(dash), mapping, True, path
            stack.append((top_indent, mapping, True, path))
        elif not is_map or not key:
            raise _Unsupported  # a scalar where a ``key:`` belongs
        if key not in keys:
            _key(key)
        path = f"{prefix}.{key}" if prefix else key
        if key in items:
            raise _Unsupported  # a duplicate key: read the careful way
        lines[path] = number
        if not rest:
            items[key] = None
            pending = (items, key, path, top_indent)
        elif rest == "[]" or rest == "{}":
            items[key] = [] if rest == "[]" else {}
        else:
            value = values.get(rest, _NOTHING)
            items[key] = _value(rest) if value is _NOTHING else value
    if pending is not None:
        pending[0][pending[1]] = None
    if root is not None:
        documents.append((root, first_line, lines, []))
    return documents
