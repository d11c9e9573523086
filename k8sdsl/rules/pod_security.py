"""The Pod Security Standards, every control of baseline and restricted, per version; and
the hardening controls SecurePod adds for scanners.

Which level applies to a pod, and how loudly (the exact policy):

1. **Namespace enforcement.** When the app defines the pod's Namespace with the label
   ``pod-security.kubernetes.io/enforce: <level>``, every control of that level (at the
   version of ``pod-security.kubernetes.io/enforce-version``, or the chart's target when it
   is ``latest`` or absent) is an **error**: the API server's Pod Security admission would
   reject the pod, and it ignores k8sdsl exemptions, so an exemption does not help there.
2. **SecurePod.** A pod or pod template annotated ``k8sdsl.io/pod-security: restricted``
   (SecurePod and SecurePodTemplate set it) gets every restricted control at the chart's
   target version as an **error**, unless the object carries an exemption for the control
   (``k8sdsl.io/exemption.<control>``): then the finding is **info** and quotes the reason.
3. **Everything else** gets the controls of the namespace's ``warn`` (or ``audit``) level,
   or of ``restricted`` when the app sets neither, as **warnings** (info when exempted).

A field reported at a stricter step is not reported again at a looser one. The hardening
controls (``run-as-user-below-10000``, ``read-only-root-filesystem``, ``resources``,
``probes``, ``service-account-token``, ``secret-env``) are checked only on pods annotated
with the profile (SecurePods): they are errors there unless exempted.

Controls follow the pod-security-admission library (``k8s.io/pod-security-admission/
policy``): containers means init, regular and ephemeral containers; Windows pods
(``spec.os.name: windows``) are exempt from the Linux-only restricted controls from 1.25;
pods with ``hostUsers: false`` (their own user namespace) are exempt from
``run-as-non-root``, ``run-as-user`` and the baseline ``proc-mount`` check from 1.35.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from k8sdsl.core._findings import Finding, Severity
from k8sdsl.core._manifest import Manifest
from k8sdsl.core._podspecs import PodSpecRef
from k8sdsl.core._versions import K8sVersion
from k8sdsl.rules._registry import RuleContext, rule
from k8sdsl.security._exemptions import PROFILE_ANNOTATION, Control, exemption_reason
from k8sdsl.security._standards import (
    BASELINE_CAPABILITIES,
    RESTRICTED_VOLUME_TYPES,
    Level,
    Version,
    safe_sysctls,
    selinux_types,
)
from k8sdsl.volumes import POD_SOURCE_TYPES

ENFORCE_LABEL = "pod-security.kubernetes.io/enforce"
ENFORCE_VERSION_LABEL = "pod-security.kubernetes.io/enforce-version"
WARN_LABEL = "pod-security.kubernetes.io/warn"
WARN_VERSION_LABEL = "pod-security.kubernetes.io/warn-version"
AUDIT_LABEL = "pod-security.kubernetes.io/audit"
AUDIT_VERSION_LABEL = "pod-security.kubernetes.io/audit-version"


@dataclass(frozen=True, slots=True)
class Violation:
    """One offending field: JSON path below the pod spec (or metadata), message and fix."""

    path: str
    message: str
    hint: str


@dataclass(frozen=True, slots=True)
class PodView:
    """What a control looks at: the pod spec, the pod's annotations and the JSON paths."""

    spec: dict[str, Any]
    annotations: dict[str, Any]
    spec_path: str
    meta_path: str
    #: (JSON path, container), listed once: each of the controls walks them
    listed: tuple[tuple[str, dict[str, Any]], ...] = ()

    def containers(self) -> Iterator[tuple[str, dict[str, Any]]]:
        return iter(self.listed)

    def pod_sc(self) -> dict[str, Any]:
        sc = self.spec.get("securityContext")
        return sc if isinstance(sc, dict) else {}

    @property
    def windows(self) -> bool:
        os = self.spec.get("os")
        return isinstance(os, dict) and os.get("name") == "windows"

    @property
    def user_namespace(self) -> bool:
        return self.spec.get("hostUsers") is False


def _containers(spec: dict[str, Any], spec_path: str) -> tuple[tuple[str, dict[str, Any]], ...]:
    # pod-security-admission visits init, regular, then ephemeral containers
    found: list[tuple[str, dict[str, Any]]] = []
    for key in ("initContainers", "containers", "ephemeralContainers"):
        items = spec.get(key)
        for i, c in enumerate(items if isinstance(items, list) else []):
            if isinstance(c, dict):
                found.append((f"{spec_path}.{key}[{i}]", c))
    return tuple(found)


def _sc(container: dict[str, Any]) -> dict[str, Any]:
    sc = container.get("securityContext")
    return sc if isinstance(sc, dict) else {}


def _list(value: Any) -> list[Any]:
    """``value`` when it is a list, else ``[]``: YAML from ``k8sdsl check`` may hold a map or
    a scalar where Kubernetes wants a list (the schema reports that; the controls must not
    crash on it)."""
    return value if isinstance(value, list) else []


