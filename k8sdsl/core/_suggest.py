"""'Did you mean' suggestions, shared by value errors and schema errors."""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterable

_WORD = re.compile(r"[^a-z0-9]")


def _norm(name: str) -> str:
    return _WORD.sub("", name.lower())


def suggest(name: str, candidates: Iterable[str]) -> str | None:
    """The candidate closest to ``name``: case and ``_`` insensitive first, then edit distance.

    ``Resources`` -> ``resources``; ``runAsuser`` -> ``run_as_user`` (when candidates are
    snake_case); ``PersistentVolumeReclaimPolicy`` -> ``persistentVolumeReclaimPolicy``.
    """
    options = sorted(set(candidates))
    if not options:
        return None
    wanted = _norm(name)
    for option in options:
        if _norm(option) == wanted:
            return option
    normalized = {_norm(o): o for o in options}
    close = difflib.get_close_matches(wanted, list(normalized), n=1, cutoff=0.75)
    return normalized[close[0]] if close else None
