"""PersistentVolumeClaim: a request for storage that pods mount by name."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any, ClassVar

from k8sdsl.core._construct import Construct, Resource
from k8sdsl.core._findings import Finding, K8sDslError, Severity
from k8sdsl.core._quantity import Quantity
from k8sdsl.core._selectors import LabelSelector
from k8sdsl.core._types import dns_fix
from k8sdsl.storage._checks import data_source_problems
from k8sdsl.volumes import (
    AccessMode,
    Mount,
    PersistentVolumeClaimSpec,
    TypedLocalObjectReference,
    TypedObjectReference,
    Volume,
    VolumeMode,
)

if TYPE_CHECKING:
    from k8sdsl.storage._persistent_volume import PersistentVolume
    from k8sdsl.storage._storage_class import StorageClass

#: ``storage_class=NO_CLASS`` (``""``): the claim binds only to PVs without a class and is
#: never provisioned dynamically, whatever the cluster's default class is.
NO_CLASS = ""


def class_name(value: StorageClass | str | None) -> str | None:
    """A StorageClass construct or a class name, as the name to write."""
    if value is None or isinstance(value, str):
        return value
    return value.name


def volume_snapshot(name: str) -> TypedLocalObjectReference:
    """A claim ``data_source`` that restores a CSI ``VolumeSnapshot`` of the same namespace."""
    return TypedLocalObjectReference(
        api_group="snapshot.storage.k8s.io", kind="VolumeSnapshot", name=name
    )


class PersistentVolumeClaim(Resource):
    """A PersistentVolumeClaim (``v1``): ``storage`` bytes with ``access_modes``.

    ``storage_class`` is a :class:`StorageClass`, a class name, ``NO_CLASS`` (``""``: static
    PVs without a class only, never provisioned) or unset (``None``: the cluster's default
    class is filled in by admission, and such a claim never binds to a class-less PV while a
    default class exists). Unset and ``""`` are kept distinct in the output.

    ``volume`` pre-binds the claim to one PersistentVolume (``spec.volumeName``); pair it
    with ``claim_ref`` on the PV so no other claim takes it first. ``selector`` restricts
    static binding to PVs with matching labels (a provisioner refuses claims with a
    selector). ``data_source`` pre-populates the volume from a snapshot
    (:func:`volume_snapshot`) or another claim (cloning); ``data_source_ref`` names any
    volume populator.

    Defaults: ``volume_mode`` ``Filesystem`` (rendered, though the API server would default
    it too); no ``storage_limit``.
    """

    api_version: ClassVar[str] = "v1"
    kind: ClassVar[str] = "PersistentVolumeClaim"

    def __init__(
        self,
        scope: Construct,
        id: str,
        *,
        storage: str | int | Quantity,
        access_modes: Sequence[AccessMode],
        storage_class: StorageClass | str | None = None,
        storage_limit: str | int | Quantity | None = None,
        volume_mode: VolumeMode = VolumeMode.FILESYSTEM,
        selector: LabelSelector | Mapping[str, str] | None = None,
        volume: PersistentVolume | str | None = None,
        data_source: TypedLocalObjectReference | PersistentVolumeClaim | None = None,
        data_source_ref: TypedObjectReference | None = None,
        volume_attributes_class_name: str | None = None,
        name: str | None = None,
        namespace: str | None = None,
        labels: Mapping[str, str] | None = None,
        annotations: Mapping[str, str] | None = None,
    ) -> None:
        super().__init__(
            scope, id, name=name, namespace=namespace, labels=labels, annotations=annotations
        )
        if isinstance(data_source, PersistentVolumeClaim):
            # cloning: the source claim must be in the same namespace (the API has no field
            # for another one)
            data_source = TypedLocalObjectReference(
                kind="PersistentVolumeClaim", name=data_source.name
            )
        if selector is not None and not isinstance(selector, LabelSelector):
            selector = LabelSelector.of(dict(selector))
        with self._values():
            resources: dict[str, Any] = {"requests": {"storage": storage}}
            if storage_limit is not None:
                resources["limits"] = {"storage": storage_limit}
            self.spec = PersistentVolumeClaimSpec(
                access_modes=access_modes,
                resources=resources,
                storage_class_name=class_name(storage_class),
                volume_mode=volume_mode,
                selector=selector,
                volume_name=volume if isinstance(volume, str) or volume is None else volume.name,
                data_source=data_source,
                data_source_ref=data_source_ref,
                volume_attributes_class_name=volume_attributes_class_name,
            )
        problems = data_source_problems(self.spec.to_k8s())
        if problems:
            raise K8sDslError(
                [
                    Finding(
                        Severity.ERROR, "storage/claim-data-source", message, self.ref(), path, hint
                    )
                    for path, message, hint in problems
                ],
                summary=f"invalid PersistentVolumeClaim at {self.node.path}",
            )

    @property
    def storage(self) -> Quantity:
        """The requested size."""
        return self.spec.resources.requests["storage"]

    @property
    def access_modes(self) -> tuple[AccessMode, ...]:
        return self.spec.access_modes

    @property
    def storage_class_name(self) -> str | None:
        """The class as written: ``None`` (unset) and ``""`` (no class) differ."""
        return self.spec.storage_class_name

    @property
    def volume_mode(self) -> VolumeMode:
        return self.spec.volume_mode or VolumeMode.FILESYSTEM

    def volume(self, name: str | None = None, *, read_only: bool | None = None) -> Volume:
        """The pod volume for this claim, so its ``claimName`` cannot be mistyped. ``name``
        defaults to the claim name made a DNS label (volume names cannot hold dots)."""
        with self._values():
            return Volume.claim(
                name if name is not None else dns_fix(self.name, 63, dots=False),
                claim_name=self.name,
                read_only=read_only,
            )

    def mount(
        self,
        mount_path: str,
        *,
        name: str | None = None,
        read_only: bool | None = None,
        sub_path: str | None = None,
    ) -> Mount:
        """This claim mounted at ``mount_path``: ``Container(mounts=[claim.mount("/data")])``;
        the pod lists the volume once. A ``Block`` claim is a device instead:
        ``claim.volume().device("/dev/xvda")``."""
        with self._values():
            return self.volume(name).mount(mount_path, read_only=read_only, sub_path=sub_path)

    def _body(self) -> dict[str, Any]:
        return {"spec": self.spec.to_k8s()}


__all__ = ["NO_CLASS", "PersistentVolumeClaim", "class_name", "volume_snapshot"]
