"""Pods and pod templates.

:class:`PodTemplate` is the value every workload takes (Deployment, DaemonSet, Job);
:class:`Pod` is a resource that renders one Pod from the same fields. Nothing is defaulted
here: :class:`k8sdsl.workloads.SecurePodTemplate` and :class:`~k8sdsl.workloads.SecurePod`
add the secure defaults.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from enum import StrEnum
from typing import Annotated, Any, ClassVar, Self, TypedDict

from pydantic import Field, TypeAdapter, field_validator, model_validator
from pydantic_core import PydanticCustomError
from typing_extensions import Unpack

from k8sdsl.core._construct import Construct, Resource
from k8sdsl.core._dns import DnsConfig, DnsPolicy
from k8sdsl.core._findings import Finding, K8sDslError, ObjectRef, Severity
from k8sdsl.core._model import K8sModel
from k8sdsl.core._secret_source import SecretSource, secret_name
from k8sdsl.core._types import DnsLabel, DnsSubdomain, LabelKey, LabelValue
from k8sdsl.security._exemptions import Exemption, exemption_annotations
from k8sdsl.security._service_account import ServiceAccount
from k8sdsl.volumes._mounts import collect_volumes
from k8sdsl.volumes._volume import Mount, Volume, VolumeDevice
from k8sdsl.workloads._container import Container
from k8sdsl.workloads._scheduling import (
    Affinity,
    TaintEffect,
    Toleration,
    TolerationOperator,
    TopologySpreadConstraint,
)
from k8sdsl.workloads._security_context import PodSecurityContext


class RestartPolicy(StrEnum):
    """What the kubelet does when a container exits. Kubernetes' default is ``Always``;
    a Job's pods must use ``Never`` or ``OnFailure``."""

    ALWAYS = "Always"
    ON_FAILURE = "OnFailure"
    NEVER = "Never"


class OsName(StrEnum):
    LINUX = "linux"
    WINDOWS = "windows"


class PodOS(K8sModel):
    name: OsName


class ClaimTemplateVolume(Volume):
    """The stand-in volume a StatefulSet claim template's mount carries: the StatefulSet
    leaves it out of the pod spec (its controller adds the pod's claim under this name);
    any other pod or controller refuses it."""


def claim_template_volumes(template: PodTemplate) -> list[Volume]:
    """The claim-template stand-ins the template's containers mount."""
    return [v for v in template.pod_volumes() if isinstance(v, ClaimTemplateVolume)]


def refuse_claim_templates(template: PodTemplate, owner: str) -> Finding | None:
    """A finding when a pod that is not a StatefulSet's mounts a claim template."""
    stand_ins = claim_template_volumes(template)
    if not stand_ins:
        return None
    name = stand_ins[0].name
    return Finding(
        Severity.ERROR,
        "workloads/claim-template-volume",
        f"a container mounts claim template {name!r}, which only a StatefulSet can give its "
        f"pods (this is a {owner})",
        ObjectRef(kind=owner),
        "spec.template.spec.volumes",
        "use a StatefulSet with volume_claim_templates=[...], or mount a Volume (a "
        "PersistentVolumeClaim: Volume.claim(...); a per-pod ephemeral claim: "
        "Volume.ephemeral(...))",
    )


class LocalObjectName(K8sModel):
    name: DnsSubdomain


Seconds = Annotated[int, Field(ge=0)]


