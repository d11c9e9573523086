"""Exemptions: a weaker setting, stated in writing, that every reviewer and scanner can see.

k8sdsl's defaults meet the Pod Security Standards ``restricted`` profile and the common
scanners' hardening checks. Anything weaker needs an :class:`Exemption`: which control is
relaxed and why. The exemption is written into the object's annotations twice:

* ``k8sdsl.io/exemption.<control>: <reason>``, which k8sdsl's own rules read (a violation of
  an exempted control becomes an ``info`` finding that quotes the reason), and
* ``checkov.io/skip<N>: <CHECK_ID>=<reason>`` for each checkov check the control maps to, so
  an outside scanner run over ``dist/`` records the same decision instead of failing.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from enum import StrEnum
from typing import Any

from pydantic import field_validator

from k8sdsl.core._model import K8sModel
from k8sdsl.core._suggest import suggest
from k8sdsl.core._types import NonEmptyStr

EXEMPTION_PREFIX = "k8sdsl.io/exemption."
"""Annotation key prefix of an exemption: ``k8sdsl.io/exemption.<control>: <reason>``."""

PROFILE_ANNOTATION = "k8sdsl.io/pod-security"
"""Annotation a SecurePod sets on itself (``restricted``): the profile k8sdsl enforces on it."""

CHECKOV_SKIP_PREFIX = "checkov.io/skip"
"""checkov reads ``checkov.io/skip<N>: <CHECK_ID>=<comment>`` from an object's annotations."""


class Control(StrEnum):
    """A control an object can be exempted from.

    The first group are the Pod Security Standards controls (baseline, then restricted),
    named like the pod-security-admission checks. The second group are hardening controls
    beyond the standards that SecurePod applies because scanners (checkov, kube-score,
    Trivy) expect them. The third group are image controls. The last are the RBAC controls,
    written on a role (what it grants) or on a binding (to whom).
    """

    # Pod Security Standards: baseline
    HOST_PROCESS = "host-process"
    HOST_NAMESPACES = "host-namespaces"
    PRIVILEGED = "privileged"
    CAPABILITIES_BASELINE = "capabilities-baseline"
    HOST_PATH_VOLUMES = "host-path-volumes"
    HOST_PORTS = "host-ports"
    HOST_PROBES = "host-probes"
    APPARMOR = "apparmor"
    SELINUX = "selinux"
    PROC_MOUNT = "proc-mount"
    SECCOMP_BASELINE = "seccomp-baseline"
    SYSCTLS = "sysctls"
    # Pod Security Standards: restricted
    VOLUME_TYPES = "volume-types"
    PRIVILEGE_ESCALATION = "privilege-escalation"
    RUN_AS_NON_ROOT = "run-as-non-root"
    RUN_AS_USER = "run-as-user"
    SECCOMP_RESTRICTED = "seccomp-restricted"
    CAPABILITIES_RESTRICTED = "capabilities-restricted"
    # hardening beyond the standards (SecurePod defaults)
    RUN_AS_USER_BELOW_10000 = "run-as-user-below-10000"
    READ_ONLY_ROOT_FILESYSTEM = "read-only-root-filesystem"
    RESOURCES = "resources"
    PROBES = "probes"
    SERVICE_ACCOUNT_TOKEN = "service-account-token"
    SECRET_ENV = "secret-env"
    # images
    IMAGE_TAG = "image-tag"
    IMAGE_DIGEST = "image-digest"
    # RBAC: on a Role or ClusterRole
    RBAC_WILDCARD = "rbac-wildcard"
    RBAC_ESCALATION = "rbac-escalation"
    RBAC_SECRETS = "rbac-secrets"
    RBAC_PRIVILEGE_PATH = "rbac-privilege-path"
    # RBAC: on a RoleBinding or ClusterRoleBinding
    RBAC_CLUSTER_ADMIN = "rbac-cluster-admin"
    RBAC_PUBLIC_SUBJECT = "rbac-public-subject"
    RBAC_DEFAULT_SERVICE_ACCOUNT = "rbac-default-service-account"

    @property
    def checkov_ids(self) -> tuple[str, ...]:
        """The checkov checks (3.x) this control covers: the skips an exemption writes."""
        return CHECKOV_IDS.get(self, ())


