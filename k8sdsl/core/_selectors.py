"""Label selectors as values: ``matchLabels`` and ``matchExpressions``, with matching."""

from __future__ import annotations

from collections.abc import Mapping
from enum import StrEnum
from typing import Self

from pydantic import model_validator

from k8sdsl.core._guard import hot_path
from k8sdsl.core._model import K8sModel
from k8sdsl.core._types import LabelKey, LabelValue


class SelectorOperator(StrEnum):
    IN = "In"
    NOT_IN = "NotIn"
    EXISTS = "Exists"
    DOES_NOT_EXIST = "DoesNotExist"


class LabelSelectorRequirement(K8sModel):
    """One ``matchExpressions`` entry. ``In``/``NotIn`` need values; ``Exists`` forbids them."""

    key: LabelKey
    operator: SelectorOperator
    values: tuple[LabelValue, ...] | None = None

    @model_validator(mode="after")
    def _values_match_operator(self) -> Self:
        needs = self.operator in (SelectorOperator.IN, SelectorOperator.NOT_IN)
        if needs and not self.values:
            raise ValueError(f"operator {self.operator.value} needs at least one value")
        if not needs and self.values:
            raise ValueError(f"operator {self.operator.value} takes no values")
        return self

    @hot_path(lambda self, labels: type(labels) is dict)
    def matches(self, labels: Mapping[str, str]) -> bool:
        present = self.key in labels
        if self.operator is SelectorOperator.EXISTS:
            return present
        if self.operator is SelectorOperator.DOES_NOT_EXIST:
            return not present
        inside = present and labels[self.key] in (self.values or ())
        return inside if self.operator is SelectorOperator.IN else not inside


class LabelSelector(K8sModel):
    """A label selector. The empty selector matches everything (``podSelector: {}``)."""

    match_labels: dict[LabelKey, LabelValue] | None = None
    match_expressions: tuple[LabelSelectorRequirement, ...] | None = None

    @classmethod
    def of(cls, labels: Mapping[str, str] | None = None, /, **more: str) -> LabelSelector:
        """``LabelSelector.of({"app.kubernetes.io/name": "db"})`` or ``.of(role="db")``."""
        merged = {**(labels or {}), **more}
        return cls(match_labels=merged or None)

    @classmethod
    def everything(cls) -> LabelSelector:
        """The empty selector, ``{}``: it selects every object."""
        return cls()

    def is_empty(self) -> bool:
        return not self.match_labels and not self.match_expressions

    @hot_path(lambda self, labels: labels is None or type(labels) is dict)
    def matches(self, labels: Mapping[str, str] | None) -> bool:
        labels = labels or {}
        for key, value in (self.match_labels or {}).items():
            if labels.get(key) != value:
                return False
        return all(req.matches(labels) for req in self.match_expressions or ())

    @classmethod
    def from_k8s(cls, data: Mapping[str, object] | None) -> LabelSelector:
        """Read a selector from a Kubernetes dict (used by rules on YAML input)."""
        if not data:
            return cls()
        exprs = tuple(
            LabelSelectorRequirement(
                key=str(e.get("key", "")),
                operator=SelectorOperator(str(e.get("operator"))),
                values=tuple(e["values"]) if e.get("values") else None,
            )
            for e in data.get("matchExpressions") or ()  # type: ignore[attr-defined]
        )
        return cls(
            match_labels=dict(data.get("matchLabels") or {}) or None,  # type: ignore[call-overload]
            match_expressions=exprs or None,
        )
