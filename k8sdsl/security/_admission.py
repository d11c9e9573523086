"""In-cluster enforcement: the image and pod-security rules as a ValidatingAdmissionPolicy.

Synth checks what k8sdsl writes; the API server checks everything else that reaches the
cluster (``kubectl run``, other pipelines, controllers). :class:`PodAdmissionPolicy` emits a
``ValidatingAdmissionPolicy`` with one CEL validation per control plus its binding, so the
cluster refuses what synth would have refused.

``admissionregistration.k8s.io/v1`` is GA from Kubernetes 1.30. For 1.28 and 1.29 targets
the objects are written as ``v1beta1``, which those API servers serve only with the
``ValidatingAdmissionPolicy`` feature gate and ``--runtime-config=admissionregistration.
k8s.io/v1beta1=true``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import Any, ClassVar

from k8sdsl.core._construct import Construct, Resource
from k8sdsl.core._findings import Finding, K8sDslError, Severity
from k8sdsl.core._model import K8sModel
from k8sdsl.core._selectors import LabelSelector
from k8sdsl.core._types import NonEmptyStr
from k8sdsl.security._exemptions import EXEMPTION_PREFIX, Control
from k8sdsl.security._standards import (
    BASELINE_CAPABILITIES,
    RESTRICTED_VOLUME_TYPES,
    Level,
    safe_sysctls,
    selinux_types,
)


class FailurePolicy(StrEnum):
    """What the API server does when an expression errors. ``Fail`` (the default here)
    rejects the request: a policy that fails open enforces nothing under stress."""

    FAIL = "Fail"
    IGNORE = "Ignore"


class ValidationAction(StrEnum):
    DENY = "Deny"
    WARN = "Warn"
    AUDIT = "Audit"


class StatusReason(StrEnum):
    UNAUTHORIZED = "Unauthorized"
    FORBIDDEN = "Forbidden"
    INVALID = "Invalid"
    REQUEST_ENTITY_TOO_LARGE = "RequestEntityTooLarge"


class Validation(K8sModel):
    """One CEL expression that must be true for the request to be admitted."""

    expression: NonEmptyStr
    message: str | None = None
    reason: StatusReason | None = None


class Variable(K8sModel):
    """A named CEL expression, reachable as ``variables.<name>`` in the validations."""

    name: NonEmptyStr
    expression: NonEmptyStr


class MatchCondition(K8sModel):
    """A CEL pre-filter: the policy applies only to requests where it is true."""

    name: NonEmptyStr
    expression: NonEmptyStr


class ResourceRule(K8sModel):
    """API groups, versions, resources and operations the policy looks at."""

    api_groups: tuple[str, ...]
    api_versions: tuple[str, ...]
    resources: tuple[str, ...]
    operations: tuple[str, ...] = ("CREATE", "UPDATE")


def _api_version(resource: Resource) -> str:
    return (
        "admissionregistration.k8s.io/v1"
        if resource.k8s_version >= "1.30"
        else "admissionregistration.k8s.io/v1beta1"
    )


class ValidatingAdmissionPolicy(Resource):
    """A ``ValidatingAdmissionPolicy`` (cluster-scoped): CEL ``validations`` over the
    ``resource_rules`` it matches. ``failure_policy`` defaults to ``Fail``."""

    api_version: ClassVar[str] = "admissionregistration.k8s.io/v1"
    kind: ClassVar[str] = "ValidatingAdmissionPolicy"

    def __init__(
        self,
        scope: Construct,
        id: str,
        *,
        validations: Sequence[Validation],
        resource_rules: Sequence[ResourceRule],
        variables: Sequence[Variable] = (),
        match_conditions: Sequence[MatchCondition] = (),
        failure_policy: FailurePolicy = FailurePolicy.FAIL,
        name: str | None = None,
        labels: Mapping[str, str] | None = None,
        annotations: Mapping[str, str] | None = None,
    ) -> None:
        super().__init__(scope, id, name=name, labels=labels, annotations=annotations)
        if not validations:
            raise K8sDslError(
                [
                    Finding(
                        Severity.ERROR,
                        "admission/no-validations",
                        "a policy needs at least one validation",
                        self.ref(),
                        "spec.validations",
                        "pass validations=[...]",
                    )
                ]
            )
        self.validations = tuple(validations)
        self.resource_rules = tuple(resource_rules)
        self.variables = tuple(variables)
        self.match_conditions = tuple(match_conditions)
        self.failure_policy = FailurePolicy(failure_policy)

    def to_k8s(self) -> dict[str, Any]:
        obj = super().to_k8s()
        if self._api_object is None:
            obj["apiVersion"] = _api_version(self)
        return obj

    def _body(self) -> dict[str, Any]:
        spec: dict[str, Any] = {
            "failurePolicy": self.failure_policy.value,
            "matchConstraints": {"resourceRules": [r.to_k8s() for r in self.resource_rules]},
            "validations": [v.to_k8s() for v in self.validations],
        }
        if self.variables:
            spec["variables"] = [v.to_k8s() for v in self.variables]
        if self.match_conditions:
            spec["matchConditions"] = [c.to_k8s() for c in self.match_conditions]
        return {"spec": spec}


class ValidatingAdmissionPolicyBinding(Resource):
    """Binds a policy to the namespaces ``namespace_selector`` picks (all, when unset) with
    ``validation_actions`` (default ``Deny``)."""

    api_version: ClassVar[str] = "admissionregistration.k8s.io/v1"
    kind: ClassVar[str] = "ValidatingAdmissionPolicyBinding"

    def __init__(
        self,
        scope: Construct,
        id: str,
        *,
        policy: ValidatingAdmissionPolicy | str,
        validation_actions: Sequence[ValidationAction | str] = (ValidationAction.DENY,),
        namespace_selector: LabelSelector | None = None,
        name: str | None = None,
        labels: Mapping[str, str] | None = None,
        annotations: Mapping[str, str] | None = None,
    ) -> None:
        super().__init__(scope, id, name=name, labels=labels, annotations=annotations)
        self.policy_name = policy.name if isinstance(policy, ValidatingAdmissionPolicy) else policy
        actions = tuple(ValidationAction(a) for a in validation_actions)
        if ValidationAction.DENY in actions and ValidationAction.WARN in actions:
            raise K8sDslError(
                [
                    Finding(
                        Severity.ERROR,
                        "admission/deny-and-warn",
                        "Deny and Warn together are rejected by the API server",
                        self.ref(),
                        "spec.validationActions",
                        "use Deny (optionally with Audit), or Warn",
                    )
                ]
            )
        self.validation_actions = actions
        self.namespace_selector = namespace_selector

    def to_k8s(self) -> dict[str, Any]:
        obj = super().to_k8s()
        if self._api_object is None:
            obj["apiVersion"] = _api_version(self)
        return obj

    def _body(self) -> dict[str, Any]:
        spec: dict[str, Any] = {
            "policyName": self.policy_name,
            "validationActions": [a.value for a in self.validation_actions],
        }
        if self.namespace_selector is not None:
            spec["matchResources"] = {"namespaceSelector": self.namespace_selector.to_k8s()}
        return {"spec": spec}


# -- the pod policy ---------------------------------------------------------------------------

POD_RESOURCE_RULES = (
    ResourceRule(api_groups=("",), api_versions=("v1",), resources=("pods",)),
    ResourceRule(
        api_groups=("apps",),
        api_versions=("v1",),
        resources=("deployments", "daemonsets", "statefulsets", "replicasets"),
    ),
    ResourceRule(api_groups=("batch",), api_versions=("v1",), resources=("jobs", "cronjobs")),
)
"""Pods and every workload that carries a pod template: a bad Deployment is refused at
``kubectl apply``, not later when its ReplicaSet fails to create pods."""

SPEC_CHANGED = MatchCondition(
    name="spec-changed",
    # As Pod Security admission does: an update that leaves the spec alone (labels,
    # annotations, finalizers, status) is not judged again. Otherwise a pod admitted before
    # the policy existed could never lose its finalizers and would hang in Terminating.
    expression="request.operation != 'UPDATE' || object.spec != oldObject.spec",
)

POD_VARIABLES = (
    Variable(
        name="podSpec",
        expression=(
            "object.kind == 'Pod' ? object.spec : (object.kind == 'CronJob' ? "
            "object.spec.jobTemplate.spec.template.spec : object.spec.template.spec)"
        ),
    ),
    Variable(
        name="podSc",
        expression=(
            "has(variables.podSpec.securityContext) ? variables.podSpec.securityContext : {}"
        ),
    ),
    Variable(
        name="containers",
        expression=(
            "variables.podSpec.containers"
            " + (has(variables.podSpec.initContainers) ? variables.podSpec.initContainers : [])"
            " + (has(variables.podSpec.ephemeralContainers) ? "
            "variables.podSpec.ephemeralContainers : [])"
        ),
    ),
    Variable(
        name="annotations",
        expression=("has(object.metadata.annotations) ? object.metadata.annotations : {}"),
    ),
    Variable(
        name="images",
        expression=(
            # Normalize like the container runtimes: "nginx" is docker.io/library/nginx and
            # "team/app" is docker.io/team/app; a first element with '.' or ':' or "localhost"
            # is a registry.
            "variables.containers.map(c, !c.image.contains('/') ? 'docker.io/library/' + c.image"
            " : ((c.image.matches('^[^/]*[.:][^/]*/') || c.image.startsWith('localhost/'))"
            " ? c.image : 'docker.io/' + c.image))"
        ),
    ),
)
"""Variables every validation uses: the pod spec of any workload kind, its containers (init
and ephemeral included), the object's annotations and the normalized image names."""


