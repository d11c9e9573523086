"""SecurePod and SecurePodTemplate: pods whose defaults pass the ``restricted`` Pod Security
Standard and the common scanners with nothing but a name and an image.

The defaults (each can be changed by an argument; anything weaker than the profile then
needs an :class:`~k8sdsl.security.Exemption` with a reason, or synth fails):

=================================  ==========================================================
pod ``securityContext``            ``runAsNonRoot: true``, ``runAsUser: 10001``,
                                   ``runAsGroup: 10001``, ``fsGroup: 10001``,
                                   ``seccompProfile: {type: RuntimeDefault}``
                                   (:data:`SECURE_POD_SECURITY_CONTEXT`); fields you set win
container ``securityContext``      ``allowPrivilegeEscalation: false``,
                                   ``readOnlyRootFilesystem: true``, ``runAsNonRoot: true``,
                                   ``capabilities: {drop: [ALL]}``; fields you set win
``automountServiceAccountToken``   ``false``: the API token is not in the pod unless asked for
container ``resources``            requests ``cpu: 100m``, ``memory: 128Mi``; limits
                                   ``cpu: 500m``, ``memory: 256Mi``
                                   (:data:`SECURE_RESOURCES`); resources you set win, per key
                                   (a default limit below your request rises to it)
``imagePullPolicy``                ``Always``: the kubelet checks the pull credentials on
                                   every start and picks up a re-pushed (patched) tag
probes                             a container with ports and no probe gets TCP liveness and
                                   readiness probes on its first TCP port; containers without
                                   ports get none, and the template records a ``probes``
                                   exemption saying so (scanners want probes everywhere);
                                   a Job drops that exemption (its pods run to
                                   completion and are not probed)
annotation                         ``k8sdsl.io/pod-security: restricted``: the rules enforce
                                   the restricted profile on this pod at error level
labels (SecurePod only)            ``app.kubernetes.io/name: <pod name>``
=================================  ==========================================================

UIDs and GIDs of 10000 and above are what scanners expect (checkov CKV_K8S_40,
kube-score): they do not collide with users of the node's own ``/etc/passwd``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, ClassVar

from typing_extensions import Unpack

from k8sdsl.core._construct import Construct
from k8sdsl.core._findings import Finding, K8sDslError, ObjectRef, Severity, ValueInputError
from k8sdsl.core._images import ImagePullPolicy
from k8sdsl.security._exemptions import PROFILE_ANNOTATION, Control, Exemption
from k8sdsl.volumes._volume import Mount
from k8sdsl.workloads._container import (
    Container,
    ContainerPort,
    EnvFromSource,
    EnvVar,
    Protocol,
    ResourceRequirements,
)
from k8sdsl.workloads._pod import OsName, Pod, PodFields, PodTemplate
from k8sdsl.workloads._probes import Lifecycle, Probe
from k8sdsl.workloads._security_context import (
    Capabilities,
    PodSecurityContext,
    SeccompProfile,
    SecurityContext,
)

SECURE_UID = 10001
"""The default ``runAsUser``, ``runAsGroup`` and ``fsGroup`` of a SecurePod."""

SECURE_POD_SECURITY_CONTEXT = PodSecurityContext(
    run_as_non_root=True,
    run_as_user=SECURE_UID,
    run_as_group=SECURE_UID,
    fs_group=SECURE_UID,
    seccomp_profile=SeccompProfile.runtime_default(),
)
"""The pod security context a SecurePod starts from."""

SECURE_CONTAINER_SECURITY_CONTEXT = SecurityContext(
    allow_privilege_escalation=False,
    read_only_root_filesystem=True,
    run_as_non_root=True,
    capabilities=Capabilities.drop_all(),
)
"""The container security context every SecurePod container starts from."""

SECURE_RESOURCES = ResourceRequirements.of(
    cpu="100m", memory="128Mi", cpu_limit="500m", memory_limit="256Mi"
)
"""Requests and limits for containers that set none (per resource: yours win)."""


def _fill(value: Any, defaults: Any) -> Any:
    """``value`` with each unset field taken from ``defaults`` (same model type)."""
    if value is None:
        return defaults
    merged = {name: getattr(value, name) for name in type(value).model_fields}
    for name in type(value).model_fields:
        if merged[name] is None:
            merged[name] = getattr(defaults, name)
    # the constructor, not model_validate: its errors are k8sdsl findings with hints
    return type(value)(**merged)


def harden_container(container: Container, *, probes: bool = True) -> Container:
    """``container`` with the SecurePod container defaults filled in where it sets nothing."""
    sc = container.security_context or SecurityContext()
    defaults = SECURE_CONTAINER_SECURITY_CONTEXT
    if sc.privileged:
        # privileged with allowPrivilegeEscalation=false is rejected by the API server; the
        # privileged control reports the container instead.
        defaults = defaults.model_copy(update={"allow_privilege_escalation": None})
    if sc.capabilities is not None and sc.capabilities.drop is None:
        sc = sc.model_copy(
            update={"capabilities": Capabilities(drop=("ALL",), add=sc.capabilities.add)}
        )
    update: dict[str, Any] = {
        "security_context": _fill(sc, defaults),
        "resources": (
            container.resources.with_defaults(SECURE_RESOURCES)
            if container.resources
            else SECURE_RESOURCES
        ),
        "image_pull_policy": container.image_pull_policy or ImagePullPolicy.ALWAYS,
    }
    if probes:
        port = next(
            (p for p in container.ports or () if p.effective_protocol is Protocol.TCP), None
        )
        if port is not None:
            target: int | str = port.name or port.container_port
            if container.liveness_probe is None:
                update["liveness_probe"] = Probe.tcp(port=target)
            if container.readiness_probe is None:
                update["readiness_probe"] = Probe.tcp(port=target)
    data = {name: getattr(container, name) for name in Container.model_fields}
    data.update(update)
    return Container.model_validate(data)


class SecurePodFields(PodFields, total=False):
    """What :class:`SecurePod` and :class:`SecurePodTemplate` take: the pod fields and the
    single-container shorthand (``image=`` and the container settings that go with it)."""

    image: str
    container_name: str
    command: Sequence[str] | None
    args: Sequence[str] | None
    env: Sequence[EnvVar] | Mapping[str, str | EnvVar] | None
    env_from: Sequence[EnvFromSource] | None
    ports: Sequence[ContainerPort | int] | None
    mounts: Sequence[Mount] | None
    resources: ResourceRequirements | None
    liveness_probe: Probe | None
    readiness_probe: Probe | None
    startup_probe: Probe | None
    lifecycle: Lifecycle | None
    working_dir: str | None
    image_pull_policy: ImagePullPolicy | str | None


class SecurePodTemplate(PodTemplate):
    """A pod template with the SecurePod defaults (see the module docs for the table).

    Give one ``image`` (a container named ``container_name``, default ``app``, with the
    optional ``command``, ``args``, ``env``, ``ports``, ``mounts``, ``resources`` and probes)
    or a list of ``containers``; every other :class:`PodTemplate` field is accepted as is.
    Pass ``security_context=PodSecurityContext(run_as_user=...)`` to change a pod default
    (the fields you leave unset keep theirs), and ``exemptions=[Exemption(...)]`` for
    anything weaker than the restricted profile.
    """

    #: single-container shorthand arguments (not PodTemplate fields)
    _SHORTHAND: ClassVar[tuple[str, ...]] = (
        "image",
        "container_name",
        "command",
        "args",
        "env",
        "env_from",
        "ports",
        "mounts",
        "resources",
        "liveness_probe",
        "readiness_probe",
        "startup_probe",
        "lifecycle",
        "working_dir",
        "image_pull_policy",
    )

    def __init__(
        self,
        /,
        *,
        labels: Mapping[str, str] | None = None,
        annotations: Mapping[str, str] | None = None,
        **data: Unpack[SecurePodFields],
    ) -> None:
        fields: dict[str, Any] = dict(data)
        if labels is not None:
            fields["labels"] = labels
        if annotations is not None:
            fields["annotations"] = annotations
        super().__init__(**_secure_fields(fields))


def _secure_fields(data: dict[str, Any]) -> dict[str, Any]:
    data = dict(data)
    shorthand = {k: data.pop(k) for k in SecurePodTemplate._SHORTHAND if k in data}
    image = shorthand.pop("image", None)
    name = shorthand.pop("container_name", "app")
    containers = data.get("containers")
    if image is not None and containers:
        raise _input_error(
            "image_and_containers",
            "image",
            "pass image= (one container) or containers=, not both",
            "drop image= and put the image into one of the containers",
        )
    if image is None and not containers:
        raise _input_error(
            "no_container",
            "image",
            "a SecurePod needs image= or containers=",
            "pass image='registry.example.com/team/app:1.0'",
        )
    if image is None and shorthand:
        raise _input_error(
            "shorthand_without_image",
            next(iter(shorthand)),
            f"{', '.join(sorted(shorthand))} only go with image=",
            "set them on the Container values instead",
        )
    if image is not None:
        containers = (Container(name=name, image=image, **shorthand),)
    os = data.get("os")
    if os is not None and (os == "windows" or getattr(os, "name", None) is OsName.WINDOWS):
        raise _input_error(
            "windows",
            "os",
            "SecurePod's defaults are Linux security settings",
            "use PodTemplate for Windows pods",
        )
    data["containers"] = tuple(harden_container(c) for c in containers)  # type: ignore[union-attr]
    if data.get("init_containers"):
        data["init_containers"] = tuple(
            harden_container(c, probes=c.restart_policy is not None)
            for c in data["init_containers"]
        )
    portless = [
        c.name
        for c in data["containers"]
        if not c.ports and c.liveness_probe is None and c.readiness_probe is None
    ]
    exemptions = tuple(data.get("exemptions") or ())
    if portless and not any(e.control is Control.PROBES for e in exemptions):
        # Scanners want probes on every long-running container, but a container that
        # listens on no port gives k8sdsl nothing to probe; the decision is written down.
        names = ", ".join(portless) if len(", ".join(portless)) <= 80 else f"{len(portless)}"
        data["exemptions"] = (
            *exemptions,
            Exemption(
                control=Control.PROBES,
                reason=(
                    f"{_AUTOMATIC_PROBES_REASON}{names}: k8sdsl adds probes only "
                    "to containers that listen; pass liveness_probe/readiness_probe to add your own"
                ),
            ),
        )
    data["security_context"] = _fill(data.get("security_context"), SECURE_POD_SECURITY_CONTEXT)
    if data.get("automount_service_account_token") is None:
        data["automount_service_account_token"] = False
    data["annotations"] = {**dict(data.get("annotations") or {}), PROFILE_ANNOTATION: "restricted"}
    return data


#: how the probes exemption SecurePodTemplate records by itself begins
_AUTOMATIC_PROBES_REASON = "no port to probe in container(s) "


def without_automatic_probes_exemption(template: PodTemplate) -> PodTemplate:
    """``template`` without the ``probes`` exemption SecurePodTemplate recorded by itself.

    A Job's pods run to completion: nothing probes them, k8sdsl's ``probes`` rule and
    checkov's probe checks skip Jobs, so the exemption (and its checkov skips) would only
    be noise there. An exemption the user wrote is kept.
    """
    exemptions = template.exemptions or ()
    kept = tuple(
        e
        for e in exemptions
        if not (e.control is Control.PROBES and e.reason.startswith(_AUTOMATIC_PROBES_REASON))
    )
    if len(kept) == len(exemptions):
        return template
    return template.model_copy(update={"exemptions": kept or None})


def _input_error(kind: str, field: str, message: str, hint: str) -> Exception:
    return ValueInputError(
        [
            Finding(
                Severity.ERROR,
                f"value/{kind.replace('_', '-')}",
                message,
                ObjectRef(kind="SecurePodTemplate", source="k8sdsl.workloads"),
                field,
                hint,
            )
        ],
        summary="invalid SecurePodTemplate",
    )


class SecurePod(Pod):
    """A Pod with the SecurePod defaults: ``SecurePod(chart, "web", image="...")``.

    Takes what :class:`SecurePodTemplate` takes. Its rules run at error level for the
    restricted profile: a SecurePod that weakens a control without an exemption fails synth.
    Labels default to ``app.kubernetes.io/name: <name>`` so Services and NetworkPolicies
    can select it. Put it in a namespace other than ``default`` (scanners flag it).
    """

    _template_class: ClassVar[type[PodTemplate]] = SecurePodTemplate

    def __init__(
        self,
        scope: Construct,
        id: str,
        *,
        name: str | None = None,
        namespace: str | None = None,
        labels: Mapping[str, str] | None = None,
        annotations: Mapping[str, str] | None = None,
        **spec: Unpack[SecurePodFields],
    ) -> None:
        pod_name = name if name is not None else id
        if "template" in spec:
            raise K8sDslError(
                [
                    Finding(
                        Severity.ERROR,
                        "value/template-and-securepod",
                        "SecurePod builds its own template from its fields",
                        ObjectRef(kind="SecurePod", source=f"{scope.node.path}/{id}".lstrip("/")),
                        "template",
                        "pass the template's fields to SecurePod (image=..., ports=...), or "
                        "use Pod(template=SecurePodTemplate(...))",
                    )
                ],
                summary="invalid SecurePod",
            )
        # the shorthand fields go on to _make_template: SecurePodTemplate takes them
        fields: dict[str, Any] = dict(spec)
        super().__init__(
            scope,
            id,
            name=name,
            namespace=namespace,
            labels={"app.kubernetes.io/name": _label_value(pod_name), **dict(labels or {})},
            annotations=annotations,
            **fields,
        )

    def _make_template(self, spec: dict[str, Any]) -> PodTemplate:
        return SecurePodTemplate(**spec)


def _label_value(name: str) -> str:
    return name[:63].rstrip("-_.")


__all__ = [
    "SECURE_CONTAINER_SECURITY_CONTEXT",
    "SECURE_POD_SECURITY_CONTEXT",
    "SECURE_RESOURCES",
    "SECURE_UID",
    "SecurePod",
    "SecurePodFields",
    "SecurePodTemplate",
    "harden_container",
    "without_automatic_probes_exemption",
]
