"""Every Pod Security Standards control: a pod that violates it gets the finding, the
compliant pod gets none; and the policy deciding how loud a finding is."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from k8sdsl.core import Severity
from k8sdsl.rules import registered_rules
from k8sdsl.rules.pod_security import CONTROLS, active_controls
from k8sdsl.security import Control, Exemption, Level, exemption_annotations

from ..conftest import check_objects
from ._pods import container_sc, mutated, namespace, restricted_pod

PSS_RULES = [f"pod-security/{c.control.value}" for c in CONTROLS]


def _set(path: str, value: Any) -> Callable[[dict[str, Any]], None]:
    """A mutation that sets a dotted path (``spec.hostPID``; ``c.`` = first container)."""

    def fn(pod: dict[str, Any]) -> None:
        node = pod["spec"]["containers"][0] if path.startswith("c.") else pod
        keys = path.removeprefix("c.").split(".")
        for k in keys[:-1]:
            node = node.setdefault(k, {})
        if value is None:
            node.pop(keys[-1], None)
        else:
            node[keys[-1]] = value

    return fn


def _both(*fns: Callable[[dict[str, Any]], None]) -> Callable[[dict[str, Any]], None]:
    def fn(pod: dict[str, Any]) -> None:
        for f in fns:
            f(pod)

    return fn


#: control -> (mutation, field path of the finding, level of the control)
VIOLATIONS: dict[Control, tuple[Callable[[dict[str, Any]], None], str]] = {
    Control.HOST_PROCESS: (
        _set("spec.securityContext.windowsOptions", {"hostProcess": True}),
        "spec.securityContext.windowsOptions.hostProcess",
    ),
    Control.HOST_NAMESPACES: (_set("spec.hostPID", True), "spec.hostPID"),
    Control.PRIVILEGED: (
        _set("c.securityContext.privileged", True),
        "spec.containers[0].securityContext.privileged",
    ),
    Control.CAPABILITIES_BASELINE: (
        _set("c.securityContext.capabilities.add", ["SYS_ADMIN"]),
        "spec.containers[0].securityContext.capabilities.add",
    ),
    Control.HOST_PATH_VOLUMES: (
        _set("spec.volumes", [{"name": "h", "hostPath": {"path": "/"}}]),
        "spec.volumes[0].hostPath",
    ),
    Control.HOST_PORTS: (
        _set("c.ports", [{"containerPort": 8080, "name": "http", "hostPort": 8080}]),
        "spec.containers[0].ports[0].hostPort",
    ),
    Control.HOST_PROBES: (
        _set("c.livenessProbe", {"httpGet": {"port": 8080, "host": "169.254.169.254"}}),
        "spec.containers[0].livenessProbe.httpGet.host",
    ),
    Control.APPARMOR: (
        _set("spec.securityContext.appArmorProfile", {"type": "Unconfined"}),
        "spec.securityContext.appArmorProfile.type",
    ),
    Control.SELINUX: (
        _set("c.securityContext.seLinuxOptions", {"user": "system_u"}),
        "spec.containers[0].securityContext.seLinuxOptions.user",
    ),
    Control.PROC_MOUNT: (
        _set("c.securityContext.procMount", "Unmasked"),
        "spec.containers[0].securityContext.procMount",
    ),
    Control.SECCOMP_BASELINE: (
        _set("spec.securityContext.seccompProfile", {"type": "Unconfined"}),
        "spec.securityContext.seccompProfile.type",
    ),
    Control.SYSCTLS: (
        _set("spec.securityContext.sysctls", [{"name": "kernel.msgmax", "value": "1"}]),
        "spec.securityContext.sysctls[0].name",
    ),
    Control.VOLUME_TYPES: (
        _set("spec.volumes", [{"name": "n", "nfs": {"server": "10.0.0.5", "path": "/x"}}]),
        "spec.volumes[0].nfs",
    ),
    Control.PRIVILEGE_ESCALATION: (
        _set("c.securityContext.allowPrivilegeEscalation", None),
        "spec.containers[0].securityContext.allowPrivilegeEscalation",
    ),
    Control.RUN_AS_NON_ROOT: (
        _set("spec.securityContext.runAsNonRoot", None),
        "spec.containers[0].securityContext.runAsNonRoot",
    ),
    Control.RUN_AS_USER: (
        _both(
            _set("spec.securityContext.runAsNonRoot", None),
            _set("c.securityContext.runAsNonRoot", True),
            _set("c.securityContext.runAsUser", 0),
        ),
        "spec.containers[0].securityContext.runAsUser",
    ),
    Control.SECCOMP_RESTRICTED: (
        _set("spec.securityContext.seccompProfile", None),
        "spec.containers[0].securityContext.seccompProfile",
    ),
    Control.CAPABILITIES_RESTRICTED: (
        _set("c.securityContext.capabilities", {"drop": ["NET_RAW"]}),
        "spec.containers[0].securityContext.capabilities.drop",
    ),
}
BASELINE_ONLY = {Control.CAPABILITIES_BASELINE, Control.HOST_PATH_VOLUMES, Control.SECCOMP_BASELINE}


def test_every_control_has_a_violation_and_a_rule() -> None:
    assert set(VIOLATIONS) == {c.control for c in CONTROLS}
    ids = {r.id for r in registered_rules()}
    assert set(PSS_RULES) <= ids


def test_the_restricted_pod_is_quiet() -> None:
    report = check_objects([restricted_pod()], only=PSS_RULES)
    assert report.findings == ()


@pytest.mark.parametrize("control", sorted(VIOLATIONS, key=lambda c: c.value), ids=str)
def test_each_control_is_found(control: Control) -> None:
    mutate, path = VIOLATIONS[control]
    code = f"pod-security/{control.value}"
    objects: list[dict[str, Any]] = [mutated(restricted_pod(profile=False), mutate)]
    if control in BASELINE_ONLY:
        # restricted replaces these with its own variant: see them at the baseline level
        objects.append(namespace(enforce="baseline", warn="baseline"))
    else:
        objects[0]["metadata"]["annotations"] = {"k8sdsl.io/pod-security": "restricted"}
    report = check_objects(objects, only=[code])
    assert [(f.code, f.path, f.severity) for f in report.findings] == [(code, path, Severity.ERROR)]


@pytest.mark.parametrize("control", sorted(VIOLATIONS, key=lambda c: c.value), ids=str)
def test_each_control_honours_an_exemption(control: Control) -> None:
    mutate, path = VIOLATIONS[control]
    code = f"pod-security/{control.value}"
    annotations = exemption_annotations(
        [Exemption(control=control, reason="the node agent needs it")]
    )
    objects: list[dict[str, Any]]
    if control in BASELINE_ONLY:
        # seen at the baseline level: a namespace that warns at baseline
        pod = mutated(restricted_pod(profile=False, annotations=annotations), mutate)
        objects = [pod, namespace(warn="baseline")]
    else:
        objects = [mutated(restricted_pod(annotations=annotations), mutate)]
    report = check_objects(objects, only=[code])
    assert [(f.code, f.path, f.severity) for f in report.findings] == [(code, path, Severity.INFO)]
    assert "the node agent needs it" in report.findings[0].message


def test_hostpath_is_reported_once_at_restricted() -> None:
    pod = mutated(restricted_pod(), VIOLATIONS[Control.HOST_PATH_VOLUMES][0])
    report = check_objects([pod], only=PSS_RULES)
    assert report.codes() == ["pod-security/volume-types"]


def test_a_plain_pod_gets_warnings_at_restricted() -> None:
    pod = mutated(restricted_pod(profile=False), _set("c.securityContext.privileged", True))
    report = check_objects([pod], only=PSS_RULES)
    assert [(f.code, f.severity) for f in report.findings] == [
        ("pod-security/privileged", Severity.WARNING)
    ]
    assert "warns at restricted by default" in report.findings[0].message


def test_namespace_enforcement_is_an_error_and_ignores_exemptions() -> None:
    pod = mutated(
        restricted_pod(
            profile=False,
            annotations=exemption_annotations(
                [Exemption(control="privileged", reason="needs devices")]
            ),
        ),
        _set("c.securityContext.privileged", True),
    )
    report = check_objects([pod, namespace(enforce="baseline")], only=PSS_RULES)
    (finding,) = report.findings
    assert (finding.code, finding.severity) == ("pod-security/privileged", Severity.ERROR)
    assert "namespace 'apps' enforces baseline" in finding.message
    assert "ignores k8sdsl exemptions" in finding.hint


def test_a_privileged_namespace_with_privileged_warnings_says_nothing() -> None:
    pod = mutated(restricted_pod(profile=False), _set("spec.hostNetwork", True))
    report = check_objects(
        [pod, namespace(enforce="privileged", warn="privileged")], only=PSS_RULES
    )
    assert report.findings == ()


def test_baseline_enforced_restricted_warned() -> None:
    pod = mutated(
        restricted_pod(profile=False),
        _both(_set("spec.hostPID", True), _set("c.securityContext.allowPrivilegeEscalation", None)),
    )
    report = check_objects([pod, namespace(enforce="baseline")], only=PSS_RULES)
    assert sorted((f.code, f.severity.value) for f in report.findings) == [
        ("pod-security/host-namespaces", "error"),
        ("pod-security/privilege-escalation", "warning"),
    ]


def test_enforce_version_picks_the_controls() -> None:
    probe = VIOLATIONS[Control.HOST_PROBES][0]
    pod = mutated(restricted_pod(profile=False), probe)
    old = namespace(enforce="baseline", enforce_version="v1.33", warn="privileged")
    new = namespace(enforce="baseline", enforce_version="v1.34", warn="privileged")
    assert check_objects([pod, old], only=PSS_RULES).findings == ()
    assert check_objects([pod, new], only=PSS_RULES).codes() == ["pod-security/host-probes"]


def test_target_version_picks_the_controls_when_latest() -> None:
    pod = mutated(restricted_pod(), VIOLATIONS[Control.HOST_PROBES][0])
    assert check_objects([pod], version="1.33", only=PSS_RULES).findings == ()
    assert check_objects([pod], version="1.34", only=PSS_RULES).codes() == [
        "pod-security/host-probes"
    ]


@pytest.mark.parametrize(
    ("sysctl", "allowed_from"),
    [
        ("net.ipv4.ip_local_reserved_ports", "1.27"),
        ("net.ipv4.tcp_keepalive_time", "1.29"),
        ("net.ipv4.tcp_rmem", "1.32"),
        ("net.ipv4.tcp_notsent_lowat", "1.37"),
    ],
)
def test_safe_sysctls_grow_with_the_version(sysctl: str, allowed_from: str) -> None:
    pod = mutated(
        restricted_pod(), _set("spec.securityContext.sysctls", [{"name": sysctl, "value": "1"}])
    )
    minor = int(allowed_from.split(".")[1])
    before = namespace(enforce="baseline", enforce_version=f"v1.{minor - 1}", warn="privileged")
    at = namespace(enforce="baseline", enforce_version=f"v{allowed_from}", warn="privileged")
    plain = {**pod, "metadata": {"name": "p", "namespace": "apps"}}
    assert check_objects([plain, before], only=["pod-security/sysctls"]).codes() == [
        "pod-security/sysctls"
    ]
    assert check_objects([plain, at], only=["pod-security/sysctls"]).findings == ()


def test_selinux_container_engine_t_from_1_31() -> None:
    pod = mutated(
        restricted_pod(profile=False),
        _set("c.securityContext.seLinuxOptions", {"type": "container_engine_t"}),
    )
    v130 = namespace(enforce="baseline", enforce_version="v1.30", warn="privileged")
    v131 = namespace(enforce="baseline", enforce_version="v1.31", warn="privileged")
    assert check_objects([pod, v130], only=["pod-security/selinux"]).codes() == [
        "pod-security/selinux"
    ]
    assert check_objects([pod, v131], only=["pod-security/selinux"]).findings == ()


def test_user_namespaces_relax_run_as_rules_from_1_35() -> None:
    pod = mutated(
        restricted_pod(),
        _both(
            _set("spec.hostUsers", False),
            _set("spec.securityContext.runAsNonRoot", None),
            _set("spec.securityContext.runAsUser", 0),
        ),
    )
    rules = ["pod-security/run-as-non-root", "pod-security/run-as-user"]
    assert sorted(check_objects([pod], version="1.34", only=rules).codes()) == rules
    assert check_objects([pod], version="1.35", only=rules).findings == ()


def test_proc_mount_relaxed_for_user_namespaces_only_at_baseline() -> None:
    pod = mutated(
        restricted_pod(profile=False),
        _both(_set("spec.hostUsers", False), _set("c.securityContext.procMount", "Unmasked")),
    )
    baseline = namespace(enforce="baseline", warn="privileged")
    restricted = namespace(enforce="restricted")
    assert check_objects([pod, baseline], only=["pod-security/proc-mount"]).findings == ()
    assert check_objects([pod, restricted], only=["pod-security/proc-mount"]).codes() == [
        "pod-security/proc-mount"
    ]


def test_windows_pods_skip_linux_only_restricted_controls() -> None:
    pod = restricted_pod()
    pod["spec"]["os"] = {"name": "windows"}
    del pod["spec"]["securityContext"]["seccompProfile"]
    del container_sc(pod)["allowPrivilegeEscalation"]
    del container_sc(pod)["capabilities"]
    report = check_objects([pod], only=PSS_RULES)
    assert report.findings == ()


def test_apparmor_annotation_is_checked() -> None:
    pod = restricted_pod(
        annotations={"container.apparmor.security.beta.kubernetes.io/app": "unconfined"}
    )
    report = check_objects([pod], only=["pod-security/apparmor"])
    assert [f.path for f in report.findings] == [
        "metadata.annotations['container.apparmor.security.beta.kubernetes.io/app']"
    ]


def test_deployment_template_annotations_and_paths() -> None:
    pod = restricted_pod()
    deployment = {
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "metadata": {"name": "d", "namespace": "apps"},
        "spec": {
            "selector": {"matchLabels": {"a": "b"}},
            "template": {
                "metadata": {"labels": {"a": "b"}, "annotations": pod["metadata"]["annotations"]},
                "spec": mutated(pod, _set("spec.hostIPC", True))["spec"],
            },
        },
    }
    report = check_objects([deployment], only=PSS_RULES)
    assert [(f.path, f.severity) for f in report.findings] == [
        ("spec.template.spec.hostIPC", Severity.ERROR)
    ]


def test_active_controls_replace_baseline_variants() -> None:
    restricted = {c.control for c in active_controls(Level.RESTRICTED, (1, 35))}
    assert Control.CAPABILITIES_BASELINE not in restricted
    assert Control.HOST_PATH_VOLUMES not in restricted
    assert Control.SECCOMP_BASELINE not in restricted
    baseline = {c.control for c in active_controls(Level.BASELINE, (1, 33))}
    assert Control.HOST_PROBES not in baseline
    assert Control.VOLUME_TYPES not in baseline
    assert {c.control for c in active_controls(Level.PRIVILEGED, (1, 35))} == set()
