"""The claim template of a generic ephemeral volume: a PersistentVolumeClaim spec as a value."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Annotated, Literal, Self

from pydantic import AfterValidator, BeforeValidator, model_validator
from pydantic_core import PydanticCustomError

from k8sdsl.core._model import K8sModel
from k8sdsl.core._quantity import Quantity
from k8sdsl.core._selectors import LabelSelector
from k8sdsl.core._types import DnsLabel, DnsSubdomain, LabelKey, LabelValue, NonEmptyStr
from k8sdsl.volumes._enums import AccessMode, VolumeMode
from k8sdsl.volumes._tagged import NonEmpty


def _one_mode_is_a_list(value: object) -> object:
    # AccessMode is a str: access_modes=AccessMode.READ_WRITE_ONCE is one mode, not 13 letters
    return (value,) if isinstance(value, str) else value


AccessModes = Annotated[tuple[AccessMode, ...], BeforeValidator(_one_mode_is_a_list), NonEmpty]
"""At least one access mode (the API server rejects a claim without one). A lone mode
(``AccessMode.READ_WRITE_ONCE``) counts as a list of one."""


def check_storage_size(value: Quantity) -> Quantity:
    # validation.go: ValidatePositiveQuantityValue on a claim's request and a PV's capacity
    if value.value <= 0:
        raise PydanticCustomError(
            "storage_size",
            "must be greater than zero",
            {"hint": "give a size such as '1Gi'", "value": str(value)},
        )
    return value


StorageSize = Annotated[Quantity, AfterValidator(check_storage_size)]
"""A claim's request or a PV's capacity: a quantity greater than zero (``1Gi``); the API
server rejects 0 and negative sizes."""


def check_has_storage(value: dict[str, Quantity]) -> dict[str, Quantity]:
    # validation.go: "spec.resources[storage]: Required value", "spec.capacity: Required value"
    if "storage" not in value:
        raise PydanticCustomError(
            "missing_storage",
            "needs a 'storage' size",
            {"hint": "pass {'storage': '1Gi'}"},
        )
    return value


StorageAmount = Annotated[dict[Literal["storage"], StorageSize], AfterValidator(check_has_storage)]
"""``{"storage": <size>}``: a claim's requests or a PV's capacity (storage is the only
resource, and it must be there)."""


class VolumeResourceRequirements(K8sModel):
    """How much storage a claim requests (and, rarely, its limit). Only ``storage`` exists."""

    k8s_type = "VolumeResourceRequirements"

    requests: StorageAmount
    limits: dict[Literal["storage"], StorageSize] | None = None

    @model_validator(mode="after")
    def _limit_not_below_request(self) -> Self:
        limit = (self.limits or {}).get("storage")
        if limit is not None and limit < self.requests["storage"]:
            raise PydanticCustomError(
                "storage_limit",
                "the storage limit is below the request",
                {"hint": "raise limits['storage'] to at least the request, or drop it"},
            )
        return self


class TypedLocalObjectReference(K8sModel):
    """A claim's ``dataSource``: a VolumeSnapshot or PVC to pre-populate from (same namespace).
    ``api_group`` unset means the core group (a PersistentVolumeClaim)."""

    k8s_type = "TypedLocalObjectReference"

    kind: NonEmptyStr
    name: DnsSubdomain
    api_group: NonEmptyStr | None = None


class TypedObjectReference(K8sModel):
    """A claim's ``dataSourceRef``: any populator object, optionally in another namespace
    (cross-namespace needs the alpha ``CrossNamespaceVolumeDataSource`` gate)."""

    k8s_type = "TypedObjectReference"

    kind: NonEmptyStr
    name: DnsSubdomain
    api_group: NonEmptyStr | None = None
    namespace: DnsLabel | None = None


class PersistentVolumeClaimSpec(K8sModel):
    """What a claim asks for: access modes, size, class, volume mode, selector, source.

    ``storage_class_name`` unset means the cluster's default class (through the
    DefaultStorageClass admission plugin); ``""`` means no class (static PVs without a class
    only). ``volume_mode`` unset is Filesystem. ``volume_attributes_class_name`` is 1.29+.
    """

    k8s_type = "PersistentVolumeClaimSpec"

    access_modes: AccessModes
    resources: VolumeResourceRequirements
    storage_class_name: DnsSubdomain | Literal[""] | None = None
    volume_mode: VolumeMode | None = None
    selector: LabelSelector | None = None
    volume_name: DnsSubdomain | None = None
    data_source: TypedLocalObjectReference | None = None
    data_source_ref: TypedObjectReference | None = None
    volume_attributes_class_name: DnsSubdomain | None = None

    @model_validator(mode="after")
    def _once_pod_alone(self) -> Self:
        if AccessMode.READ_WRITE_ONCE_POD in self.access_modes and len(self.access_modes) > 1:
            raise PydanticCustomError(
                "access_modes",
                "ReadWriteOncePod cannot be combined with other access modes",
                {"hint": "use access_modes=[AccessMode.READ_WRITE_ONCE_POD] alone"},
            )
        return self


class ClaimTemplateMetadata(K8sModel):
    """Labels and annotations copied onto the claim; the API allows no other metadata."""

    k8s_type = "ObjectMeta"

    labels: dict[LabelKey, LabelValue] | None = None
    annotations: dict[LabelKey, str] | None = None


class PersistentVolumeClaimTemplate(K8sModel):
    """The template of the claim an ``ephemeral`` volume creates (named ``<pod>-<volume>``).

    Use :meth:`of` for the usual case: ``PersistentVolumeClaimTemplate.of(storage="1Gi")``.
    """

    k8s_type = "PersistentVolumeClaimTemplate"

    spec: PersistentVolumeClaimSpec
    metadata: ClaimTemplateMetadata | None = None

    @classmethod
    def of(
        cls,
        *,
        storage: str | Quantity,
        access_modes: Sequence[AccessMode] = (AccessMode.READ_WRITE_ONCE,),
        storage_class_name: str | None = None,
        volume_mode: VolumeMode | None = None,
        labels: Mapping[str, str] | None = None,
        annotations: Mapping[str, str] | None = None,
    ) -> PersistentVolumeClaimTemplate:
        """A claim template for ``storage`` bytes. ``access_modes`` defaults to
        ``[ReadWriteOnce]`` (a per-pod scratch volume); ``storage_class_name`` unset uses
        the cluster's default class."""
        spec = PersistentVolumeClaimSpec(
            access_modes=access_modes,
            resources=VolumeResourceRequirements(requests={"storage": storage}),
            storage_class_name=storage_class_name,
            volume_mode=volume_mode,
        )
        metadata = (
            ClaimTemplateMetadata(
                labels=dict(labels) if labels else None,
                annotations=dict(annotations) if annotations else None,
            )
            if labels or annotations
            else None
        )
        return cls(spec=spec, metadata=metadata)
