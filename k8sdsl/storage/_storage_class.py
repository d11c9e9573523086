"""StorageClass: how claims of a class are provisioned, bound and reclaimed."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, ClassVar

from k8sdsl.core._construct import Construct, Resource
from k8sdsl.storage._binder import DEFAULT_CLASS_ANNOTATION, NO_PROVISIONER
from k8sdsl.storage._values import (
    ReclaimPolicy,
    StorageClassSpec,
    TopologySelectorTerm,
    VolumeBindingMode,
)


class StorageClass(Resource):
    """A StorageClass (``storage.k8s.io/v1``, cluster-scoped: no namespace).

    Defaults, all rendered so a reviewer of ``dist/`` sees them:

    * ``reclaim_policy``: ``Delete`` (Kubernetes's default; the provisioned PV and its disk go
      away with the claim). ``Recycle`` is rejected: the API server refuses it for classes.
    * ``volume_binding_mode``: ``WaitForFirstConsumer``. Kubernetes defaults to
      ``Immediate``, which provisions before the scheduler has picked a node, so a zonal disk
      can land in a zone the pod cannot run in. Pass ``VolumeBindingMode.IMMEDIATE`` to opt
      back in.
    * ``allow_volume_expansion``: unset (false): claims of the class cannot grow.
    * ``default``: false. ``default=True`` adds the annotation
      ``storageclass.kubernetes.io/is-default-class: "true"``; claims that set no
      ``storageClassName`` then get this class and never bind to a PV without a class.
    """

    api_version: ClassVar[str] = "storage.k8s.io/v1"
    kind: ClassVar[str] = "StorageClass"

    def __init__(
        self,
        scope: Construct,
        id: str,
        *,
        provisioner: str,
        parameters: Mapping[str, str] | None = None,
        reclaim_policy: ReclaimPolicy = ReclaimPolicy.DELETE,
        volume_binding_mode: VolumeBindingMode = VolumeBindingMode.WAIT_FOR_FIRST_CONSUMER,
        allow_volume_expansion: bool | None = None,
        mount_options: Sequence[str] | None = None,
        allowed_topologies: Sequence[TopologySelectorTerm] | None = None,
        default: bool = False,
        name: str | None = None,
        labels: Mapping[str, str] | None = None,
        annotations: Mapping[str, str] | None = None,
    ) -> None:
        notes = dict(annotations or {})
        if default:
            notes[DEFAULT_CLASS_ANNOTATION] = "true"
        super().__init__(scope, id, name=name, labels=labels, annotations=notes)
        with self._values():
            self.spec = StorageClassSpec(
                provisioner=provisioner,
                parameters=dict(parameters) if parameters is not None else None,
                reclaim_policy=reclaim_policy,
                volume_binding_mode=volume_binding_mode,
                allow_volume_expansion=allow_volume_expansion,
                mount_options=tuple(mount_options) if mount_options is not None else None,
                allowed_topologies=(
                    tuple(allowed_topologies) if allowed_topologies is not None else None
                ),
            )
        self.default = default

    @classmethod
    def for_local_volumes(
        cls,
        scope: Construct,
        id: str,
        *,
        reclaim_policy: ReclaimPolicy = ReclaimPolicy.RETAIN,
        name: str | None = None,
        labels: Mapping[str, str] | None = None,
        annotations: Mapping[str, str] | None = None,
    ) -> StorageClass:
        """A class for pre-created ``local`` PersistentVolumes, as the Kubernetes docs advise:
        provisioner ``kubernetes.io/no-provisioner`` (it provisions nothing) and
        ``WaitForFirstConsumer``, so the claim binds to a PV on the node the pod is scheduled
        to. ``reclaim_policy`` defaults to ``Retain`` (nothing deletes a local disk)."""
        return cls(
            scope,
            id,
            provisioner=NO_PROVISIONER,
            reclaim_policy=reclaim_policy,
            volume_binding_mode=VolumeBindingMode.WAIT_FOR_FIRST_CONSUMER,
            name=name,
            labels=labels,
            annotations=annotations,
        )

    @property
    def provisioner(self) -> str:
        return self.spec.provisioner

    @property
    def volume_binding_mode(self) -> VolumeBindingMode:
        return self.spec.volume_binding_mode

    def _body(self) -> dict[str, Any]:
        return self.spec.to_k8s()


__all__ = ["StorageClass"]