def _annotations(pod: PodView) -> list[tuple[str, Any]]:
    """The pod's annotations with string keys, sorted (YAML keys may be numbers)."""
    return sorted((k, v) for k, v in pod.annotations.items() if isinstance(k, str))


def _get(d: Any, *keys: str) -> Any:
    for k in keys:
        if not isinstance(d, dict):
            return None
        d = d.get(k)
    return d


def _name(container: dict[str, Any]) -> str:
    return str(container.get("name", "?"))


Check = Callable[[PodView, Version, Level], list[Violation]]


@dataclass(frozen=True, slots=True)
class PssControl:
    """A Pod Security Standards control: its level, the first version it applies to, the
    control it replaces at its level (restricted variants replace baseline ones) and the
    check."""

    control: Control
    level: Level
    since: Version
    check: Check
    summary: str
    overrides: Control | None = None


# -- baseline ---------------------------------------------------------------------------------


def _host_process(pod: PodView, version: Version, level: Level) -> list[Violation]:
    out = []
    if _get(pod.pod_sc(), "windowsOptions", "hostProcess") is True:
        out.append(
            Violation(
                f"{pod.spec_path}.securityContext.windowsOptions.hostProcess",
                "the pod runs as a Windows host process (full node access)",
                "drop windowsOptions.hostProcess",
            )
        )
    for path, c in pod.containers():
        if _get(_sc(c), "windowsOptions", "hostProcess") is True:
            out.append(
                Violation(
                    f"{path}.securityContext.windowsOptions.hostProcess",
                    f"container {_name(c)!r} runs as a Windows host process",
                    "drop windowsOptions.hostProcess",
                )
            )
    return out


def _host_namespaces(pod: PodView, version: Version, level: Level) -> list[Violation]:
    return [
        Violation(
            f"{pod.spec_path}.{field}",
            f"{field}=true shares the node's {what} namespace with the pod",
            f"drop {field}",
        )
        for field, what in (("hostNetwork", "network"), ("hostPID", "process"), ("hostIPC", "IPC"))
        if pod.spec.get(field) is True
    ]


def _privileged(pod: PodView, version: Version, level: Level) -> list[Violation]:
    return [
        Violation(
            f"{path}.securityContext.privileged",
            f"container {_name(c)!r} is privileged: it has every capability and every "
            "device of the node",
            "drop privileged=True",
        )
        for path, c in pod.containers()
        if _sc(c).get("privileged") is True
    ]


def _capabilities_baseline(pod: PodView, version: Version, level: Level) -> list[Violation]:
    out = []
    for path, c in pod.containers():
        add = _get(_sc(c), "capabilities", "add")
        bad = [
            str(a) for a in _list(add) if not (isinstance(a, str) and a in BASELINE_CAPABILITIES)
        ]
        if bad:
            out.append(
                Violation(
                    f"{path}.securityContext.capabilities.add",
                    f"container {_name(c)!r} adds {', '.join(bad)}, beyond the "
                    "runtime's default capabilities",
                    "drop them from capabilities.add",
                )
            )
    return out


def _host_path_volumes(pod: PodView, version: Version, level: Level) -> list[Violation]:
    out = []
    for i, v in enumerate(_list(pod.spec.get("volumes"))):
        if isinstance(v, dict) and v.get("hostPath") is not None:
            out.append(
                Violation(
                    f"{pod.spec_path}.volumes[{i}].hostPath",
                    f"volume {v.get('name')!r} mounts a path of the node "
                    "(hostPath): it can read and change the node",
                    "use an emptyDir, a PersistentVolumeClaim or a CSI volume",
                )
            )
    return out


def _host_ports(pod: PodView, version: Version, level: Level) -> list[Violation]:
    out = []
    for path, c in pod.containers():
        for i, p in enumerate(_list(c.get("ports"))):
            if isinstance(p, dict) and p.get("hostPort") not in (None, 0):
                out.append(
                    Violation(
                        f"{path}.ports[{i}].hostPort",
                        f"container {_name(c)!r} binds hostPort {p.get('hostPort')} on the node",
                        "drop host_port and reach the pod through a Service",
                    )
                )
    return out


def _host_probes(pod: PodView, version: Version, level: Level) -> list[Violation]:
    out = []
    for path, c in pod.containers():
        handlers: list[tuple[str, Any]] = []
        for probe in ("livenessProbe", "readinessProbe", "startupProbe"):
            handlers += [(f"{probe}.{h}", _get(c, probe, h)) for h in ("httpGet", "tcpSocket")]
        for hook in ("postStart", "preStop"):
            handlers += [
                (f"lifecycle.{hook}.{h}", _get(c, "lifecycle", hook, h))
                for h in ("httpGet", "tcpSocket")
            ]
        for where, handler in handlers:
            if isinstance(handler, dict) and handler.get("host"):
                out.append(
                    Violation(
                        f"{path}.{where}.host",
                        f"container {_name(c)!r}: {where} connects to host "
                        f"{handler['host']!r}, so the kubelet can be made to "
                        "reach any address",
                        "drop host: probes target the pod",
                    )
                )
    return out


