"""The argument checks of every public constructor and factory, in one place.

``Construct.__init_subclass__`` and ``K8sModel.__pydantic_init_subclass__`` wrap the
``__init__`` and the public classmethod factories that k8sdsl's own classes define. Before
the body runs, the wrapper binds the arguments to the signature and checks each against its
annotation, so a misspelt keyword, a missing or extra positional argument, a bool where an
int belongs or a str where a list belongs is a finding (code, argument, value, hint) with a
"did you mean", in any user's code, not a bare ``TypeError``. A ``TypeError``,
``ValueError`` or ``AttributeError`` that still escapes the body becomes a
``construct/invalid-argument`` finding, so a user of the public API never sees a raw one.
"""

from __future__ import annotations

import enum
import functools
import inspect
import os
import sys
import types
import typing
from collections.abc import Callable, Iterable, Mapping, Sequence
from contextvars import ContextVar
from typing import Any, TypeVar

from k8sdsl.core._findings import Finding, K8sDslError, ObjectRef, Severity, ValueInputError
from k8sdsl.core._kinds import is_namespaced
from k8sdsl.core._suggest import suggest


class ArgumentError(K8sDslError, TypeError):
    """A k8sdsl constructor or factory was called with unknown, missing or extra arguments.

    A ``TypeError`` too, as Python's own would be, so ``except TypeError`` still works.
    """


_DEPTH: ContextVar[int] = ContextVar("k8sdsl_guard_depth", default=0)
_SKIP = ("self", "cls")
_UNKNOWN = object()


def _caller() -> str:
    """``file:line`` of the innermost frame outside k8sdsl: the user's line."""
    frame = sys._getframe(1)
    here = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    while frame is not None:
        name = frame.f_code.co_filename
        if not os.path.abspath(name).startswith(here + os.sep):
            return f"{name}:{frame.f_lineno}"
        frame = frame.f_back  # type: ignore[assignment]
    return ""


def _hints(func: Callable[..., Any]) -> dict[str, Any]:
    """The resolved annotations of ``func``; a name that does not resolve is left out."""
    module = sys.modules.get(func.__module__)
    # names imported under TYPE_CHECKING only (StorageClass...): k8sdsl's classes by name
    globalns = {**_k8sdsl_classes(), **(vars(module) if module is not None else {})}
    try:
        return typing.get_type_hints(func, globalns=globalns)
    except Exception:
        hints: dict[str, Any] = {}
        for name, text in getattr(func, "__annotations__", {}).items():
            try:
                hints[name] = typing.get_type_hints(
                    types.SimpleNamespace(__annotations__={name: text}), globalns=globalns
                )[name]
            except Exception:
                continue
        return hints


#: every k8sdsl class by name, for resolving string annotations (filled by guard_class and
#: known_class as the classes are defined, so this module imports none of them)
_CLASSES: dict[str, type[Any]] = {}
#: the construct tree's node class (Construct), registered by its module
_SCOPE_TYPES: list[type[Any]] = []


def known_class(cls: type[Any], *, scope: bool = False) -> None:
    """Record a k8sdsl class that ``guard_class`` does not see (a base class); ``scope``
    marks the construct tree's node class, whose instances are the scopes of calls."""
    _CLASSES.setdefault(cls.__name__, cls)
    if scope and cls not in _SCOPE_TYPES:
        _SCOPE_TYPES.append(cls)


def _k8sdsl_classes() -> dict[str, type[Any]]:
    return _CLASSES


