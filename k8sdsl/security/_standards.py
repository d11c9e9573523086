"""Facts of the Pod Security Standards that both the rules and the admission policy use:
the levels, and the allow-lists that grow with the Kubernetes version (from the
pod-security-admission library, ``k8s.io/pod-security-admission/policy``)."""

from __future__ import annotations

from enum import IntEnum

Version = tuple[int, int]


class Level(IntEnum):
    """Pod Security Standards levels, ordered: each includes the controls of the ones below."""

    PRIVILEGED = 0
    BASELINE = 1
    RESTRICTED = 2

    @classmethod
    def parse(cls, text: object) -> Level | None:
        """``"restricted"`` -> ``Level.RESTRICTED``; anything else -> ``None``."""
        if isinstance(text, Level):
            return text
        try:
            return cls[str(text).strip().upper()]
        except KeyError:
            return None

    @property
    def label(self) -> str:
        return self.name.lower()


BASELINE_CAPABILITIES: frozenset[str] = frozenset(
    {
        "AUDIT_WRITE",
        "CHOWN",
        "DAC_OVERRIDE",
        "FOWNER",
        "FSETID",
        "KILL",
        "MKNOD",
        "NET_BIND_SERVICE",
        "SETFCAP",
        "SETGID",
        "SETPCAP",
        "SETUID",
        "SYS_CHROOT",
    }
)
"""Capabilities the baseline profile lets a container add (the runtimes' default set)."""

RESTRICTED_VOLUME_TYPES: frozenset[str] = frozenset(
    {
        "configMap",
        "csi",
        "downwardAPI",
        "emptyDir",
        "ephemeral",
        "image",
        "persistentVolumeClaim",
        "projected",
        "secret",
    }
)
"""The volume types the restricted profile allows."""

SAFE_SYSCTLS: tuple[tuple[Version, frozenset[str]], ...] = (
    (
        (1, 0),
        frozenset(
            {
                "kernel.shm_rmid_forced",
                "net.ipv4.ip_local_port_range",
                "net.ipv4.tcp_syncookies",
                "net.ipv4.ping_group_range",
                "net.ipv4.ip_unprivileged_port_start",
            }
        ),
    ),
    ((1, 27), frozenset({"net.ipv4.ip_local_reserved_ports"})),
    (
        (1, 29),
        frozenset(
            {
                "net.ipv4.tcp_keepalive_time",
                "net.ipv4.tcp_fin_timeout",
                "net.ipv4.tcp_keepalive_intvl",
                "net.ipv4.tcp_keepalive_probes",
            }
        ),
    ),
    ((1, 32), frozenset({"net.ipv4.tcp_rmem", "net.ipv4.tcp_wmem"})),
    ((1, 37), frozenset({"net.ipv4.tcp_slow_start_after_idle", "net.ipv4.tcp_notsent_lowat"})),
)
"""The sysctls the baseline profile allows, by the version that added them."""


def safe_sysctls(version: Version) -> frozenset[str]:
    """Every sysctl the baseline profile allows at ``version``."""
    out: frozenset[str] = frozenset()
    for since, names in SAFE_SYSCTLS:
        if version >= since:
            out |= names
    return out


def selinux_types(version: Version) -> frozenset[str]:
    """SELinux types the baseline profile allows (``container_engine_t`` from 1.31)."""
    types = {"", "container_t", "container_init_t", "container_kvm_t"}
    if version >= (1, 31):
        types.add("container_engine_t")
    return frozenset(types)


SECCOMP_ALLOWED: tuple[str, ...] = ("RuntimeDefault", "Localhost")
APPARMOR_ALLOWED: tuple[str, ...] = ("RuntimeDefault", "Localhost")

__all__ = [
    "APPARMOR_ALLOWED",
    "BASELINE_CAPABILITIES",
    "Level",
    "RESTRICTED_VOLUME_TYPES",
    "SAFE_SYSCTLS",
    "SECCOMP_ALLOWED",
    "Version",
    "safe_sysctls",
    "selinux_types",
]