_APPARMOR_ANNOTATION = "container.apparmor.security.beta.kubernetes.io/"


def _apparmor(pod: PodView, version: Version, level: Level) -> list[Violation]:
    out = []
    allowed = ("RuntimeDefault", "Localhost")
    t = _get(pod.pod_sc(), "appArmorProfile", "type")
    if t is not None and t not in allowed:
        out.append(
            Violation(
                f"{pod.spec_path}.securityContext.appArmorProfile.type",
                f"the pod sets AppArmor profile {t!r}",
                "use RuntimeDefault",
            )
        )
    for path, c in pod.containers():
        t = _get(_sc(c), "appArmorProfile", "type")
        if t is not None and t not in allowed:
            out.append(
                Violation(
                    f"{path}.securityContext.appArmorProfile.type",
                    f"container {_name(c)!r} sets AppArmor profile {t!r}",
                    "use RuntimeDefault",
                )
            )
    for key, value in _annotations(pod):
        if (
            key.startswith(_APPARMOR_ANNOTATION)
            and value
            and value != "runtime/default"
            and not str(value).startswith("localhost/")
        ):
            out.append(
                Violation(
                    f"{pod.meta_path}.annotations[{key!r}]",
                    f"annotation {key}={value!r} disables AppArmor",
                    "use runtime/default, or drop the annotation",
                )
            )
    return out


def _selinux(pod: PodView, version: Version, level: Level) -> list[Violation]:
    allowed = selinux_types(version)
    out = []

    def check(opts: Any, path: str, who: str) -> None:
        if not isinstance(opts, dict):
            return
        if str(opts.get("type") or "") not in allowed:
            out.append(
                Violation(
                    f"{path}.type",
                    f"{who} sets SELinux type {opts.get('type')!r}",
                    "use one of " + ", ".join(sorted(allowed - {""})),
                )
            )
        for field in ("user", "role"):
            if opts.get(field):
                out.append(
                    Violation(
                        f"{path}.{field}",
                        f"{who} sets a custom SELinux {field}",
                        f"drop seLinuxOptions.{field}",
                    )
                )

    check(
        pod.pod_sc().get("seLinuxOptions"),
        f"{pod.spec_path}.securityContext.seLinuxOptions",
        "the pod",
    )
    for path, c in pod.containers():
        check(
            _sc(c).get("seLinuxOptions"),
            f"{path}.securityContext.seLinuxOptions",
            f"container {_name(c)!r}",
        )
    return out


def _proc_mount(pod: PodView, version: Version, level: Level) -> list[Violation]:
    # From 1.35 the baseline check is relaxed for pods in their own user namespace; the
    # restricted one is not.
    if level is Level.BASELINE and version >= (1, 35) and pod.user_namespace:
        return []
    return [
        Violation(
            f"{path}.securityContext.procMount",
            f"container {_name(c)!r} sets procMount {_sc(c)['procMount']!r}: /proc is not masked",
            "drop proc_mount (Default)",
        )
        for path, c in pod.containers()
        if _sc(c).get("procMount") not in (None, "Default")
    ]


def _seccomp_baseline(pod: PodView, version: Version, level: Level) -> list[Violation]:
    out = []
    if version < (1, 19):
        for key, value in _annotations(pod):
            if (
                key == "seccomp.security.alpha.kubernetes.io/pod"
                or key.startswith("container.seccomp.security.alpha.kubernetes.io/")
            ) and not (
                value in ("runtime/default", "docker/default")
                or str(value).startswith("localhost/")
            ):
                out.append(
                    Violation(
                        f"{pod.meta_path}.annotations[{key!r}]",
                        f"annotation {key}={value!r} disables seccomp",
                        "use runtime/default",
                    )
                )
        return out
    t = _get(pod.pod_sc(), "seccompProfile", "type")
    if t is not None and t not in ("RuntimeDefault", "Localhost"):
        out.append(
            Violation(
                f"{pod.spec_path}.securityContext.seccompProfile.type",
                f"the pod sets seccomp profile {t!r}",
                "use RuntimeDefault",
            )
        )
    for path, c in pod.containers():
        t = _get(_sc(c), "seccompProfile", "type")
        if t is not None and t not in ("RuntimeDefault", "Localhost"):
            out.append(
                Violation(
                    f"{path}.securityContext.seccompProfile.type",
                    f"container {_name(c)!r} sets seccomp profile {t!r}",
                    "use RuntimeDefault",
                )
            )
    return out


def _sysctls(pod: PodView, version: Version, level: Level) -> list[Violation]:
    allowed = safe_sysctls(version)
    out = []
    for i, s in enumerate(_list(pod.pod_sc().get("sysctls"))):
        name = s.get("name") if isinstance(s, dict) else None
        name = name if isinstance(name, str) else None
        if name not in allowed:
            out.append(
                Violation(
                    f"{pod.spec_path}.securityContext.sysctls[{i}].name",
                    f"sysctl {name!r} is not in the safe set of Kubernetes "
                    f"{version[0]}.{version[1]}",
                    "allowed: " + ", ".join(sorted(allowed)),
                )
            )
    return out


