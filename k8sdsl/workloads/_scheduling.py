"""Where pods run: node affinity, pod affinity and anti-affinity, topology spread
constraints and tolerations, as typed values for :class:`~k8sdsl.workloads.PodTemplate`.

The helpers cover the common cases: ``TopologySpreadConstraint.spread_over_zones(labels)``,
``Affinity.one_per_node(labels)``, ``Affinity.require_node_labels({...})``. The
``workloads/spread-labels``, ``workloads/anti-affinity-replicas`` and
``workloads/toleration`` rules judge the same fields on YAML.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from enum import StrEnum
from typing import Annotated, Any, NamedTuple, Self

from pydantic import Field, field_validator, model_validator
from pydantic_core import PydanticCustomError

from k8sdsl.core._model import K8sModel
from k8sdsl.core._selectors import LabelSelector
from k8sdsl.core._types import DnsLabel, LabelKey, LabelValue

#: the node label every kubelet sets to its node's name
HOSTNAME_TOPOLOGY_KEY = "kubernetes.io/hostname"
#: the node label cloud providers set to the node's zone
ZONE_TOPOLOGY_KEY = "topology.kubernetes.io/zone"

Weight = Annotated[int, Field(ge=1, le=100)]


# -- tolerations -----------------------------------------------------------------------------


class TolerationOperator(StrEnum):
    EXISTS = "Exists"
    EQUAL = "Equal"


class TaintEffect(StrEnum):
    NO_SCHEDULE = "NoSchedule"
    PREFER_NO_SCHEDULE = "PreferNoSchedule"
    NO_EXECUTE = "NoExecute"


class TolerationProblem(NamedTuple):
    kind: str
    field: str
    message: str
    hint: str


def toleration_problems(toleration: Mapping[str, Any]) -> list[TolerationProblem]:
    """What the API server refuses in a toleration (a dict, camelCase). One checker for the
    :class:`Toleration` value (``value/toleration-*``) and the ``workloads/toleration`` rule."""
    found: list[TolerationProblem] = []
    operator = toleration.get("operator")
    key = toleration.get("key")
    effect = toleration.get("effect")
    if operator is not None and operator not in ("Exists", "Equal"):
        found.append(
            TolerationProblem(
                "toleration_operator",
                "operator",
                f"operator {operator!r} is not Exists or Equal",
                "use Exists or Equal",
            )
        )
    if operator == "Exists" and toleration.get("value"):
        found.append(
            TolerationProblem(
                "toleration_value",
                "value",
                "operator Exists takes no value (the API server refuses it)",
                "drop value, or use operator Equal",
            )
        )
    if not key and operator != "Exists":
        found.append(
            TolerationProblem(
                "toleration_key",
                "operator",
                "a toleration without a key must use operator Exists",
                "set key=..., or use operator Exists to tolerate every taint",
            )
        )
    if effect not in (None, "", "NoSchedule", "PreferNoSchedule", "NoExecute"):
        found.append(
            TolerationProblem(
                "toleration_effect",
                "effect",
                f"effect {effect!r} is not a taint effect",
                "use NoSchedule, PreferNoSchedule or NoExecute (or leave it out for all)",
            )
        )
    if toleration.get("tolerationSeconds") is not None and effect != "NoExecute":
        found.append(
            TolerationProblem(
                "toleration_seconds",
                "tolerationSeconds",
                "tolerationSeconds only goes with effect NoExecute (the API server refuses it "
                "otherwise)",
                "set effect NoExecute, or drop tolerationSeconds",
            )
        )
    return found


class Toleration(K8sModel):
    """Lets the pod schedule onto nodes with a matching taint. ``Toleration.of_taint("gpu",
    effect=TaintEffect.NO_SCHEDULE)`` tolerates the taint whatever its value."""

    key: LabelKey | None = None
    operator: TolerationOperator | None = None
    value: LabelValue | None = None
    effect: TaintEffect | None = None
    toleration_seconds: int | None = None

    @model_validator(mode="after")
    def _consistent(self) -> Self:
        for problem in toleration_problems(self.to_k8s()):
            raise PydanticCustomError(problem.kind, problem.message, {"hint": problem.hint})
        return self

    @classmethod
    def of_taint(cls, key: str, /, *, effect: TaintEffect | str | None = None) -> Toleration:
        """Tolerate the taint ``key`` with any value (operator Exists)."""
        return cls(key=key, operator=TolerationOperator.EXISTS, effect=effect)


# -- node affinity --------------------------------------------------------------------------


class NodeSelectorOperator(StrEnum):
    IN = "In"
    NOT_IN = "NotIn"
    EXISTS = "Exists"
    DOES_NOT_EXIST = "DoesNotExist"
    GT = "Gt"
    LT = "Lt"


class NodeSelectorRequirement(K8sModel):
    """One requirement on a node's labels. ``In``/``NotIn`` need values; ``Exists`` and
    ``DoesNotExist`` take none; ``Gt``/``Lt`` take one integer."""

    key: LabelKey
    operator: NodeSelectorOperator
    values: tuple[LabelValue, ...] | None = None

    @model_validator(mode="after")
    def _values(self) -> Self:
        op = self.operator
        values = self.values or ()
        if op in (NodeSelectorOperator.IN, NodeSelectorOperator.NOT_IN) and not values:
            raise PydanticCustomError(
                "node_selector_values",
                "operator {op} needs at least one value",
                {"op": op.value, "hint": "pass values=['a', 'b']"},
            )
        if op in (NodeSelectorOperator.EXISTS, NodeSelectorOperator.DOES_NOT_EXIST) and values:
            raise PydanticCustomError(
                "node_selector_values",
                "operator {op} takes no values",
                {"op": op.value, "hint": "drop values"},
            )
        if op in (NodeSelectorOperator.GT, NodeSelectorOperator.LT) and (
            len(values) != 1 or not values[0].lstrip("-").isdigit()
        ):
            raise PydanticCustomError(
                "node_selector_values",
                "operator {op} takes exactly one integer value",
                {"op": op.value, "hint": "pass values=['4']"},
            )
        return self

    @classmethod
    def in_(cls, key: str, values: Sequence[str], /) -> NodeSelectorRequirement:
        """The node's ``key`` label is one of ``values``."""
        return cls(key=key, operator=NodeSelectorOperator.IN, values=tuple(values))


