"""Checks of a PersistentVolume against its plugin's facts (the volumes catalog).

Shared by the ``PersistentVolumeSpec`` value (so the mistake cannot be written in Python)
and by the storage rules (so ``k8sdsl check`` finds it in anyone's YAML).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from k8sdsl.volumes import CATALOG, AccessMode

_RECYCLERS = ("nfs", "hostPath")


def unsupported_access_modes(key: str, modes: Iterable[str]) -> list[str]:
    """The access modes the ``key`` plugin cannot serve as a PV (driver-dependent modes of
    csi and flexVolume pass). Unknown plugins and modes are left to other checks."""
    facts = CATALOG.get(key)
    if facts is None or not facts.pv:
        return []
    out: list[str] = []
    for mode in modes:
        try:
            value = AccessMode(mode)
        except ValueError:
            continue
        if facts.supports_access_mode(value) is False:
            out.append(value.value)
    return out


def supported_access_modes(key: str) -> list[str]:
    facts = CATALOG.get(key)
    if facts is None:
        return []
    modes = facts.pv_access_modes | facts.pv_access_modes_driver_dependent
    return [m.value for m in AccessMode if m in modes]


def access_mode_hint(key: str, bad: list[str]) -> str:
    if AccessMode.READ_WRITE_ONCE_POD.value in bad and key != "csi":
        return (
            "ReadWriteOncePod works only with CSI volumes; use ReadWriteOnce, or a CSI "
            "PersistentVolume"
        )
    supported = supported_access_modes(key)
    return f"{key} supports {', '.join(supported) or 'no access mode'}" + (
        "; for ReadWriteMany use a shared filesystem (nfs, azureFile, cephfs or a CSI driver "
        "that supports it)"
        if AccessMode.READ_WRITE_MANY.value in bad
        else ""
    )


def recycle_problem(key: str, host_path: str | None = None) -> str | None:
    """Why the Recycle reclaim policy cannot work for a ``key`` PV, or None if it can."""
    facts = CATALOG.get(key)
    if (facts is not None and not facts.recycle) or (facts is None and key not in _RECYCLERS):
        return (
            f"{key} volumes cannot be recycled: only nfs and hostPath support Recycle, and the "
            "volume would stay Failed once released"
        )
    if key == "hostPath" and host_path is not None and host_path.rstrip("/") == "":
        # validation.go: "may not be 'recycle' for a hostPath mount of '/'"
        return "Recycle on a hostPath of '/' would scrub the node's root; the API server rejects it"
    return None


def mount_options_supported(key: str) -> bool | None:
    """Whether the kubelet accepts ``spec.mountOptions`` for a ``key`` PV (None: unknown)."""
    facts = CATALOG.get(key)
    return None if facts is None else facts.mount_options


def data_source_problems(spec: Mapping[str, Any]) -> list[tuple[str, str, str]]:
    """(path, message, hint) for each way a claim's ``dataSource``/``dataSourceRef`` breaks
    the API server's validation (``ValidatePersistentVolumeClaimSpec``)."""
    out: list[tuple[str, str, str]] = []
    source = spec.get("dataSource")
    ref = spec.get("dataSourceRef")
    for field, value in (("dataSource", source), ("dataSourceRef", ref)):
        if (
            isinstance(value, Mapping)
            and not value.get("apiGroup")
            and (value.get("kind") != "PersistentVolumeClaim")
        ):
            out.append(
                (
                    f"spec.{field}.kind",
                    f"{field} kind {value.get('kind')!r} has no apiGroup; only "
                    "PersistentVolumeClaim lives in the core group",
                    "set apiGroup (for a VolumeSnapshot: snapshot.storage.k8s.io)",
                )
            )
    if isinstance(source, Mapping) and isinstance(ref, Mapping):
        if ref.get("namespace"):
            out.append(
                (
                    "spec.dataSource",
                    "dataSource may not be set when dataSourceRef names a namespace",
                    "drop dataSource and keep dataSourceRef",
                )
            )
        elif {k: source.get(k) or None for k in ("apiGroup", "kind", "name")} != {
            k: ref.get(k) or None for k in ("apiGroup", "kind", "name")
        }:
            out.append(
                (
                    "spec.dataSource",
                    "dataSource and dataSourceRef are both set and differ; the API server requires "
                    "them to match",
                    "set only one of them (dataSourceRef also accepts volume populators)",
                )
            )
    return out


__all__ = [
    "access_mode_hint",
    "data_source_problems",
    "mount_options_supported",
    "recycle_problem",
    "supported_access_modes",
    "unsupported_access_modes",
]
