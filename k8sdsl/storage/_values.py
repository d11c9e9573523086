"""Values of the storage API: reclaim and binding policies, node affinity of a PV, topology of
a StorageClass, and the fields of a StorageClass. Pure pydantic: no constructs here."""

from __future__ import annotations

import re
from collections.abc import Sequence
from enum import StrEnum
from typing import Annotated, Any, Literal, Self

from pydantic import (
    AfterValidator,
    Field,
    SerializerFunctionWrapHandler,
    ValidationInfo,
    field_validator,
    model_serializer,
    model_validator,
)
from pydantic_core import PydanticCustomError

from k8sdsl.core._model import K8sModel
from k8sdsl.core._types import DnsSubdomain, LabelKey, NonEmptyStr, check_label_key
from k8sdsl.storage._checks import (
    access_mode_hint,
    mount_options_supported,
    recycle_problem,
    unsupported_access_modes,
)
from k8sdsl.volumes import (
    PERSISTENT_VOLUME_SOURCE_TYPES,
    AccessMode,
    AccessModes,
    ObjectReference,
    PersistentVolumeSource,
    StorageAmount,
    VolumeMode,
    VolumeSourceBase,
    pv_form_hint,
)

#: the well-known node labels a PersistentVolume's node affinity usually names
HOSTNAME_LABEL = "kubernetes.io/hostname"
ZONE_LABEL = "topology.kubernetes.io/zone"
REGION_LABEL = "topology.kubernetes.io/region"


class ReclaimPolicy(StrEnum):
    """What happens to a PersistentVolume when its claim is deleted.

    ``RETAIN`` (the default of PVs created by hand) keeps the volume and its data; the PV
    becomes ``Released`` and an administrator reclaims it. ``DELETE`` (the default of
    StorageClasses, hence of dynamically provisioned PVs) deletes the PV and the storage
    asset. ``RECYCLE`` scrubs the volume (``rm -rf``) and offers it again: deprecated, and
    supported only by ``nfs`` and ``hostPath``; a StorageClass cannot use it.
    """

    RETAIN = "Retain"
    DELETE = "Delete"
    RECYCLE = "Recycle"


class VolumeBindingMode(StrEnum):
    """When a StorageClass binds and provisions claims.

    ``IMMEDIATE`` (Kubernetes's default) binds or provisions as soon as the claim exists,
    before the scheduler knows where the pod will run, so topology-bound storage (zonal disks,
    local volumes) can end up where the pod cannot go. ``WAIT_FOR_FIRST_CONSUMER`` waits for
    the first pod that uses the claim and honours its scheduling constraints.
    """

    IMMEDIATE = "Immediate"
    WAIT_FOR_FIRST_CONSUMER = "WaitForFirstConsumer"


def check_provisioner(value: str) -> str:
    # storage/validation: validateProvisioner checks IsQualifiedName(strings.ToLower(p))
    try:
        check_label_key(value.lower())
    except PydanticCustomError:
        raise PydanticCustomError(
            "provisioner",
            "is not a provisioner name: an optional DNS subdomain prefix and '/', then at most "
            "63 letters, digits, '-', '_' or '.'",
            {
                "hint": "for example 'ebs.csi.aws.com' or 'kubernetes.io/no-provisioner'",
                "value": value,
            },
        ) from None
    return value


Provisioner = Annotated[str, AfterValidator(check_provisioner)]
"""The name of a volume provisioner (``ebs.csi.aws.com``, ``kubernetes.io/no-provisioner``):
a qualified name, like a label key."""

MountOption = Annotated[str, Field(min_length=1, pattern=r"^\S+$")]
"""One mount option (``nfsvers=4.1``, ``hard``, ``ro``): no whitespace. Kubernetes does not
validate them; an invalid one fails the mount on the node."""

_INT_RE = re.compile(r"^-?[0-9]+$")


