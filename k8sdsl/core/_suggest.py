"""'Did you mean' suggestions, shared by value errors, schema errors and rules.

``suggest(name, candidates)`` compares ``name`` with every candidate when there are few
(difflib's ratio, the case- and ``_``-insensitive match first). Over a fleet's names (a
rule asking for each of 8,000 missing claims among 8,000 claims) comparing with every
candidate is quadratic, so a :class:`Suggester` is built once over the names and answers
with a bounded search: the names sharing the most trigrams with the wanted one (read from
a trigram index, at most ``BUDGET`` index entries per question) are the shortlist that
difflib compares. A slip of a name (a letter missing, swapped or doubled) shares most of its
trigrams with the name, so it heads the shortlist.
"""

from __future__ import annotations

import difflib
import re
from collections import Counter
from collections.abc import Iterable, Mapping
from itertools import chain
from typing import Generic, TypeVar

_WORD = re.compile(r"[^a-z0-9]")
_CUTOFF = 0.75
K = TypeVar("K")


def _norm(name: str) -> str:
    return _WORD.sub("", name.lower())


def _trigrams(text: str) -> set[str]:
    padded = f"^{text}$"
    return {padded[i : i + 3] for i in range(len(padded) - 2)}


class Suggester:
    """'Did you mean' over a fixed set of names, built once, asked many times.

    Up to ``FULL`` names every one is compared; beyond, the ``SHORTLIST`` names that share
    the most trigrams with the wanted name (counted over at most ``BUDGET`` entries of the
    trigram index, rarest trigrams first) are. A question costs O(BUDGET), not O(names).
    """

    FULL = 200
    SHORTLIST = 8
    BUDGET = 512

    def __init__(self, candidates: Iterable[str]) -> None:
        # names equal but for case and separators (``natOutgoing``, ``nat-outgoing``)
        # share a key; the one written most like the wanted name is the answer
        self._by_norm: dict[str, list[str]] = {}
        for option in sorted(set(candidates)):
            self._by_norm.setdefault(_norm(option), []).append(option)
        self._keys = list(self._by_norm)
        self._postings: dict[str, list[int]] | None = None
        if len(self._keys) > self.FULL:
            postings: dict[str, list[int]] = {}
            for i, key in enumerate(self._keys):
                for gram in _trigrams(key):
                    postings.setdefault(gram, []).append(i)
            self._postings = postings

    def __len__(self) -> int:
        return len(self._keys)

    def _shortlist(self, wanted: str) -> list[str]:
        postings = self._postings
        if postings is None:
            return self._keys
        lists = sorted((p for p in (postings.get(g) for g in _trigrams(wanted)) if p), key=len)
        taken: list[list[int]] = []
        budget = self.BUDGET
        for post in lists:
            if budget <= 0:
                break
            taken.append(post[:budget])
            budget -= len(post)
        # ties go to the name met first (the rarest trigram's), so the answer is stable
        best = Counter(chain.from_iterable(taken)).most_common(self.SHORTLIST)
        # a name sharing far fewer trigrams than the best is not the closer one: leave it
        # out of difflib's comparisons (over a fleet most of the shortlist shares only the
        # common prefix)
        top = best[0][1] if best else 0
        return [self._keys[i] for i, count in best if count >= top - 2]

    def suggest(self, name: str) -> str | None:
        """The name closest to ``name``, or None when none is close."""
        if not self._keys:
            return None
        wanted = _norm(name)
        exact = self._by_norm.get(wanted)
        if exact is not None:
            return self._written_like(name, exact)
        close = difflib.get_close_matches(wanted, self._shortlist(wanted), n=1, cutoff=_CUTOFF)
        return self._written_like(name, self._by_norm[close[0]]) if close else None

    @staticmethod
    def _written_like(name: str, options: list[str]) -> str:
        if len(options) == 1:
            return options[0]
        return max(options, key=lambda o: difflib.SequenceMatcher(None, name, o).ratio())


def suggest(name: str, candidates: Iterable[str]) -> str | None:
    """The candidate closest to ``name``: case and ``_`` insensitive first, then edit distance.

    ``Resources`` -> ``resources``; ``runAsuser`` -> ``run_as_user`` (when candidates are
    snake_case); ``PersistentVolumeReclaimPolicy`` -> ``persistentVolumeReclaimPolicy``.
    For many questions over the same names, build a :class:`Suggester` once.
    """
    return Suggester(candidates).suggest(name)


class Suggestions(Generic[K]):
    """A :class:`Suggester` per group of names (a namespace's claims), each built on the
    group's first question: ``Suggestions(claims_by_namespace).suggest(ns, name)``."""

    def __init__(self, groups: Mapping[K, Iterable[str]]) -> None:
        self._groups = groups
        self._built: dict[K, Suggester] = {}

    def suggest(self, group: K, name: str) -> str | None:
        found = self._built.get(group)
        if found is None:
            found = self._built[group] = Suggester(self._groups.get(group, ()))
        return found.suggest(name)