# -- restricted -------------------------------------------------------------------------------


#: the keys of a pod volume that name its source (every type the API has)
_POD_VOLUME_KEYS = frozenset(t.k8s_key for t in POD_SOURCE_TYPES)


def _volume_types(pod: PodView, version: Version, level: Level) -> list[Violation]:
    out = []
    for i, v in enumerate(_list(pod.spec.get("volumes"))):
        if not isinstance(v, dict):
            continue
        # only real volume sources: an unknown key (``pdName``, ``PersistentVolumeClaim``) is
        # the schema's finding, not a volume type
        kinds = [k for k in v if k in _POD_VOLUME_KEYS]
        bad = [k for k in kinds if k not in RESTRICTED_VOLUME_TYPES]
        if bad:
            out.append(
                Violation(
                    f"{pod.spec_path}.volumes[{i}].{bad[0]}",
                    f"volume {v.get('name')!r} is of type {bad[0]}, which the "
                    "restricted profile forbids",
                    "use a PersistentVolumeClaim (its PersistentVolume may be "
                    f"{bad[0]}) or one of: " + ", ".join(sorted(RESTRICTED_VOLUME_TYPES)),
                )
            )
    return out


def _privilege_escalation(pod: PodView, version: Version, level: Level) -> list[Violation]:
    if version >= (1, 25) and pod.windows:
        return []
    return [
        Violation(
            f"{path}.securityContext.allowPrivilegeEscalation",
            f"container {_name(c)!r} does not set allowPrivilegeEscalation=false: a "
            "setuid binary could gain privileges",
            "set allow_privilege_escalation=False",
        )
        for path, c in pod.containers()
        if _sc(c).get("allowPrivilegeEscalation") is not False
    ]


def _run_as_non_root(pod: PodView, version: Version, level: Level) -> list[Violation]:
    if version >= (1, 35) and pod.user_namespace:
        return []
    out = []
    pod_value = pod.pod_sc().get("runAsNonRoot")
    if pod_value is False:
        out.append(
            Violation(
                f"{pod.spec_path}.securityContext.runAsNonRoot",
                "the pod sets runAsNonRoot=false",
                "set run_as_non_root=True",
            )
        )
    for path, c in pod.containers():
        value = _sc(c).get("runAsNonRoot")
        if value is False:
            out.append(
                Violation(
                    f"{path}.securityContext.runAsNonRoot",
                    f"container {_name(c)!r} sets runAsNonRoot=false",
                    "set run_as_non_root=True",
                )
            )
        elif value is None and pod_value is not True:
            out.append(
                Violation(
                    f"{path}.securityContext.runAsNonRoot",
                    f"neither the pod nor container {_name(c)!r} sets "
                    "runAsNonRoot=true: the image may run as root",
                    "set run_as_non_root=True on the pod security context",
                )
            )
    return out


def _run_as_user(pod: PodView, version: Version, level: Level) -> list[Violation]:
    if version >= (1, 35) and pod.user_namespace:
        return []
    out = []
    if pod.pod_sc().get("runAsUser") == 0:
        out.append(
            Violation(
                f"{pod.spec_path}.securityContext.runAsUser",
                "the pod runs as root (runAsUser=0)",
                "use a UID of 10000 or more",
            )
        )
    for path, c in pod.containers():
        if _sc(c).get("runAsUser") == 0:
            out.append(
                Violation(
                    f"{path}.securityContext.runAsUser",
                    f"container {_name(c)!r} runs as root (runAsUser=0)",
                    "use a UID of 10000 or more",
                )
            )
    return out


def _seccomp_restricted(pod: PodView, version: Version, level: Level) -> list[Violation]:
    if version >= (1, 25) and pod.windows:
        return []
    out = _seccomp_baseline(pod, version, level)
    pod_set = _get(pod.pod_sc(), "seccompProfile", "type") in ("RuntimeDefault", "Localhost")
    for path, c in pod.containers():
        if _get(_sc(c), "seccompProfile", "type") is None and not pod_set:
            out.append(
                Violation(
                    f"{path}.securityContext.seccompProfile",
                    f"neither the pod nor container {_name(c)!r} sets a seccomp "
                    "profile: the container runs without a syscall filter",
                    "set seccomp_profile=SeccompProfile.runtime_default() on the "
                    "pod security context",
                )
            )
    return out


def _capabilities_restricted(pod: PodView, version: Version, level: Level) -> list[Violation]:
    if version >= (1, 25) and pod.windows:
        return []
    out = []
    for path, c in pod.containers():
        caps = _get(_sc(c), "capabilities")
        drop = _list(caps.get("drop")) if isinstance(caps, dict) else []
        add = _list(caps.get("add")) if isinstance(caps, dict) else []
        if "ALL" not in drop:
            out.append(
                Violation(
                    f"{path}.securityContext.capabilities.drop",
                    f"container {_name(c)!r} does not drop ALL capabilities",
                    "set capabilities=Capabilities.drop_all()",
                )
            )
        bad = [str(a) for a in add if a != "NET_BIND_SERVICE"]
        if bad:
            out.append(
                Violation(
                    f"{path}.securityContext.capabilities.add",
                    f"container {_name(c)!r} adds {', '.join(bad)}: restricted "
                    "allows only NET_BIND_SERVICE",
                    "drop them from add",
                )
            )
    return out