class NodeSelectorOperator(StrEnum):
    """How a node label is compared (``In``, ``NotIn``, ``Exists``, ``DoesNotExist``,
    ``Gt`` and ``Lt``; the last two compare integers)."""

    IN = "In"
    NOT_IN = "NotIn"
    EXISTS = "Exists"
    DOES_NOT_EXIST = "DoesNotExist"
    GT = "Gt"
    LT = "Lt"


class NodeSelectorRequirement(K8sModel):
    """One condition on a node label. ``In``/``NotIn`` need values; ``Exists`` and
    ``DoesNotExist`` take none; ``Gt``/``Lt`` take exactly one integer. Build it with the
    named factories: ``NodeSelectorRequirement.is_in(HOSTNAME_LABEL, "node-1")``."""

    k8s_type = "NodeSelectorRequirement"

    key: LabelKey
    operator: NodeSelectorOperator
    values: tuple[NonEmptyStr, ...] | None = None

    @model_validator(mode="after")
    def _values_match_operator(self) -> Self:
        op = self.operator
        values = self.values or ()
        if op in (NodeSelectorOperator.IN, NodeSelectorOperator.NOT_IN) and not values:
            raise PydanticCustomError(
                "node_selector",
                "operator {op} needs at least one value",
                {"op": op.value, "hint": "pass values=(...)"},
            )
        if op in (NodeSelectorOperator.EXISTS, NodeSelectorOperator.DOES_NOT_EXIST) and values:
            raise PydanticCustomError(
                "node_selector",
                "operator {op} takes no values",
                {"op": op.value, "hint": "drop values="},
            )
        if op in (NodeSelectorOperator.GT, NodeSelectorOperator.LT) and (
            len(values) != 1 or not _INT_RE.match(values[0])
        ):
            raise PydanticCustomError(
                "node_selector",
                "operator {op} needs exactly one integer value",
                {"op": op.value, "hint": "for example values=('4',)"},
            )
        return self

    @classmethod
    def is_in(cls, key: str, *values: str) -> NodeSelectorRequirement:
        """The node's label ``key`` is one of ``values``."""
        return cls(key=key, operator=NodeSelectorOperator.IN, values=values)

    @classmethod
    def not_in(cls, key: str, *values: str) -> NodeSelectorRequirement:
        """The node's label ``key`` is none of ``values`` (or the label is absent)."""
        return cls(key=key, operator=NodeSelectorOperator.NOT_IN, values=values)

    @classmethod
    def exists(cls, key: str) -> NodeSelectorRequirement:
        """The node has label ``key``."""
        return cls(key=key, operator=NodeSelectorOperator.EXISTS)

    @classmethod
    def does_not_exist(cls, key: str) -> NodeSelectorRequirement:
        """The node does not have label ``key``."""
        return cls(key=key, operator=NodeSelectorOperator.DOES_NOT_EXIST)

    @classmethod
    def greater_than(cls, key: str, value: int) -> NodeSelectorRequirement:
        """The node's label ``key`` is an integer above ``value``."""
        return cls(key=key, operator=NodeSelectorOperator.GT, values=(str(value),))

    @classmethod
    def less_than(cls, key: str, value: int) -> NodeSelectorRequirement:
        """The node's label ``key`` is an integer below ``value``."""
        return cls(key=key, operator=NodeSelectorOperator.LT, values=(str(value),))


class NodeFieldSelectorRequirement(K8sModel):
    """A condition on a node field: only ``metadata.name`` with ``In``/``NotIn`` and exactly
    one value exists (validation.go)."""

    k8s_type = "NodeSelectorRequirement"

    key: NonEmptyStr = "metadata.name"
    operator: NodeSelectorOperator = NodeSelectorOperator.IN
    values: tuple[NonEmptyStr, ...]

    @model_validator(mode="after")
    def _only_node_name(self) -> Self:
        if self.key != "metadata.name":
            raise PydanticCustomError(
                "node_field",
                "'{key}' is not a node field a selector can use",
                {"key": self.key, "hint": "use key='metadata.name'"},
            )
        if self.operator not in (NodeSelectorOperator.IN, NodeSelectorOperator.NOT_IN):
            raise PydanticCustomError(
                "node_field",
                "node fields take only In or NotIn",
                {"hint": "use NodeSelectorOperator.IN"},
            )
        if len(self.values) != 1:
            raise PydanticCustomError(
                "node_field",
                "a node field requirement takes exactly one value",
                {"hint": "write one term per node name"},
            )
        return self


