"""One schema error as k8sdsl reports it: the path, what is wrong, the fix, and for an
unknown key the key it most likely means. Shared by the Kubernetes schemas (``_schema.py``)
and the pinned configuration-file schemas (``_config_schema.py``)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import jsonschema

from k8sdsl.core._suggest import suggest


@dataclass(frozen=True, slots=True)
class SchemaProblem:
    """One schema error: the JSON path, what is wrong, and a fix when one can be named."""

    path: str
    message: str
    hint: str = ""
    code: str = "schema/invalid"
    #: for an unknown key with exactly one case-insensitive match (else the one suggestion):
    #: the path of the mapping that holds it, the key, and the key it most likely means
    correction: tuple[tuple[str | int, ...], str, str] | None = None


def path_to_text(parts: Iterable[Any]) -> str:
    out = ""
    for part in parts:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += ("." if out else "") + str(part)
    return out


def schema_problems(err: jsonschema.ValidationError) -> list[SchemaProblem]:
    """The problems of one jsonschema error: one per unknown key, each with a suggestion."""
    path = path_to_text(err.absolute_path)
    if err.validator == "additionalProperties" and isinstance(err.instance, dict):
        # one problem per unknown key, each with its own suggestion
        known = set((err.schema or {}).get("properties", {}))  # type: ignore[union-attr]
        out = []
        for key in sorted(k for k in err.instance if k not in known):
            same = [k for k in known if k.lower() == str(key).lower()]
            guess = same[0] if len(same) == 1 else suggest(key, known)
            # read through the typo only when its meaning is clear: the same key in another
            # case, or a suggestion one slip away (a letter left out, added, changed or two
            # swapped: ``prefx``), never a guess between fields (``client-key-path`` is not
            # ``client-key-data``)
            clear = bool(same) or (guess is not None and _one_slip(str(key).lower(), guess.lower()))
            correction = (
                (tuple(err.absolute_path), key, guess)
                if guess and clear and guess not in err.instance
                else None
            )
            hint = (
                f"did you mean {(path + '.' if path else '') + guess}?"
                if guess
                else ("known fields: " + ", ".join(sorted(known)) if known else "")
            )
            out.append(
                SchemaProblem(
                    f"{path}.{key}" if path else key,
                    f"{key!r} is not a field of {path or 'the object'}",
                    hint,
                    "schema/unknown-field",
                    correction,
                )
            )
        return out
    return [_problem(err, path)]


def _problem(err: jsonschema.ValidationError, path: str) -> SchemaProblem:
    if err.validator == "required":
        return SchemaProblem(path, err.message, "add the missing field", "schema/required")
    if err.validator == "enum":
        allowed = ", ".join(repr(v) for v in err.validator_value if v is not None)  # type: ignore[union-attr]
        return SchemaProblem(
            path, f"{err.instance!r} is not allowed", f"use one of {allowed}", "schema/enum"
        )
    if err.validator == "type":
        return SchemaProblem(
            path, f"{err.instance!r} is not of type {err.validator_value}", "", "schema/type"
        )
    return SchemaProblem(path, err.message)


def _one_slip(a: str, b: str) -> bool:
    """Whether ``a`` becomes ``b`` by one edit: a letter inserted, deleted or replaced, or
    two neighbours swapped."""
    if a == b or abs(len(a) - len(b)) > 1:
        return a == b
    if len(a) == len(b):
        diff = [i for i, (x, y) in enumerate(zip(a, b, strict=True)) if x != y]
        if len(diff) == 1:
            return True
        i = diff[0]
        return len(diff) == 2 and diff[1] == i + 1 and a[i] == b[i + 1] and a[i + 1] == b[i]
    short, long = (a, b) if len(a) < len(b) else (b, a)
    return any(long[:i] + long[i + 1 :] == short for i in range(len(long)))
