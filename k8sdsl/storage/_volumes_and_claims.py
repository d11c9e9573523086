"""PersistentVolume and PersistentVolumeClaim, the two halves of binding: a piece of storage
in the cluster with its own lifecycle, and a request for storage that pods mount by name.
They name each other (``claim_ref=``, ``volume=``), so they live in one module."""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from typing import Any, ClassVar

from k8sdsl.core._construct import Construct, Resource
from k8sdsl.core._findings import Finding, K8sDslError, ObjectRef, Severity, ValueInputError
from k8sdsl.core._quantity import Quantity
from k8sdsl.core._selectors import LabelSelector
from k8sdsl.core._types import dns_fix
from k8sdsl.storage._checks import data_source_problems
from k8sdsl.storage._storage_class import StorageClass
from k8sdsl.storage._values import PersistentVolumeSpec, ReclaimPolicy, VolumeNodeAffinity
from k8sdsl.volumes import (
    AccessMode,
    CsiPersistentVolumeSource,
    HostPathType,
    HostPathVolumeSource,
    LocalVolumeSource,
    Mount,
    NfsVolumeSource,
    ObjectReference,
    PersistentVolumeClaimSpec,
    TypedLocalObjectReference,
    TypedObjectReference,
    Volume,
    VolumeMode,
    VolumeSourceBase,
)

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


_DEFAULT_NAMESPACE = "default"