class NodeSelectorTerm(K8sModel):
    """Conditions that must all hold (AND). A term with no condition matches no node, so at
    least one is required."""

    k8s_type = "NodeSelectorTerm"

    match_expressions: tuple[NodeSelectorRequirement, ...] | None = None
    match_fields: tuple[NodeFieldSelectorRequirement, ...] | None = None

    @model_validator(mode="after")
    def _not_empty(self) -> Self:
        if not self.match_expressions and not self.match_fields:
            raise PydanticCustomError(
                "node_selector_term",
                "a node selector term with no condition matches no node",
                {"hint": "pass match_expressions=(NodeSelectorRequirement.is_in(...),)"},
            )
        return self


class NodeSelector(K8sModel):
    """Terms of which at least one must hold (OR)."""

    k8s_type = "NodeSelector"

    node_selector_terms: Annotated[tuple[NodeSelectorTerm, ...], Field(min_length=1)]


class VolumeNodeAffinity(K8sModel):
    """The nodes a PersistentVolume can be used from (``spec.nodeAffinity``). Required for
    ``local`` volumes; the scheduler places pods of the claim on those nodes.

    ``VolumeNodeAffinity.hostname("node-1")`` or ``VolumeNodeAffinity.zone("eu-west-1a")``.
    """

    k8s_type = "VolumeNodeAffinity"

    required: NodeSelector

    @classmethod
    def of(cls, *terms: NodeSelectorTerm) -> VolumeNodeAffinity:
        """Any of ``terms`` (each a set of conditions that must all hold)."""
        return cls(required=NodeSelector(node_selector_terms=terms))

    @classmethod
    def matching(cls, *requirements: NodeSelectorRequirement) -> VolumeNodeAffinity:
        """Nodes meeting every one of ``requirements``."""
        return cls.of(NodeSelectorTerm(match_expressions=requirements))

    @classmethod
    def hostname(cls, *names: str) -> VolumeNodeAffinity:
        """The node(s) whose ``kubernetes.io/hostname`` label is one of ``names``."""
        return cls.matching(NodeSelectorRequirement.is_in(HOSTNAME_LABEL, *names))

    @classmethod
    def zone(cls, *zones: str) -> VolumeNodeAffinity:
        """Nodes in one of ``zones`` (``topology.kubernetes.io/zone``)."""
        return cls.matching(NodeSelectorRequirement.is_in(ZONE_LABEL, *zones))


class TopologySelectorLabelRequirement(K8sModel):
    """A label and the values it may take, in a StorageClass's ``allowedTopologies``."""

    k8s_type = "TopologySelectorLabelRequirement"

    key: LabelKey
    values: Annotated[tuple[NonEmptyStr, ...], Field(min_length=1)]

    @field_validator("values")
    @classmethod
    def _unique(cls, values: tuple[str, ...]) -> tuple[str, ...]:
        if len(set(values)) != len(values):
            raise PydanticCustomError(
                "duplicate", "values must be unique", {"hint": "drop the repeated value"}
            )
        return values


class TopologySelectorTerm(K8sModel):
    """One allowed topology of a StorageClass: every requirement must hold.

    ``TopologySelectorTerm.zones("eu-west-1a", "eu-west-1b")``.
    """

    k8s_type = "TopologySelectorTerm"

    match_label_expressions: Annotated[
        tuple[TopologySelectorLabelRequirement, ...], Field(min_length=1)
    ]

    @classmethod
    def zones(cls, *zones: str) -> TopologySelectorTerm:
        """Provision only in ``zones`` (``topology.kubernetes.io/zone``)."""
        return cls(
            match_label_expressions=(
                TopologySelectorLabelRequirement(key=ZONE_LABEL, values=zones),
            )
        )

    @classmethod
    def labels(cls, requirements: dict[str, Sequence[str]]) -> TopologySelectorTerm:
        """Provision only where each label ``key`` has one of its values."""
        return cls(
            match_label_expressions=tuple(
                TopologySelectorLabelRequirement(key=k, values=tuple(v))
                for k, v in requirements.items()
            )
        )


