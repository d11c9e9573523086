"""Kubernetes resource quantities (``1Gi``, ``500m``, ``1e3``): parsed exactly and compared."""

from __future__ import annotations

import re
from fractions import Fraction
from functools import total_ordering
from typing import Any

from pydantic import GetCoreSchemaHandler
from pydantic_core import PydanticCustomError, core_schema

_BINARY = {"Ki": 2**10, "Mi": 2**20, "Gi": 2**30, "Ti": 2**40, "Pi": 2**50, "Ei": 2**60}
_DECIMAL = {
    "n": Fraction(1, 10**9),
    "u": Fraction(1, 10**6),
    "m": Fraction(1, 10**3),
    "": Fraction(1),
    "k": Fraction(10**3),
    "M": Fraction(10**6),
    "G": Fraction(10**9),
    "T": Fraction(10**12),
    "P": Fraction(10**15),
    "E": Fraction(10**18),
}
# The apimachinery grammar: a signed decimal number, then a binary or decimal SI suffix or an
# exponent. Anything else (a space, "GB", "gi", "1.5.0") is rejected by the API server.
_QUANTITY_RE = re.compile(
    r"^(?P<num>[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+))"
    r"(?P<suffix>Ki|Mi|Gi|Ti|Pi|Ei|[numkMGTPE]|[eE][+-]?[0-9]+)?$"
)
_COMMON_MISTAKES = {
    "KB": "k",
    "K": "k",
    "MB": "M",
    "GB": "G",
    "TB": "T",
    "KIB": "Ki",
    "MIB": "Mi",
    "GIB": "Gi",
    "TIB": "Ti",
    "GI": "Gi",
    "MI": "Mi",
    "KI": "Ki",
    "TI": "Ti",
}


class QuantityError(ValueError):
    """A string that is not a Kubernetes quantity, with the nearest valid spelling."""

    def __init__(self, value: str, hint: str) -> None:
        self.value = value
        self.hint = hint
        super().__init__(f"{value!r} is not a Kubernetes quantity; {hint}")


def _hint_for(text: str) -> str:
    m = re.match(r"^\s*([+-]?[0-9.]+)\s*([A-Za-z]*)\s*$", text)
    if m:
        number, unit = m.groups()
        fixed = _COMMON_MISTAKES.get(unit.upper() if unit.upper() in _COMMON_MISTAKES else unit)
        if fixed is not None:
            return f"use {number + fixed!r}"
    return (
        "use a number with an optional suffix: Ki Mi Gi Ti Pi Ei (powers of 2), "
        "m k M G T P E (powers of 10), for example '1Gi', '500m' or '2'"
    )


def _parse(text: str) -> Fraction | str:
    """The exact amount ``text`` spells, or the hint for a text that is not a quantity."""
    m = _QUANTITY_RE.match(text)
    if not m:
        return _hint_for(text)
    number = Fraction(m.group("num"))
    suffix = m.group("suffix") or ""
    if suffix in _BINARY:
        scale = Fraction(_BINARY[suffix])
    elif suffix in _DECIMAL:
        scale = _DECIMAL[suffix]
    else:
        scale = Fraction(10) ** int(suffix[1:])
    return number * scale


#: text -> amount (or hint), once per process: a fleet spells the same few quantities
#: (``100m``, ``128Mi``) tens of thousands of times, and a Fraction parse is slow.
#: Fractions are immutable, so sharing them is exact.
_PARSED: dict[str, Fraction | str] = {}
_PARSED_MAX = 50_000


@total_ordering
class Quantity:
    """An exact Kubernetes quantity.

    ``Quantity("1Gi") > Quantity("900Mi")`` and ``Quantity("0.5") == Quantity("500m")``.
    It renders as the text it was given (``str(q)``); ``canonical()`` gives the form the API
    server stores.
    """

    __slots__ = ("_text", "_value")
    _text: str
    _value: Fraction

    def __init__(self, value: str | int | Quantity) -> None:
        if isinstance(value, Quantity):
            self._text, self._value = value._text, value._value
            return
        if isinstance(value, bool):
            raise QuantityError(str(value), _hint_for(str(value)))
        if isinstance(value, int):
            self._text, self._value = str(value), Fraction(value)
            return
        if not isinstance(value, str):
            raise QuantityError(repr(value), "pass a string such as '1Gi'")
        parsed = _PARSED.get(value)
        if parsed is None:
            parsed = _parse(value)
            if len(_PARSED) < _PARSED_MAX:
                _PARSED[value] = parsed
        if isinstance(parsed, str):
            raise QuantityError(value, parsed)
        self._text = value
        self._value = parsed

    @property
    def value(self) -> Fraction:
        """The exact amount (bytes for storage, cores for CPU)."""
        return self._value

    def canonical(self) -> str:
        """The API server's canonical spelling: ``0.5`` -> ``500m``, ``1024Mi`` -> ``1Gi``."""
        v = self._value
        if v == 0:
            return "0"
        sign = "-" if v < 0 else ""
        v = abs(v)
        if v.denominator == 1 and self._text[-2:] in _BINARY:
            n = v.numerator
            for suffix, size in reversed(_BINARY.items()):
                if n % size == 0:
                    return f"{sign}{n // size}{suffix}"
            return f"{sign}{n}"
        for suffix in ("E", "P", "T", "G", "M", "k", "", "m", "u", "n"):
            scaled = v / _DECIMAL[suffix]
            if scaled.denominator == 1:
                if suffix in "EPTGMk" and suffix and scaled.numerator % 1000 == 0:
                    continue
                return f"{sign}{scaled.numerator}{suffix}"
        # below a nano-unit: the API server rounds up to 1n
        return f"{sign}1n"

    def __str__(self) -> str:
        return self._text

    def __repr__(self) -> str:
        return f"Quantity({self._text!r})"

    def __eq__(self, other: object) -> bool:
        if isinstance(other, (str, int)) and not isinstance(other, bool):
            other = Quantity(other)
        return isinstance(other, Quantity) and self._value == other._value

    def __lt__(self, other: Quantity | str | int) -> bool:
        return self._value < Quantity(other)._value

    def __hash__(self) -> int:
        return hash(self._value)

    @classmethod
    def __get_pydantic_core_schema__(
        cls, source: Any, handler: GetCoreSchemaHandler
    ) -> core_schema.CoreSchema:
        def parse(value: Any) -> Quantity:
            try:
                return cls(value)
            except QuantityError as exc:
                raise PydanticCustomError(
                    "quantity",
                    "is not a Kubernetes quantity",
                    {"hint": exc.hint, "value": exc.value},
                ) from None

        return core_schema.no_info_plain_validator_function(
            parse,
            serialization=core_schema.plain_serializer_function_ser_schema(str),
        )