CONTROLS: tuple[PssControl, ...] = (
    PssControl(
        Control.HOST_PROCESS,
        Level.BASELINE,
        (1, 0),
        _host_process,
        "Windows HostProcess containers must be disallowed",
    ),
    PssControl(
        Control.HOST_NAMESPACES,
        Level.BASELINE,
        (1, 0),
        _host_namespaces,
        "sharing the host network, PID or IPC namespace must be disallowed",
    ),
    PssControl(
        Control.PRIVILEGED,
        Level.BASELINE,
        (1, 0),
        _privileged,
        "privileged containers must be disallowed",
    ),
    PssControl(
        Control.CAPABILITIES_BASELINE,
        Level.BASELINE,
        (1, 0),
        _capabilities_baseline,
        "adding capabilities beyond the runtime default set must be disallowed",
    ),
    PssControl(
        Control.HOST_PATH_VOLUMES,
        Level.BASELINE,
        (1, 0),
        _host_path_volumes,
        "hostPath volumes must be forbidden",
    ),
    PssControl(
        Control.HOST_PORTS, Level.BASELINE, (1, 0), _host_ports, "host ports must be disallowed"
    ),
    PssControl(
        Control.HOST_PROBES,
        Level.BASELINE,
        (1, 34),
        _host_probes,
        "probes and lifecycle hooks must not set host (1.34+)",
    ),
    PssControl(
        Control.APPARMOR,
        Level.BASELINE,
        (1, 0),
        _apparmor,
        "AppArmor must not be disabled or overridden with Unconfined",
    ),
    PssControl(
        Control.SELINUX,
        Level.BASELINE,
        (1, 0),
        _selinux,
        "custom SELinux user or role, or a type outside container_*, is disallowed",
    ),
    PssControl(
        Control.PROC_MOUNT,
        Level.BASELINE,
        (1, 0),
        _proc_mount,
        "the default /proc masks must be kept",
    ),
    PssControl(
        Control.SECCOMP_BASELINE,
        Level.BASELINE,
        (1, 0),
        _seccomp_baseline,
        "the seccomp profile must not be Unconfined",
    ),
    PssControl(
        Control.SYSCTLS, Level.BASELINE, (1, 0), _sysctls, "only the safe sysctls may be set"
    ),
    PssControl(
        Control.VOLUME_TYPES,
        Level.RESTRICTED,
        (1, 0),
        _volume_types,
        "only configMap, csi, downwardAPI, emptyDir, ephemeral, image, "
        "persistentVolumeClaim, projected and secret volumes are allowed",
        overrides=Control.HOST_PATH_VOLUMES,
    ),
    PssControl(
        Control.PRIVILEGE_ESCALATION,
        Level.RESTRICTED,
        (1, 8),
        _privilege_escalation,
        "allowPrivilegeEscalation must be false",
    ),
    PssControl(
        Control.RUN_AS_NON_ROOT,
        Level.RESTRICTED,
        (1, 0),
        _run_as_non_root,
        "containers must run as non-root (runAsNonRoot: true)",
    ),
    PssControl(
        Control.RUN_AS_USER, Level.RESTRICTED, (1, 23), _run_as_user, "runAsUser must not be 0"
    ),
    PssControl(
        Control.SECCOMP_RESTRICTED,
        Level.RESTRICTED,
        (1, 19),
        _seccomp_restricted,
        "seccomp must be RuntimeDefault or Localhost",
        overrides=Control.SECCOMP_BASELINE,
    ),
    PssControl(
        Control.CAPABILITIES_RESTRICTED,
        Level.RESTRICTED,
        (1, 22),
        _capabilities_restricted,
        "containers must drop ALL capabilities and may add only NET_BIND_SERVICE",
        overrides=Control.CAPABILITIES_BASELINE,
    ),
)
"""Every control of the baseline and restricted profiles."""


def active_controls(level: Level, version: Version) -> list[PssControl]:
    """The controls a level enforces at a version (restricted variants replace baseline)."""
    chosen = [c for c in CONTROLS if c.level <= level and version >= c.since]
    replaced = {c.overrides for c in chosen if c.overrides is not None}
    return [c for c in chosen if c.control not in replaced]


# -- which level applies ----------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Tier:
    """One source of policy for a pod: level, version, how loud, and why."""

    severity: Severity
    level: Level
    version: Version
    why: str
    honours_exemptions: bool


def _version_of(label: object, default: K8sVersion) -> Version:
    text = str(label or "latest").strip()
    if text != "latest":
        try:
            v = K8sVersion(text)
            return (v.major, v.minor)
        except Exception:
            pass
    return (default.major, default.minor)


def _namespace_labels(ctx: RuleContext) -> dict[str, dict[str, str]]:
    return {m.name: m.labels for m in ctx.of_kind("Namespace")}


