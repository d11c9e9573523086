"""Output layouts: which file of the output folder each object goes to.

A chart writes ``<folder>/<chart>.k8s.yaml`` (``OutputLayout.CHART_FILE``), or one file per
object, ``<folder>/<chart>/<kind>-<name>.yaml`` (``RESOURCE_FILES``, and ``KUSTOMIZE``, which
adds a ``kustomization.yaml`` per folder listing every file of the folder's charts). File
names are lowercase, keep ``[a-z0-9.-]`` (anything else becomes ``-``), and are the same on
every run; where two objects of a chart would share a name, the namespace and then the API
group are added (``role-shop-reader.yaml``), then a counter.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

_UNSAFE = re.compile(r"[^a-z0-9.-]+")


def _safe(text: str) -> str:
    out = _UNSAFE.sub("-", text.lower()).strip("-.")
    return out or "unnamed"


def _candidates(obj: Mapping[str, Any]) -> list[str]:
    kind = str(obj.get("kind", "")) or "object"
    meta = obj.get("metadata")
    meta = meta if isinstance(meta, dict) else {}
    name = str(meta.get("name", ""))
    namespace = str(meta.get("namespace", "") or "")
    api_version = str(obj.get("apiVersion", ""))
    group = api_version.split("/")[0] if "/" in api_version else "core"
    plain = f"{kind}-{name}"
    with_ns = f"{kind}-{namespace}-{name}" if namespace else plain
    return [_safe(plain), _safe(with_ns), _safe(f"{kind}.{group}-{namespace}-{name}")]


def resource_file_names(objs: Sequence[Mapping[str, Any]]) -> list[str]:
    """One file name per object (``deployment-web.yaml``), distinct, in the objects' order."""
    options = [_candidates(o) for o in objs]
    chosen: list[str] = []
    for level in range(3):
        names = [opts[level] if level else opts[0] for opts in options]
        if level == 0:
            chosen = names
        else:
            counts: dict[str, int] = {}
            for n in chosen:
                counts[n] = counts.get(n, 0) + 1
            chosen = [names[i] if counts[chosen[i]] > 1 else chosen[i] for i in range(len(chosen))]
    # still equal (same kind, group, namespace and name: the duplicate rule reports it)
    seen: dict[str, int] = {}
    out = []
    for n in chosen:
        seen[n] = seen.get(n, 0) + 1
        out.append(f"{n}.yaml" if seen[n] == 1 else f"{n}-{seen[n]}.yaml")
    return out


#: the kustomize configuration synth writes
KUSTOMIZE_API_VERSION = "kustomize.config.k8s.io/v1beta1"


def kustomization(name: str, resources: Iterable[str]) -> dict[str, Any]:
    """A ``kustomization.yaml`` listing ``resources`` (paths relative to its folder), sorted."""
    return {
        "apiVersion": KUSTOMIZE_API_VERSION,
        "kind": "Kustomization",
        "metadata": {"name": name},
        "resources": sorted(resources),
    }