class NodeSelectorTerm(K8sModel):
    """Requirements that must all hold (terms of a node selector are ORed)."""

    match_expressions: tuple[NodeSelectorRequirement, ...] | None = None
    match_fields: tuple[NodeSelectorRequirement, ...] | None = None

    @model_validator(mode="after")
    def _not_empty(self) -> Self:
        if not self.match_expressions and not self.match_fields:
            raise PydanticCustomError(
                "node_selector_term",
                "an empty node selector term matches no node",
                {"hint": "give match_expressions=[NodeSelectorRequirement.in_(key, [...])]"},
            )
        return self

    @classmethod
    def of(cls, labels: Mapping[str, str], /) -> NodeSelectorTerm:
        """Nodes labelled with every pair of ``labels``."""
        return cls(
            match_expressions=tuple(
                NodeSelectorRequirement.in_(k, [v]) for k, v in sorted(labels.items())
            )
        )


class NodeSelector(K8sModel):
    """Terms of which at least one must match the node."""

    node_selector_terms: tuple[NodeSelectorTerm, ...] = Field(min_length=1)


class PreferredSchedulingTerm(K8sModel):
    """A node preference and its ``weight`` (1-100) in the scheduler's score."""

    weight: Weight
    preference: NodeSelectorTerm


class NodeAffinity(K8sModel):
    """``required``: the pod runs only on nodes matching one of the terms (a list of
    :class:`NodeSelectorTerm` is enough); ``preferred``: weighted preferences."""

    required: NodeSelector | None = Field(
        default=None, serialization_alias="requiredDuringSchedulingIgnoredDuringExecution"
    )
    preferred: tuple[PreferredSchedulingTerm, ...] | None = Field(
        default=None, serialization_alias="preferredDuringSchedulingIgnoredDuringExecution"
    )

    @field_validator("required", mode="before")
    @classmethod
    def _terms(cls, value: Any) -> Any:
        if isinstance(value, list | tuple):
            return {"node_selector_terms": tuple(value)}
        return value


