"""StatefulSet: pods with stable names (``<name>-0``, ``<name>-1``...), a claim per pod from
``volume_claim_templates``, and a headless Service that gives each pod a DNS name.

A :class:`VolumeClaimTemplate` is mounted like a volume (``data.mount("/var/lib/db")``); the
mount names the claim template, and the StatefulSet controller adds the pod's own claim
(``<template>-<statefulset>-<ordinal>``) as the volume, so the pod spec lists no volume for it.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from enum import StrEnum
from typing import Annotated, Any, ClassVar, Self

from pydantic import Field, model_validator
from pydantic_core import PydanticCustomError

from k8sdsl.core._construct import Construct
from k8sdsl.core._findings import Finding, K8sDslError, Severity
from k8sdsl.core._model import K8sModel
from k8sdsl.core._quantity import Quantity
from k8sdsl.core._restart_policy import restart_policy_problem
from k8sdsl.core._types import DnsLabel, LabelKey, LabelValue
from k8sdsl.volumes._claim import PersistentVolumeClaimSpec, VolumeResourceRequirements
from k8sdsl.volumes._enums import AccessMode, MountPropagation, VolumeMode
from k8sdsl.volumes._sources import PersistentVolumeClaimVolumeSource
from k8sdsl.volumes._volume import Mount, Volume, VolumeDevice
from k8sdsl.workloads._deployment import _Workload
from k8sdsl.workloads._pod import (
    ClaimTemplateVolume,
    PodTemplate,
    claim_template_volumes,
)
from k8sdsl.workloads._service import Service, ServicePort, ServiceType


class PodManagementPolicy(StrEnum):
    """How pods are created and deleted. Kubernetes' default is ``OrderedReady`` (one at a
    time, each Ready before the next); ``Parallel`` starts and stops them all at once."""

    ORDERED_READY = "OrderedReady"
    PARALLEL = "Parallel"


class StatefulSetRollingUpdate(K8sModel):
    """``partition``: only pods with an ordinal >= partition are updated (a canary of the
    highest ordinals; 0 updates every pod)."""

    partition: Annotated[int, Field(ge=0)] | None = None


class StatefulSetUpdateStrategy(K8sModel):
    """``StatefulSetUpdateStrategy.rolling(partition=2)`` (Kubernetes' default, RollingUpdate,
    from the highest ordinal down) or ``.on_delete()`` (a pod is replaced only when deleted)."""

    type: str
    rolling_update: StatefulSetRollingUpdate | None = None

    @classmethod
    def rolling(cls, *, partition: int | None = None) -> StatefulSetUpdateStrategy:
        return cls(
            type="RollingUpdate",
            rolling_update=StatefulSetRollingUpdate(partition=partition)
            if partition is not None
            else None,
        )

    @classmethod
    def on_delete(cls) -> StatefulSetUpdateStrategy:
        return cls(type="OnDelete")


class ClaimRetention(StrEnum):
    """What happens to a pod's claims: ``Retain`` (Kubernetes' default: they outlive the pod
    and the StatefulSet) or ``Delete``."""

    RETAIN = "Retain"
    DELETE = "Delete"


class PersistentVolumeClaimRetentionPolicy(K8sModel):
    """When the claims of ``volume_claim_templates`` are deleted: ``when_deleted`` (the
    StatefulSet is deleted) and ``when_scaled`` (a replica is removed by scaling down). Both
    default to ``Retain`` in Kubernetes: the data stays until you delete the claims."""

    when_deleted: ClaimRetention | None = None
    when_scaled: ClaimRetention | None = None


class VolumeClaimTemplate(K8sModel):
    """One claim per pod: ``VolumeClaimTemplate.of("data", storage="10Gi")``.

    The claim of pod ``<sts>-<n>`` is named ``<name>-<sts>-<n>`` and stays bound to that pod
    across restarts and rescheduling, so a ReadWriteOnce class is fine (each pod has its
    own). Mount it with :meth:`mount` (or :meth:`device` for ``volume_mode=Block``).
    ``storage_class_name`` unset uses the cluster's default class.
    """

    k8s_type = "PersistentVolumeClaim"

    name: DnsLabel
    spec: PersistentVolumeClaimSpec
    labels: dict[LabelKey, LabelValue] | None = None
    annotations: dict[LabelKey, str] | None = None

    @classmethod
    def of(
        cls,
        name: str,
        /,
        *,
        storage: str | Quantity,
        access_modes: Sequence[AccessMode] = (AccessMode.READ_WRITE_ONCE,),
        storage_class_name: str | None = None,
        volume_mode: VolumeMode | None = None,
        labels: Mapping[str, str] | None = None,
        annotations: Mapping[str, str] | None = None,
    ) -> VolumeClaimTemplate:
        """A claim template of ``storage`` bytes per pod; ``access_modes`` defaults to
        ``[ReadWriteOnce]``."""
        return cls(
            name=name,
            spec=PersistentVolumeClaimSpec(
                access_modes=access_modes,
                resources=VolumeResourceRequirements(requests={"storage": storage}),
                storage_class_name=storage_class_name,
                volume_mode=volume_mode,
            ),
            labels=dict(labels) if labels else None,
            annotations=dict(annotations) if annotations else None,
        )

    @property
    def volume(self) -> Volume:
        """The stand-in volume a mount of this template carries (the StatefulSet leaves it
        out of the pod spec: the controller adds the pod's claim under this name)."""
        return ClaimTemplateVolume(
            name=self.name, source=PersistentVolumeClaimVolumeSource(claim_name=self.name)
        )

    def mount(
        self,
        mount_path: str,
        *,
        read_only: bool | None = None,
        sub_path: str | None = None,
        sub_path_expr: str | None = None,
        mount_propagation: MountPropagation | None = None,
    ) -> Mount:
        """The pod's claim from this template, mounted at ``mount_path``."""
        return self.volume.mount(
            mount_path,
            read_only=read_only,
            sub_path=sub_path,
            sub_path_expr=sub_path_expr,
            mount_propagation=mount_propagation,
        )

    def device(self, device_path: str) -> VolumeDevice:
        """The pod's (Block mode) claim as a raw device at ``device_path``."""
        return self.volume.device(device_path)

    def to_k8s(self) -> dict[str, Any]:
        meta: dict[str, Any] = {"name": self.name}
        if self.labels:
            meta["labels"] = dict(self.labels)
        if self.annotations:
            meta["annotations"] = dict(self.annotations)
        return {"metadata": meta, "spec": self.spec.to_k8s()}


class _StatefulSetSpec(K8sModel):
    replicas: Annotated[int, Field(ge=0)] | None = None
    pod_management_policy: PodManagementPolicy | None = None
    update_strategy: StatefulSetUpdateStrategy | None = None
    persistent_volume_claim_retention_policy: PersistentVolumeClaimRetentionPolicy | None = None
    ordinals_start: Annotated[int, Field(ge=0)] | None = None
    min_ready_seconds: Annotated[int, Field(ge=0)] | None = None
    revision_history_limit: Annotated[int, Field(ge=0)] | None = None
    volume_claim_templates: tuple[VolumeClaimTemplate, ...] | None = None

    @model_validator(mode="after")
    def _unique_templates(self) -> Self:
        names = [t.name for t in self.volume_claim_templates or ()]
        dupes = sorted({n for n in names if names.count(n) > 1})
        if dupes:
            raise PydanticCustomError(
                "duplicate_claim_template",
                "claim template name(s) {names} used twice",
                {"names": ", ".join(dupes), "hint": "give each claim template its own name"},
            )
        return self


class StatefulSet(_Workload):
    """A StatefulSet: ``replicas`` pods of ``template`` named ``<name>-<ordinal>``.

    ``service_name`` is the headless Service that gives each pod a DNS name
    (``<name>-0.<service>``); unset, it is the StatefulSet's own name, and
    :meth:`headless_service` creates that Service. ``volume_claim_templates`` give each pod
    its own claim; containers mount them with ``template.mount(...)``. ``replicas`` unset
    leaves Kubernetes' default (1); ``pod_management_policy``, ``update_strategy`` and
    ``persistent_volume_claim_retention_policy`` unset leave Kubernetes' defaults
    (OrderedReady, RollingUpdate, Retain). ``ordinals_start`` numbers the pods from another
    ordinal than 0.
    """

    api_version: ClassVar[str] = "apps/v1"
    kind: ClassVar[str] = "StatefulSet"
    _takes_claim_templates: ClassVar[bool] = True

    def __init__(
        self,
        scope: Construct,
        id: str,
        *,
        template: PodTemplate,
        replicas: int | None = None,
        service_name: str | Service | None = None,
        volume_claim_templates: Sequence[VolumeClaimTemplate] | None = None,
        pod_management_policy: PodManagementPolicy | str | None = None,
        update_strategy: StatefulSetUpdateStrategy | None = None,
        persistent_volume_claim_retention_policy: PersistentVolumeClaimRetentionPolicy
        | None = None,
        ordinals_start: int | None = None,
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
            self.spec = _StatefulSetSpec(
                replicas=replicas,
                pod_management_policy=pod_management_policy,
                update_strategy=update_strategy,
                persistent_volume_claim_retention_policy=persistent_volume_claim_retention_policy,
                ordinals_start=ordinals_start,
                min_ready_seconds=min_ready_seconds,
                revision_history_limit=revision_history_limit,
                volume_claim_templates=tuple(volume_claim_templates)
                if volume_claim_templates is not None
                else None,
            )
        policy = self.template.restart_policy
        problem = restart_policy_problem(self.kind, policy.value if policy is not None else None)
        if problem is not None:
            self._fail(
                "workloads/restart-policy",
                problem[0],
                "spec.template.spec.restartPolicy",
                problem[1],
            )
        self._check_claim_volumes()
        self.service_name: str = self.name
        self._service: Service | None = None
        if isinstance(service_name, Service):
            self._service = service_name
            self._check_service(service_name)
            self.service_name = service_name.name
        elif isinstance(service_name, str):
            self.service_name = service_name
        elif service_name is not None:
            self._fail(
                "value/service-name",
                f"service_name is {type(service_name).__name__}, not a Service or a name",
                "spec.serviceName",
                "pass service_name=<headless Service> or its name",
            )

    def _fail(self, code: str, message: str, path: str, hint: str) -> None:
        raise K8sDslError(
            [Finding(Severity.ERROR, code, message, self.ref(), path, hint)],
            summary=f"invalid StatefulSet at {self.node.path}",
        )

    @property
    def claim_templates(self) -> tuple[VolumeClaimTemplate, ...]:
        return self.spec.volume_claim_templates or ()

    def _check_claim_volumes(self) -> None:
        # a pod volume named like a claim template would be replaced by the pod's claim
        templates = {t.name: t for t in self.claim_templates}
        for volume in self.template.pod_volumes():
            template = templates.get(volume.name)
            if template is not None and volume != template.volume:
                self._fail(
                    "workloads/claim-template-volume",
                    f"pod volume {volume.name!r} has the name of a claim template: the "
                    "controller would mount the pod's claim in its place",
                    "spec.template.spec.volumes",
                    f"mount the claim template with its .mount(), or rename the volume "
                    f"{volume.name!r}",
                )
        for stand_in in claim_template_volumes(self.template):
            if stand_in.name not in templates:
                self._fail(
                    "workloads/claim-template-volume",
                    f"a container mounts claim template {stand_in.name!r}, which is not in "
                    "volume_claim_templates",
                    "spec.volumeClaimTemplates",
                    f"pass volume_claim_templates=[..., <the {stand_in.name!r} template>]",
                )

    def _check_service(self, service: Service) -> None:
        if service.spec.cluster_ip != "None":
            self._fail(
                "workloads/statefulset-service",
                f"Service {service.name!r} is not headless (clusterIP None): its pods get no "
                "DNS name of their own",
                "spec.serviceName",
                "use statefulset.headless_service(...), or Service(..., cluster_ip='None')",
            )
        selected = service.selector
        if not selected or any(
            (self.template.labels or {}).get(k) != v for k, v in selected.items()
        ):
            shown = ", ".join(f"{k}={v}" for k, v in sorted(selected.items())) or "nothing"
            self._fail(
                "workloads/statefulset-service",
                f"Service {service.name!r} selects {shown}, not the pods of this StatefulSet",
                "spec.serviceName",
                f"select {self.selector} in the Service (or use statefulset.headless_service())",
            )

    def headless_service(
        self,
        *,
        ports: Sequence[ServicePort | int] | None = None,
        id: str | None = None,
        publish_not_ready_addresses: bool | None = None,
    ) -> Service:
        """The headless Service named ``service_name``, selecting this StatefulSet's pods, in
        the same scope. ``ports`` default to the containers' ports (by name)."""
        if self._service is not None:
            self._fail(
                "value/service-name",
                f"the StatefulSet already has its Service {self._service.name!r} "
                "(service_name=): a second one would have the same name",
                "ports",
                "drop service_name= to let headless_service() create it, or do not call it",
            )
        if ports is None:
            declared = [p for c in self.template.containers for p in c.ports or ()]
            ports = [
                ServicePort.tcp(
                    p.container_port, target_port=p.name or p.container_port, name=p.name
                )
                if p.protocol is None or p.protocol.value == "TCP"
                else ServicePort.udp(
                    p.container_port, target_port=p.name or p.container_port, name=p.name
                )
                for p in declared
            ]
        if not ports:
            self._fail(
                "workloads/expose-no-port",
                "no container declares a port, so the headless Service has no port",
                "ports",
                "pass ports= or declare ports= on a container",
            )
        scope = self.node.scope
        assert scope is not None
        return Service(
            scope,
            id or f"{self.node.id}-headless",
            name=self.service_name,
            namespace=self._namespace,
            selector=self.selector,
            type=ServiceType.CLUSTER_IP,
            cluster_ip="None",
            ports=ports,
            publish_not_ready_addresses=publish_not_ready_addresses,
        )

    def _template_dict(self) -> dict[str, Any]:
        out = super()._template_dict()
        names = {v.name for v in claim_template_volumes(self.template)}
        volumes = [v for v in out["spec"].get("volumes", []) if v.get("name") not in names]
        if volumes:
            out["spec"]["volumes"] = volumes
        else:
            out["spec"].pop("volumes", None)
        return out

    def _body(self) -> dict[str, Any]:
        spec = self.spec.to_k8s()
        spec.pop("volumeClaimTemplates", None)
        start = spec.pop("ordinalsStart", None)
        if start is not None:
            spec["ordinals"] = {"start": start}
        if self.claim_templates:
            spec["volumeClaimTemplates"] = [t.to_k8s() for t in self.claim_templates]
        spec["serviceName"] = self.service_name
        spec["selector"] = {"matchLabels": dict(self.selector)}
        spec["template"] = self._template_dict()
        return {"spec": spec}


__all__ = [
    "ClaimRetention",
    "PersistentVolumeClaimRetentionPolicy",
    "PodManagementPolicy",
    "StatefulSet",
    "StatefulSetRollingUpdate",
    "StatefulSetUpdateStrategy",
    "VolumeClaimTemplate",
]