def _conforms(value: Any, hint: Any) -> bool:
    """Whether ``value`` has the shape ``hint`` promises (unknown shapes pass)."""
    if hint is Any or hint is object:
        return True
    if hint is None or hint is type(None):
        return value is None
    origin = typing.get_origin(hint)
    args = typing.get_args(hint)
    if origin is typing.Annotated:
        return _conforms(value, args[0])
    if origin in (typing.Union, types.UnionType):
        return any(_conforms(value, a) for a in args)
    if origin is typing.Literal:
        return any(value == a and type(value) is type(a) or value is a for a in args)
    if hint is bool:
        return isinstance(value, bool)
    if hint is int:  # a bool is an int to Python, never to Kubernetes
        return isinstance(value, int) and not isinstance(value, bool)
    if hint is float:
        return isinstance(value, (int, float)) and not isinstance(value, bool)
    if hint is str:
        return isinstance(value, str)
    if isinstance(hint, type) and issubclass(hint, enum.Enum):
        if isinstance(value, hint):
            return True
        return isinstance(value, str) and any(value == m.value for m in hint)
    target = origin if origin is not None else hint
    if target in (Mapping, dict) or (isinstance(target, type) and issubclass(target, Mapping)):
        if not isinstance(value, Mapping):
            return False
        if len(args) == 2:
            return all(_conforms(k, args[0]) and _conforms(v, args[1]) for k, v in value.items())
        return True
    if target in (tuple, list, Sequence, Iterable) or (
        isinstance(target, type) and target in (frozenset, set)
    ):
        if isinstance(value, (str, bytes, Mapping)):
            return False
        wanted = {tuple: tuple, list: list, Sequence: Sequence}.get(target, Iterable)
        if not isinstance(value, wanted):
            return False
        if target is tuple and len(args) == 2 and args[1] is Ellipsis:
            item: Any = args[0]
        elif target is tuple and args:
            return len(value) == len(args) and all(
                _conforms(v, a) for v, a in zip(value, args, strict=True)
            )
        else:
            item = args[0] if args else Any
        if isinstance(value, (list, tuple)):
            return all(_conforms(v, item) for v in value)
        return True
    if target is os.PathLike:
        return isinstance(value, os.PathLike)
    if isinstance(target, type):
        from pydantic import BaseModel

        if issubclass(target, BaseModel) and isinstance(value, Mapping):
            return True  # a value given as a dict of its fields: pydantic checks them
        try:
            return isinstance(value, target)
        except TypeError:
            return True
    return True  # a TypeVar, a Protocol, a Callable...: not checked here


def describe(hint: Any) -> str:
    """``Mapping[str, str] | None`` -> ``a mapping of str to str, or None``."""
    origin = typing.get_origin(hint)
    args = typing.get_args(hint)
    if hint is None or hint is type(None):
        return "None"
    if origin is typing.Annotated:
        return describe(args[0])
    if origin in (typing.Union, types.UnionType):
        return " or ".join(dict.fromkeys(describe(a) for a in args))
    if origin is typing.Literal:
        return "one of " + ", ".join(repr(a) for a in args)
    if hint is int:
        return "an int (not a bool)"
    if hint is float:
        return "a number"
    if hint is str:
        return "a str"
    if hint is bool:
        return "True or False"
    if isinstance(hint, type) and issubclass(hint, enum.Enum):
        return f"a {hint.__name__} (" + ", ".join(repr(m.value) for m in hint) + ")"
    target = origin if origin is not None else hint
    if target in (Mapping, dict):
        if len(args) == 2:
            return f"a mapping of {_bare(args[0])} to {_bare(args[1])}"
        return "a mapping"
    if target in (tuple, list, Sequence, Iterable, set, frozenset):
        item = args[0] if args else Any
        single = " (not a single str)" if str in _options(item) else ""
        return f"a list of {_bare(item)}{single}"
    if target is os.PathLike:
        return "a path"
    if isinstance(target, type):
        return f"a {target.__name__}"
    return str(hint)


def _bare(hint: Any) -> str:
    text = describe(hint)
    for article in ("a ", "an "):
        if text.startswith(article):
            return text[len(article) :]
    return text


