"""Deployment, DaemonSet and Job: the controllers that run a :class:`PodTemplate`.

Each selects its pods by ``app.kubernetes.io/name: <name>`` unless given a ``selector``;
the selector labels are added to the template so the two always match (a Deployment whose
selector does not match its template is rejected by the API server).
"""

from __future__ import annotations

from collections.abc import Mapping
from enum import StrEnum
from typing import Annotated, Any, ClassVar, Self

from pydantic import Field, model_validator
from pydantic_core import PydanticCustomError

from k8sdsl.core._construct import Construct, Resource
from k8sdsl.core._findings import Finding, K8sDslError, Severity
from k8sdsl.core._model import K8sModel
from k8sdsl.core._restart_policy import restart_policy_problem
from k8sdsl.workloads._pod import (
    PodTemplate,
    RestartPolicy,
    refuse_claim_templates,
    workload_annotations,
)
from k8sdsl.workloads._secure import without_automatic_probes_exemption
from k8sdsl.workloads._service import Service, ServicePort, ServiceType


def _policy(value: RestartPolicy | None) -> str | None:
    return value.value if value is not None else None


NAME_LABEL = "app.kubernetes.io/name"
"""The label workloads select their pods by, unless given a selector."""

IntOrPercent = int | Annotated[str, Field(pattern=r"^(100|[1-9]?[0-9])%$")]
"""A count (``1``) or a percentage of the replicas (``"25%"``)."""


class DeploymentStrategyType(StrEnum):
    ROLLING_UPDATE = "RollingUpdate"
    RECREATE = "Recreate"


class RollingUpdate(K8sModel):
    """How many pods may be added above (``max_surge``) and missing below
    (``max_unavailable``) the desired count during an update."""

    max_surge: IntOrPercent | None = None
    max_unavailable: IntOrPercent | None = None

    @model_validator(mode="after")
    def _not_both_zero(self) -> Self:
        if _is_zero(self.max_surge) and _is_zero(self.max_unavailable):
            raise PydanticCustomError(
                "rolling_update_stuck",
                "max_surge and max_unavailable cannot both be 0: the rollout "
                "could never make progress",
                {"hint": "let max_surge be 1 or '25%' (new pods first, no capacity lost)"},
            )
        return self


def _is_zero(value: int | str | None) -> bool:
    return value in (0, "0%")


class DeploymentStrategy(K8sModel):
    """``DeploymentStrategy.rolling(max_surge="25%", max_unavailable=0)`` (the
    default: new pods come up before old ones go, so capacity never drops during a
    security update) or ``DeploymentStrategy.recreate()``."""

    type: DeploymentStrategyType
    rolling_update: RollingUpdate | None = None

    @model_validator(mode="after")
    def _rolling_only(self) -> Self:
        if self.type is DeploymentStrategyType.RECREATE and self.rolling_update is not None:
            raise PydanticCustomError(
                "recreate_with_rolling_update",
                "rolling_update parameters only go with type RollingUpdate",
                {"hint": "use DeploymentStrategy.recreate() alone, or .rolling()"},
            )
        return self

    @classmethod
    def rolling(
        cls, *, max_surge: int | str | None = "25%", max_unavailable: int | str | None = 0
    ) -> DeploymentStrategy:
        return cls(
            type=DeploymentStrategyType.ROLLING_UPDATE,
            rolling_update=RollingUpdate(max_surge=max_surge, max_unavailable=max_unavailable),
        )

    @classmethod
    def recreate(cls) -> DeploymentStrategy:
        """Stop every old pod before starting new ones (downtime; for singletons)."""
        return cls(type=DeploymentStrategyType.RECREATE)


DEFAULT_DEPLOYMENT_STRATEGY = DeploymentStrategy.rolling()
"""RollingUpdate with ``maxSurge: 25%`` and ``maxUnavailable: 0``."""


class DaemonSetUpdateStrategy(K8sModel):
    """``DaemonSetUpdateStrategy.rolling(max_unavailable=1)`` (Kubernetes' default
    behaviour, written out) or ``.on_delete()`` (pods are replaced only when deleted)."""

    type: str
    rolling_update: RollingUpdate | None = None

    @classmethod
    def rolling(
        cls, *, max_unavailable: int | str = 1, max_surge: int | str | None = None
    ) -> DaemonSetUpdateStrategy:
        return cls(
            type="RollingUpdate",
            rolling_update=RollingUpdate(max_unavailable=max_unavailable, max_surge=max_surge),
        )

    @classmethod
    def on_delete(cls) -> DaemonSetUpdateStrategy:
        return cls(type="OnDelete")