#: control -> checkov check ids. Only checks that look at pods and workloads are listed (the
#: ``*PSP`` checks judge PodSecurityPolicy objects, which no longer exist).
CHECKOV_IDS: Mapping[Control, tuple[str, ...]] = {
    Control.HOST_NAMESPACES: ("CKV_K8S_17", "CKV_K8S_18", "CKV_K8S_19"),
    Control.PRIVILEGED: ("CKV_K8S_16",),
    Control.CAPABILITIES_BASELINE: ("CKV_K8S_25", "CKV_K8S_39"),
    Control.HOST_PATH_VOLUMES: ("CKV_K8S_27",),
    Control.HOST_PORTS: ("CKV_K8S_26",),
    Control.SECCOMP_BASELINE: ("CKV_K8S_31",),
    Control.PRIVILEGE_ESCALATION: ("CKV_K8S_20",),
    Control.RUN_AS_NON_ROOT: ("CKV_K8S_23",),
    Control.RUN_AS_USER: ("CKV_K8S_23",),
    Control.SECCOMP_RESTRICTED: ("CKV_K8S_31",),
    Control.CAPABILITIES_RESTRICTED: ("CKV_K8S_28", "CKV_K8S_37"),
    Control.RUN_AS_USER_BELOW_10000: ("CKV_K8S_40",),
    Control.READ_ONLY_ROOT_FILESYSTEM: ("CKV_K8S_22",),
    Control.RESOURCES: ("CKV_K8S_10", "CKV_K8S_11", "CKV_K8S_12", "CKV_K8S_13"),
    Control.PROBES: ("CKV_K8S_8", "CKV_K8S_9"),
    Control.SERVICE_ACCOUNT_TOKEN: ("CKV_K8S_38",),
    Control.SECRET_ENV: ("CKV_K8S_35",),
    Control.IMAGE_TAG: ("CKV_K8S_14",),
    Control.IMAGE_DIGEST: ("CKV_K8S_43", "CKV_K8S_15"),
    Control.RBAC_WILDCARD: ("CKV_K8S_49",),
    Control.RBAC_ESCALATION: ("CKV_K8S_157", "CKV_K8S_158"),
}

#: the RBAC controls a binding carries (the others belong on the role)
BINDING_CONTROLS: tuple[Control, ...] = (
    Control.RBAC_CLUSTER_ADMIN,
    Control.RBAC_PUBLIC_SUBJECT,
    Control.RBAC_DEFAULT_SERVICE_ACCOUNT,
)


class Exemption(K8sModel):
    """A control this object is exempted from, and the reason, in writing.

    ``Exemption(control="run-as-user-below-10000", reason="the image's user is 1000")``.
    The reason is mandatory and non-empty: it is what a reviewer of ``dist/`` reads. It goes
    into annotations, so it is one line (newlines are rejected) of at most 256 characters.
    """

    control: Control
    reason: NonEmptyStr

    @field_validator("control", mode="before")
    @classmethod
    def _known_control(cls, value: Any) -> Any:
        if isinstance(value, str) and value not in {c.value for c in Control}:
            guess = suggest(value, [c.value for c in Control])
            from pydantic_core import PydanticCustomError

            raise PydanticCustomError(
                "unknown_control",
                "is not a control k8sdsl knows",
                {
                    "hint": f"did you mean {guess!r}?"
                    if guess
                    else "known controls: " + ", ".join(c.value for c in Control)
                },
            )
        return value

    @field_validator("reason")
    @classmethod
    def _one_line(cls, value: str) -> str:
        from pydantic_core import PydanticCustomError

        if "\n" in value or "\r" in value:
            raise PydanticCustomError(
                "reason_one_line", "must be one line", {"hint": "put the reason on one line"}
            )
        if len(value) > 256:
            raise PydanticCustomError(
                "reason_too_long",
                "must be at most 256 characters",
                {"hint": "shorten the reason and link to the design record"},
            )
        return value.strip()

    @property
    def annotation_key(self) -> str:
        return f"{EXEMPTION_PREFIX}{self.control.value}"


def _checkov_comment(reason: str) -> str:
    # checkov splits the annotation value on "=" into exactly two parts: a reason with "="
    # would make it crash on the object, so "=" is written as ":" in the checkov copy.
    return reason.replace("=", ":")


def exemption_annotations(
    exemptions: Iterable[Exemption], *, checkov: bool = True
) -> dict[str, str]:
    """The annotations that record ``exemptions`` (k8sdsl's, then checkov's skips).

    checkov skip keys are numbered ``checkov.io/skip1``, ``skip2``... in control order, then
    check order, so the output is deterministic. A check covered by two exemptions is
    skipped once, with the first reason.
    """
    out: dict[str, str] = {}
    ordered = sorted(exemptions, key=lambda e: list(Control).index(e.control))
    for e in ordered:
        out[e.annotation_key] = e.reason
    if checkov:
        seen: set[str] = set()
        n = 0
        for e in ordered:
            for check in e.control.checkov_ids:
                if check in seen:
                    continue
                seen.add(check)
                n += 1
                out[f"{CHECKOV_SKIP_PREFIX}{n}"] = f"{check}={_checkov_comment(e.reason)}"
    return out


def exemption_reason(control: Control | str, *annotation_maps: Mapping[str, Any]) -> str | None:
    """The reason an object is exempted from ``control``, read from its annotations.

    Rules pass every annotation map that speaks for the pod (the workload's metadata and
    its pod template's metadata); the first that names the control wins.
    """
    key = f"{EXEMPTION_PREFIX}{Control(control).value}"
    for mapping in annotation_maps:
        if isinstance(mapping, Mapping):
            value = mapping.get(key)
            if isinstance(value, str) and value.strip():
                return value.strip()
    return None


__all__ = [
    "BINDING_CONTROLS",
    "CHECKOV_IDS",
    "CHECKOV_SKIP_PREFIX",
    "Control",
    "EXEMPTION_PREFIX",
    "Exemption",
    "PROFILE_ANNOTATION",
    "exemption_annotations",
    "exemption_reason",
]