def _sc(field: str) -> str:
    """CEL: container ``c`` sets securityContext.<field>."""
    return f"has(c.securityContext) && has(c.securityContext.{field})"


@dataclass(frozen=True, slots=True)
class CelControl:
    """A control as a CEL check: the expression (true = allowed) and the message.

    ``control`` is the exemptable control, or ``None`` for checks no annotation can lift
    (the registry allow-list); ``code`` names the check in the denial message.
    """

    control: Control | None
    expression: str
    message: str
    code: str = ""

    @property
    def name(self) -> str:
        return self.code or (self.control.value if self.control is not None else "")


_SAFE_RESTRICTED_VOLUMES = tuple(sorted(RESTRICTED_VOLUME_TYPES))
_BASELINE_CAPS = tuple(sorted(BASELINE_CAPABILITIES))


def _no_host(holder: str) -> str:
    """CEL: the probe or hook at ``holder`` (``c.livenessProbe``) sets no httpGet/tcpSocket
    host. Every step of the path is guarded with has(), as CEL requires."""
    steps = holder.split(".")
    guards = " && ".join(f"has({'.'.join(steps[: i + 1])})" for i in range(1, len(steps)))
    hosts = " || ".join(
        f"(has({holder}.{h}) && has({holder}.{h}.host) && {holder}.{h}.host != '')"
        for h in ("httpGet", "tcpSocket")
    )
    return f"!({guards} && ({hosts}))"