class _Workload(Resource):
    """A controller with a pod template and a label selector."""

    #: where the pod template sits in the spec
    _template_path: ClassVar[tuple[str, ...]] = ("template",)
    #: whether the pods may mount claim templates (a StatefulSet's)
    _takes_claim_templates: ClassVar[bool] = False

    def __init__(
        self,
        scope: Construct,
        id: str,
        *,
        template: PodTemplate,
        selector: Mapping[str, str] | None,
        name: str | None,
        namespace: str | None,
        labels: Mapping[str, str] | None,
        annotations: Mapping[str, str] | None,
    ) -> None:
        super().__init__(
            scope, id, name=name, namespace=namespace, labels=labels, annotations=annotations
        )
        if not isinstance(template, PodTemplate):
            raise K8sDslError(
                [
                    Finding(
                        Severity.ERROR,
                        "value/template",
                        f"template is {type(template).__name__}, not a PodTemplate",
                        self.ref(),
                        "template",
                        "pass template=SecurePodTemplate(image=...) or "
                        "PodTemplate(containers=[...])",
                    )
                ],
                summary=f"invalid {type(self).__name__} at {self.node.path}",
            )
        self.selector: dict[str, str] = dict(selector or {NAME_LABEL: self.name[:63].rstrip("-_.")})
        with self._values():
            self.template: PodTemplate = self._adapt_template(template.with_labels(self.selector))
        clash = {
            k: v
            for k, v in (template.labels or {}).items()
            if k in self.selector and self.selector[k] != v
        }
        if clash:
            key = next(iter(clash))
            raise K8sDslError(
                [
                    Finding(
                        Severity.ERROR,
                        "workloads/selector-mismatch",
                        f"template label {key}={clash[key]!r} contradicts the selector "
                        f"{key}={self.selector[key]!r}: the controller would never find its pods",
                        self.ref(),
                        f"spec.template.metadata.labels[{key!r}]",
                        "drop the label from the template or change selector=",
                    )
                ],
                summary=f"invalid {type(self).__name__} at {self.node.path}",
            )
        refused = (
            None
            if self._takes_claim_templates
            else refuse_claim_templates(self.template, type(self).__name__)
        )
        if refused is not None:
            raise K8sDslError(
                [
                    Finding(
                        refused.severity,
                        refused.code,
                        refused.message,
                        self.ref(),
                        refused.path,
                        refused.hint,
                    )
                ],
                summary=f"invalid {type(self).__name__} at {self.node.path}",
            )
        self.annotations = workload_annotations(self.template, self.annotations)
        problems = self._check_metadata()
        if problems:
            raise K8sDslError(
                problems, summary=f"invalid {type(self).__name__} at {self.node.path}"
            )

    def _adapt_template(self, template: PodTemplate) -> PodTemplate:
        """The template as this controller runs it (subclasses drop what does not apply)."""
        return template

    def _template_dict(self) -> dict[str, Any]:
        chart = self.find_chart()
        chart_labels = dict(getattr(chart, "labels", None) or {})
        return {
            "metadata": self.template.metadata(extra_labels=chart_labels),
            "spec": self.template.spec(),
        }

    def expose(
        self,
        *,
        port: int,
        target_port: int | str | None = None,
        name: str | None = None,
        id: str | None = None,
        port_name: str | None = None,
        type: ServiceType | str | None = None,
    ) -> Service:
        """A Service selecting this workload's pods (``kubectl expose``), in the same scope.

        ``target_port`` defaults to the first port of the first container (by name when it
        has one). The Service is named like the workload unless ``name`` is given.
        """
        if target_port is None:
            first = next((p for c in self.template.containers for p in c.ports or ()), None)
            if first is None:
                raise K8sDslError(
                    [
                        Finding(
                            Severity.ERROR,
                            "workloads/expose-no-port",
                            "no container declares a port, so the Service has no target",
                            self.ref(),
                            "target_port",
                            "pass target_port= or declare ports= on a container",
                        )
                    ],
                    summary=f"cannot expose {self.__class__.__name__} at {self.node.path}",
                )
            target_port = first.name or first.container_port
        scope = self.node.scope
        assert scope is not None
        return Service(
            scope,
            id or f"{self.node.id}-service",
            name=name or self.name,
            namespace=self._namespace,
            selector=self.selector,
            type=type,
            ports=[ServicePort.tcp(port, target_port=target_port, name=port_name)],
        )