class PodTemplate(K8sModel):
    """A pod's labels, annotations and spec: what Deployment, DaemonSet and Job run.

    ``volumes`` lists volumes that no container mounts (rare); mounted volumes come from the
    containers' ``mounts`` and appear in ``spec.volumes`` once each. ``exemptions`` record,
    in annotations, every control this pod is allowed to weaken and why.
    ``image_pull_secrets`` are Secret names, or what makes each (an ``ExternalSecret``, a
    ``SealedSecret``, a declared Secret). Every field is unset unless given.
    """

    k8s_type = "PodTemplateSpec"

    labels: dict[LabelKey, LabelValue] | None = None
    annotations: dict[LabelKey, str] | None = None
    containers: tuple[Container, ...] = Field(min_length=1)
    init_containers: tuple[Container, ...] | None = None
    volumes: tuple[Volume, ...] | None = None
    security_context: PodSecurityContext | None = None
    service_account_name: DnsSubdomain | None = None
    automount_service_account_token: bool | None = None
    dns_policy: DnsPolicy | None = None
    dns_config: DnsConfig | None = None
    hostname: DnsLabel | None = None
    subdomain: DnsLabel | None = None
    host_network: bool | None = None
    host_pid: bool | None = Field(default=None, serialization_alias="hostPID")
    host_ipc: bool | None = Field(default=None, serialization_alias="hostIPC")
    host_users: bool | None = None
    node_selector: dict[LabelKey, LabelValue] | None = None
    affinity: Affinity | None = None
    topology_spread_constraints: tuple[TopologySpreadConstraint, ...] | None = None
    tolerations: tuple[Toleration, ...] | None = None
    priority_class_name: DnsSubdomain | None = None
    runtime_class_name: DnsSubdomain | None = None
    restart_policy: RestartPolicy | None = None
    termination_grace_period_seconds: Seconds | None = None
    active_deadline_seconds: Annotated[int, Field(ge=1)] | None = None
    image_pull_secrets: tuple[DnsSubdomain, ...] | None = None
    os: PodOS | None = None
    share_process_namespace: bool | None = None
    enable_service_links: bool | None = None
    exemptions: tuple[Exemption, ...] | None = None

    @field_validator("image_pull_secrets", mode="before")
    @classmethod
    def _pull_secret_names(cls, value: Any) -> Any:
        """An ``ExternalSecret``, a ``SealedSecret`` or a declared Secret stands for the
        Secret it is or makes."""
        if isinstance(value, (list, tuple)):
            return tuple(secret_name(v) if isinstance(v, SecretSource) else v for v in value)
        return value

    @field_validator("os", mode="before")
    @classmethod
    def _os_name(cls, value: Any) -> Any:
        return {"name": value} if isinstance(value, str) else value

    @model_validator(mode="before")
    @classmethod
    def _service_account(cls, data: Any) -> Any:
        """``service_account=sa``: the pods run as that ServiceAccount construct, by name."""
        if not isinstance(data, dict) or "service_account" not in data:
            return data
        data = dict(data)
        account = data.pop("service_account")
        if not isinstance(account, ServiceAccount):
            raise PydanticCustomError(
                "service_account",
                "service_account takes a ServiceAccount construct",
                {
                    "hint": "pass service_account=ServiceAccount(chart, ...), or a name as "
                    "service_account_name='...'"
                },
            )
        named = data.get("service_account_name")
        if named is not None and named != account.name:
            raise PydanticCustomError(
                "service_account",
                "service_account and service_account_name name different accounts",
                {"hint": "pass one of them"},
            )
        data["service_account_name"] = account.name
        return data

    @model_validator(mode="after")
    def _consistent(self) -> Self:
        names = [c.name for c in (*self.containers, *(self.init_containers or ()))]
        dupes = sorted({n for n in names if names.count(n) > 1})
        if dupes:
            raise PydanticCustomError(
                "duplicate_container",
                "container name(s) {names} used twice",
                {"names": ", ".join(dupes), "hint": "give each container its own name"},
            )
        for c in self.containers:
            if c.restart_policy is not None:
                raise PydanticCustomError(
                    "container_restart_policy",
                    "container '{name}': restart_policy is only for init containers (sidecars)",
                    {"name": c.name, "hint": "move it to init_containers or drop restart_policy"},
                )
        for c in self.init_containers or ():
            sidecar = c.restart_policy is not None
            probes = [
                f
                for f in ("liveness_probe", "readiness_probe", "startup_probe", "lifecycle")
                if getattr(c, f) is not None
            ]
            if probes and not sidecar:
                raise PydanticCustomError(
                    "init_container_probe",
                    "init container '{name}' sets {fields}: only sidecars (restart_policy "
                    "Always) may have probes or lifecycle hooks",
                    {
                        "name": c.name,
                        "fields": ", ".join(probes),
                        "hint": "set restart_policy=ContainerRestartPolicy.ALWAYS or drop them",
                    },
                )
        for c in (*self.containers, *(self.init_containers or ())):
            for field in ("liveness_probe", "readiness_probe", "startup_probe"):
                probe = getattr(c, field)
                handler = probe and (probe.http_get or probe.tcp_socket)
                if handler and isinstance(handler.port, str) and c.port_named(handler.port) is None:
                    raise PydanticCustomError(
                        "probe_port",
                        "container '{name}': {field} uses port '{port}', which the container "
                        "does not name",
                        {
                            "name": c.name,
                            "field": field,
                            "port": handler.port,
                            "hint": "name the port in ports=[ContainerPort.tcp(..., name=...)] "
                            "or use its number",
                        },
                    )
        self._check_volumes()
        return self

    def _check_volumes(self) -> None:
        # two different volumes with one name: the API server would reject the pod
        try:
            self.pod_volumes()
        except K8sDslError as exc:
            first = exc.findings[0]
            raise PydanticCustomError(
                "duplicate_volume", first.message, {"hint": first.hint}
            ) from None

    # -- reading ----------------------------------------------------------------------------

    def all_containers(self) -> tuple[Container, ...]:
        return (*(self.init_containers or ()), *self.containers)

    def pod_volumes(self) -> list[Volume]:
        """Every volume the pod needs: the mounted ones and the extra ``volumes``, once each."""
        mounts: list[Mount | VolumeDevice] = []
        for c in self.all_containers():
            mounts += [*(c.mounts or ()), *(c.volume_devices or ())]
        return list(collect_volumes(mounts, list(self.volumes or ())))

    def metadata(self, *, extra_labels: Mapping[str, str] | None = None) -> dict[str, Any]:
        """The template's metadata: labels (``extra_labels`` first) and annotations, with
        the exemptions recorded (k8sdsl's annotation; checkov reads the workload's)."""
        meta: dict[str, Any] = {}
        labels = {**(extra_labels or {}), **(self.labels or {})}
        if labels:
            meta["labels"] = labels
        annotations = {
            **(self.annotations or {}),
            **exemption_annotations(self.exemptions or (), checkov=False),
        }
        if annotations:
            meta["annotations"] = annotations
        return meta

    def spec(self) -> dict[str, Any]:
        """The pod spec dict (camelCase), volumes collected from the mounts."""
        out = self.model_dump(
            by_alias=True,
            exclude_none=True,
            mode="json",
            exclude={
                "labels",
                "annotations",
                "containers",
                "init_containers",
                "volumes",
                "image_pull_secrets",
                "exemptions",
            },
        )
        out["containers"] = [c.to_k8s() for c in self.containers]
        if self.init_containers:
            out["initContainers"] = [c.to_k8s() for c in self.init_containers]
        volumes = self.pod_volumes()
        if volumes:
            out["volumes"] = [v.to_k8s() for v in volumes]
        if self.image_pull_secrets:
            out["imagePullSecrets"] = [{"name": n} for n in self.image_pull_secrets]
        return out

    def to_k8s(self) -> dict[str, Any]:
        """The ``PodTemplateSpec`` dict: ``{"metadata": ..., "spec": ...}``."""
        meta = self.metadata()
        return {**({"metadata": meta} if meta else {}), "spec": self.spec()}

    def updated(self, **fields: Any) -> Self:
        """A validated copy with ``fields`` replaced. A SecurePodTemplate stays one (its
        defaults only fill what is unset, so applying them again changes nothing)."""
        data = {name: getattr(self, name) for name in type(self).model_fields}
        data.update(fields)
        data = {k: v for k, v in data.items() if v is not None and v != {}}
        return type(self)(**data)

    def with_labels(self, labels: Mapping[str, str]) -> Self:
        """A copy with ``labels`` added (the template's own labels win).

        Only the labels are validated again: no other field changes, and re-validating the
        whole template (containers, security contexts) for every workload is the single
        largest cost in a fleet's synth.
        """
        merged = _LABELS.validate_python({**labels, **(self.labels or {})})
        return self.model_copy(update={"labels": merged})


