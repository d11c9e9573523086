"""Security contexts: what a pod and each container may do on the node.

Field names are exactly Kubernetes' in snake_case, so ``runAsuser`` (the course notes'
typo, which the API server silently drops in non-strict clients) is an error here with
"did you mean 'run_as_user'?".
"""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated, Self

from pydantic import AfterValidator, Field, model_validator
from pydantic_core import PydanticCustomError

from k8sdsl.core._model import K8sModel
from k8sdsl.core._suggest import suggest
from k8sdsl.core._types import NonEmptyStr

UnixId = Annotated[int, Field(ge=0, le=2**31 - 1)]
"""A Linux user or group id as Kubernetes accepts it: 0 to 2147483647."""

#: Linux capabilities (capabilities(7)), as container runtimes name them without ``CAP_``.
LINUX_CAPABILITIES: frozenset[str] = frozenset(
    {
        "AUDIT_CONTROL",
        "AUDIT_READ",
        "AUDIT_WRITE",
        "BLOCK_SUSPEND",
        "BPF",
        "CHECKPOINT_RESTORE",
        "CHOWN",
        "DAC_OVERRIDE",
        "DAC_READ_SEARCH",
        "FOWNER",
        "FSETID",
        "IPC_LOCK",
        "IPC_OWNER",
        "KILL",
        "LEASE",
        "LINUX_IMMUTABLE",
        "MAC_ADMIN",
        "MAC_OVERRIDE",
        "MKNOD",
        "NET_ADMIN",
        "NET_BIND_SERVICE",
        "NET_BROADCAST",
        "NET_RAW",
        "PERFMON",
        "SETFCAP",
        "SETGID",
        "SETPCAP",
        "SETUID",
        "SYSLOG",
        "SYS_ADMIN",
        "SYS_BOOT",
        "SYS_CHROOT",
        "SYS_MODULE",
        "SYS_NICE",
        "SYS_PACCT",
        "SYS_PTRACE",
        "SYS_RAWIO",
        "SYS_RESOURCE",
        "SYS_TIME",
        "SYS_TTY_CONFIG",
        "WAKE_ALARM",
        "ALL",
    }
)


def check_capability(value: str) -> str:
    # The Pod Security Standards compare capability strings exactly ("ALL",
    # "NET_BIND_SERVICE"): "CAP_NET_BIND_SERVICE" or "all" would work in some runtimes and
    # still be rejected by the restricted profile, so only the canonical spelling is taken.
    if value in LINUX_CAPABILITIES:
        return value
    canonical = value.upper().removeprefix("CAP_")
    if canonical in LINUX_CAPABILITIES:
        hint = f"use {canonical!r}"
    else:
        guess = suggest(canonical, LINUX_CAPABILITIES)
        hint = f"did you mean {guess!r}?" if guess else "see capabilities(7); drop the CAP_ prefix"
    raise PydanticCustomError(
        "capability", "is not a Linux capability as Kubernetes spells it", {"hint": hint}
    )


Capability = Annotated[str, AfterValidator(check_capability)]
"""A Linux capability, uppercase without ``CAP_`` (``NET_BIND_SERVICE``), or ``ALL``."""


class Capabilities(K8sModel):
    """Capabilities to add to and drop from the runtime's default set.

    ``Capabilities.drop_all()`` is what the restricted profile requires;
    ``Capabilities.drop_all(add=["NET_BIND_SERVICE"])`` is the one addition it allows.
    """

    add: tuple[Capability, ...] | None = None
    drop: tuple[Capability, ...] | None = None

    @classmethod
    def drop_all(cls, *, add: tuple[str, ...] | list[str] | None = None) -> Capabilities:
        return cls(drop=("ALL",), add=tuple(add) if add else None)


class SeccompProfileType(StrEnum):
    RUNTIME_DEFAULT = "RuntimeDefault"
    LOCALHOST = "Localhost"
    UNCONFINED = "Unconfined"


class SeccompProfile(K8sModel):
    """The seccomp filter. ``Localhost`` needs ``localhost_profile`` (a path on the node
    relative to the kubelet's seccomp folder); the other types forbid it."""

    type: SeccompProfileType
    localhost_profile: NonEmptyStr | None = None

    @model_validator(mode="after")
    def _profile_matches_type(self) -> Self:
        if (self.type is SeccompProfileType.LOCALHOST) != (self.localhost_profile is not None):
            raise PydanticCustomError(
                "localhost_profile",
                "localhost_profile is required for type Localhost and only for it",
                {"hint": "use .localhost('profiles/app.json') or .runtime_default()"},
            )
        return self

    @classmethod
    def runtime_default(cls) -> SeccompProfile:
        return cls(type=SeccompProfileType.RUNTIME_DEFAULT)

    @classmethod
    def localhost(cls, profile: str) -> SeccompProfile:
        return cls(type=SeccompProfileType.LOCALHOST, localhost_profile=profile)

    @classmethod
    def unconfined(cls) -> SeccompProfile:
        return cls(type=SeccompProfileType.UNCONFINED)


class AppArmorProfileType(StrEnum):
    RUNTIME_DEFAULT = "RuntimeDefault"
    LOCALHOST = "Localhost"
    UNCONFINED = "Unconfined"