class Deployment(_Workload):
    """A Deployment: ``replicas`` copies of ``template``, replaced by rolling update.

    ``replicas`` unset leaves Kubernetes' default (1) and lets an autoscaler own the count.
    ``strategy`` defaults to :data:`DEFAULT_DEPLOYMENT_STRATEGY` (RollingUpdate,
    ``maxSurge: 25%``, ``maxUnavailable: 0``), which the course notes recommend for rolling
    out security updates without downtime.
    """

    api_version: ClassVar[str] = "apps/v1"
    kind: ClassVar[str] = "Deployment"

    def __init__(
        self,
        scope: Construct,
        id: str,
        *,
        template: PodTemplate,
        replicas: int | None = None,
        strategy: DeploymentStrategy | None = DEFAULT_DEPLOYMENT_STRATEGY,
        selector: Mapping[str, str] | None = None,
        min_ready_seconds: int | None = None,
        revision_history_limit: int | None = None,
        progress_deadline_seconds: int | None = None,
        name: str | None = None,
        namespace: str | None = None,
        labels: Mapping[str, str] | None = None,
        annotations: Mapping[str, str] | None = None,
    ) -> None:
        super().__init__(
            scope,
            id,
            template=template,
            selector=selector,
            name=name,
            namespace=namespace,
            labels=labels,
            annotations=annotations,
        )
        with self._values():
            self.spec = _DeploymentSpec(
                replicas=replicas,
                strategy=strategy,
                min_ready_seconds=min_ready_seconds,
                revision_history_limit=revision_history_limit,
                progress_deadline_seconds=progress_deadline_seconds,
            )
        problem = restart_policy_problem(self.kind, _policy(self.template.restart_policy))
        if problem is not None:
            raise K8sDslError(
                [
                    Finding(
                        Severity.ERROR,
                        "workloads/restart-policy",
                        problem[0],
                        self.ref(),
                        "spec.template.spec.restartPolicy",
                        problem[1],
                    )
                ],
                summary=f"invalid Deployment at {self.node.path}",
            )

    def _body(self) -> dict[str, Any]:
        spec = self.spec.to_k8s()
        spec["selector"] = {"matchLabels": dict(self.selector)}
        spec["template"] = self._template_dict()
        return {"spec": spec}


class _DeploymentSpec(K8sModel):
    replicas: Annotated[int, Field(ge=0)] | None = None
    strategy: DeploymentStrategy | None = None
    min_ready_seconds: Annotated[int, Field(ge=0)] | None = None
    revision_history_limit: Annotated[int, Field(ge=0)] | None = None
    progress_deadline_seconds: Annotated[int, Field(ge=1)] | None = None

    @model_validator(mode="after")
    def _deadline_after_ready(self) -> Self:
        if (
            self.progress_deadline_seconds is not None
            and self.min_ready_seconds is not None
            and self.progress_deadline_seconds <= self.min_ready_seconds
        ):
            raise PydanticCustomError(
                "progress_deadline",
                "progress_deadline_seconds must be greater than min_ready_seconds",
                {"hint": "raise progress_deadline_seconds above min_ready_seconds"},
            )
        return self


class DaemonSet(_Workload):
    """A DaemonSet: one pod of ``template`` on every (selected) node.

    ``update_strategy`` unset leaves Kubernetes' default (RollingUpdate,
    ``maxUnavailable: 1``).
    """

    api_version: ClassVar[str] = "apps/v1"
    kind: ClassVar[str] = "DaemonSet"

    def __init__(
        self,
        scope: Construct,
        id: str,
        *,
        template: PodTemplate,
        update_strategy: DaemonSetUpdateStrategy | None = None,
        selector: Mapping[str, str] | None = None,
        min_ready_seconds: int | None = None,
        revision_history_limit: int | None = None,
        name: str | None = None,
        namespace: str | None = None,
        labels: Mapping[str, str] | None = None,
        annotations: Mapping[str, str] | None = None,
    ) -> None:
        super().__init__(
            scope,
            id,
            template=template,
            selector=selector,
            name=name,
            namespace=namespace,
            labels=labels,
            annotations=annotations,
        )
        with self._values():
            self.spec = _DaemonSetSpec(
                update_strategy=update_strategy,
                min_ready_seconds=min_ready_seconds,
                revision_history_limit=revision_history_limit,
            )
        problem = restart_policy_problem(self.kind, _policy(self.template.restart_policy))
        if problem is not None:
            raise K8sDslError(
                [
                    Finding(
                        Severity.ERROR,
                        "workloads/restart-policy",
                        problem[0],
                        self.ref(),
                        "spec.template.spec.restartPolicy",
                        problem[1],
                    )
                ],
                summary=f"invalid DaemonSet at {self.node.path}",
            )

    def _body(self) -> dict[str, Any]:
        spec = self.spec.to_k8s()
        spec["selector"] = {"matchLabels": dict(self.selector)}
        spec["template"] = self._template_dict()
        return {"spec": spec}


