"""Python's own argument errors, as findings: a mistyped keyword of a construct or value
gets the same "did you mean" as a mistyped field, instead of a bare TypeError."""

from __future__ import annotations

import inspect
import re
from collections.abc import Iterator
from typing import Any

from k8sdsl.core._construct import Construct
from k8sdsl.core._findings import Finding, K8sDslError, ObjectRef, Severity
from k8sdsl.core._model import K8sModel
from k8sdsl.core._suggest import suggest

_UNEXPECTED = re.compile(r"^(?P<qual>[\w.]+)\(\) got an unexpected keyword argument '(?P<arg>\w+)'")
_MISSING = re.compile(
    r"^(?P<qual>[\w.]+)\(\) missing \d+ required [\w -]*arguments?: (?P<args>.+)$"
)
_POSITIONAL = re.compile(r"^(?P<qual>[\w.]+)\(\) takes .* positional arguments? but .* given")


def _subclasses(cls: type[Any]) -> Iterator[type[Any]]:
    for sub in cls.__subclasses__():
        yield sub
        yield from _subclasses(sub)


def _callable_for(qualname: str) -> tuple[str, Any] | None:
    """The k8sdsl class and method a ``Class.method`` qualname names."""
    owner, _, method = qualname.rpartition(".")
    if not owner:
        return None
    for base in (Construct, K8sModel):
        for cls in _subclasses(base):
            # k8sdsl's own classes first: an app may define a class of the same name
            if cls.__name__ == owner and cls.__module__.startswith("k8sdsl."):
                if hasattr(cls, method):
                    return owner, getattr(cls, method)
    return None


def _parameters(func: Any) -> list[str]:
    try:
        params = inspect.signature(func).parameters
    except (TypeError, ValueError):
        return []
    return [
        name
        for name, p in params.items()
        if name not in ("self", "cls", "scope", "id")
        and p.kind not in (p.VAR_POSITIONAL, p.VAR_KEYWORD)
    ]


def argument_error_finding(exc: TypeError, where: str) -> Finding | None:
    """A finding for a wrong argument to a k8sdsl construct or value; ``None`` for any other
    TypeError (those are bugs in the calling code and keep their traceback).

    k8sdsl's own constructors and factories already raise :class:`ArgumentError` (a
    TypeError carrying findings, see ``_guard``); Python's message is parsed only for the
    methods that are not guarded (``Volume.mount``...)."""
    if isinstance(exc, K8sDslError) and exc.findings:
        # a misspelt keyword first: the argument it misses follows from it
        typos = [f for f in exc.findings if f.code == "construct/unknown-argument"]
        f = (typos or list(exc.findings))[0]
        obj = ObjectRef(f.obj.api_version, f.obj.kind, f.obj.name, f.obj.namespace, where)
        return Finding(f.severity, f.code, f.message, obj, f.path, f.hint)
    text = str(exc)
    for pattern in (_UNEXPECTED, _MISSING, _POSITIONAL):
        m = pattern.match(text)
        if m:
            break
    else:
        return None
    found = _callable_for(m.group("qual"))
    if found is None:
        return None
    owner, func = found
    method = m.group("qual").rpartition(".")[2]
    if method != "__init__":
        owner = f"{owner}.{method}"
    names = _parameters(func)
    ref = ObjectRef(kind=owner, source=where)
    if pattern is _UNEXPECTED:
        arg = m.group("arg")
        guess = suggest(arg, names)
        hint = f"did you mean {guess!r}?" if guess else "known arguments: " + ", ".join(names)
        return Finding(
            Severity.ERROR,
            "construct/unknown-argument",
            f"{owner} takes no argument {arg!r}",
            ref,
            arg,
            hint,
        )
    if pattern is _MISSING:
        args = re.findall(r"'(\w+)'", m.group("args"))
        return Finding(
            Severity.ERROR,
            "construct/missing-argument",
            f"{owner} needs {', '.join(args)}",
            ref,
            args[0] if args else "",
            "pass " + ", ".join(f"{a}=..." for a in args),
        )
    return Finding(
        Severity.ERROR,
        "construct/positional-argument",
        f"{owner} takes its settings by keyword",
        ref,
        "",
        f"pass everything after the id by name, for example {owner}(scope, "
        f"'my-id', {names[0] if names else 'name'}=...)",
    )