def tiers_for(
    m: Manifest,
    ref: PodSpecRef,
    namespaces: Mapping[str, Mapping[str, str]],
    profile_flag: str | None = None,
) -> list[Tier]:
    """The tiers that apply to one pod spec, strictest first.

    ``profile_flag`` is ``k8sdsl check --profile``: ``restricted`` or ``baseline`` holds
    every pod to that level as errors (a CI gate for YAML k8sdsl did not write), ``none``
    drops k8sdsl's default restricted warnings; the namespace labels and SecurePod's
    annotation still apply."""
    target = m.k8s_version
    tiers: list[Tier] = []
    labels = namespaces.get(ref.namespace or "", None)
    if labels is not None:
        enforce = Level.parse(labels.get(ENFORCE_LABEL))
        if enforce is not None and enforce > Level.PRIVILEGED:
            version = _version_of(labels.get(ENFORCE_VERSION_LABEL), target)
            tiers.append(
                Tier(
                    Severity.ERROR,
                    enforce,
                    version,
                    f"namespace {ref.namespace!r} enforces {enforce.label} "
                    f"v{version[0]}.{version[1]}",
                    False,
                )
            )
    profile = Level.parse(
        ref.annotations.get(PROFILE_ANNOTATION) or m.annotations.get(PROFILE_ANNOTATION)
    )
    if profile is not None and profile > Level.PRIVILEGED:
        tiers.append(
            Tier(
                Severity.ERROR,
                profile,
                (target.major, target.minor),
                f"SecurePod enforces {profile.label}",
                True,
            )
        )
    flagged = Level.parse(profile_flag)
    if flagged is not None and flagged > Level.PRIVILEGED:
        tiers.append(
            Tier(
                Severity.ERROR,
                flagged,
                (target.major, target.minor),
                f"--profile {flagged.label}",
                True,
            )
        )
    warn: Level | None = None
    warn_version: object = None
    if labels is not None:
        for key, vkey in ((WARN_LABEL, WARN_VERSION_LABEL), (AUDIT_LABEL, AUDIT_VERSION_LABEL)):
            level = Level.parse(labels.get(key))
            if level is not None and (warn is None or level > warn):
                warn, warn_version = level, labels.get(vkey)
    if warn is None and profile_flag is None:
        tiers.append(
            Tier(
                Severity.WARNING,
                Level.RESTRICTED,
                (target.major, target.minor),
                "k8sdsl warns at restricted by default",
                True,
            )
        )
    elif warn is not None and warn > Level.PRIVILEGED:
        version = _version_of(warn_version, target)
        tiers.append(
            Tier(
                Severity.WARNING,
                warn,
                version,
                f"namespace {ref.namespace!r} warns at {warn.label} v{version[0]}.{version[1]}",
                True,
            )
        )
    return tiers


def _view(ref: PodSpecRef) -> PodView:
    meta_path = "metadata" if ref.path == "spec" else ref.path.rsplit(".spec", 1)[0] + ".metadata"
    return PodView(ref.spec, ref.annotations, ref.path, meta_path, _containers(ref.spec, ref.path))


@dataclass(frozen=True, slots=True)
class _Evaluation:
    """Every control's findings over the app, computed once per run and grouped by rule id.

    A control that fails on some input is recorded under its id only, so one broken
    control cannot take the other eighteen rules down with it."""

    findings: dict[str, list[Finding]]
    failures: dict[str, Exception]


def _evaluate(ctx: RuleContext) -> _Evaluation:
    return ctx.memo("pod-security/evaluation", lambda: _evaluate_all(ctx))


def _evaluate_all(ctx: RuleContext) -> _Evaluation:
    namespaces = _namespace_labels(ctx)
    flag = ctx.settings.get("profile")
    # hardened is restricted for the standards' controls (the hardening rules read it too)
    profile_flag = "restricted" if flag == HARDENED else str(flag) if flag is not None else None
    result = _Evaluation({}, {})
    for m, ref in ctx.pod_specs():
        _evaluate_pod(m, ref, namespaces, result, profile_flag)
    return result


def _evaluate_pod(
    m: Manifest,
    ref: PodSpecRef,
    namespaces: Mapping[str, Mapping[str, str]],
    result: _Evaluation,
    profile_flag: str | None = None,
) -> None:
    pod = _view(ref)
    reported: set[str] = set()
    for tier in tiers_for(m, ref, namespaces, profile_flag):
        seen_here: set[str] = set()
        for control in active_controls(tier.level, tier.version):
            code = f"pod-security/{control.control.value}"
            try:
                violations = control.check(pod, tier.version, tier.level)
            except Exception as exc:  # noqa: BLE001 - re-raised by this control's rule only
                result.failures.setdefault(code, exc)
                continue
            for v in violations:
                if v.path in reported:
                    continue
                seen_here.add(v.path)
                result.findings.setdefault(code, []).append(_finding(m, ref, tier, control, v))
        reported |= seen_here