class _DaemonSetSpec(K8sModel):
    update_strategy: DaemonSetUpdateStrategy | None = None
    min_ready_seconds: Annotated[int, Field(ge=0)] | None = None
    revision_history_limit: Annotated[int, Field(ge=0)] | None = None


class Job(_Workload):
    """A Job: run ``template`` to completion.

    The pods' ``restartPolicy`` defaults to ``Never`` (a Job rejects the pod default,
    ``Always``); ``backoff_limit`` unset leaves Kubernetes' default (6 retries).
    ``ttl_seconds_after_finished`` deletes the finished Job and its pods. The Job's
    selector is generated by Kubernetes, so ``selector`` is not offered: its pods are
    labelled ``app.kubernetes.io/name: <name>`` for Services and NetworkPolicies.
    """

    api_version: ClassVar[str] = "batch/v1"
    kind: ClassVar[str] = "Job"

    def __init__(
        self,
        scope: Construct,
        id: str,
        *,
        template: PodTemplate,
        backoff_limit: int | None = None,
        completions: int | None = None,
        parallelism: int | None = None,
        active_deadline_seconds: int | None = None,
        ttl_seconds_after_finished: int | None = None,
        name: str | None = None,
        namespace: str | None = None,
        labels: Mapping[str, str] | None = None,
        annotations: Mapping[str, str] | None = None,
    ) -> None:
        if isinstance(template, PodTemplate) and template.restart_policy is None:
            template = template.updated(restart_policy=RestartPolicy.NEVER)
        super().__init__(
            scope,
            id,
            template=template,
            selector=None,
            name=name,
            namespace=namespace,
            labels=labels,
            annotations=annotations,
        )
        problem = restart_policy_problem(self.kind, _policy(self.template.restart_policy))
        if problem is not None:
            raise K8sDslError(
                [
                    Finding(
                        Severity.ERROR,
                        "workloads/restart-policy",
                        problem[0],
                        self.ref(),
                        "spec.template.spec.restartPolicy",
                        problem[1],
                    )
                ],
                summary=f"invalid Job at {self.node.path}",
            )
        with self._values():
            self.spec = _JobSpec(
                backoff_limit=backoff_limit,
                completions=completions,
                parallelism=parallelism,
                active_deadline_seconds=active_deadline_seconds,
                ttl_seconds_after_finished=ttl_seconds_after_finished,
            )

    def _adapt_template(self, template: PodTemplate) -> PodTemplate:
        # Pods that run to completion are not probed: the probes exemption a
        # SecurePodTemplate records for port-less containers is noise on a Job.
        return without_automatic_probes_exemption(template)

    def _body(self) -> dict[str, Any]:
        spec = self.spec.to_k8s()
        spec["template"] = self._template_dict()
        return {"spec": spec}


class _JobSpec(K8sModel):
    backoff_limit: Annotated[int, Field(ge=0)] | None = None
    completions: Annotated[int, Field(ge=0)] | None = None
    parallelism: Annotated[int, Field(ge=0)] | None = None
    active_deadline_seconds: Annotated[int, Field(ge=1)] | None = None
    ttl_seconds_after_finished: Annotated[int, Field(ge=0)] | None = None


__all__ = [
    "DEFAULT_DEPLOYMENT_STRATEGY",
    "DaemonSet",
    "DaemonSetUpdateStrategy",
    "Deployment",
    "DeploymentStrategy",
    "DeploymentStrategyType",
    "Job",
    "NAME_LABEL",
    "RollingUpdate",
]
