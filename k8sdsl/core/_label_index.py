"""Indexes for label selectors, so that rules over a fleet stay linear.

A fleet puts thousands of pods, Services, policies and budgets into one namespace, and
trying every selector against every object is quadratic. Two indexes answer the two
questions the rules ask, in time proportional to the answer:

- :class:`LabelIndex`: *which objects does this selector select?* Objects are filed by
  namespace, by each ``key=value`` label and by each label key. A selector's candidates are
  the objects carrying its most selective requirement (a ``matchLabels`` pair, an ``In``
  expression's values, an ``Exists`` key); the full selector then filters them.
- :class:`SelectorIndex`: *which selectors select this object?* Each selector is filed
  under the terms of its most selective requirement (counted against a :class:`LabelIndex`
  of the objects it will be asked about, so a label every pod carries is never chosen when
  a rarer one is there); an object's lookup reads the entries of its own labels.

Selectors made only of ``NotIn``/``DoesNotExist`` (and the empty selector) narrow nothing:
they are tried against every object of the namespace, which is also the size of their
answer in the usual case (``podSelector: {}`` selects every pod).

Order is kept: every answer lists objects (or selectors) in the order they were given.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Generic, TypeVar

from k8sdsl.core._selectors import LabelSelector, SelectorOperator

T = TypeVar("T")
S = TypeVar("S")

#: a term an object must carry: ``(key, value)`` for a label pair, ``(key, None)`` for a key
Term = tuple[str, str | None]


def requirements(selector: LabelSelector) -> list[list[Term]]:
    """The selector's narrowing requirements: each a list of terms of which an object it
    selects carries at least one. ``NotIn`` and ``DoesNotExist`` narrow nothing."""
    found: list[list[Term]] = [[(k, v)] for k, v in (selector.match_labels or {}).items()]
    for req in selector.match_expressions or ():
        if req.operator is SelectorOperator.IN:
            found.append([(req.key, v) for v in dict.fromkeys(req.values or ())])
        elif req.operator is SelectorOperator.EXISTS:
            found.append([(req.key, None)])
    return found


class LabelIndex(Generic[T]):
    """Objects by namespace and label: ``select(namespace, selector)`` in answer time."""

    def __init__(
        self,
        items: Iterable[T],
        *,
        namespace: Callable[[T], str],
        labels: Callable[[T], Mapping[str, str] | None],
    ) -> None:
        self.items: tuple[T, ...] = tuple(items)
        self._labels = labels
        self._in: dict[str, list[int]] = {}
        self._by_term: dict[tuple[str, str, str | None], list[int]] = {}
        for i, item in enumerate(self.items):
            ns = namespace(item)
            self._in.setdefault(ns, []).append(i)
            for key, value in (labels(item) or {}).items():
                self._by_term.setdefault((ns, key, value), []).append(i)
                self._by_term.setdefault((ns, key, None), []).append(i)

    def namespaces(self) -> list[str]:
        """The namespaces that hold at least one object, in first-seen order."""
        return list(self._in)

    def in_namespace(self, namespace: str) -> list[T]:
        return [self.items[i] for i in self._in.get(namespace, ())]

    def count(self, namespace: str, term: Term) -> int:
        """How many objects of ``namespace`` carry ``term``."""
        return len(self._by_term.get((namespace, *term), ()))

    def _positions(self, namespace: str, selector: LabelSelector) -> Sequence[int]:
        best: Sequence[int] | None = None
        for terms in requirements(selector):
            if len(terms) == 1:
                positions: Sequence[int] = self._by_term.get((namespace, *terms[0]), ())
            else:
                merged: set[int] = set()
                for term in terms:
                    merged.update(self._by_term.get((namespace, *term), ()))
                positions = sorted(merged)
            if best is None or len(positions) < len(best):
                best = positions
                if not best:
                    break
        return self._in.get(namespace, ()) if best is None else best

    def candidates(self, namespace: str, selector: LabelSelector) -> list[T]:
        """The objects of ``namespace`` that may match ``selector`` (a superset, in order)."""
        return [self.items[i] for i in self._positions(namespace, selector)]

    def select(self, namespace: str, selector: LabelSelector | None) -> list[T]:
        """The objects of ``namespace`` that ``selector`` selects; ``None`` selects none."""
        if selector is None:
            return []
        labels = self._labels
        return [
            self.items[i]
            for i in self._positions(namespace, selector)
            if selector.matches(labels(self.items[i]) or {})
        ]


class SelectorIndex(Generic[S]):
    """Selectors by the labels they need: ``matching(namespace, labels)`` lists, in order,
    the entries whose selector selects an object with those labels.

    ``counts`` is the index of the objects the selectors will be asked about: each selector
    is filed under its requirement that the fewest of them carry."""

    def __init__(
        self,
        entries: Iterable[S],
        *,
        namespace: Callable[[S], str],
        selector: Callable[[S], LabelSelector | None],
        counts: LabelIndex[object] | LabelIndex[T] | None = None,
    ) -> None:
        self.entries: tuple[S, ...] = tuple(entries)
        self._selector = selector
        self._unkeyed: dict[str, list[int]] = {}
        self._keyed: dict[tuple[str, str, str | None], list[int]] = {}
        for i, entry in enumerate(self.entries):
            sel = selector(entry)
            if sel is None:
                continue  # an unreadable selector selects nothing
            ns = namespace(entry)
            options = requirements(sel)
            if not options:
                self._unkeyed.setdefault(ns, []).append(i)
                continue
            if counts is None:
                terms = min(options, key=len)
            else:
                terms = min(options, key=lambda ts: sum(counts.count(ns, t) for t in ts))
            for key, value in terms:
                self._keyed.setdefault((ns, key, value), []).append(i)

    def matching(self, namespace: str, labels: Mapping[str, str] | None) -> list[S]:
        labels = labels or {}
        positions = list(self._unkeyed.get(namespace, ()))
        for key, value in labels.items():
            positions.extend(self._keyed.get((namespace, key, value), ()))
            positions.extend(self._keyed.get((namespace, key, None), ()))
        positions.sort()
        found: list[S] = []
        for i in positions:
            sel = self._selector(self.entries[i])
            if sel is not None and sel.matches(labels):
                found.append(self.entries[i])
        return found