_LABELS: TypeAdapter[dict[str, str]] = TypeAdapter(dict[LabelKey, LabelValue])


def workload_annotations(
    template: PodTemplate, annotations: Mapping[str, str] | None
) -> dict[str, str]:
    """A workload's own annotations plus its template's exemptions (with checkov's skips:
    checkov reads skips from the top-level object's metadata only)."""
    return {**dict(annotations or {}), **exemption_annotations(template.exemptions or ())}


class PodFields(TypedDict, total=False):
    """The :class:`PodTemplate` fields as keyword arguments of :class:`Pod` (typed, so a
    misspelt one fails mypy; at run time it is a ``construct/unknown-argument`` finding)."""

    containers: Sequence[Container]
    init_containers: Sequence[Container] | None
    volumes: Sequence[Volume] | None
    security_context: PodSecurityContext | None
    service_account_name: str | None
    #: the ServiceAccount construct the pods run as (its name is written; cannot be misspelt)
    service_account: ServiceAccount
    automount_service_account_token: bool | None
    dns_policy: DnsPolicy | str | None
    dns_config: DnsConfig | None
    hostname: str | None
    subdomain: str | None
    host_network: bool | None
    host_pid: bool | None
    host_ipc: bool | None
    host_users: bool | None
    node_selector: Mapping[str, str] | None
    affinity: Affinity | None
    topology_spread_constraints: Sequence[TopologySpreadConstraint] | None
    tolerations: Sequence[Toleration] | None
    priority_class_name: str | None
    runtime_class_name: str | None
    restart_policy: RestartPolicy | str | None
    termination_grace_period_seconds: int | None
    active_deadline_seconds: int | None
    image_pull_secrets: Sequence[str | SecretSource] | None
    os: PodOS | OsName | str | None
    share_process_namespace: bool | None
    enable_service_links: bool | None
    exemptions: Sequence[Exemption] | None


