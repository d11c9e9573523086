"""A pure-Python YAML writer that is byte-identical to ``cdk8s.Yaml.stringify``.

cdk8s 2.70.115 writes manifests with the bundled npm ``yaml`` 2.9.1::

    docs.map(r => r === undefined ? '\\n'
        : YAML.stringify(r, { keepUndefined: true, lineWidth: 0, version: '1.1' }))
      .join('---\\n')

Going through jsii costs a Node round trip per call, so this module re-implements exactly the
subset of ``yaml`` that JSON-like data can reach (block collections, no comments, no anchors,
no folding because ``lineWidth: 0``).  Every branch below is a port of a branch in
``yaml/dist/stringify/*.js`` or ``yaml/dist/schema/yaml-1.1/*.js``; the comments name the
source.  ``tests/core/test_yaml.py`` checks the output byte-for-byte against the real cdk8s.

Data model (what "the same data" means, mirroring what jsii hands to Node):

* ``dict`` -> JS object.  Keys become strings the way ``json.dumps`` does it (``True`` ->
  ``"true"``, ``None`` -> ``"null"``, ``1.5`` -> ``"1.5"``), and keys that are canonical
  array indices (``"0"`` ... ``"4294967294"``) are emitted first in numeric order, because
  that is how JS orders object properties.
* ``list`` / ``tuple`` -> JS array.  (jsii itself rejects tuples; we treat them as arrays.)
* ``int`` -> JS number: exact up to 2**53, beyond that rounded to the nearest double and
  printed the way JS prints it (``2**64`` -> ``18446744073709552000``, ``10**400`` -> ``.inf``).
* ``float`` -> JS number, printed with ``Number.prototype.toString`` rules, so an int-valued
  float loses its ``.0`` (``2.0`` -> ``2``), ``1e16`` -> ``10000000000000000``, ``1e21`` ->
  ``1e+21``, ``1.5e-07`` -> ``1.5e-7``, ``-0.0`` -> ``-0``, NaN/inf -> ``.nan``/``.inf``/``-.inf``.
* ``None`` -> ``null``.  Note jsii silently drops ``None``-valued dict entries before they reach
  Node; this writer keeps them (``key: null``), as ``YAML.stringify`` does for a JS ``null``.

Identical Python objects referenced twice are written twice; ``yaml`` would emit ``&a1``/``*a1``
only for the *same JS object*, which jsii-marshalled data never contains.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Iterable, Mapping, Sequence
from functools import lru_cache
from typing import Any

__all__ = ["dump_document", "dump_documents", "js_key_order", "order_object", "sort_like_cdk8s"]

# Scalar-decision caches are plain dicts (faster than lru_cache on the hot path); they are
# cleared wholesale when they grow past this many entries so a long-lived process cannot leak.
_MAX_CACHE = 1 << 17

# --- regular expressions (JS regexes translated: `$` without /m is `\Z`, `^` is `\A`) -------

# stringifyString(): force double quotes on control characters and unpaired surrogates. A
# Python str may hold a surrogate *pair* as two code points; JS (with /u) sees one code point.
_FORCE_DOUBLE = re.compile(
    "[\x00-\x08\x0b-\x1f\x7f-\x9f]"
    "|[\ud800-\udbff](?![\udc00-\udfff])"
    "|(?<![\ud800-\udbff])[\udc00-\udfff]"
)
_LONE_SURROGATE = re.compile(
    "[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]"
)
# plainString(): strings that cannot be plain (leading indicator, ': ', ' #', trailing space...).
_NOT_PLAIN = re.compile(
    r"\A[\n\t ,\[\]{}#&*!|>'\"%@`]|\A[?-]\Z|\A[?-][ \t]|[\n:][ \t]|[ \t]\n|[\n\t ]#|[\n\t :]\Z"
)
# containsDocumentMarker(): /^(%|---|\.\.\.)/m -- JS /m lines also start after \r, U+2028/9.
_DOC_MARKER = re.compile(r"(?:\A|(?<=[\n\r\u2028\u2029]))(?:%|---|\.\.\.)")
# singleQuotedString(): whitespace next to a line break forces double quotes.
_WS_AROUND_NL = re.compile(r"[ \t]\n|\n[ \t]")
# blockString(): a last line of only whitespace forces a quoted scalar.
_TRAILING_WS_LINE = re.compile(r"\n[\t ]+\Z")
# blockString(): blockEndNewlines = /(^|(?<!\n))\n+(?!\n|$)/g
_BLOCK_END_NL = re.compile(r"(?<!\n)\n+(?!\n|\Z)")
_NL_RUN = re.compile(r"\n+")

# The YAML 1.1 schema tags with `default` truthy and a `test` (schema/yaml-1.1/*.js,
# schema/common/null.js).  A plain string matching any of these would be read back as
# something else, so plainString() quotes it.  Order is irrelevant (any match quotes).
_IMPLICIT_TAG_TESTS = (
    r"(?:~|[Nn]ull|NULL)?",  # null (also the empty string)
    r"Y|y|[Yy]es|YES|[Tt]rue|TRUE|[Oo]n|ON",  # bool true
    r"N|n|[Nn]o|NO|[Ff]alse|FALSE|[Oo]ff|OFF",  # bool false
    r"[-+]?0b[0-1_]+",  # intBin
    r"[-+]?0[0-7_]+",  # intOct
    r"[-+]?[0-9][0-9_]*",  # int
    r"[-+]?0x[0-9a-fA-F_]+",  # intHex
    r"[-+]?\.(?:inf|Inf|INF)|\.nan|\.NaN|\.NAN",  # floatNaN
    r"[-+]?(?:[0-9][0-9_]*)?(?:\.[0-9_]*)?[eE][-+]?[0-9]+",  # floatExp (matches "e3"!)
    r"[-+]?(?:[0-9][0-9_]*)?\.[0-9_]*",  # float (matches "." and "-.")
    r"<<",  # merge (default: 'key', which is truthy)
    r"[-+]?[0-9][0-9_]*(?::[0-5]?[0-9])+",  # intTime (sexagesimal)
    r"[-+]?[0-9][0-9_]*(?::[0-5]?[0-9])+\.[0-9_]*",  # floatTime
    r"([0-9]{4})-([0-9]{1,2})-([0-9]{1,2})"  # timestamp
    r"(?:(?:t|T|[ \t]+)([0-9]{1,2}):([0-9]{1,2}):([0-9]{1,2}(\.[0-9]+)?)"
    r"(?:[ \t]*(Z|[-+][012]?[0-9](?::[0-9]{2})?))?)?",
)
_IMPLICIT_TAG = re.compile("|".join(f"(?:{t})" for t in _IMPLICIT_TAG_TESTS))

_INDENT_STEP = "  "
_MIN_MULTILINE_DQ = 40  # doubleQuotedMinMultiLineLength
_MAX_IMPLICIT_KEY = 1024  # stringifyPair(): longer keys become explicit `? key`
_MAX_SAFE_INT = 2**53
_MAX_ARRAY_INDEX = 2**32 - 2
_DQ_ESCAPES = {"0000": "\\0", "0007": "\\a", "000b": "\\v", "001b": "\\e"}


def _utf16_len(s: str) -> int:
    """JS ``String.length``: astral code points count twice."""
    if s.isascii():
        return len(s)
    return len(s) + sum(1 for c in s if ord(c) > 0xFFFF)


# --- scalar strings: a port of stringify/stringifyString.js --------------------------------


def _js_json_string(value: str) -> str:
    """``JSON.stringify(value)`` for a string (ES2019 well-formed: lone surrogates escaped)."""
    js = json.dumps(value, ensure_ascii=False)
    if _LONE_SURROGATE.search(js):
        js = _LONE_SURROGATE.sub(lambda m: f"\\u{ord(m.group()):04x}", js)
    return js


def _double_quoted(value: str, indent: str, implicit_key: bool) -> str:
    """doubleQuotedString(): JSON escapes, YAML short escapes, and line breaks written as
    folded double-quoted lines once the JSON is at least 40 UTF-16 units long."""
    js = _js_json_string(value)
    ind = indent or ("  " if _DOC_MARKER.search(value) else "")
    keep_escaped_nl = implicit_key or _utf16_len(js) < _MIN_MULTILINE_DQ
    padded = js + "\x00\x00\x00\x00"  # JS reads `undefined` past the end
    parts: list[str] = []
    start = 0
    i = 0
    n = len(js)
    while i < n:
        ch = js[i]
        if ch == " " and padded[i + 1] == "\\" and padded[i + 2] == "n":
            # space before newline needs to be escaped to not be folded
            parts.append(js[start:i] + "\\ ")
            i += 1
            start = i
            ch = "\\"
        if ch == "\\":
            nxt = padded[i + 1]
            if nxt == "u":
                parts.append(js[start:i])
                code = js[i + 2 : i + 6]
                esc = _DQ_ESCAPES.get(code)
                if esc is not None:
                    parts.append(esc)
                elif code[:2] == "00":
                    parts.append("\\x" + code[2:])
                else:
                    parts.append(js[i : i + 6])
                i += 5
                start = i + 1
            elif nxt == "n":
                if keep_escaped_nl or padded[i + 2] == '"':
                    i += 1
                else:
                    # folding will eat first newline
                    parts.append(js[start:i] + "\n\n")
                    while padded[i + 2] == "\\" and padded[i + 3] == "n" and padded[i + 4] != '"':
                        parts.append("\n")
                        i += 2
                    parts.append(ind)
                    # space after newline needs to be escaped to not be folded
                    if padded[i + 2] == " ":
                        parts.append("\\")
                    i += 1
                    start = i + 1
            else:
                i += 1
        i += 1
    if not start:
        return js
    parts.append(js[start:])
    return "".join(parts)


def _single_quoted(value: str, indent: str, implicit_key: bool) -> str:
    """singleQuotedString(): falls back to double quotes where single quotes cannot work."""
    if (implicit_key and "\n" in value) or _WS_AROUND_NL.search(value):
        return _double_quoted(value, indent, implicit_key)
    ind = indent or ("  " if _DOC_MARKER.search(value) else "")
    body = value.replace("'", "''")
    if "\n" in body:
        body = _NL_RUN.sub(lambda m: m.group() + "\n" + ind, body)
    return "'" + body + "'"


def _quoted(value: str, indent: str, implicit_key: bool) -> str:
    """quotedString() with ``singleQuote: null``: single quotes only if the value contains a
    double quote and no single quote; otherwise double quotes."""
    if '"' in value and "'" not in value:
        return _single_quoted(value, indent, implicit_key)
    return _double_quoted(value, indent, implicit_key)


def _block_literal(value: str, indent: str, force_indent: bool) -> str:
    """blockString() with ``lineWidth: 0`` (never folded, so always ``|`` literal): chomping
    from trailing whitespace, indentation indicator when the first line starts with a space."""
    if _TRAILING_WS_LINE.search(value):
        return _quoted(value, indent, False)
    ind = indent or ("  " if force_indent or _DOC_MARKER.search(value) else "")
    if not value:
        return "|\n"
    end_start = len(value)
    while end_start > 0 and value[end_start - 1] in "\n\t ":
        end_start -= 1
    end = value[end_start:]
    end_nl = end.find("\n")
    if end_nl == -1:
        chomp = "-"  # strip
    elif value == end or end_nl != len(end) - 1:
        chomp = "+"  # keep
    else:
        chomp = ""  # clip
    if end:
        value = value[: -len(end)]
        if end[-1] == "\n":
            end = end[:-1]
        end = _BLOCK_END_NL.sub(lambda m: m.group() + ind, end)
    start_with_space = False
    start_nl = -1
    for pos, ch in enumerate(value):
        if ch == " ":
            start_with_space = True
        elif ch == "\n":
            start_nl = pos
        else:
            break
    start = value[: start_nl + 1]
    if start:
        value = value[len(start) :]
        start = _NL_RUN.sub(lambda m: m.group() + ind, start)
    header = (("2" if ind else "1") if start_with_space else "") + chomp
    if ind:
        value = _NL_RUN.sub(lambda m: m.group() + ind, value)
    return f"|{header}\n{ind}{start}{value}{end}"


def _render_str(value: str, indent: str, implicit_key: bool) -> str:
    """stringifyString() for a string in block context: ``indent`` is ctx.indent ('' only for
    a root scalar), ``implicit_key`` is true for mapping keys."""
    if value == "<<":
        # getTagObject() picks the merge tag for "<<" (it identifies it and has a test), and
        # merge.stringify() returns "<<" verbatim -- even for a value, even unquoted.
        return "<<"
    if _FORCE_DOUBLE.search(value):
        return _double_quoted(value, indent, implicit_key)
    # plainString()
    multiline = "\n" in value
    if implicit_key and multiline:
        return _quoted(value, indent, implicit_key)
    if _NOT_PLAIN.search(value):
        if implicit_key or not multiline:
            return _quoted(value, indent, implicit_key)
        return _block_literal(value, indent, False)
    if not implicit_key and multiline:
        return _block_literal(value, indent, False)
    if _DOC_MARKER.search(value):
        if indent == "":
            return _block_literal(value, indent, True)
        if implicit_key and indent == _INDENT_STEP:
            return _quoted(value, indent, implicit_key)
    if _IMPLICIT_TAG.fullmatch(value):
        return _quoted(value, indent, implicit_key)
    return value


# --- numbers: stringify/stringifyNumber.js over JS Number semantics -------------------------


def _js_number(f: float) -> str:
    """``stringifyNumber``: ``JSON.stringify`` of a JS number (``Number#toString``), ``-0``
    for negative zero, ``.nan``/``.inf``/``-.inf`` for non-finite values."""
    if f != f:
        return ".nan"
    if f == math.inf:
        return ".inf"
    if f == -math.inf:
        return "-.inf"
    if f == 0.0:
        return "-0" if math.copysign(1.0, f) < 0 else "0"
    r = float.__repr__(f)  # shortest round-trip digits, like JS
    sign = ""
    if r[0] == "-":
        sign = "-"
        r = r[1:]
    mant, _, exp = r.partition("e")
    int_part, _, frac = mant.partition(".")
    all_digits = int_part + frac
    digits = all_digits.lstrip("0")
    # n: position of the decimal point relative to the first significant digit
    n = len(int_part) + (int(exp) if exp else 0) - (len(all_digits) - len(digits))
    digits = digits.rstrip("0")
    k = len(digits)
    if k <= n <= 21:
        return sign + digits + "0" * (n - k)
    if 0 < n <= 21:
        return sign + digits[:n] + "." + digits[n:]
    if -6 < n <= 0:
        return sign + "0." + "0" * (-n) + digits
    e = n - 1
    exp_str = ("e+" if e >= 0 else "e-") + str(abs(e))
    if k == 1:
        return sign + digits + exp_str
    return sign + digits[0] + "." + digits[1:] + exp_str


def _js_int(i: int) -> str:
    """A Python int as JS sees it after JSON: exact up to 2**53, else the nearest double."""
    if -_MAX_SAFE_INT <= i <= _MAX_SAFE_INT:
        return int.__repr__(i)
    try:
        return _js_number(float(i))
    except OverflowError:  # JSON.parse turns it into +/-Infinity
        return ".inf" if i > 0 else "-.inf"


def _scalar(value: Any) -> str | None:
    """Non-string scalars; ``None`` (the return) means "not a scalar"."""
    if value is None:
        return "null"
    if value is True:
        return "true"
    if value is False:
        return "false"
    if isinstance(value, int):
        return _js_int(value)
    if isinstance(value, float):
        return _js_number(value)
    return None


# --- keys ------------------------------------------------------------------------------------


def _key_to_str(key: Any) -> str:
    """Object keys are strings in JS; convert the way ``json.dumps`` (and so jsii) does."""
    if isinstance(key, str):
        return str.__str__(key)
    if key is True:
        return "true"
    if key is False:
        return "false"
    if key is None:
        return "null"
    if isinstance(key, int):
        return int.__repr__(key)
    if isinstance(key, float):
        if key != key:
            return "NaN"
        if key in (math.inf, -math.inf):
            return "Infinity" if key > 0 else "-Infinity"
        return float.__repr__(key)
    raise TypeError(f"mapping keys must be str, int, float, bool or None, not {type(key)!r}")


def _is_array_index(key: str) -> bool:
    """JS orders canonical array-index keys ("0".."4294967294") before all other keys."""
    if key == "0":
        return True
    return (
        0 < len(key) <= 10
        and key.isascii()
        and key.isdigit()
        and key[0] != "0"
        and int(key) <= _MAX_ARRAY_INDEX
    )


@lru_cache(maxsize=4096)
def _key_text(key: str, root: bool) -> str:
    """A rendered implicit key.  Only the root mapping differs: its keys are rendered at
    ctx.indent == indentStep, where plainString() quotes a leading `---`/`...`."""
    return _render_str(key, _INDENT_STEP if root else _INDENT_STEP * 2, True)


# Fast-path key caches: key -> rendered "key:".  Keys that need special handling (array-index
# keys, which reorder the mapping, and keys over 1024 chars, which become explicit) are never
# stored, so "all keys of a dict are cached" means "plain fast path applies".
_KEY_CACHE: dict[str, str] = {}
_ROOT_KEY_CACHE: dict[str, str] = {}
# Value cache: single-line string -> rendered scalar (independent of indentation below root).
_VALUE_CACHE: dict[str, str] = {}


def _slow_items(d: Mapping[Any, Any], kc: dict[str, str], root: bool) -> list[tuple[str, Any]]:
    """Normalise keys to str, fill the key cache, and apply JS property order."""
    if all(type(k) is str for k in d):
        items = list(d.items())
    else:
        converted: dict[str, Any] = {}
        for k, v in d.items():
            converted[_key_to_str(k)] = v  # a duplicate keeps its first position, like JS
        items = list(converted.items())
    if len(kc) > _MAX_CACHE:
        kc.clear()
    index_keys = []
    for k, _ in items:
        if k in kc:
            continue
        if _is_array_index(k):
            index_keys.append(k)
            continue
        text = _key_text(k, root)
        if _utf16_len(text) <= _MAX_IMPLICIT_KEY:
            kc[k] = text + ":"
    if index_keys:
        index_set = set(index_keys)
        ordered = sorted(((k, v) for k, v in items if k in index_set), key=lambda kv: int(kv[0]))
        items = ordered + [(k, v) for k, v in items if k not in index_set]
    return items


# --- collections: stringifyCollection.js / stringifyPair.js ----------------------------------


def _value_str(value: str, indent: str) -> str:
    """A string value below the root: single-line renderings are cached by value alone,
    multi-line ones (block scalars, folded quotes) depend on the indentation."""
    if "\n" in value:
        return _multiline_value(value, indent)
    if len(_VALUE_CACHE) > _MAX_CACHE:
        _VALUE_CACHE.clear()
    s = _VALUE_CACHE[value] = _render_str(value, indent, False)
    return s


@lru_cache(maxsize=4096)
def _multiline_value(value: str, indent: str) -> str:
    return _render_str(value, indent, False)


def _normalize(value: Any) -> Any:
    """Map subclasses / tuples / str subclasses onto the plain types the fast path handles."""
    if isinstance(value, str):
        return str.__str__(value)
    if isinstance(value, Mapping):
        return value if type(value) is dict else dict(value.items())
    if isinstance(value, (list, tuple)):
        return list(value)
    if isinstance(value, (bytes, bytearray)) or not isinstance(value, Sequence):
        raise TypeError(f"cannot write {type(value).__name__} as YAML: {value!r}")
    return list(value)


def _emit_map(d: dict[Any, Any], ind: str, out: list[str]) -> None:
    """A non-empty mapping whose first key continues the current line; later keys go on new
    lines indented by ``ind`` (ctx.indent).  Pair values live at ``ind + '  '``."""
    root = not ind
    kc = _ROOT_KEY_CACHE if root else _KEY_CACHE
    items = d.items() if d.keys() <= kc.keys() else _slow_items(d, kc, root)
    vc = _VALUE_CACHE
    append = out.append
    sep = "\n" + ind
    child = ind + _INDENT_STEP
    nl_child = "\n" + child
    first = True
    for k, v in items:
        if first:
            first = False
        else:
            append(sep)
        rk = kc.get(k)
        if rk is None:
            text = _key_text(k, root)
            if _utf16_len(text) > _MAX_IMPLICIT_KEY:
                # explicit key: `? key` then `: value` with the value on the same line
                append("? " + text + sep + ": ")
                _emit_inline(v, child, out)
                continue
            rk = text + ":"
        tv = type(v)
        if tv is str:
            s = vc.get(v)
            append(rk + " " + (s if s is not None else _value_str(v, child)))
        elif tv is dict:
            if v:
                append(rk + nl_child)
                _emit_map(v, child, out)
            else:
                append(rk + " {}")
        elif tv is list:
            if v:
                append(rk + nl_child)
                _emit_seq(v, child, out)
            else:
                append(rk + " []")
        else:
            s = _scalar(v)
            if s is not None:
                append(rk + " " + s)
                continue
            v = _normalize(v)
            if type(v) is str:
                append(rk + " " + _value_str(v, child))
            elif v:
                append(rk + nl_child)
                (_emit_map if type(v) is dict else _emit_seq)(v, child, out)
            else:
                append(rk + (" {}" if type(v) is dict else " []"))


def _emit_seq(seq: list[Any], ind: str, out: list[str]) -> None:
    """A non-empty sequence: ``- item`` lines; item contents live at ``ind + '  '``."""
    vc = _VALUE_CACHE
    append = out.append
    sep = "\n" + ind + "- "
    child = ind + _INDENT_STEP
    first = True
    for v in seq:
        if first:
            append("- ")
            first = False
        else:
            append(sep)
        tv = type(v)
        if tv is str:
            s = vc.get(v)
            append(s if s is not None else _value_str(v, child))
        elif tv is dict:
            if v:
                _emit_map(v, child, out)
            else:
                append("{}")
        elif tv is list:
            if v:
                _emit_seq(v, child, out)
            else:
                append("[]")
        else:
            _emit_inline(v, child, out)


def _emit_inline(v: Any, child: str, out: list[str]) -> None:
    """Any value starting on the current line (sequence item, explicit-key value)."""
    s = _scalar(v)
    if s is not None:
        out.append(s)
        return
    v = _normalize(v)
    if type(v) is str:
        out.append(_value_str(v, child))
    elif not v:
        out.append("{}" if type(v) is dict else "[]")
    elif type(v) is dict:
        _emit_map(v, child, out)
    else:
        _emit_seq(v, child, out)


# --- public API --------------------------------------------------------------------------------


def dump_document(data: Any) -> str:
    """One YAML document, byte-identical to
    ``YAML.stringify(data, {keepUndefined: true, lineWidth: 0, version: '1.1'})``.

    Exists so manifests can be written without a jsii/Node round trip per object while the
    output stays exactly what cdk8s would have written (diff-stable against ``cdk8s synth``).
    ``None`` is ``null`` here (``"null\\n"``); :func:`dump_documents` treats a ``None``
    document like cdk8s treats ``undefined``.
    """
    s = _scalar(data)
    if s is not None:
        return s + "\n"
    data = _normalize(data)
    if type(data) is str:
        return _render_str(data, "", False) + "\n"
    if not data:
        return ("{}" if type(data) is dict else "[]") + "\n"
    out: list[str] = []
    if type(data) is dict:
        _emit_map(data, "", out)
    else:
        _emit_seq(data, "", out)
    out.append("\n")
    return "".join(out)


def dump_documents(docs: Sequence[Any]) -> str:
    """Several documents joined exactly like ``cdk8s.Yaml.stringify(*docs)``: each document
    ends with a newline, documents are separated by ``---\\n``, and a ``None`` document (what
    jsii passes as ``undefined``) becomes an empty line -- so the result has no leading
    ``---`` and no trailing separator, matching cdk8s's multi-document manifests."""
    return "---\n".join("\n" if d is None else dump_document(d) for d in docs)


# -- key order: the order cdk8s gives an object's keys before it writes them ----------------

_INT_KEY = re.compile(r"^(0|[1-9][0-9]*)$")


def _plain_keys(keys: Any) -> bool:
    # ASCII keys that do not start with a digit sort the same in Python and in JavaScript
    return all(k.isascii() and not k[:1].isdigit() for k in keys)


def js_key_order(keys: list[str]) -> list[str]:
    # A JavaScript object lists integer-like keys first, in numeric order, then the other
    # keys in insertion order; cdk8s inserts them sorted by UTF-16 code units.
    ints = sorted((k for k in keys if _INT_KEY.match(k) and int(k) < 2**32 - 1), key=int)
    rest = sorted(
        (k for k in keys if not (_INT_KEY.match(k) and int(k) < 2**32 - 1)),
        key=lambda k: k.encode("utf-16-be"),
    )
    return ints + rest


def sort_like_cdk8s(value: Any) -> Any:
    """Deep-sort keys the way cdk8s's ``ApiObject.toJson`` does, dropping ``None`` values."""
    if isinstance(value, dict):
        order = sorted(value) if _plain_keys(value) else js_key_order(list(value))
        return {k: sort_like_cdk8s(value[k]) for k in order if value[k] is not None}
    if isinstance(value, list):
        return [sort_like_cdk8s(v) for v in value]
    return value


_FIRST = ("apiVersion", "kind", "metadata")


def order_object(obj: dict[str, Any]) -> dict[str, Any]:
    """A Kubernetes object in the key order cdk8s writes: apiVersion, kind, metadata, then
    the other keys sorted; every nested mapping sorted (see :func:`sort_like_cdk8s`)."""
    data = sort_like_cdk8s(obj)
    head = {k: data[k] for k in _FIRST if k in data}
    return head | {k: v for k, v in data.items() if k not in head}


class PartSharer:
    """Makes the equal mappings and lists inside objects one object each, in place, across
    every batch it is given (``share(chart_objects)`` chart by chart, so the unshared copies
    of only one chart are alive at a time).

    A fleet's objects repeat the same parts thousands of times (a restricted security
    context, ``capabilities: {drop: [ALL]}``, resource requests, probes): sharing them
    takes about two thirds of the rendered objects' memory away. Equal means equal for the
    YAML written: the same keys in the same order and values of the same types (``1`` and
    ``True`` differ). The top-level objects are not shared. The objects are read-only from
    here on: rules, the schema and the writer only read them (a rule that corrects a typo
    works on a deep copy)."""

    def __init__(self) -> None:
        self._table: dict[int, Any] = {}

    def share(self, objects: Iterable[dict[str, Any]]) -> None:
        for obj in objects:
            for key, item in obj.items():
                shared, _ = self._visit(item)
                if shared is not item:
                    obj[key] = shared

    def _visit(self, value: Any) -> tuple[Any, int]:
        kind = type(value)
        if kind is dict:
            parts = []
            for key, item in value.items():
                shared, digest = self._visit(item)
                if shared is not item:
                    value[key] = shared
                parts.append((key, digest))
            digest = hash((1, *parts))
        elif kind is list:
            hashes = []
            for i, item in enumerate(value):
                shared, h = self._visit(item)
                if shared is not item:
                    value[i] = shared
                hashes.append(h)
            digest = hash((2, *hashes))
        else:
            try:
                return value, hash((kind, value))
            except TypeError:  # not JSON-like data: never shared
                return value, id(value)
        seen = self._table.get(digest)
        if seen is None:
            self._table[digest] = value
            return value, digest
        if seen is value or _same(seen, value):
            return seen, digest
        return value, digest


def share_equal_parts(objects: Iterable[dict[str, Any]]) -> None:
    """:class:`PartSharer` over one batch of objects."""
    PartSharer().share(objects)


def _same(a: Any, b: Any) -> bool:
    """Equal as written, once the parts of both are shared: containers inside are equal
    only when they are the same object."""
    if type(a) is not type(b) or len(a) != len(b):
        return False
    pairs = (
        zip(a.items(), b.items(), strict=True)
        if type(a) is dict
        else zip(enumerate(a), enumerate(b), strict=True)
    )
    for (ka, va), (kb, vb) in pairs:
        if ka != kb or type(ka) is not type(kb):
            return False
        if va is vb:
            continue
        if type(va) is not type(vb) or type(va) in (dict, list) or va != vb:
            return False
        if type(va) is float and repr(va) != repr(vb):  # 0.0 and -0.0 are written apart
            return False
    return True