def _cel_list(items: Sequence[str]) -> str:
    return "[" + ", ".join(f"'{i}'" for i in items) + "]"


def pod_security_controls(level: str, version: tuple[int, int]) -> list[CelControl]:
    """The CEL form of the Pod Security Standards controls of ``level`` at ``version``.

    Mirrors :mod:`k8sdsl.rules.pod_security`; stricter in one place: pods with
    ``hostUsers: false`` are not relaxed, and Windows pods are not exempted.
    """
    lvl = Level.parse(level)
    if lvl is None or lvl is Level.PRIVILEGED:
        return []
    sysctls = sorted(safe_sysctls(version))
    selinux = sorted(selinux_types(version))
    out = [
        CelControl(
            Control.HOST_PROCESS,
            "!(has(variables.podSc.windowsOptions) && "
            "has(variables.podSc.windowsOptions.hostProcess) && "
            "variables.podSc.windowsOptions.hostProcess) && variables.containers.all(c, "
            f"!({_sc('windowsOptions')} && has(c.securityContext.windowsOptions.hostProcess)"
            " && c.securityContext.windowsOptions.hostProcess))",
            "Windows HostProcess containers are not allowed",
        ),
        CelControl(
            Control.HOST_NAMESPACES,
            "!(has(variables.podSpec.hostNetwork) && variables.podSpec.hostNetwork) && "
            "!(has(variables.podSpec.hostPID) && variables.podSpec.hostPID) && "
            "!(has(variables.podSpec.hostIPC) && variables.podSpec.hostIPC)",
            "hostNetwork, hostPID and hostIPC are not allowed",
        ),
        CelControl(
            Control.PRIVILEGED,
            f"variables.containers.all(c, !({_sc('privileged')} && c.securityContext.privileged))",
            "privileged containers are not allowed",
        ),
        CelControl(
            Control.HOST_PORTS,
            "variables.containers.all(c, !has(c.ports) || c.ports.all(p, "
            "!has(p.hostPort) || p.hostPort == 0))",
            "hostPort is not allowed",
        ),
        CelControl(
            Control.APPARMOR,
            "(!has(variables.podSc.appArmorProfile) || "
            "variables.podSc.appArmorProfile.type in ['RuntimeDefault', 'Localhost']) && "
            f"variables.containers.all(c, !({_sc('appArmorProfile')}) || "
            "c.securityContext.appArmorProfile.type in ['RuntimeDefault', 'Localhost'])",
            "AppArmor must not be Unconfined",
        ),
        CelControl(
            Control.SELINUX,
            "[variables.podSc].all(s, !has(s.seLinuxOptions) || "
            "((!has(s.seLinuxOptions.type) || "
            f"s.seLinuxOptions.type in {_cel_list(selinux)})"
            " && (!has(s.seLinuxOptions.user) || s.seLinuxOptions.user == '')"
            " && (!has(s.seLinuxOptions.role) || s.seLinuxOptions.role == ''))) && "
            f"variables.containers.all(c, !({_sc('seLinuxOptions')}) || "
            "((!has(c.securityContext.seLinuxOptions.type) || "
            f"c.securityContext.seLinuxOptions.type in {_cel_list(selinux)})"
            " && (!has(c.securityContext.seLinuxOptions.user) || "
            "c.securityContext.seLinuxOptions.user == '')"
            " && (!has(c.securityContext.seLinuxOptions.role) || "
            "c.securityContext.seLinuxOptions.role == '')))",
            "custom SELinux options are not allowed",
        ),
        CelControl(
            Control.PROC_MOUNT,
            f"variables.containers.all(c, !({_sc('procMount')}) || "
            "c.securityContext.procMount == 'Default')",
            "procMount must be Default",
        ),
        CelControl(
            Control.SYSCTLS,
            "!has(variables.podSc.sysctls) || variables.podSc.sysctls.all(s, "
            f"s.name in {_cel_list(sysctls)})",
            "only safe sysctls are allowed",
        ),
    ]
    if version >= (1, 34):
        out.append(
            CelControl(
                Control.HOST_PROBES,
                "variables.containers.all(c, "
                + " && ".join(
                    _no_host(f"c.{holder}")
                    for holder in (
                        "livenessProbe",
                        "readinessProbe",
                        "startupProbe",
                        "lifecycle.postStart",
                        "lifecycle.preStop",
                    )
                )
                + ")",
                "probes and lifecycle hooks must not set host",
            )
        )
    if lvl is Level.BASELINE:
        out += [
            CelControl(
                Control.CAPABILITIES_BASELINE,
                f"variables.containers.all(c, !({_sc('capabilities')}) || "
                "!has(c.securityContext.capabilities.add) || "
                "c.securityContext.capabilities.add.all(a, "
                f"a in {_cel_list(_BASELINE_CAPS)}))",
                "only the runtime's default capabilities may be added",
            ),
            CelControl(
                Control.HOST_PATH_VOLUMES,
                "!has(variables.podSpec.volumes) || "
                "variables.podSpec.volumes.all(v, !has(v.hostPath))",
                "hostPath volumes are not allowed",
            ),
            CelControl(
                Control.SECCOMP_BASELINE,
                "(!has(variables.podSc.seccompProfile) || "
                "variables.podSc.seccompProfile.type != 'Unconfined') && "
                f"variables.containers.all(c, !({_sc('seccompProfile')}) || "
                "c.securityContext.seccompProfile.type != 'Unconfined')",
                "seccomp must not be Unconfined",
            ),
        ]
        return out
    safe_volume = " || ".join(f"has(v.{t})" for t in _SAFE_RESTRICTED_VOLUMES)
    out += [
        CelControl(
            Control.VOLUME_TYPES,
            f"!has(variables.podSpec.volumes) || variables.podSpec.volumes.all(v, {safe_volume})",
            "only configMap, csi, downwardAPI, emptyDir, ephemeral, image, "
            "persistentVolumeClaim, projected and secret volumes are allowed",
        ),
        CelControl(
            Control.PRIVILEGE_ESCALATION,
            f"variables.containers.all(c, {_sc('allowPrivilegeEscalation')} && "
            "c.securityContext.allowPrivilegeEscalation == false)",
            "allowPrivilegeEscalation must be false",
        ),
        CelControl(
            Control.RUN_AS_NON_ROOT,
            "!(has(variables.podSc.runAsNonRoot) && variables.podSc.runAsNonRoot == false)"
            " && ((has(variables.podSc.runAsNonRoot) && variables.podSc.runAsNonRoot) ? "
            f"variables.containers.all(c, !({_sc('runAsNonRoot')}) || "
            "c.securityContext.runAsNonRoot) : variables.containers.all(c, "
            f"{_sc('runAsNonRoot')} && c.securityContext.runAsNonRoot))",
            "runAsNonRoot must be true",
        ),
        CelControl(
            Control.RUN_AS_USER,
            "!(has(variables.podSc.runAsUser) && variables.podSc.runAsUser == 0) && "
            f"variables.containers.all(c, !({_sc('runAsUser')} && "
            "c.securityContext.runAsUser == 0))",
            "runAsUser must not be 0",
        ),
        CelControl(
            Control.SECCOMP_RESTRICTED,
            "(has(variables.podSc.seccompProfile) && "
            "variables.podSc.seccompProfile.type in ['RuntimeDefault', 'Localhost']) ? "
            f"variables.containers.all(c, !({_sc('seccompProfile')}) || "
            "c.securityContext.seccompProfile.type in ['RuntimeDefault', 'Localhost']) : "
            "(!has(variables.podSc.seccompProfile) && variables.containers.all(c, "
            f"{_sc('seccompProfile')} && c.securityContext.seccompProfile.type in "
            "['RuntimeDefault', 'Localhost']))",
            "seccompProfile must be RuntimeDefault or Localhost",
        ),
        CelControl(
            Control.CAPABILITIES_RESTRICTED,
            f"variables.containers.all(c, {_sc('capabilities')} && "
            "has(c.securityContext.capabilities.drop) && "
            "'ALL' in c.securityContext.capabilities.drop && "
            "(!has(c.securityContext.capabilities.add) || "
            "c.securityContext.capabilities.add.all(a, a == 'NET_BIND_SERVICE')))",
            "containers must drop ALL capabilities and may add only NET_BIND_SERVICE",
        ),
    ]
    return out