# -- pod affinity ---------------------------------------------------------------------------


class PodAffinityTerm(K8sModel):
    """Pods matching ``label_selector`` (in the pod's namespace, or ``namespaces``, or those
    ``namespace_selector`` picks) within the same ``topology_key`` domain (a node label:
    ``kubernetes.io/hostname`` for a node, ``topology.kubernetes.io/zone`` for a zone)."""

    label_selector: LabelSelector
    topology_key: LabelKey
    namespaces: tuple[DnsLabel, ...] | None = None
    namespace_selector: LabelSelector | None = None

    @field_validator("label_selector", "namespace_selector", mode="before")
    @classmethod
    def _labels(cls, value: Any) -> Any:
        if isinstance(value, Mapping) and not ({"match_labels", "match_expressions"} & set(value)):
            return LabelSelector.of(dict(value))
        return value


class WeightedPodAffinityTerm(K8sModel):
    weight: Weight
    pod_affinity_term: PodAffinityTerm


class PodAffinity(K8sModel):
    """Run near pods matching the terms (``required``) or prefer to (``preferred``). The
    same shape serves :class:`PodAntiAffinity` (run apart from them)."""

    required: tuple[PodAffinityTerm, ...] | None = Field(
        default=None, serialization_alias="requiredDuringSchedulingIgnoredDuringExecution"
    )
    preferred: tuple[WeightedPodAffinityTerm, ...] | None = Field(
        default=None, serialization_alias="preferredDuringSchedulingIgnoredDuringExecution"
    )


class PodAntiAffinity(PodAffinity):
    """Run apart from pods matching the terms: ``required`` terms are hard limits (a pod
    that cannot be placed stays Pending), ``preferred`` ones only score nodes."""


class Affinity(K8sModel):
    """A pod's ``affinity``: node affinity, pod affinity and pod anti-affinity."""

    node_affinity: NodeAffinity | None = None
    pod_affinity: PodAffinity | None = None
    pod_anti_affinity: PodAntiAffinity | None = None

    @classmethod
    def one_per_node(cls, labels: Mapping[str, str], /, *, required: bool = True) -> Affinity:
        """At most one pod labelled ``labels`` per node (anti-affinity on
        ``kubernetes.io/hostname``). Required by default: more replicas than nodes leave the
        rest Pending (``workloads/anti-affinity-replicas``); ``required=False`` only
        prefers it."""
        return cls.apart(labels, topology_key=HOSTNAME_TOPOLOGY_KEY, required=required)

    @classmethod
    def one_per_zone(cls, labels: Mapping[str, str], /, *, required: bool = False) -> Affinity:
        """Pods labelled ``labels`` in different zones; preferred by default (a zone outage
        must not leave pods unschedulable)."""
        return cls.apart(labels, topology_key=ZONE_TOPOLOGY_KEY, required=required)

    @classmethod
    def apart(
        cls, labels: Mapping[str, str], /, *, topology_key: str, required: bool = True
    ) -> Affinity:
        """Anti-affinity of the pods labelled ``labels`` over ``topology_key``."""
        term = PodAffinityTerm(label_selector=LabelSelector.of(labels), topology_key=topology_key)
        anti = (
            PodAntiAffinity(required=(term,))
            if required
            else PodAntiAffinity(
                preferred=(WeightedPodAffinityTerm(weight=100, pod_affinity_term=term),)
            )
        )
        return cls(pod_anti_affinity=anti)

    @classmethod
    def require_node_labels(cls, labels: Mapping[str, str], /) -> Affinity:
        """Only nodes labelled with every pair of ``labels`` (like ``node_selector``, as
        node affinity so that it combines with preferences)."""
        return cls(
            node_affinity=NodeAffinity(
                required=NodeSelector(node_selector_terms=(NodeSelectorTerm.of(labels),))
            )
        )


# -- topology spread ------------------------------------------------------------------------


