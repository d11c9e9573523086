"""The base of every value: frozen, strict about unknown fields, snake_case in, camelCase out."""

from __future__ import annotations

from contextvars import ContextVar
from typing import Any, ClassVar, Self

from pydantic import AliasGenerator, BaseModel, ConfigDict, ValidationError
from pydantic_core import ErrorDetails

from k8sdsl.core._findings import Finding, ObjectRef, Severity, ValueInputError
from k8sdsl.core._guard import guard_class, known_class
from k8sdsl.core._suggest import suggest


def to_camel(name: str) -> str:
    """``read_only`` -> ``readOnly``; a trailing ``_`` (``except_``, ``from_``) is dropped."""
    head, *rest = name.rstrip("_").split("_")
    return head + "".join(part[:1].upper() + part[1:] for part in rest)


_INIT_DEPTH: ContextVar[int] = ContextVar("k8sdsl_model_init_depth", default=0)


class K8sModel(BaseModel):
    """Base of all k8sdsl values.

    Fields are snake_case in Python and exact Kubernetes camelCase on output (``to_k8s``).
    Names that are not plain camelCase (``volumeID``, ``diskURI``) set
    ``serialization_alias`` on the field. Unknown fields are errors with a suggestion, never
    silently dropped. ``None`` means "not set" and is left out of the output; an empty string
    is kept (``storage_class_name=""`` differs from unset).
    """

    model_config = ConfigDict(
        frozen=True,
        extra="forbid",
        alias_generator=AliasGenerator(serialization_alias=to_camel),
        validate_default=False,
        use_enum_values=False,
        arbitrary_types_allowed=False,
        defer_build=True,
    )

    #: the Kubernetes type this value renders, used in error messages
    k8s_type: ClassVar[str] = ""

    @classmethod
    def __pydantic_init_subclass__(cls, **kwargs: Any) -> None:
        super().__pydantic_init_subclass__(**kwargs)
        # the factories (ContainerPort.tcp, Volume.claim...): __init__ is pydantic's
        guard_class(cls, value_error=True, init=False)

    def __init__(self, /, **data: Any) -> None:
        # pydantic calls an overridden __init__ for nested models too: only the outermost
        # call turns the error into findings, so nested errors keep their full path
        # (resources.requests.storage) instead of becoming one "Value error" at the parent.
        token = _INIT_DEPTH.set(_INIT_DEPTH.get() + 1)
        try:
            super().__init__(**data)
        except ValidationError as exc:
            if _INIT_DEPTH.get() > 1:
                raise
            raise value_error_from_pydantic(type(self), exc) from None
        finally:
            _INIT_DEPTH.reset(token)

    @classmethod
    def model_validate(cls, obj: Any, *args: Any, **kwargs: Any) -> Self:
        """``Model.model_validate(dict)`` raises :class:`ValueInputError` with findings, as
        ``Model(**kwargs)`` does, never pydantic's own dump ("1 validation error for ...")."""
        try:
            return super().model_validate(obj, *args, **kwargs)
        except ValidationError as exc:
            errors = exc.errors(include_url=False)
            # __init__ already turned the errors into findings; pydantic wrapped them again
            inner = (errors[0].get("ctx") or {}).get("error") if len(errors) == 1 else None
            if isinstance(inner, ValueInputError):
                raise inner from None
            raise value_error_from_pydantic(cls, exc) from None

    def to_k8s(self) -> dict[str, Any]:
        """The Kubernetes dict of this value (camelCase keys, unset fields left out)."""
        return self.model_dump(by_alias=True, exclude_none=True, mode="json")


known_class(K8sModel)


def _loc_to_path(loc: tuple[int | str, ...], model: type[BaseModel] | None) -> str:
    parts: list[str] = []
    for item in loc:
        if isinstance(item, int):
            parts.append(f"[{item}]")
        elif item == "[key]":  # pydantic's marker: the dict key itself is wrong, not its value
            parts.append(" (the key)")
        else:
            parts.append(("." if parts else "") + str(item))
    return "".join(parts)


def _field_names(model: type[BaseModel], loc: tuple[int | str, ...]) -> list[str]:
    """The field names of the model that owns the last element of ``loc``."""
    current: Any = model
    for item in loc[:-1]:
        if isinstance(item, int):
            continue
        fields = getattr(current, "model_fields", None)
        if not fields or item not in fields:
            # discriminated unions put the tag in the loc: try the union members
            return []
        annotation = fields[item].annotation
        current = _first_model(annotation)
        if current is None:
            return []
    fields = getattr(current, "model_fields", None)
    return list(fields) if fields else []


def _first_model(annotation: Any) -> type[BaseModel] | None:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    for arg in getattr(annotation, "__args__", ()) or ():
        found = _first_model(arg)
        if found is not None:
            return found
    return None


_GENERIC_HINTS = {
    "string_too_short": "give a non-empty value (Kubernetes rejects or ignores an empty one)",
    "string_pattern_mismatch": "give a non-empty value that is not only spaces",
    "int_parsing": "pass a whole number",
    "int_type": "pass a whole number",
    "bool_type": "pass True or False",
    "bool_parsing": "pass True or False",
    "enum": "use one of the enum's members",
    "greater_than_equal": "use a larger number",
    "less_than_equal": "use a smaller number",
}


def _finding_for(model: type[BaseModel], err: ErrorDetails) -> Finding:
    loc = tuple(err["loc"])
    path = _loc_to_path(loc, model)
    value = err.get("input")
    kind = err["type"]
    hint = ""
    if kind == "extra_forbidden" and loc and isinstance(loc[-1], str):
        names = _field_names(model, loc)
        guess = suggest(str(loc[-1]), names)
        message = f"{loc[-1]!r} is not a field of {model.__name__}"
        if guess:
            hint = f"did you mean {guess!r}?"
        elif names:
            hint = "known fields: " + ", ".join(sorted(names))
    elif kind == "missing":
        message = "a value is required"
        hint = f"pass {loc[-1]}=..." if loc and isinstance(loc[-1], str) else ""
    else:
        msg = str(err["msg"]).removeprefix("Value error, ")
        if loc:  # a field's value: show it; a whole-model check would only repeat the model
            shown = repr(value)
            if len(shown) > 80:
                shown = shown[:77] + "..."
            message = f"{msg} (got {shown})"
        else:
            message = msg
        ctx = err.get("ctx") or {}
        hint = str(ctx.get("hint", "")) if isinstance(ctx, dict) else ""
        if not hint:
            hint = _GENERIC_HINTS.get(kind, "")
    return Finding(
        severity=Severity.ERROR,
        code=f"value/{kind.replace('_', '-')}",
        message=message,
        obj=ObjectRef(kind=model.__name__, source=model.__module__.split("._")[0]),
        path=path,
        hint=hint,
    )


def value_error_from_pydantic(model: type[BaseModel], exc: ValidationError) -> ValueInputError:
    """Turn a pydantic error into findings: the field path, the value and a fix, per error."""
    findings = [_finding_for(model, err) for err in exc.errors(include_url=False)]
    return ValueInputError(findings, summary=f"invalid {model.__name__}")