def _options(hint: Any) -> list[Any]:
    origin = typing.get_origin(hint)
    if origin is typing.Annotated:
        return _options(typing.get_args(hint)[0])
    if origin in (typing.Union, types.UnionType):
        return [o for a in typing.get_args(hint) for o in _options(a)]
    return [hint]


def _listish(hint: Any) -> bool:
    target = typing.get_origin(hint) or hint
    return target in (tuple, list, Sequence, Iterable, set, frozenset)


def _obviously_wrong(value: Any, hint: Any) -> bool:
    """The wrong successes: a bool taken as an int, a str taken apart into characters.

    Checked before the body runs (the body would accept them). Everything else the body
    checks with its own codes; the full shape check only explains a raw error after it.
    """
    options = _options(hint)
    if Any in options or object in options:
        return False
    if value is not None and all(o is bool or o is type(None) or o is None for o in options):
        return not isinstance(value, bool)  # 1.5, "1GB" and [] are not True or False
    if isinstance(value, bytes) and str in options and bytes not in options:
        return True
    if isinstance(value, float) and int in options and float not in options:
        return True  # replicas=1.5 (or nan) is not a whole number
    if isinstance(value, Mapping) and None in value.values():
        for option in options:
            target = typing.get_origin(option) or option
            if target in (Mapping, dict) and len(typing.get_args(option)) == 2:
                item = typing.get_args(option)[1]
                if not any(o is None or o is type(None) for o in _options(item)):
                    return True
        return False
    if isinstance(value, bool):
        return not (bool in options or Any in options or object in options) and any(
            o in (int, float) for o in options
        )
    if isinstance(value, (int, float)) and str in options:
        # App(k8s_version=1.30) would become "1.3": a number is not a str
        return all(o is str or o is type(None) or o is None for o in options)
    if type(value) is str and str not in options and Any not in options:
        for option in options:
            if _listish(option):
                item = (typing.get_args(option) or (Any,))[0]
                if str in _options(item):
                    return True
    return False