def _finding(
    m: Manifest, ref: PodSpecRef, tier: Tier, control: PssControl, v: Violation
) -> Finding:
    code = f"pod-security/{control.control.value}"
    reason = exemption_reason(control.control, m.annotations, ref.annotations)
    text = f"{v.message} ({tier.why})"
    if reason is not None and tier.honours_exemptions:
        return m.info(code, v.path, f"exempted from {control.control.value}: {reason}; {text}")
    hint = v.hint
    if reason is not None:
        hint = (
            f"{hint}; the exemption does not help here: the API server's Pod Security "
            "admission ignores k8sdsl exemptions, so move the pod to a namespace that "
            f"enforces less than {control.level.label}"
        )
    elif tier.honours_exemptions:
        hint = (
            f"{hint}, or record why it must stay: exemptions=[Exemption(control="
            f"{control.control.value!r}, reason=...)]"
        )
    return m.finding(tier.severity, code, v.path, text, hint)


def _register(control: PssControl) -> None:
    def check(ctx: RuleContext) -> Iterable[Finding]:
        code = f"pod-security/{control.control.value}"
        evaluation = _evaluate(ctx)
        if code in evaluation.failures:
            raise evaluation.failures[code]
        return list(evaluation.findings.get(code, ()))

    check.__name__ = f"check_{control.control.name.lower()}"
    check.__doc__ = (
        f"Pod Security Standards, {control.level.label} (from "
        f"v{control.since[0]}.{control.since[1]}): {control.summary}. The API "
        "server's Pod Security admission rejects such pods in namespaces that "
        "enforce the level."
    )
    rule(f"pod-security/{control.control.value}", control.summary)(check)


for _control in CONTROLS:
    _register(_control)


# -- hardening beyond the standards (SecurePod) -----------------------------------------------

HIGH_ID = 10000
"""UIDs/GIDs from here up do not collide with the node's own users (checkov CKV_K8S_40)."""


#: ``k8sdsl check --profile hardened``: restricted plus SecurePod's hardening, for every pod
HARDENED = "hardened"


def _profiled(ctx: RuleContext) -> Iterator[tuple[Manifest, PodSpecRef, PodView]]:
    """The pods held to SecurePod's hardening: SecurePods, and with ``--profile hardened``
    every pod (a CI gate for YAML k8sdsl did not write)."""
    every = ctx.settings.get("profile") == HARDENED
    for m, ref in ctx.pod_specs():
        if (
            every
            or ref.annotations.get(PROFILE_ANNOTATION)
            or m.annotations.get(PROFILE_ANNOTATION)
        ):
            yield m, ref, _view(ref)


def _hardening(
    ctx: RuleContext, control: Control, check: Callable[[Manifest, PodView], list[Violation]]
) -> Iterator[Finding]:
    code = f"pod-security/{control.value}"
    for m, ref, pod in _profiled(ctx):
        reason = exemption_reason(control, m.annotations, ref.annotations)
        for v in check(m, pod):
            if reason is not None:
                yield m.info(code, v.path, f"exempted from {control.value}: {reason}; {v.message}")
            else:
                yield m.error(
                    code,
                    v.path,
                    f"{v.message} (SecurePod hardening"
                    + (", --profile hardened)" if ctx.settings.get("profile") == HARDENED else ")"),
                    f"{v.hint}, or record why: exemptions=[Exemption(control="
                    f"{control.value!r}, reason=...)]",
                )


def _regular_and_init(pod: PodView) -> Iterator[tuple[str, dict[str, Any]]]:
    for path, c in pod.containers():
        if ".ephemeralContainers[" not in path:
            yield path, c


@rule(
    "pod-security/run-as-user-below-10000",
    "SecurePod containers run with a UID and GID of 10000 or more",
)
def run_as_user_below_10000(ctx: RuleContext) -> Iterable[Finding]:
    """A low UID can collide with a user of the node's /etc/passwd (checkov CKV_K8S_40,
    kube-score): if the container escapes, it acts as that user. Pods with their own user
    namespace (``hostUsers: false``) are remapped and pass."""

    def check(m: Manifest, pod: PodView) -> list[Violation]:
        if pod.user_namespace:
            return []
        out = []
        for field in ("runAsUser", "runAsGroup"):
            pod_value = pod.pod_sc().get(field)
            for path, c in _regular_and_init(pod):
                value = _sc(c).get(field, pod_value)
                where = (
                    f"{path}.securityContext.{field}"
                    if field in _sc(c)
                    else f"{pod.spec_path}.securityContext.{field}"
                )
                if not isinstance(value, int) or value < HIGH_ID:
                    shown = "unset (the image decides)" if value is None else str(value)
                    out.append(
                        Violation(
                            where,
                            f"container {_name(c)!r} runs with {field} {shown}, below {HIGH_ID}",
                            f"use {field} 10001 or more",
                        )
                    )
        # one finding per field path is enough
        unique = {v.path: v for v in out}
        return list(unique.values())

    return _hardening(ctx, Control.RUN_AS_USER_BELOW_10000, check)