def image_controls(
    *, allowed_registries: Sequence[str] | None, forbid_floating_tags: bool, require_digest: bool
) -> list[CelControl]:
    """The CEL form of the image rules (tag, digest, registries)."""
    out = []
    pinned = "c.image.matches('@sha256:[0-9a-f]{64}$')"
    if forbid_floating_tags:
        out.append(
            CelControl(
                Control.IMAGE_TAG,
                f"variables.containers.all(c, {pinned} || (c.image.matches(':[^/:@]+$') && "
                "!c.image.endsWith(':latest')))",
                "images must name a tag other than latest, or a digest",
            )
        )
    if require_digest:
        out.append(
            CelControl(
                Control.IMAGE_DIGEST,
                f"variables.containers.all(c, {pinned})",
                "images must be pinned by digest (@sha256:...)",
            )
        )
    if allowed_registries:
        entries = [r.strip().rstrip("/") for r in allowed_registries if r.strip()]
        # A registry entry (no '/') matches whole registries: "r.example.com" must not allow
        # "r.example.com:5000". A repository entry also matches the repository itself,
        # followed by its tag or digest.
        tests = []
        for entry in entries:
            ends = ("/",) if "/" not in entry else ("/", ":", "@")
            tests += [f"i.startsWith('{entry}{end}')" for end in ends]
        out.append(
            CelControl(
                None,
                f"variables.images.all(i, {' || '.join(tests)})",
                "images must come from " + ", ".join(entries),
                code="image-registry",
            )
        )
    return out


