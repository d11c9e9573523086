"""'Did you mean' suggestions, shared by value errors, schema errors and rules.

``suggest(name, candidates)`` compares ``name`` with every candidate when there are few
(difflib's ratio, the case- and ``_``-insensitive match first). Over a fleet's names (a
rule asking for each of 8,000 missing claims among 8,000 claims) comparing with every
candidate is quadratic, so a :class:`Suggester` is built once over the names and answers
in two stages, neither of which reads every name:

1. the names within one edit of the wanted one (a letter missing, added, changed or two
   neighbours swapped: the usual slip), read from a deletion-neighbourhood index: each name
   is filed under itself and under each string it becomes with one letter deleted, so a
   question looks up the wanted name and its own one-letter deletions, ``len + 1`` lookups
   however many names there are. difflib picks among them: a name one edit away is the
   likelier intent even where difflib would rate a name two edits away higher;
2. when no name is within one edit (or none is close enough for difflib), the names sharing
   the most trigrams with the wanted one (read from a trigram index, at most ``BUDGET`` index
   entries per question) are the shortlist; difflib compares those of them that a bound on
   its ratio (from the letters each name has and the other lacks) does not rule out.

The first stage answers a fleet's slips at a cost independent of the fleet's size; the
trigram index alone reads more of its budget as the fleet grows (its posting lists get
longer and the names denser), which made a fleet's "did you mean" grow faster than linear.
So does the shortlist: a slip two edits from every name (``db-123x`` among ``svc-123``)
shares one trigram with one name among 1,000 but with the 8 the shortlist holds among
8,000 (``svc-1230`` .. ``svc-1239``), and difflib read each of them letter by letter to
reject it. Bounds on difflib's ratio from the letters the names lack reject them without
reading them (all at once when no name of the posting lists read has enough of the wanted
name's letters, as there), with the answer unchanged: a name they rule out is one difflib
would not have returned.
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


def _neighbourhood(text: str) -> set[str]:
    """``text`` and every string it becomes with one character deleted."""
    return {text, *(text[:i] + text[i + 1 :] for i in range(len(text)))}


def _letter_bits(text: str) -> int:
    """A bit per distinct character of ``text``."""
    bits = 0
    for ch in set(text):
        bits |= 1 << ord(ch)
    return bits


def _may_pass(length: int, letters: int, key_length: int, key_letters: int) -> bool:
    """Whether difflib's ratio of a wanted name and a key (their lengths and
    :func:`_letter_bits`) can reach the cutoff.

    The ratio is ``2 * matches / (length + key_length)``, its matches letters common to
    both strings; a character one of them has and the other lacks matches nowhere, so each
    such distinct character is at least one unmatched letter of the string that has it.
    Their counts bound the matches from above (more loosely than difflib's
    ``quick_ratio``, which counts letters, but without reading the names), and the ratio
    is computed as difflib computes it, so a key ruled out here would not have passed.
    """
    total = length + key_length
    if not total:
        return True
    matches = min(
        length - (letters & ~key_letters).bit_count(),
        key_length - (key_letters & ~letters).bit_count(),
    )
    return 2.0 * matches / total >= _CUTOFF


def _some_may_pass(length: int, letters: int, reach: int) -> bool:
    """Whether a key whose letters are all among ``reach`` can reach the cutoff against a
    wanted name of ``length`` and ``letters``, whatever its length.

    Such a key matches at most ``m = length - |letters - reach|`` letters, and at most its
    own length ``k``: ``2 * min(m, k) / (length + k)`` grows with ``k`` up to ``k = m`` and
    falls after, so ``2m / (length + m)`` bounds every such key's :func:`_may_pass`.
    """
    matches = length - (letters & ~reach).bit_count()
    return not length or 2.0 * matches / (length + matches) >= _CUTOFF


def _within_one_edit(a: str, b: str) -> bool:
    """At most one insertion, deletion, substitution or swap of neighbours apart."""
    if abs(len(a) - len(b)) > 1:
        return False
    i, shorter = 0, min(len(a), len(b))
    while i < shorter and a[i] == b[i]:
        i += 1
    if len(a) > len(b):
        return a[i + 1 :] == b[i:]
    if len(a) < len(b):
        return a[i:] == b[i + 1 :]
    return a[i + 1 :] == b[i + 1 :] or (
        a[i : i + 1] == b[i + 1 : i + 2]
        and a[i + 1 : i + 2] == b[i : i + 1]
        and a[i + 2 :] == b[i + 2 :]
    )


class Suggester:
    """'Did you mean' over a fixed set of names, built once, asked many times.

    Up to ``FULL`` names every one is compared. Beyond, difflib compares first the names
    within one edit of the wanted name, found in a deletion-neighbourhood index with at most
    ``len(name) + 1`` lookups, each reading only the names that are the string looked up or
    it with one letter inserted (at most 36 per position, however many names there are). Names
    longer than ``LONG`` are not in it (the index holds ``len + 1`` entries per name) and are
    left to the trigram index. When that stage gives no answer, the ``SHORTLIST`` names that
    share the most trigrams with the wanted name (counted over at most ``BUDGET`` entries of
    the trigram index, rarest trigrams first) are the shortlist, and difflib compares those
    :func:`_may_pass` does not rule out. A question costs O(length of the name) lookups when
    a name is within one edit, and O(BUDGET) more otherwise, never O(names); difflib reads
    at most ``SHORTLIST`` names, and none that cannot reach its cutoff.
    """

    FULL = 200
    SHORTLIST = 8
    BUDGET = 512
    LONG = 64

    def __init__(self, candidates: Iterable[str]) -> None:
        # names equal but for case and separators (``natOutgoing``, ``nat-outgoing``)
        # share a key; the one written most like the wanted name is the answer
        self._by_norm: dict[str, list[str]] = {}
        for option in sorted(set(candidates)):
            self._by_norm.setdefault(_norm(option), []).append(option)
        self._keys = list(self._by_norm)
        self._postings: dict[str, list[int]] | None = None
        # a string in one key's neighbourhood only (most are) maps to that key's index, not
        # to a list: the tens of thousands of lists would each count towards the garbage
        # collector's thresholds, and a full collection over a heap that a fleet's objects
        # fill cost more than the whole build (160 ms beside 80 ms, at 8,000 names)
        self._neighbours: dict[str, int | list[int]] | None = None
        # _letter_bits of the keys (by index) and of the posting lists (by trigram) that a
        # shortlist has read: most questions never get there, so they are made on demand
        self._letters: dict[int, int] = {}
        self._reach: dict[str, int] = {}
        if len(self._keys) > self.FULL:
            postings: dict[str, list[int]] = {}
            neighbours: dict[str, int | list[int]] = {}
            for i, key in enumerate(self._keys):
                for gram in _trigrams(key):
                    postings.setdefault(gram, []).append(i)
                if len(key) <= self.LONG:
                    for near in _neighbourhood(key):
                        found = neighbours.get(near)
                        if found is None:
                            neighbours[near] = i
                        elif isinstance(found, int):
                            neighbours[near] = [found, i]
                        else:
                            found.append(i)
            self._postings = postings
            self._neighbours = neighbours

    def __len__(self) -> int:
        return len(self._keys)

    def _one_edit(self, wanted: str) -> list[str]:
        """The keys within one edit of ``wanted``, in key order; none when the names are few
        (all are compared) or ``wanted`` is so long that a key one edit away may be unindexed.

        Two keys within one edit share a string of their neighbourhoods (an insertion is
        undone by deleting the inserted letter, a substitution or a swap by deleting at the
        same place in both), so looking up ``wanted``'s neighbourhood finds them all. It also
        finds keys two edits away whose deletions at different places collide (``abcd`` and
        ``bcde`` both give ``bcd``); difflib's cutoff would let those through (0.75 for that
        pair), so each hit is checked.
        """
        neighbours = self._neighbours
        if neighbours is None or len(wanted) >= self.LONG:
            return []
        hits: set[int] = set()
        for near in _neighbourhood(wanted):
            found = neighbours.get(near)
            if isinstance(found, int):
                hits.add(found)
            elif found is not None:
                hits.update(found)
        keys = self._keys
        return [keys[i] for i in sorted(hits) if _within_one_edit(wanted, keys[i])]

    def _key_letters(self, i: int) -> int:
        found = self._letters.get(i)
        if found is None:
            found = self._letters[i] = _letter_bits(self._keys[i])
        return found

    def _gram_letters(self, gram: str, post: list[int]) -> int:
        """The letters of every key that has ``gram`` (its posting list ``post``), made on
        the first question that reads the list: over a run each list is read once."""
        found = self._reach.get(gram)
        if found is None:
            found = 0
            for i in post:
                found |= self._key_letters(i)
            self._reach[gram] = found
        return found

    def _shortlist(self, wanted: str) -> list[str]:
        """The keys difflib compares when none is within one edit: all of them when they
        are few; else the ``SHORTLIST`` that share the most trigrams with ``wanted``, less
        those :func:`_may_pass` rules out. When even the letters of every key of the
        posting lists read leave too many of ``wanted``'s unmatched (:func:`_some_may_pass`),
        none can pass and no key is counted: over a fleet, a name nothing like the others
        costs as many steps as it has trigrams, however many keys share them."""
        postings = self._postings
        if postings is None:
            return self._keys
        found = [(gram, post) for gram in _trigrams(wanted) if (post := postings.get(gram))]
        # rarest first, then by the trigram itself: a set's order follows the string hash,
        # which differs between processes, and the answer must not
        found.sort(key=lambda entry: (len(entry[1]), entry[0]))
        taken: list[list[int]] = []
        budget = self.BUDGET
        reach = 0
        for gram, post in found:
            if budget <= 0:
                break
            taken.append(post[:budget])
            budget -= len(post)
            reach |= self._gram_letters(gram, post)
        letters = _letter_bits(wanted)
        if not _some_may_pass(len(wanted), letters, reach):
            return []
        # ties go to the name met first (the rarest trigram's), so the answer is stable; the
        # whole list sorted (in C) is most_common(SHORTLIST)'s answer without its heap, which
        # runs in Python once more than SHORTLIST names share a trigram
        best = Counter(chain.from_iterable(taken)).most_common()[: self.SHORTLIST]
        # a name sharing far fewer trigrams than the best is not the closer one: leave it
        # out of difflib's comparisons (over a fleet most of the shortlist shares only the
        # common prefix)
        top = best[0][1] if best else 0
        keys = self._keys
        return [
            keys[i]
            for i, count in best
            if count >= top - 2
            and _may_pass(len(wanted), letters, len(keys[i]), self._key_letters(i))
        ]

    def suggest(self, name: str) -> str | None:
        """The name closest to ``name``, or None when none is close."""
        if not self._keys:
            return None
        wanted = _norm(name)
        exact = self._by_norm.get(wanted)
        if exact is not None:
            return self._written_like(name, exact)
        near = self._one_edit(wanted)
        close = difflib.get_close_matches(wanted, near, n=1, cutoff=_CUTOFF) if near else []
        if not close:
            shortlist = self._shortlist(wanted)
            close = (
                difflib.get_close_matches(wanted, shortlist, n=1, cutoff=_CUTOFF)
                if shortlist
                else []
            )
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