class AppArmorProfile(K8sModel):
    """The AppArmor profile (field since Kubernetes 1.30; the annotations before it)."""

    type: AppArmorProfileType
    localhost_profile: NonEmptyStr | None = None

    @model_validator(mode="after")
    def _profile_matches_type(self) -> Self:
        if (self.type is AppArmorProfileType.LOCALHOST) != (self.localhost_profile is not None):
            raise PydanticCustomError(
                "localhost_profile",
                "localhost_profile is required for type Localhost and only for it",
                {"hint": "use .localhost('profiles/app.json') or .runtime_default()"},
            )
        return self

    @classmethod
    def runtime_default(cls) -> AppArmorProfile:
        return cls(type=AppArmorProfileType.RUNTIME_DEFAULT)

    @classmethod
    def localhost(cls, profile: str) -> AppArmorProfile:
        return cls(type=AppArmorProfileType.LOCALHOST, localhost_profile=profile)


class SELinuxOptions(K8sModel):
    """SELinux labels. The baseline profile allows only ``type`` (container_t and kin)."""

    user: str | None = None
    role: str | None = None
    type: str | None = None
    level: str | None = None


class ProcMountType(StrEnum):
    DEFAULT = "Default"
    UNMASKED = "Unmasked"


class WindowsSecurityContextOptions(K8sModel):
    """Windows-specific options. ``host_process`` runs the container as a host process,
    which the baseline profile forbids."""

    gmsa_credential_spec_name: str | None = None
    gmsa_credential_spec: str | None = None
    run_as_user_name: str | None = None
    host_process: bool | None = None


class Sysctl(K8sModel):
    """A namespaced kernel parameter set for the pod (``net.ipv4.ip_unprivileged_port_start``)."""

    name: NonEmptyStr
    value: str


class FsGroupChangePolicy(StrEnum):
    ALWAYS = "Always"
    ON_ROOT_MISMATCH = "OnRootMismatch"


class SupplementalGroupsPolicy(StrEnum):
    """Whether the image's /etc/group memberships are merged in (field since 1.31)."""

    MERGE = "Merge"
    STRICT = "Strict"


class SecurityContext(K8sModel):
    """A container's security context. Unset fields inherit the pod's or the runtime's."""

    k8s_type = "SecurityContext"

    allow_privilege_escalation: bool | None = None
    app_armor_profile: AppArmorProfile | None = None
    capabilities: Capabilities | None = None
    privileged: bool | None = None
    proc_mount: ProcMountType | None = None
    read_only_root_filesystem: bool | None = None
    run_as_group: UnixId | None = None
    run_as_non_root: bool | None = None
    run_as_user: UnixId | None = None
    se_linux_options: SELinuxOptions | None = None
    seccomp_profile: SeccompProfile | None = None
    windows_options: WindowsSecurityContextOptions | None = None

    @model_validator(mode="after")
    def _consistent(self) -> Self:
        # The API server rejects both combinations (validation of SecurityContext).
        if self.privileged and self.allow_privilege_escalation is False:
            raise PydanticCustomError(
                "privileged_without_escalation",
                "privileged=True with allow_privilege_escalation=False is rejected by the API "
                "server: a privileged container can always escalate",
                {"hint": "drop allow_privilege_escalation, or drop privileged"},
            )
        if self.run_as_non_root and self.run_as_user == 0:
            raise PydanticCustomError(
                "root_and_non_root",
                "run_as_non_root=True with run_as_user=0 can never start: the kubelet "
                "refuses to run the container",
                {
                    "hint": "use a UID of 10000 or more; to run as root, set run_as_non_root=False "
                    "(SecurePod then needs run-as-non-root and run-as-user exemptions)"
                },
            )
        return self


class PodSecurityContext(K8sModel):
    """The pod's security context: defaults for every container, plus pod-only settings
    (``fs_group``, ``supplemental_groups``, ``sysctls``)."""

    k8s_type = "PodSecurityContext"

    app_armor_profile: AppArmorProfile | None = None
    fs_group: UnixId | None = None
    fs_group_change_policy: FsGroupChangePolicy | None = None
    run_as_group: UnixId | None = None
    run_as_non_root: bool | None = None
    run_as_user: UnixId | None = None
    se_linux_options: SELinuxOptions | None = None
    seccomp_profile: SeccompProfile | None = None
    supplemental_groups: tuple[UnixId, ...] | None = None
    supplemental_groups_policy: SupplementalGroupsPolicy | None = None
    sysctls: tuple[Sysctl, ...] | None = None
    windows_options: WindowsSecurityContextOptions | None = None

    @model_validator(mode="after")
    def _consistent(self) -> Self:
        if self.run_as_non_root and self.run_as_user == 0:
            raise PydanticCustomError(
                "root_and_non_root",
                "run_as_non_root=True with run_as_user=0 can never start: the kubelet "
                "refuses to run the container",
                {
                    "hint": "use a UID of 10000 or more; to run as root, set run_as_non_root=False "
                    "(SecurePod then needs run-as-non-root and run-as-user exemptions)"
                },
            )
        return self


__all__ = [
    "AppArmorProfile",
    "AppArmorProfileType",
    "Capabilities",
    "Capability",
    "FsGroupChangePolicy",
    "LINUX_CAPABILITIES",
    "PodSecurityContext",
    "ProcMountType",
    "SELinuxOptions",
    "SeccompProfile",
    "SeccompProfileType",
    "SecurityContext",
    "SupplementalGroupsPolicy",
    "Sysctl",
    "UnixId",
    "WindowsSecurityContextOptions",
    "check_capability",
]