class PersistentVolume(Resource):
    """A PersistentVolume (``v1``, cluster-scoped: it never gets a namespace).

    ``source`` is one PV-capable source value (``NfsVolumeSource``, ``LocalVolumeSource``,
    ``CsiPersistentVolumeSource``, ...); the named factories :meth:`nfs`, :meth:`local`,
    :meth:`host_path` and :meth:`csi` build the usual ones.

    Defaults, all rendered so a reviewer of ``dist/`` sees them:

    * ``reclaim_policy``: ``Retain``, Kubernetes's default for PVs created by hand: deleting
      the claim keeps the data and leaves the PV ``Released`` for an administrator.
    * ``volume_mode``: ``Filesystem``.
    * ``storage_class``: unset, i.e. no class: only claims with ``storageClassName: ""``
      bind it (or, in a cluster without a default class, claims that set none).

    ``claim_ref`` reserves the PV for one claim (a :class:`PersistentVolumeClaim` or an
    ``ObjectReference`` with name and namespace): no other claim can bind it, and the claim's
    class and selector are not checked. ``node_affinity`` says which nodes can reach the
    volume (required for ``local``).
    """

    api_version: ClassVar[str] = "v1"
    kind: ClassVar[str] = "PersistentVolume"

    def __init__(
        self,
        scope: Construct,
        id: str,
        *,
        source: VolumeSourceBase,
        capacity: str | int | Quantity,
        access_modes: Sequence[AccessMode],
        reclaim_policy: ReclaimPolicy = ReclaimPolicy.RETAIN,
        storage_class: StorageClass | str | None = None,
        volume_mode: VolumeMode = VolumeMode.FILESYSTEM,
        mount_options: Sequence[str] | None = None,
        node_affinity: VolumeNodeAffinity | None = None,
        claim_ref: PersistentVolumeClaim | ObjectReference | None = None,
        volume_attributes_class_name: str | None = None,
        name: str | None = None,
        labels: Mapping[str, str] | None = None,
        annotations: Mapping[str, str] | None = None,
    ) -> None:
        super().__init__(scope, id, name=name, labels=labels, annotations=annotations)
        ref = self._claim_ref(claim_ref)
        with self._values():
            self.spec = PersistentVolumeSpec(
                source=source,
                capacity={"storage": capacity},
                access_modes=access_modes,
                persistent_volume_reclaim_policy=reclaim_policy,
                storage_class_name=class_name(storage_class),
                volume_mode=volume_mode,
                mount_options=tuple(mount_options) if mount_options is not None else None,
                node_affinity=node_affinity,
                claim_ref=ref,
                volume_attributes_class_name=volume_attributes_class_name,
            )

    def _claim_ref(
        self, claim: PersistentVolumeClaim | ObjectReference | None
    ) -> ObjectReference | None:
        if claim is None or isinstance(claim, ObjectReference):
            if claim is not None and not claim.namespace:
                self._fail_claim_ref(claim.name)
            return claim
        namespace = claim.namespace
        if not namespace:
            self._fail_claim_ref(claim.name)
        return ObjectReference(name=claim.name, namespace=namespace)

    def _fail_claim_ref(self, name: str) -> None:
        raise K8sDslError(
            [
                Finding(
                    Severity.ERROR,
                    "storage/claim-ref-namespace",
                    f"claim_ref names claim {name!r} without a namespace; a PersistentVolume "
                    "is cluster-scoped, so it cannot guess one",
                    self.ref(),
                    "spec.claimRef.namespace",
                    "give the claim's chart (or the claim) a namespace, or pass "
                    "ObjectReference(name=..., namespace=...)",
                )
            ],
            summary=f"invalid PersistentVolume at {self.node.path}",
        )

    # -- named factories ---------------------------------------------------------------------

    @classmethod
    def nfs(
        cls,
        scope: Construct,
        id: str,
        *,
        server: str,
        path: str,
        capacity: str | int | Quantity,
        access_modes: Sequence[AccessMode] = (AccessMode.READ_WRITE_MANY,),
        read_only: bool | None = None,
        mount_options: Sequence[str] | None = None,
        reclaim_policy: ReclaimPolicy = ReclaimPolicy.RETAIN,
        storage_class: StorageClass | str | None = None,
        claim_ref: PersistentVolumeClaim | ObjectReference | None = None,
        name: str | None = None,
        labels: Mapping[str, str] | None = None,
        annotations: Mapping[str, str] | None = None,
    ) -> PersistentVolume:
        """An NFS export as a PV. ``access_modes`` defaults to ``[ReadWriteMany]`` (NFS is
        shared by many nodes); ``mount_options`` (``nfsvers=4.1``, ``hard``...) can be set
        only here, never on a pod's nfs volume. For the whole pattern (PV, bound claim, pod
        volume, the server's exports line) use :class:`NfsVolume`."""
        with _scope_values(scope, id):
            source = NfsVolumeSource(server=server, path=path, read_only=read_only)
        return cls(
            scope,
            id,
            source=source,
            capacity=capacity,
            access_modes=access_modes,
            reclaim_policy=reclaim_policy,
            storage_class=storage_class,
            mount_options=mount_options,
            claim_ref=claim_ref,
            name=name,
            labels=labels,
            annotations=annotations,
        )

    @classmethod
    def local(
        cls,
        scope: Construct,
        id: str,
        *,
        path: str,
        node: str,
        capacity: str | int | Quantity,
        storage_class: StorageClass | str,
        access_modes: Sequence[AccessMode] = (AccessMode.READ_WRITE_ONCE,),
        volume_mode: VolumeMode = VolumeMode.FILESYSTEM,
        fs_type: str | None = None,
        mount_options: Sequence[str] | None = None,
        reclaim_policy: ReclaimPolicy = ReclaimPolicy.RETAIN,
        claim_ref: PersistentVolumeClaim | ObjectReference | None = None,
        name: str | None = None,
        labels: Mapping[str, str] | None = None,
        annotations: Mapping[str, str] | None = None,
    ) -> PersistentVolume:
        """A disk, partition or directory of node ``node`` as a PV. Its node affinity on
        ``kubernetes.io/hostname`` is set for you (Kubernetes requires it). Give it a class
        made with :meth:`StorageClass.for_local_volumes` (WaitForFirstConsumer), so claims
        bind only once their pod is scheduled. ``volume_mode=VolumeMode.BLOCK`` exposes a
        raw device. ``mount_options`` (``noatime``...) are passed to the kubelet's mount."""
        with _scope_values(scope, id):
            source = LocalVolumeSource(path=path, fs_type=fs_type)
            affinity = VolumeNodeAffinity.hostname(node)
        return cls(
            scope,
            id,
            source=source,
            capacity=capacity,
            access_modes=access_modes,
            reclaim_policy=reclaim_policy,
            storage_class=storage_class,
            volume_mode=volume_mode,
            mount_options=mount_options,
            node_affinity=affinity,
            claim_ref=claim_ref,
            name=name,
            labels=labels,
            annotations=annotations,
        )

    @classmethod
    def host_path(
        cls,
        scope: Construct,
        id: str,
        *,
        path: str,
        capacity: str | int | Quantity,
        type: HostPathType | None = None,
        access_modes: Sequence[AccessMode] = (AccessMode.READ_WRITE_ONCE,),
        reclaim_policy: ReclaimPolicy = ReclaimPolicy.RETAIN,
        storage_class: StorageClass | str | None = None,
        node_affinity: VolumeNodeAffinity | None = None,
        claim_ref: PersistentVolumeClaim | ObjectReference | None = None,
        name: str | None = None,
        labels: Mapping[str, str] | None = None,
        annotations: Mapping[str, str] | None = None,
    ) -> PersistentVolume:
        """A node directory as a PV: for single-node test clusters only (each node has its own
        directory; pods using it need a Pod Security exemption). ``ReadWriteOnce`` only."""
        with _scope_values(scope, id):
            source = HostPathVolumeSource(path=path, type=type)
        return cls(
            scope,
            id,
            source=source,
            capacity=capacity,
            access_modes=access_modes,
            reclaim_policy=reclaim_policy,
            storage_class=storage_class,
            node_affinity=node_affinity,
            claim_ref=claim_ref,
            name=name,
            labels=labels,
            annotations=annotations,
        )

    @classmethod
    def csi(
        cls,
        scope: Construct,
        id: str,
        *,
        driver: str,
        volume_handle: str,
        capacity: str | int | Quantity,
        access_modes: Sequence[AccessMode] = (AccessMode.READ_WRITE_ONCE,),
        fs_type: str | None = None,
        volume_attributes: Mapping[str, str] | None = None,
        read_only: bool | None = None,
        volume_mode: VolumeMode = VolumeMode.FILESYSTEM,
        reclaim_policy: ReclaimPolicy = ReclaimPolicy.RETAIN,
        storage_class: StorageClass | str | None = None,
        mount_options: Sequence[str] | None = None,
        node_affinity: VolumeNodeAffinity | None = None,
        claim_ref: PersistentVolumeClaim | ObjectReference | None = None,
        name: str | None = None,
        labels: Mapping[str, str] | None = None,
        annotations: Mapping[str, str] | None = None,
    ) -> PersistentVolume:
        """An existing volume of CSI driver ``driver`` (``volume_handle`` is its id there),
        for example a pre-created EBS volume under ``ebs.csi.aws.com``. Which access modes
        work depends on the driver."""
        with _scope_values(scope, id):
            source = CsiPersistentVolumeSource(
                driver=driver,
                volume_handle=volume_handle,
                fs_type=fs_type,
                volume_attributes=dict(volume_attributes) if volume_attributes else None,
                read_only=read_only,
            )
        return cls(
            scope,
            id,
            source=source,
            capacity=capacity,
            access_modes=access_modes,
            reclaim_policy=reclaim_policy,
            storage_class=storage_class,
            volume_mode=volume_mode,
            mount_options=mount_options,
            node_affinity=node_affinity,
            claim_ref=claim_ref,
            name=name,
            labels=labels,
            annotations=annotations,
        )

    # -- reading back --------------------------------------------------------------------------

    @property
    def source(self) -> VolumeSourceBase:
        return self.spec.source

    @property
    def capacity(self) -> Quantity:
        return self.spec.capacity["storage"]

    @property
    def access_modes(self) -> tuple[AccessMode, ...]:
        return self.spec.access_modes

    @property
    def storage_class_name(self) -> str | None:
        return self.spec.storage_class_name

    def _body(self) -> dict[str, Any]:
        return {"spec": self.spec.to_k8s()}


@contextmanager
def _scope_values(scope: Construct, id: str) -> Iterator[None]:
    """Value errors raised while a factory builds a PV's source, reported at the path the PV
    will have (the PV does not exist yet, and nothing is added to the tree)."""
    path = f"{scope.node.path}/{id}" if scope.node.path else id
    try:
        yield
    except ValueInputError as exc:
        findings = [
            Finding(
                f.severity,
                f.code,
                f.message,
                ObjectRef(f.obj.api_version, f.obj.kind, f.obj.name, f.obj.namespace, path),
                f.path,
                f.hint,
            )
            for f in exc.findings
        ]
        raise K8sDslError(findings, summary=f"invalid PersistentVolume at {path}") from None


__all__ = ["PersistentVolume"]