class Pod(Resource):
    """A bare Pod (``v1/Pod``).

    Takes the :class:`PodTemplate` fields as keyword arguments (``containers=`` is required)
    or a ready ``template=``. ``labels`` and ``annotations`` are the pod's own. Prefer a
    Deployment or Job for anything that must survive a node failure: nothing restarts a
    bare pod elsewhere.
    """

    api_version: ClassVar[str] = "v1"
    kind: ClassVar[str] = "Pod"
    #: the fields ``**spec`` takes (checked, with a "did you mean", before the body runs)
    _template_class: ClassVar[type[PodTemplate]] = PodTemplate

    def __init__(
        self,
        scope: Construct,
        id: str,
        *,
        template: PodTemplate | None = None,
        name: str | None = None,
        namespace: str | None = None,
        labels: Mapping[str, str] | None = None,
        annotations: Mapping[str, str] | None = None,
        **spec: Unpack[PodFields],
    ) -> None:
        super().__init__(scope, id, name=name, namespace=namespace)
        if template is not None and spec:
            raise K8sDslError(
                [
                    Finding(
                        Severity.ERROR,
                        "value/template-and-fields",
                        "pass template= or pod fields, not both",
                        self.ref(),
                        ", ".join(sorted(spec)),
                        f"drop {', '.join(sorted(spec))} or put them into the template",
                    )
                ],
                summary=f"invalid {type(self).__name__} at {self.node.path}",
            )
        with self._values():
            tpl = template if template is not None else self._make_template(dict(spec))
            if labels or annotations:
                tpl = tpl.updated(
                    labels={**(tpl.labels or {}), **dict(labels or {})},
                    annotations={**(tpl.annotations or {}), **dict(annotations or {})},
                )
        self.template: PodTemplate = tpl
        refused = refuse_claim_templates(tpl, type(self).__name__)
        if refused is not None:
            raise K8sDslError(
                [
                    Finding(
                        refused.severity,
                        refused.code,
                        refused.message,
                        self.ref(),
                        "spec.volumes",
                        refused.hint,
                    )
                ],
                summary=f"invalid {type(self).__name__} at {self.node.path}",
            )
        meta = tpl.metadata()
        self.labels = dict(meta.get("labels", {}))
        self.annotations = workload_annotations(tpl, tpl.annotations)
        problems = self._check_metadata()
        if problems:
            raise K8sDslError(
                problems, summary=f"invalid {type(self).__name__} at {self.node.path}"
            )

    def _make_template(self, spec: dict[str, Any]) -> PodTemplate:
        return PodTemplate(**spec)

    @property
    def containers(self) -> tuple[Container, ...]:
        return self.template.containers

    def _body(self) -> dict[str, Any]:
        return {"spec": self.template.spec()}


__all__ = [
    "ClaimTemplateVolume",
    "LocalObjectName",
    "OsName",
    "Pod",
    "PodFields",
    "PodOS",
    "PodTemplate",
    "RestartPolicy",
    "TaintEffect",
    "Toleration",
    "TolerationOperator",
    "claim_template_volumes",
    "refuse_claim_templates",
    "workload_annotations",
]