def _argument_findings(
    owner: str,
    sig: inspect.Signature,
    hints: dict[str, Any],
    args: tuple[Any, ...],
    kwargs: dict[str, Any],
    ref: ObjectRef,
    extra_names: Sequence[str] = (),
    *,
    deep: bool = False,
    owner_cls: type[Any] | None = None,
) -> list[Finding]:
    params = sig.parameters
    keywords = [
        n
        for n, p in params.items()
        if n not in _SKIP and p.kind in (p.KEYWORD_ONLY, p.POSITIONAL_OR_KEYWORD)
    ]
    has_var_kw = any(p.kind is p.VAR_KEYWORD for p in params.values())
    problems: list[Finding] = []
    if not has_var_kw or extra_names:
        for arg in kwargs:
            if arg in keywords or arg in extra_names:
                continue
            kind = getattr(owner_cls, "kind", "")
            if arg == "namespace" and isinstance(kind, str) and kind and not _namespaced(kind):
                problems.append(
                    Finding(
                        Severity.ERROR,
                        "metadata/cluster-scoped",
                        f"{kind} is cluster-scoped and has no namespace",
                        ref,
                        "metadata.namespace",
                        "remove namespace=",
                    )
                )
                continue
            if arg in params and params[arg].kind is params[arg].POSITIONAL_ONLY:
                hint = f"pass {arg} by position: {owner}({arg}, ...)"
            else:
                guess = suggest(arg, [*keywords, *extra_names])
                hint = (
                    f"did you mean {guess!r}?"
                    if guess
                    else "known arguments: " + ", ".join([*keywords, *sorted(extra_names)])
                )
            problems.append(
                Finding(
                    Severity.ERROR,
                    "construct/unknown-argument",
                    f"{owner} takes no argument {arg!r}",
                    ref,
                    arg,
                    hint,
                )
            )
        kwargs = {k: v for k, v in kwargs.items() if k in keywords or k in extra_names}
    try:
        bound = sig.bind(*args, **kwargs)
    except TypeError as exc:
        text = str(exc)
        if "missing" in text:
            missing = [
                n
                for n, p in params.items()
                if p.default is p.empty
                and p.kind not in (p.VAR_POSITIONAL, p.VAR_KEYWORD)
                and n not in kwargs
                and list(params).index(n) >= len(args)
            ]
            # a misspelt argument already names the one it misses ("did you mean 'path'?")
            guessed = {f.hint for f in problems if f.code == "construct/unknown-argument"}
            unexplained = [n for n in missing if f"did you mean {n!r}?" not in guessed]
            if unexplained or not missing:
                problems.append(
                    Finding(
                        Severity.ERROR,
                        "construct/missing-argument",
                        f"{owner} needs {', '.join(unexplained) or 'more arguments'}",
                        ref,
                        unexplained[0] if unexplained else "",
                        "pass " + ", ".join(f"{a}=..." for a in unexplained),
                    )
                )
        else:
            positional = [
                n
                for n, p in params.items()
                if n not in _SKIP and p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)
            ]
            problems.append(
                Finding(
                    Severity.ERROR,
                    "construct/positional-argument",
                    f"{owner} takes {len(positional)} positional argument(s) "
                    f"({', '.join(positional) or 'none'}) and its settings by keyword",
                    ref,
                    "",
                    f"pass the rest by name: {owner}(..., {keywords[0] if keywords else 'x'}=...)"
                    if keywords
                    else f"call {owner}({', '.join(positional)})",
                )
            )
        return problems
    for name, value in bound.arguments.items():
        if name in _SKIP or name not in hints:
            continue
        p = params[name]
        if p.kind in (p.VAR_POSITIONAL, p.VAR_KEYWORD):
            continue
        if p.default is not p.empty and value is p.default:
            continue
        wrong = not _conforms(value, hints[name]) if deep else _obviously_wrong(value, hints[name])
        if wrong:
            problems.append(
                Finding(
                    Severity.ERROR,
                    "construct/argument-type",
                    f"{owner} {name}= must be {describe(hints[name])}, "
                    f"not {type(value).__name__} {_short(value)}",
                    ref,
                    name,
                    _type_hint(name, value, hints[name]),
                )
            )
    return problems


def _namespaced(kind: str) -> bool:
    return is_namespaced(kind)