@rule(
    "pod-security/read-only-root-filesystem",
    "SecurePod containers have a read-only root filesystem",
)
def read_only_root_filesystem(ctx: RuleContext) -> Iterable[Finding]:
    """A writable root filesystem lets an intruder drop tools and change binaries of the
    running container (checkov CKV_K8S_22); write to an emptyDir mount instead."""

    def check(m: Manifest, pod: PodView) -> list[Violation]:
        return [
            Violation(
                f"{path}.securityContext.readOnlyRootFilesystem",
                f"container {_name(c)!r} can write to its root filesystem",
                "mount an emptyDir where it writes and keep read_only_root_filesystem=True",
            )
            for path, c in _regular_and_init(pod)
            if _sc(c).get("readOnlyRootFilesystem") is not True
        ]

    return _hardening(ctx, Control.READ_ONLY_ROOT_FILESYSTEM, check)


@rule("pod-security/resources", "SecurePod containers set CPU and memory requests and limits")
def resources(ctx: RuleContext) -> Iterable[Finding]:
    """Without requests the scheduler packs pods blindly; without limits one container can
    starve the node (checkov CKV_K8S_10 to 13)."""

    def check(m: Manifest, pod: PodView) -> list[Violation]:
        out = []
        for path, c in _regular_and_init(pod):
            missing = [
                f"{kind}.{res}"
                for kind in ("requests", "limits")
                for res in ("cpu", "memory")
                if _get(c, "resources", kind, res) is None
            ]
            if missing:
                out.append(
                    Violation(
                        f"{path}.resources",
                        f"container {_name(c)!r} sets no {', '.join(missing)}",
                        "set resources=ResourceRequirements.of(...)",
                    )
                )
        return out

    return _hardening(ctx, Control.RESOURCES, check)


@rule("pod-security/probes", "SecurePod containers with ports have liveness and readiness probes")
def probes(ctx: RuleContext) -> Iterable[Finding]:
    """A container that listens but has no readiness probe gets traffic before it can serve,
    and one without a liveness probe is never restarted when it hangs (checkov CKV_K8S_8,
    CKV_K8S_9). Job pods are skipped: they run to completion."""

    def check(m: Manifest, pod: PodView) -> list[Violation]:
        if m.kind in ("Job", "CronJob"):
            return []
        out = []
        for i, c in enumerate(_list(pod.spec.get("containers"))):
            if not isinstance(c, dict) or not c.get("ports"):
                continue
            for probe in ("livenessProbe", "readinessProbe"):
                if not c.get(probe):
                    out.append(
                        Violation(
                            f"{pod.spec_path}.containers[{i}].{probe}",
                            f"container {_name(c)!r} listens on a port but has no {probe}",
                            f"set {probe} (Probe.http(...))",
                        )
                    )
        return out

    return _hardening(ctx, Control.PROBES, check)


@rule(
    "pod-security/service-account-token",
    "SecurePod pods do not mount the service account token unless asked",
)
def service_account_token(ctx: RuleContext) -> Iterable[Finding]:
    """A mounted API token lets anyone who takes over the container call the API server
    with the pod's identity (checkov CKV_K8S_38). Only pods that call the API need it."""

    def check(m: Manifest, pod: PodView) -> list[Violation]:
        if pod.spec.get("automountServiceAccountToken") is False:
            return []
        return [
            Violation(
                f"{pod.spec_path}.automountServiceAccountToken",
                "the service account token is mounted into the pod",
                "set automount_service_account_token=False",
            )
        ]

    return _hardening(ctx, Control.SERVICE_ACCOUNT_TOKEN, check)


@rule("pod-security/secret-env", "SecurePod containers read Secrets from files, not env")
def secret_env(ctx: RuleContext) -> Iterable[Finding]:
    """Environment variables leak into crash dumps, ``/proc/<pid>/environ`` and child
    processes; a Secret mounted as a file does not (checkov CKV_K8S_35)."""

    def check(m: Manifest, pod: PodView) -> list[Violation]:
        out = []
        for path, c in _regular_and_init(pod):
            for i, e in enumerate(_list(c.get("env"))):
                if isinstance(e, dict) and _get(e, "valueFrom", "secretKeyRef"):
                    out.append(
                        Violation(
                            f"{path}.env[{i}].valueFrom.secretKeyRef",
                            f"container {_name(c)!r} reads Secret "
                            f"{_get(e, 'valueFrom', 'secretKeyRef', 'name')!r} into "
                            f"${e.get('name')}",
                            "mount the Secret as a volume (Volume.secret(...))",
                        )
                    )
            for i, e in enumerate(_list(c.get("envFrom"))):
                if isinstance(e, dict) and e.get("secretRef"):
                    out.append(
                        Violation(
                            f"{path}.envFrom[{i}].secretRef",
                            f"container {_name(c)!r} reads every key of Secret "
                            f"{_get(e, 'secretRef', 'name')!r} into its environment",
                            "mount the Secret as a volume (Volume.secret(...))",
                        )
                    )
        return out

    return _hardening(ctx, Control.SECRET_ENV, check)


__all__ = [
    "CONTROLS",
    "PssControl",
    "Tier",
    "active_controls",
    "tiers_for",
]