def _no_recycle(value: ReclaimPolicy) -> ReclaimPolicy:
    if value is ReclaimPolicy.RECYCLE:
        raise PydanticCustomError(
            "reclaim_policy",
            "a StorageClass reclaim policy is Delete or Retain, never Recycle",
            {
                "hint": "use ReclaimPolicy.DELETE (dynamic provisioning makes a fresh volume per "
                "claim; Recycle is deprecated) or ReclaimPolicy.RETAIN"
            },
        )
    return value


ClassReclaimPolicy = Annotated[ReclaimPolicy, AfterValidator(_no_recycle)]
"""The reclaim policy of a StorageClass: Delete or Retain (the API server rejects Recycle)."""

_MAX_PARAMETERS = 512
_MAX_PARAMETERS_BYTES = 256 * 1024


class StorageClassSpec(K8sModel):
    """The fields of a StorageClass besides its metadata (the API keeps them at the top level,
    there is no ``spec``).

    k8sdsl renders ``reclaim_policy`` and ``volume_binding_mode`` always, so a reviewer sees
    them; ``allow_volume_expansion`` unset means false.
    """

    k8s_type = "StorageClass"

    provisioner: Provisioner
    parameters: dict[NonEmptyStr, str] | None = None
    reclaim_policy: ClassReclaimPolicy = ReclaimPolicy.DELETE
    volume_binding_mode: VolumeBindingMode = VolumeBindingMode.WAIT_FOR_FIRST_CONSUMER
    allow_volume_expansion: bool | None = None
    mount_options: tuple[MountOption, ...] | None = None
    allowed_topologies: tuple[TopologySelectorTerm, ...] | None = None

    @field_validator("parameters")
    @classmethod
    def _parameter_limits(cls, value: dict[str, str] | None) -> dict[str, str] | None:
        # storage/validation: at most 512 parameters, at most 256 KiB in all
        if value is None:
            return None
        if len(value) > _MAX_PARAMETERS:
            raise PydanticCustomError(
                "parameters",
                "a StorageClass takes at most 512 parameters",
                {"hint": "drop parameters the provisioner does not read"},
            )
        size = sum(len(k) + len(v) for k, v in value.items())
        if size > _MAX_PARAMETERS_BYTES:
            raise PydanticCustomError(
                "parameters",
                "StorageClass parameters exceed 256 KiB in all",
                {"hint": "keep large data in a Secret or ConfigMap the provisioner reads"},
            )
        return value