SYSTEM_NAMESPACES: tuple[str, ...] = ("kube-system", "kube-public", "kube-node-lease")
"""Namespaces a :class:`PodAdmissionPolicy` leaves alone unless its selector says
otherwise: kube-proxy, the CNI and the node agents there are privileged by design, and a
``Fail`` policy that refuses their pods breaks every node that joins."""


def _outside_system_namespaces() -> LabelSelector:
    return LabelSelector.from_k8s(
        {
            "matchExpressions": [
                {
                    "key": "kubernetes.io/metadata.name",
                    "operator": "NotIn",
                    "values": list(SYSTEM_NAMESPACES),
                }
            ]
        }
    )


class PodAdmissionPolicy(Construct):
    """A ValidatingAdmissionPolicy and its binding that enforce, in the cluster, the image
    rules and the Pod Security Standards controls k8sdsl checks at synth.

    ``level`` (default ``restricted``) picks the pod-security controls; the image checks
    are ``forbid_floating_tags`` (default on), ``require_digest`` (default off) and
    ``allowed_registries`` (default: the App's). ``namespace_selector`` limits the binding
    (default: every namespace but :data:`SYSTEM_NAMESPACES`; ``LabelSelector.everything()``
    binds those too). ``honour_exemptions`` is off by default: anyone who may create a pod
    can write a ``k8sdsl.io/exemption.<control>`` annotation, so the cluster does not take
    it as a reason. Exempted workloads belong in namespaces the binding leaves out; with
    ``honour_exemptions=True`` an object carrying the annotation passes that control, as at
    synth, which is only as strong as the control over who creates pods there. The
    registry check is never exemptable. ``validation_actions`` default to ``Deny``.
    """

    def __init__(
        self,
        scope: Construct,
        id: str,
        *,
        level: str = "restricted",
        allowed_registries: Sequence[str] | None = None,
        forbid_floating_tags: bool = True,
        require_digest: bool = False,
        namespace_selector: LabelSelector | None = None,
        honour_exemptions: bool = False,
        validation_actions: Sequence[ValidationAction | str] = (ValidationAction.DENY,),
        name: str | None = None,
    ) -> None:
        super().__init__(scope, id)
        chart = self.find_chart()
        if allowed_registries is None and chart is not None:
            allowed_registries = chart.allowed_registries
        version = chart.k8s_version if chart is not None else None
        target = (version.major, version.minor) if version is not None else (1, 35)
        self.honour_exemptions = honour_exemptions
        controls = pod_security_controls(level, target)
        image = image_controls(
            allowed_registries=allowed_registries,
            forbid_floating_tags=forbid_floating_tags,
            require_digest=require_digest,
        )
        validations = [self._validation(c) for c in [*controls, *image]]
        policy_name = name or f"k8sdsl-{self.node.id}"
        self.policy = ValidatingAdmissionPolicy(
            self,
            "policy",
            name=policy_name,
            validations=validations,
            resource_rules=POD_RESOURCE_RULES,
            variables=POD_VARIABLES,
            match_conditions=(SPEC_CHANGED,),
        )
        self.binding = ValidatingAdmissionPolicyBinding(
            self,
            "binding",
            name=policy_name,
            policy=self.policy,
            validation_actions=validation_actions,
            namespace_selector=(
                namespace_selector
                if namespace_selector is not None
                else _outside_system_namespaces()
            ),
        )

    def _validation(self, control: CelControl) -> Validation:
        expression = control.expression
        if control.control is not None and self.honour_exemptions:
            key = f"{EXEMPTION_PREFIX}{control.control.value}"
            expression = f"'{key}' in variables.annotations || ({expression})"
        return Validation(
            expression=expression,
            reason=StatusReason.FORBIDDEN,
            message=f"k8sdsl {control.name}: {control.message}",
        )


__all__ = [
    "CelControl",
    "FailurePolicy",
    "MatchCondition",
    "POD_RESOURCE_RULES",
    "POD_VARIABLES",
    "SPEC_CHANGED",
    "PodAdmissionPolicy",
    "ResourceRule",
    "SYSTEM_NAMESPACES",
    "StatusReason",
    "ValidatingAdmissionPolicy",
    "ValidatingAdmissionPolicyBinding",
    "Validation",
    "ValidationAction",
    "Variable",
    "image_controls",
    "pod_security_controls",
]
