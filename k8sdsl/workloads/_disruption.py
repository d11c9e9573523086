"""PodDisruptionBudget: how many pods of a workload voluntary disruptions (a node drain, a
cluster autoscaler scale-down, an eviction API call) may take down at once."""

from __future__ import annotations

from collections.abc import Mapping
from enum import StrEnum
from typing import Annotated, Any, ClassVar, Self

from pydantic import Field, model_validator
from pydantic_core import PydanticCustomError

from k8sdsl.core._construct import Construct, Resource
from k8sdsl.core._findings import Finding, K8sDslError, ObjectRef, Severity
from k8sdsl.core._model import K8sModel
from k8sdsl.core._selectors import LabelSelector
from k8sdsl.workloads._cronjob import CronJob
from k8sdsl.workloads._deployment import Job, _Workload

CountOrPercent = (
    Annotated[int, Field(ge=0)] | Annotated[str, Field(pattern=r"^(100|[1-9]?[0-9])%$")]
)
"""A pod count (``1``) or a percentage of the selected pods (``"50%"``), never negative."""


class UnhealthyPodEvictionPolicy(StrEnum):
    """Whether pods that are running but not Ready may be evicted: ``IfHealthyBudget``
    (Kubernetes' default: only while the budget is met) or ``AlwaysAllow`` (they may always
    be evicted, so a crash-looping pod never blocks a node drain)."""

    IF_HEALTHY_BUDGET = "IfHealthyBudget"
    ALWAYS_ALLOW = "AlwaysAllow"


class _PdbSpec(K8sModel):
    selector: LabelSelector
    min_available: CountOrPercent | None = None
    max_unavailable: CountOrPercent | None = None
    unhealthy_pod_eviction_policy: UnhealthyPodEvictionPolicy | None = None

    @model_validator(mode="after")
    def _exactly_one(self) -> Self:
        if (self.min_available is None) == (self.max_unavailable is None):
            raise PydanticCustomError(
                "pdb_budget",
                "give exactly one of min_available and max_unavailable",
                {"hint": "max_unavailable=1 lets a drain take one pod at a time"},
            )
        return self


class PodDisruptionBudget(Resource):
    """A PodDisruptionBudget (``policy/v1``) over the pods ``selector`` picks.

    Prefer :meth:`for_workload`, which selects a workload's pods by its own selector. Give
    exactly one of ``min_available`` and ``max_unavailable`` (a count or a percentage);
    ``max_unavailable=1`` is the usual choice: drains proceed one pod at a time, whatever
    the replica count. ``unhealthy_pod_eviction_policy`` unset is Kubernetes'
    ``IfHealthyBudget``; ``AlwaysAllow`` keeps pods that are not Ready from blocking drains.
    """

    api_version: ClassVar[str] = "policy/v1"
    kind: ClassVar[str] = "PodDisruptionBudget"

    def __init__(
        self,
        scope: Construct,
        id: str,
        *,
        selector: Mapping[str, str] | LabelSelector,
        min_available: int | str | None = None,
        max_unavailable: int | str | None = None,
        unhealthy_pod_eviction_policy: UnhealthyPodEvictionPolicy | str | None = None,
        name: str | None = None,
        namespace: str | None = None,
        labels: Mapping[str, str] | None = None,
        annotations: Mapping[str, str] | None = None,
    ) -> None:
        super().__init__(
            scope, id, name=name, namespace=namespace, labels=labels, annotations=annotations
        )
        with self._values():
            self.spec = _PdbSpec(
                selector=selector
                if isinstance(selector, LabelSelector)
                else LabelSelector(match_labels=selector),
                min_available=min_available,
                max_unavailable=max_unavailable,
                unhealthy_pod_eviction_policy=unhealthy_pod_eviction_policy,
            )

    @classmethod
    def for_workload(
        cls,
        workload: _Workload,
        *,
        min_available: int | str | None = None,
        max_unavailable: int | str | None = None,
        unhealthy_pod_eviction_policy: UnhealthyPodEvictionPolicy | str | None = None,
        id: str | None = None,
        name: str | None = None,
    ) -> PodDisruptionBudget:
        """A budget over ``workload``'s pods (its selector), in its scope and namespace,
        named like it: ``PodDisruptionBudget.for_workload(web, max_unavailable=1)``."""
        if not isinstance(workload, _Workload) or isinstance(workload, (Job, CronJob)):
            raise K8sDslError(
                [
                    Finding(
                        Severity.ERROR,
                        "value/workload",
                        f"workload is {type(workload).__name__}, not a Deployment, "
                        "StatefulSet or DaemonSet (pods that run to completion need no budget)",
                        ObjectRef(kind="PodDisruptionBudget"),
                        "workload",
                        "pass the Deployment, StatefulSet or DaemonSet whose pods the budget "
                        "protects",
                    )
                ],
                summary="invalid PodDisruptionBudget.for_workload call",
            )
        scope = workload.node.scope
        assert scope is not None
        return cls(
            scope,
            id or f"{workload.node.id}-pdb",
            selector=dict(workload.selector),
            min_available=min_available,
            max_unavailable=max_unavailable,
            unhealthy_pod_eviction_policy=unhealthy_pod_eviction_policy,
            name=name or workload.name,
            namespace=workload._namespace,
        )

    def _body(self) -> dict[str, Any]:
        return {"spec": self.spec.to_k8s()}


__all__ = ["PodDisruptionBudget", "UnhealthyPodEvictionPolicy"]
