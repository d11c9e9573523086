"""Collecting a pod's volumes from its mounts, and comparing mount paths.

``Mount`` and ``VolumeDevice`` live with ``Volume`` in ``_volume.py`` (``volume.mount(...)``
makes one; each carries its volume)."""

from __future__ import annotations

import posixpath
from collections.abc import Iterable

from k8sdsl.core._findings import Finding, K8sDslError, ObjectRef, Severity
from k8sdsl.volumes._volume import Mount, Volume, VolumeDevice


def collect_volumes(
    mounts: Iterable[Mount | VolumeDevice], extra: Iterable[Volume] = ()
) -> list[Volume]:
    """The pod's ``spec.volumes``: each volume of ``mounts`` and ``extra`` once, in order of
    first appearance (mounts first, then extra volumes nobody mounts yet).

    The same volume mounted by several containers (or twice) is listed once. Two *different*
    volumes with one name raise :class:`K8sDslError` (``volumes/duplicate-volume``) naming
    both, because the API server would reject the pod.
    """
    seen: dict[str, Volume] = {}
    problems: list[Finding] = []
    reported: set[str] = set()
    for volume in [m.volume for m in mounts] + list(extra):
        other = seen.get(volume.name)
        if other is None:
            seen[volume.name] = volume
        elif other != volume and volume.name not in reported:
            reported.add(volume.name)
            problems.append(
                Finding(
                    Severity.ERROR,
                    "volumes/duplicate-volume",
                    f"two different volumes are named {volume.name!r}: "
                    f"{_describe(other)} and {_describe(volume)}",
                    ObjectRef(kind="Pod"),
                    "spec.volumes",
                    "give each volume its own name, or reuse one Volume value in every mount",
                )
            )
    if problems:
        raise K8sDslError(problems, summary="conflicting pod volumes")
    return list(seen.values())


def _describe(volume: Volume) -> str:
    body = volume.to_k8s()[volume.k8s_key]
    return f"{volume.k8s_key} {body}" if body else volume.k8s_key


def normalize_mount_path(path: str) -> str:
    """``/data/`` and ``/data//x/..`` name the same mount point as ``/data``."""
    return posixpath.normpath(path) if path.startswith("/") else path