class UnsatisfiableConstraintAction(StrEnum):
    """``DoNotSchedule``: a pod that would break the skew stays Pending;
    ``ScheduleAnyway``: the skew only scores nodes."""

    DO_NOT_SCHEDULE = "DoNotSchedule"
    SCHEDULE_ANYWAY = "ScheduleAnyway"


class NodeInclusionPolicy(StrEnum):
    HONOR = "Honor"
    IGNORE = "Ignore"


class TopologySpreadConstraint(K8sModel):
    """Spread the pods ``label_selector`` matches over the domains of ``topology_key``,
    at most ``max_skew`` apart. The selector must match the pod's own labels, or the pod is
    not counted (``workloads/spread-labels``)."""

    max_skew: int = Field(ge=1)
    topology_key: LabelKey
    when_unsatisfiable: UnsatisfiableConstraintAction
    label_selector: LabelSelector
    min_domains: int | None = Field(default=None, ge=1)
    node_affinity_policy: NodeInclusionPolicy | None = None
    node_taints_policy: NodeInclusionPolicy | None = None
    match_label_keys: tuple[LabelKey, ...] | None = None

    @field_validator("label_selector", mode="before")
    @classmethod
    def _labels(cls, value: Any) -> Any:
        if isinstance(value, Mapping) and not ({"match_labels", "match_expressions"} & set(value)):
            return LabelSelector.of(dict(value))
        return value

    @model_validator(mode="after")
    def _min_domains(self) -> Self:
        if (
            self.min_domains is not None
            and self.when_unsatisfiable is not UnsatisfiableConstraintAction.DO_NOT_SCHEDULE
        ):
            raise PydanticCustomError(
                "min_domains",
                "min_domains only goes with when_unsatisfiable DoNotSchedule",
                {"hint": "drop min_domains, or use DoNotSchedule"},
            )
        return self

    @classmethod
    def spread_over_zones(
        cls,
        labels: Mapping[str, str],
        /,
        *,
        max_skew: int = 1,
        when_unsatisfiable: UnsatisfiableConstraintAction | str = (
            UnsatisfiableConstraintAction.SCHEDULE_ANYWAY
        ),
    ) -> TopologySpreadConstraint:
        """The pods labelled ``labels`` spread over zones (``topology.kubernetes.io/zone``),
        at most ``max_skew`` apart. ``ScheduleAnyway`` by default: with a zone down, new
        pods still start in the others."""
        return cls(
            max_skew=max_skew,
            topology_key=ZONE_TOPOLOGY_KEY,
            when_unsatisfiable=when_unsatisfiable,
            label_selector=LabelSelector.of(labels),
        )

    @classmethod
    def spread_over_nodes(
        cls,
        labels: Mapping[str, str],
        /,
        *,
        max_skew: int = 1,
        when_unsatisfiable: UnsatisfiableConstraintAction | str = (
            UnsatisfiableConstraintAction.SCHEDULE_ANYWAY
        ),
    ) -> TopologySpreadConstraint:
        """The pods labelled ``labels`` spread over nodes (``kubernetes.io/hostname``)."""
        return cls(
            max_skew=max_skew,
            topology_key=HOSTNAME_TOPOLOGY_KEY,
            when_unsatisfiable=when_unsatisfiable,
            label_selector=LabelSelector.of(labels),
        )


__all__ = [
    "HOSTNAME_TOPOLOGY_KEY",
    "ZONE_TOPOLOGY_KEY",
    "Affinity",
    "NodeAffinity",
    "NodeInclusionPolicy",
    "NodeSelector",
    "NodeSelectorOperator",
    "NodeSelectorRequirement",
    "NodeSelectorTerm",
    "PodAffinity",
    "PodAffinityTerm",
    "PodAntiAffinity",
    "PreferredSchedulingTerm",
    "TaintEffect",
    "Toleration",
    "TolerationOperator",
    "TolerationProblem",
    "TopologySpreadConstraint",
    "UnsatisfiableConstraintAction",
    "WeightedPodAffinityTerm",
    "toleration_problems",
]
