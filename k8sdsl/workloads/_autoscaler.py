"""HorizontalPodAutoscaler (``autoscaling/v2``): the replica count of a Deployment or
StatefulSet, set from metrics (resource use, per-pod, per-object or external metrics)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from enum import StrEnum
from typing import Annotated, Any, ClassVar, Self

from pydantic import Field, model_validator
from pydantic_core import PydanticCustomError

from k8sdsl.core._construct import Construct, Resource
from k8sdsl.core._findings import Finding, K8sDslError, ObjectRef, Severity
from k8sdsl.core._model import K8sModel
from k8sdsl.core._quantity import Quantity
from k8sdsl.core._selectors import LabelSelector
from k8sdsl.core._types import DnsSubdomain, NonEmptyStr
from k8sdsl.workloads._deployment import Deployment
from k8sdsl.workloads._statefulset import StatefulSet


class MetricTargetType(StrEnum):
    UTILIZATION = "Utilization"
    VALUE = "Value"
    AVERAGE_VALUE = "AverageValue"


class MetricTarget(K8sModel):
    """The value the autoscaler keeps a metric at: ``MetricTarget.utilization(70)`` (percent
    of the pods' requests), ``.average_value("500Mi")`` (per pod) or ``.value("100")``
    (the metric as a whole)."""

    type: MetricTargetType
    average_utilization: Annotated[int, Field(ge=1)] | None = None
    average_value: Quantity | None = None
    value: Quantity | None = None

    @model_validator(mode="after")
    def _matches_type(self) -> Self:
        wanted = {
            MetricTargetType.UTILIZATION: "average_utilization",
            MetricTargetType.AVERAGE_VALUE: "average_value",
            MetricTargetType.VALUE: "value",
        }[self.type]
        given = [f for f in ("average_utilization", "average_value", "value") if getattr(self, f)]
        if given != [wanted]:
            raise PydanticCustomError(
                "metric_target",
                "a {type} target takes {wanted} only",
                {"type": self.type.value, "wanted": wanted, "hint": f"set {wanted} alone"},
            )
        return self

    @classmethod
    def utilization(cls, percent: int) -> MetricTarget:
        return cls(type=MetricTargetType.UTILIZATION, average_utilization=percent)

    @classmethod
    def of_average_value(cls, quantity: str | Quantity) -> MetricTarget:
        return cls(type=MetricTargetType.AVERAGE_VALUE, average_value=quantity)

    @classmethod
    def of_value(cls, quantity: str | Quantity) -> MetricTarget:
        return cls(type=MetricTargetType.VALUE, value=quantity)


class MetricIdentifier(K8sModel):
    """A custom or external metric by name, narrowed by its labels."""

    name: NonEmptyStr
    selector: LabelSelector | None = None


class CrossVersionObjectReference(K8sModel):
    """The object an Object metric describes (or the autoscaler scales)."""

    api_version: NonEmptyStr
    kind: NonEmptyStr
    name: DnsSubdomain


class ResourceMetricSource(K8sModel):
    name: NonEmptyStr
    target: MetricTarget


class ContainerResourceMetricSource(K8sModel):
    """A resource of one container of each pod (``autoscaling/v2``, stable since 1.30),
    rather than the sum over the pod: a sidecar's use does not dilute the app's."""

    name: NonEmptyStr
    container: NonEmptyStr
    target: MetricTarget


class PodsMetricSource(K8sModel):
    metric: MetricIdentifier
    target: MetricTarget


class ObjectMetricSource(K8sModel):
    described_object: CrossVersionObjectReference
    metric: MetricIdentifier
    target: MetricTarget


class ExternalMetricSource(K8sModel):
    metric: MetricIdentifier
    target: MetricTarget


class MetricSourceType(StrEnum):
    RESOURCE = "Resource"
    CONTAINER_RESOURCE = "ContainerResource"
    PODS = "Pods"
    OBJECT = "Object"
    EXTERNAL = "External"


class Metric(K8sModel):
    """One metric to scale on; build it with the factories:
    ``Metric.cpu(utilization=70)``, ``Metric.memory(average_value="400Mi")``,
    ``Metric.for_resource("ephemeral-storage", average_value="1Gi")``,
    ``Metric.for_container_resource("cpu", container="app", utilization=60)``,
    ``Metric.for_pods("requests_per_second", average_value="100")``,
    ``Metric.for_object("hits", described_object=..., value="10k")``,
    ``Metric.for_external("queue_depth", average_value="30", selector=...)``."""

    k8s_type = "MetricSpec"

    type: MetricSourceType
    resource: ResourceMetricSource | None = None
    container_resource: ContainerResourceMetricSource | None = None
    pods: PodsMetricSource | None = None
    object_metric: ObjectMetricSource | None = Field(default=None, serialization_alias="object")
    external: ExternalMetricSource | None = None

    @model_validator(mode="after")
    def _one_source(self) -> Self:
        field = {
            MetricSourceType.RESOURCE: "resource",
            MetricSourceType.CONTAINER_RESOURCE: "container_resource",
            MetricSourceType.PODS: "pods",
            MetricSourceType.OBJECT: "object_metric",
            MetricSourceType.EXTERNAL: "external",
        }[self.type]
        sources = ("resource", "container_resource", "pods", "object_metric", "external")
        given = [f for f in sources if getattr(self, f)]
        if given != [field]:
            raise PydanticCustomError(
                "metric_source",
                "a {type} metric takes the {field} source only",
                {"type": self.type.value, "field": field, "hint": "use a Metric factory"},
            )
        if self.type is MetricSourceType.OBJECT and self.object_metric is not None:
            if self.object_metric.target.type is MetricTargetType.UTILIZATION:
                raise PydanticCustomError(
                    "metric_target",
                    "an Object metric takes a Value or AverageValue target",
                    {"hint": "pass value= or average_value="},
                )
        if self.type in (MetricSourceType.PODS,) and self.pods is not None:
            if self.pods.target.type is not MetricTargetType.AVERAGE_VALUE:
                raise PydanticCustomError(
                    "metric_target",
                    "a Pods metric takes an AverageValue target",
                    {"hint": "pass average_value="},
                )
        return self

    @classmethod
    def for_resource(
        cls,
        name: str,
        /,
        *,
        utilization: int | None = None,
        average_value: str | Quantity | None = None,
    ) -> Metric:
        """A resource (``cpu``, ``memory``) as a percentage of the pods' requests
        (``utilization``: every container needs a request for it) or as an average
        quantity per pod."""
        if (utilization is None) == (average_value is None):
            raise K8sDslError(
                [
                    Finding(
                        Severity.ERROR,
                        "value/metric-target",
                        f"resource metric {name!r} needs exactly one of utilization and "
                        "average_value",
                        ObjectRef(kind="Metric"),
                        "utilization",
                        "pass utilization=70 (percent of requests) or average_value='500Mi'",
                    )
                ],
                summary="invalid Metric",
            )
        target = (
            MetricTarget.utilization(utilization)
            if utilization is not None
            else _value_target(name, None, average_value)
        )
        return cls(
            type=MetricSourceType.RESOURCE,
            resource=ResourceMetricSource(name=name, target=target),
        )

    @classmethod
    def for_container_resource(
        cls,
        name: str,
        /,
        *,
        container: str,
        utilization: int | None = None,
        average_value: str | Quantity | None = None,
    ) -> Metric:
        """A resource (``cpu``, ``memory``) of the container named ``container`` in each pod,
        as a percentage of that container's request (``utilization``: the container needs a
        request for it) or as an average quantity; the other containers (sidecars) are
        left out."""
        if (utilization is None) == (average_value is None):
            raise K8sDslError(
                [
                    Finding(
                        Severity.ERROR,
                        "value/metric-target",
                        f"container resource metric {name!r} of {container!r} needs exactly "
                        "one of utilization and average_value",
                        ObjectRef(kind="Metric"),
                        "utilization",
                        "pass utilization=70 (percent of requests) or average_value='500Mi'",
                    )
                ],
                summary="invalid Metric",
            )
        target = (
            MetricTarget.utilization(utilization)
            if utilization is not None
            else _value_target(name, None, average_value)
        )
        return cls(
            type=MetricSourceType.CONTAINER_RESOURCE,
            container_resource=ContainerResourceMetricSource(
                name=name, container=container, target=target
            ),
        )

    @classmethod
    def cpu(
        cls, *, utilization: int | None = None, average_value: str | Quantity | None = None
    ) -> Metric:
        return cls.for_resource("cpu", utilization=utilization, average_value=average_value)

    @classmethod
    def memory(
        cls, *, utilization: int | None = None, average_value: str | Quantity | None = None
    ) -> Metric:
        return cls.for_resource("memory", utilization=utilization, average_value=average_value)

    @classmethod
    def for_pods(
        cls,
        name: str,
        /,
        *,
        average_value: str | Quantity,
        selector: LabelSelector | None = None,
    ) -> Metric:
        """A custom metric of each pod, averaged over the pods."""
        return cls(
            type=MetricSourceType.PODS,
            pods=PodsMetricSource(
                metric=MetricIdentifier(name=name, selector=selector),
                target=MetricTarget.of_average_value(average_value),
            ),
        )

    @classmethod
    def for_object(
        cls,
        name: str,
        /,
        *,
        described_object: CrossVersionObjectReference,
        value: str | Quantity | None = None,
        average_value: str | Quantity | None = None,
    ) -> Metric:
        """A metric of another object (an Ingress's requests per second)."""
        target = _value_target(name, value, average_value)
        return cls(
            type=MetricSourceType.OBJECT,
            object_metric=ObjectMetricSource(
                described_object=described_object,
                metric=MetricIdentifier(name=name),
                target=target,
            ),
        )

    @classmethod
    def for_external(
        cls,
        name: str,
        /,
        *,
        value: str | Quantity | None = None,
        average_value: str | Quantity | None = None,
        selector: LabelSelector | None = None,
    ) -> Metric:
        """A metric from outside the cluster (a queue's depth)."""
        target = _value_target(name, value, average_value)
        return cls(
            type=MetricSourceType.EXTERNAL,
            external=ExternalMetricSource(
                metric=MetricIdentifier(name=name, selector=selector), target=target
            ),
        )


def _value_target(
    name: str, value: str | Quantity | None, average_value: str | Quantity | None
) -> MetricTarget:
    if value is not None and average_value is None:
        return MetricTarget.of_value(value)
    if average_value is not None and value is None:
        return MetricTarget.of_average_value(average_value)
    raise K8sDslError(
        [
            Finding(
                Severity.ERROR,
                "value/metric-target",
                f"metric {name!r} needs exactly one of value and average_value",
                ObjectRef(kind="Metric"),
                "value",
                "pass value= (the metric as a whole) or average_value= (per pod)",
            )
        ],
        summary="invalid Metric",
    )


class ScalingPolicyType(StrEnum):
    PODS = "Pods"
    PERCENT = "Percent"


class ScalingPolicy(K8sModel):
    """At most ``value`` pods (or percent) added or removed per ``period_seconds``."""

    k8s_type = "HPAScalingPolicy"

    type: ScalingPolicyType
    value: Annotated[int, Field(ge=1)]
    period_seconds: Annotated[int, Field(ge=1, le=1800)]


class SelectPolicy(StrEnum):
    MAX = "Max"
    MIN = "Min"
    DISABLED = "Disabled"


class ScalingRules(K8sModel):
    """How fast one direction scales: ``stabilization_window_seconds`` (0-3600: the
    recommendations of that window are considered, damping flapping), ``policies`` and
    ``select_policy`` (``Max``: the policy allowing the biggest change; ``Disabled``: never
    scale this way)."""

    k8s_type = "HPAScalingRules"

    stabilization_window_seconds: Annotated[int, Field(ge=0, le=3600)] | None = None
    select_policy: SelectPolicy | None = None
    policies: tuple[ScalingPolicy, ...] | None = None


class ScalingBehavior(K8sModel):
    """``scale_up`` and ``scale_down`` rules; unset, Kubernetes scales up at once (double or
    +4 pods per 15 s) and down after a 300 s stabilization window."""

    k8s_type = "HorizontalPodAutoscalerBehavior"

    scale_up: ScalingRules | None = None
    scale_down: ScalingRules | None = None


class _HpaSpec(K8sModel):
    min_replicas: Annotated[int, Field(ge=1)] | None = None
    max_replicas: Annotated[int, Field(ge=1)]
    metrics: tuple[Metric, ...] | None = None
    behavior: ScalingBehavior | None = None

    @model_validator(mode="after")
    def _range(self) -> Self:
        if self.min_replicas is not None and self.min_replicas > self.max_replicas:
            raise PydanticCustomError(
                "hpa_range",
                "min_replicas {low} is above max_replicas {high}",
                {
                    "low": self.min_replicas,
                    "high": self.max_replicas,
                    "hint": "raise max_replicas or lower min_replicas",
                },
            )
        return self


class HorizontalPodAutoscaler(Resource):
    """A HorizontalPodAutoscaler scaling ``scale_target`` (a Deployment or StatefulSet)
    between ``min_replicas`` (unset: 1) and ``max_replicas`` on ``metrics`` (unset:
    Kubernetes' 80% average CPU utilization). The target should leave ``replicas`` unset,
    or every sync of the manifests resets what the autoscaler chose."""

    api_version: ClassVar[str] = "autoscaling/v2"
    kind: ClassVar[str] = "HorizontalPodAutoscaler"

    def __init__(
        self,
        scope: Construct,
        id: str,
        *,
        scale_target: Deployment | StatefulSet,
        max_replicas: int,
        min_replicas: int | None = None,
        metrics: Sequence[Metric] | None = None,
        behavior: ScalingBehavior | None = None,
        name: str | None = None,
        namespace: str | None = None,
        labels: Mapping[str, str] | None = None,
        annotations: Mapping[str, str] | None = None,
    ) -> None:
        super().__init__(
            scope, id, name=name, namespace=namespace, labels=labels, annotations=annotations
        )
        if not isinstance(scale_target, (Deployment, StatefulSet)):
            raise K8sDslError(
                [
                    Finding(
                        Severity.ERROR,
                        "value/scale-target",
                        f"scale_target is {type(scale_target).__name__}, not a Deployment or "
                        "StatefulSet",
                        self.ref(),
                        "spec.scaleTargetRef",
                        "pass the Deployment or StatefulSet construct to scale",
                    )
                ],
                summary=f"invalid HorizontalPodAutoscaler at {self.node.path}",
            )
        self.scale_target = scale_target
        with self._values():
            self.spec = _HpaSpec(
                min_replicas=min_replicas,
                max_replicas=max_replicas,
                metrics=tuple(metrics) if metrics is not None else None,
                behavior=behavior,
            )

    def _body(self) -> dict[str, Any]:
        target = self.scale_target
        spec = {
            "scaleTargetRef": {
                "apiVersion": target.api_version,
                "kind": target.kind,
                "name": target.name,
            },
            **self.spec.to_k8s(),
        }
        return {"spec": spec}


__all__ = [
    "ContainerResourceMetricSource",
    "CrossVersionObjectReference",
    "ExternalMetricSource",
    "HorizontalPodAutoscaler",
    "Metric",
    "MetricIdentifier",
    "MetricSourceType",
    "MetricTarget",
    "MetricTargetType",
    "ObjectMetricSource",
    "PodsMetricSource",
    "ResourceMetricSource",
    "ScalingBehavior",
    "ScalingPolicy",
    "ScalingPolicyType",
    "ScalingRules",
    "SelectPolicy",
]
