"""Mounts: where a container sees a volume; and collecting a pod's volumes from its mounts."""

from __future__ import annotations

import posixpath
import re
from collections.abc import Iterable
from typing import Annotated, Any, Self

from pydantic import (
    AfterValidator,
    SerializerFunctionWrapHandler,
    model_serializer,
    model_validator,
)
from pydantic_core import PydanticCustomError

from k8sdsl.core._findings import Finding, K8sDslError, ObjectRef, Severity
from k8sdsl.core._model import K8sModel
from k8sdsl.core._types import AbsolutePath, RelativePath
from k8sdsl.volumes._catalog import volume_facts
from k8sdsl.volumes._enums import MountPropagation, RecursiveReadOnly
from k8sdsl.volumes._volume import Volume


def check_mount_path(value: str) -> str:
    # The API server accepts any absolute path, but whitespace inside a mount path is
    # practically always a typo (the notes' "/projected -volume"): the container then
    # finds its files somewhere nobody looks.
    if any(c.isspace() for c in value):
        fixed = re.sub(r"\s+", "", value)
        raise PydanticCustomError(
            "mount_path",
            "contains whitespace",
            {"hint": f"use {fixed!r}", "value": value},
        )
    return value


MountPath = Annotated[AbsolutePath, AfterValidator(check_mount_path)]
"""Where a container sees a volume: an absolute path without whitespace."""


def check_sub_path_expr(value: str) -> str:
    if value.startswith("/") or ".." in value.split("/") or not value:
        raise PydanticCustomError(
            "sub_path_expr",
            "must be a relative path without '..' (it may use $(VAR) references)",
            {"hint": "for example '$(POD_NAME)'", "value": value},
        )
    return value


SubPathExpr = Annotated[str, AfterValidator(check_sub_path_expr)]
"""A subPath with ``$(VAR)`` references to the container's environment (``$(POD_NAME)``)."""


class Mount(K8sModel):
    """A volume mounted into a container (one ``volumeMounts`` entry).

    The mount carries its :class:`Volume`, so it cannot name a volume the pod lacks; the pod
    collects ``mount.volume`` from every container into ``spec.volumes`` once.

    Defaults (unset fields are left out): ``read_only`` False (but secret, configMap,
    downwardAPI, projected and image volumes are always read-only); no ``sub_path`` (the
    whole volume); ``mount_propagation`` None (Linux rprivate); ``recursive_read_only``
    Disabled.
    """

    k8s_type = "VolumeMount"

    volume: Volume
    mount_path: MountPath
    read_only: bool | None = None
    sub_path: RelativePath | None = None
    sub_path_expr: SubPathExpr | None = None
    mount_propagation: MountPropagation | None = None
    recursive_read_only: RecursiveReadOnly | None = None

    @model_validator(mode="after")
    def _consistent(self) -> Self:
        if self.sub_path is not None and self.sub_path_expr is not None:
            raise PydanticCustomError(
                "sub_path_conflict",
                "sub_path and sub_path_expr are mutually exclusive",
                {"hint": "keep sub_path_expr if the path uses $(VAR), else sub_path"},
            )
        facts = volume_facts(self.volume.k8s_key)
        if self.read_only is False and facts.always_read_only:
            raise PydanticCustomError(
                "read_only_source",
                "{key} volumes are always mounted read-only; read_only=False cannot make "
                "'{volume}' writable",
                {
                    "key": self.volume.k8s_key,
                    "volume": self.volume.name,
                    "hint": "drop read_only=False (or copy the files into an emptyDir in an "
                    "init container if the app must write next to them)",
                },
            )
        if self.read_only is False and getattr(self.volume.source, "read_only", None) is True:
            raise PydanticCustomError(
                "read_only_source",
                "the {key} source of '{volume}' sets read_only=True, which forces every mount "
                "read-only",
                {
                    "key": self.volume.k8s_key,
                    "volume": self.volume.name,
                    "hint": "drop read_only=False here, or read_only=True on the source",
                },
            )
        if self.recursive_read_only is RecursiveReadOnly.ENABLED:
            if self.read_only is not True:
                raise PydanticCustomError(
                    "recursive_read_only",
                    "recursive_read_only=Enabled needs read_only=True",
                    {"hint": "pass read_only=True"},
                )
            if self.mount_propagation not in (None, MountPropagation.NONE):
                raise PydanticCustomError(
                    "recursive_read_only",
                    "recursive_read_only=Enabled needs mount_propagation unset or None",
                    {"hint": "drop mount_propagation, or use RecursiveReadOnly.IF_POSSIBLE"},
                )
        return self

    @model_serializer(mode="wrap")
    def _render(self, handler: SerializerFunctionWrapHandler) -> dict[str, Any]:
        out: dict[str, Any] = handler(self)
        out.pop("volume", None)
        return {"name": self.volume.name, **out}


class VolumeDevice(K8sModel):
    """A raw block volume (a claim with ``volumeMode: Block``) exposed to a container as a
    device (one ``volumeDevices`` entry)."""

    k8s_type = "VolumeDevice"

    volume: Volume
    device_path: AbsolutePath

    @model_serializer(mode="wrap")
    def _render(self, handler: SerializerFunctionWrapHandler) -> dict[str, Any]:
        out: dict[str, Any] = handler(self)
        return {"name": self.volume.name, "devicePath": out["devicePath"]}


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