def _short(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


def _type_hint(name: str, value: Any, hint: Any) -> str:
    if name == "scope":
        return "create resources in a Chart: Kind(chart, 'id', ...), chart = Chart(app, 'name')"
    if isinstance(value, bool):
        return f"a bool is not a number: give {name}= an int"
    if isinstance(value, float) and int in _options(hint):
        return f"give {name}= a whole number, as an int"
    if isinstance(value, float) and "a str" in describe(hint):
        return f"write it as text: {name}='...' (a float loses digits: 1.30 is 1.3)"
    if isinstance(value, str) and "list" in describe(hint):
        return f"wrap a single value in a list: {name}=[{value!r}]"
    return f"give {name}= {describe(hint)}"


def _where(owner_cls: type[Any], args: tuple[Any, ...]) -> ObjectRef:
    """The user's line that made the call, and the construct path when there is one."""
    path = ""
    scope_types = tuple(_SCOPE_TYPES)
    if len(args) >= 3 and isinstance(args[1], scope_types) and isinstance(args[2], str):
        scope_path = args[1].node.path
        path = f"{scope_path}/{args[2]}" if scope_path else args[2]
    return ObjectRef(kind=owner_cls.__name__, name=path, source=_caller())


_LAZY = ObjectRef(kind="<pending>")


def _fast_path(sig: inspect.Signature, hints: dict[str, Any]) -> dict[str, Any]:
    """What a call needs for the quick "nothing to report" answer (most calls)."""
    params = sig.parameters
    plain = [p for n, p in params.items() if p.kind not in (p.VAR_POSITIONAL, p.VAR_KEYWORD)]
    return {
        "usable": not any(p.kind in (p.VAR_POSITIONAL, p.VAR_KEYWORD) for p in params.values())
        and all(p.kind is not p.POSITIONAL_ONLY for p in plain[1:]),
        "positional": [p.name for p in plain if p.kind is p.POSITIONAL_OR_KEYWORD],
        "keywords": frozenset(p.name for p in plain if p.kind is p.KEYWORD_ONLY),
        "required": frozenset(
            p.name for p in plain if p.default is p.empty and p.kind is p.KEYWORD_ONLY
        ),
        # the arguments whose annotation makes a bool, a number or a str a wrong success
        "risky": {n: hints[n] for n in params if n in hints and _could_be_wrong(hints[n])},
    }


def _could_be_wrong(hint: Any) -> bool:
    probes: tuple[Any, ...] = (True, 1, 1.5, "text", b"x", {"a": None}, [])
    return any(_obviously_wrong(probe, hint) for probe in probes)


def _plainly_fine(fast: dict[str, Any], args: tuple[Any, ...], kwargs: dict[str, Any]) -> bool:
    if not fast["usable"]:
        return False
    positional: list[str] = fast["positional"]
    if len(args) != len(positional):  # a missing or an extra positional argument
        return False
    keywords: frozenset[str] = fast["keywords"]
    if not keywords.issuperset(kwargs) or not fast["required"].issubset(kwargs):
        return False
    for name, hint in fast["risky"].items():
        if name in kwargs:
            value = kwargs[name]
        elif name in positional:
            value = args[positional.index(name)]
        else:
            continue
        if isinstance(value, (bool, int, float, str, bytes, Mapping, list, tuple)) and (
            _obviously_wrong(value, hint)
        ):
            return False
    return True


def _at(f: Finding, ref: ObjectRef) -> Finding:
    return Finding(f.severity, f.code, f.message, ref, f.path, f.hint) if f.obj is _LAZY else f


def guard(
    owner_cls: type[Any],
    func: Callable[..., Any],
    *,
    label: str,
    value_error: bool = False,
    extra_names: Callable[[], Sequence[str]] = lambda: (),
) -> Callable[..., Any]:
    """``func`` with its arguments checked first and its raw errors turned into findings."""
    sig = inspect.signature(func)
    cache: list[dict[str, Any]] = []
    error: type[K8sDslError] = ValueInputError if value_error else K8sDslError

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        depth = _DEPTH.get()
        if depth:
            # a k8sdsl call from inside k8sdsl (super().__init__, a child construct)
            return func(*args, **kwargs)
        if not cache:
            cache.append(_hints(func))
            cache.append(_fast_path(sig, cache[0]))
        if not _plainly_fine(cache[1], args, kwargs):
            problems = _argument_findings(
                label, sig, cache[0], args, kwargs, _LAZY, extra_names(), owner_cls=owner_cls
            )
        else:
            problems = []
        if problems:
            # where the call came from: only worked out when there is something to report
            ref = _where(owner_cls, args)
            problems = [_at(f, ref) for f in problems]
        if problems:
            kinds = {f.code for f in problems}
            raised = (
                ArgumentError
                if kinds
                & {
                    "construct/unknown-argument",
                    "construct/missing-argument",
                    "construct/positional-argument",
                }
                else error
            )
            raise raised(problems, summary=f"invalid arguments to {label}") from None
        token = _DEPTH.set(depth + 1)
        try:
            return func(*args, **kwargs)
        except K8sDslError:
            raise
        except (TypeError, ValueError, AttributeError) as exc:
            ref = _where(owner_cls, args)
            explained = _argument_findings(
                label,
                sig,
                cache[0],
                args,
                kwargs,
                ref,
                extra_names(),
                deep=True,
                owner_cls=owner_cls,
            )
            raise error(
                explained
                or [
                    Finding(
                        Severity.ERROR,
                        "construct/invalid-argument",
                        f"{label} refused its arguments: {exc}",
                        ref,
                        "",
                        f"check the arguments against help({label})",
                    )
                ],
                summary=f"invalid arguments to {label}",
            ) from exc
        finally:
            _DEPTH.reset(token)

    wrapper.__signature__ = sig  # type: ignore[attr-defined]
    return wrapper


_F = TypeVar("_F", bound=Callable[..., Any])


def hot_path(plainly_fine: Callable[..., bool]) -> Callable[[_F], _F]:
    """Mark a method that rules call millions of times (``LabelSelector.matches``): when
    ``plainly_fine(*args, **kwargs)`` holds (a cheap test of the argument types), the method
    runs without the guard's generic checks; any other call goes through the guard, so a
    wrong argument still gets its finding. ``guard_class`` reads the mark."""

    def mark(func: _F) -> _F:
        func.__k8sdsl_hot__ = plainly_fine  # type: ignore[attr-defined]
        return func

    return mark


def _hot(guarded: Callable[..., Any], func: Callable[..., Any]) -> Callable[..., Any]:
    fine: Callable[..., bool] = func.__k8sdsl_hot__  # type: ignore[attr-defined]

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        if fine(*args, **kwargs):
            return func(*args, **kwargs)
        return guarded(*args, **kwargs)

    wrapper.__signature__ = inspect.signature(func)  # type: ignore[attr-defined]
    return wrapper


def guard_class(cls: type[Any], *, value_error: bool = False, init: bool = True) -> None:
    """Wrap the ``__init__`` and public classmethod factories ``cls`` itself defines."""
    if not cls.__module__.startswith("k8sdsl."):
        return  # a user's subclass: its own arguments are its own business
    _CLASSES.setdefault(cls.__name__, cls)
    own = vars(cls)
    own_init = own.get("__init__") if init else None
    if own_init is not None and not getattr(own_init, "__k8sdsl_guarded__", False):
        wrapped = guard(
            cls,
            own_init,
            label=cls.__name__,
            value_error=value_error,
            extra_names=lambda: _shorthand_names(cls),
        )
        wrapped.__k8sdsl_guarded__ = True  # type: ignore[attr-defined]
        cls.__init__ = wrapped
    for name, attr in list(own.items()):
        if name.startswith("_"):
            continue
        if inspect.isfunction(attr) and _takes_arguments(attr):
            # an ordinary method with arguments (volume.mount("/data"), sa.grant(read=...))
            if not getattr(attr, "__k8sdsl_guarded__", False):
                method = guard(cls, attr, label=f"{cls.__name__}.{name}", value_error=value_error)
                if hasattr(attr, "__k8sdsl_hot__"):
                    method = _hot(method, attr)
                method.__k8sdsl_guarded__ = True  # type: ignore[attr-defined]
                setattr(cls, name, method)
            continue
        if not isinstance(attr, classmethod):
            continue
        inner = attr.__func__
        if getattr(inner, "__k8sdsl_guarded__", False):
            continue
        wrapped = guard(cls, inner, label=f"{cls.__name__}.{name}", value_error=value_error)
        wrapped.__k8sdsl_guarded__ = True  # type: ignore[attr-defined]
        setattr(cls, name, classmethod(wrapped))


def _takes_arguments(func: Callable[..., Any]) -> bool:
    """Whether a method takes anything besides ``self`` (those without cost nothing to skip)."""
    return len(inspect.signature(func).parameters) > 1


def _shorthand_names(cls: type[Any]) -> list[str]:
    """The names a ``**fields`` constructor also takes (its template's fields)."""
    make = getattr(cls, "_template_class", None)
    if make is None:
        return []
    # template= too: SecurePod explains why it builds its own
    return [*getattr(make, "model_fields", {}), *getattr(make, "_SHORTHAND", ()), "template"]
