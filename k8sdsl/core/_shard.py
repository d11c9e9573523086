"""Shards of a fleet: which of N CI jobs handles a file (``k8sdsl check --shard``) or a
chart (a sharded synth, ``K8SDSL_SHARD=I/N``). A stable hash of the name, so an item keeps
its shard when others come and go."""

from __future__ import annotations

import hashlib
import re

#: the environment variable a sharded synth reads (``cdk8s synth`` passes it on to the app)
SHARD_ENV = "K8SDSL_SHARD"


def shard_index(name: str, count: int) -> int:
    """The shard (1..count) of ``name``."""
    digest = hashlib.sha256(name.encode("utf-8", "surrogateescape")).digest()
    return int.from_bytes(digest[:8], "big") % count + 1


def parse_shard(text: str, what: str = "--shard") -> tuple[int, int]:
    """``I/N`` (1 <= I <= N) as ``(I, N)``; raises ValueError naming ``what`` and the form."""
    match = re.fullmatch(r"\s*(\d+)\s*/\s*(\d+)\s*", text)
    if match is None or not 1 <= int(match.group(1)) <= int(match.group(2)):
        raise ValueError(f"{what} takes I/N with 1 <= I <= N (such as 2/4), not {text!r}")
    return int(match.group(1)), int(match.group(2))