class PersistentVolumeSpec(K8sModel):
    """The spec of a PersistentVolume: one PV-capable ``source`` (rendered under its own key,
    ``nfs``, ``csi``, ``local``...), ``capacity``, ``access_modes`` and how it is bound and
    reclaimed.

    What the API server or the kubelet would reject later is rejected here: a pod-only
    source, access modes the plugin cannot serve (EBS with ReadWriteMany, ReadWriteOncePod
    outside CSI), ReadWriteOncePod with other modes, Recycle outside nfs/hostPath, mount
    options on a plugin that takes none, and a ``local`` volume without ``node_affinity``.
    """

    k8s_type = "PersistentVolumeSpec"

    source: PersistentVolumeSource
    capacity: StorageAmount
    access_modes: AccessModes
    persistent_volume_reclaim_policy: ReclaimPolicy | None = None
    storage_class_name: DnsSubdomain | Literal[""] | None = None
    volume_mode: VolumeMode | None = None
    mount_options: tuple[MountOption, ...] | None = None
    node_affinity: VolumeNodeAffinity | None = None
    claim_ref: ObjectReference | None = None
    volume_attributes_class_name: DnsSubdomain | None = None

    @field_validator("source", mode="before")
    @classmethod
    def _pv_form(cls, value: Any) -> Any:
        if (
            isinstance(value, VolumeSourceBase)
            and type(value) not in PERSISTENT_VOLUME_SOURCE_TYPES
        ):
            raise PydanticCustomError(
                "persistent_volume_source",
                "{kind} is not allowed in a PersistentVolume",
                {"kind": type(value).__name__, "hint": pv_form_hint(value)},
            )
        return value

    @field_validator("access_modes")
    @classmethod
    def _modes_of_plugin(
        cls, value: tuple[AccessMode, ...], info: ValidationInfo
    ) -> tuple[AccessMode, ...]:
        modes = [m.value for m in value]
        if AccessMode.READ_WRITE_ONCE_POD.value in modes and len(modes) > 1:
            raise PydanticCustomError(
                "access_modes",
                "ReadWriteOncePod cannot be combined with other access modes",
                {"hint": "use access_modes=[AccessMode.READ_WRITE_ONCE_POD] alone"},
            )
        key = _key_of(info)
        bad = unsupported_access_modes(key, modes) if key else []
        if bad:
            raise PydanticCustomError(
                "access_modes",
                "{key} volumes do not support {modes}",
                {"key": key, "modes": ", ".join(bad), "hint": access_mode_hint(key, bad)},
            )
        return value

    @field_validator("persistent_volume_reclaim_policy")
    @classmethod
    def _reclaim_of_plugin(
        cls, value: ReclaimPolicy | None, info: ValidationInfo
    ) -> ReclaimPolicy | None:
        key = _key_of(info)
        if value is ReclaimPolicy.RECYCLE and key:
            problem = recycle_problem(key, getattr(info.data.get("source"), "path", None))
            if problem:
                raise PydanticCustomError(
                    "reclaim_policy",
                    problem,
                    {"hint": "use ReclaimPolicy.RETAIN (or DELETE where the plugin deletes)"},
                )
        return value

    @field_validator("mount_options")
    @classmethod
    def _mount_options_of_plugin(
        cls, value: tuple[str, ...] | None, info: ValidationInfo
    ) -> tuple[str, ...] | None:
        key = _key_of(info)
        if value and key and mount_options_supported(key) is False:
            raise PydanticCustomError(
                "mount_options",
                "{key} volumes take no mount options: the kubelet fails the mount",
                {"key": key, "hint": "drop mount_options"},
            )
        return value

    @model_validator(mode="after")
    def _local_needs_node(self) -> Self:
        if type(self.source).k8s_key == "local" and self.node_affinity is None:
            raise PydanticCustomError(
                "node_affinity",
                "a local PersistentVolume needs node_affinity: the disk is on one node",
                {
                    "hint": "pass node_affinity=VolumeNodeAffinity.hostname('<node>'), or use "
                    "PersistentVolume.local(..., node='<node>')"
                },
            )
        return self

    @model_serializer(mode="wrap")
    def _render(self, handler: SerializerFunctionWrapHandler) -> dict[str, Any]:
        out: dict[str, Any] = handler(self)
        source = out.pop("source")
        return {**out, type(self.source).k8s_key: source}


def _key_of(info: ValidationInfo) -> str:
    """The plugin key of the source validated before this field ("" if it failed)."""
    return str(getattr(type(info.data.get("source")), "k8s_key", ""))


__all__ = [
    "ClassReclaimPolicy",
    "HOSTNAME_LABEL",
    "MountOption",
    "NodeFieldSelectorRequirement",
    "NodeSelector",
    "NodeSelectorOperator",
    "NodeSelectorRequirement",
    "NodeSelectorTerm",
    "PersistentVolumeSpec",
    "Provisioner",
    "REGION_LABEL",
    "ReclaimPolicy",
    "StorageClassSpec",
    "TopologySelectorLabelRequirement",
    "TopologySelectorTerm",
    "VolumeBindingMode",
    "VolumeNodeAffinity",
    "ZONE_LABEL",
]
