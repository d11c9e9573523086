"""SecurePod's hardening rules and the image rules: each one triggers, and stays quiet."""

from __future__ import annotations

from typing import Any

import pytest

from k8sdsl.core import Severity
from k8sdsl.security import Control, Exemption, exemption_annotations

from ..conftest import check_objects
from ._pods import IMAGE, container_sc, mutated, restricted_pod

HARDENING = {
    "pod-security/run-as-user-below-10000": (
        lambda p: p["spec"]["securityContext"].update(runAsUser=1000),
        "spec.securityContext.runAsUser",
    ),
    "pod-security/read-only-root-filesystem": (
        lambda p: container_sc(p).pop("readOnlyRootFilesystem"),
        "spec.containers[0].securityContext.readOnlyRootFilesystem",
    ),
    "pod-security/resources": (
        lambda p: p["spec"]["containers"][0]["resources"].pop("limits"),
        "spec.containers[0].resources",
    ),
    "pod-security/probes": (
        lambda p: p["spec"]["containers"][0].pop("readinessProbe"),
        "spec.containers[0].readinessProbe",
    ),
    "pod-security/service-account-token": (
        lambda p: p["spec"].pop("automountServiceAccountToken"),
        "spec.automountServiceAccountToken",
    ),
    "pod-security/secret-env": (
        lambda p: p["spec"]["containers"][0].update(
            env=[{"name": "PW", "valueFrom": {"secretKeyRef": {"name": "db", "key": "password"}}}]
        ),
        "spec.containers[0].env[0].valueFrom.secretKeyRef",
    ),
}


@pytest.mark.parametrize("code", sorted(HARDENING))
def test_hardening_rule_triggers_in_a_securepod(code: str) -> None:
    mutate, path = HARDENING[code]
    report = check_objects([mutated(restricted_pod(), mutate)], only=[code])
    assert [(f.code, f.path, f.severity) for f in report.findings] == [(code, path, Severity.ERROR)]


@pytest.mark.parametrize("code", sorted(HARDENING))
def test_hardening_rule_is_quiet_on_the_secure_pod_and_on_plain_pods(code: str) -> None:
    mutate, _ = HARDENING[code]
    assert check_objects([restricted_pod()], only=[code]).findings == ()
    # hardening is SecurePod's promise, not a Pod Security Standard: plain pods are not judged
    assert (
        check_objects([mutated(restricted_pod(profile=False), mutate)], only=[code]).findings == ()
    )


@pytest.mark.parametrize("code", sorted(HARDENING))
def test_hardening_rule_honours_exemptions(code: str) -> None:
    mutate, _ = HARDENING[code]
    control = Control(code.split("/")[1])
    pod = mutated(
        restricted_pod(
            annotations=exemption_annotations(
                [Exemption(control=control, reason="measured and accepted")]
            )
        ),
        mutate,
    )
    (finding,) = check_objects([pod], only=[code]).findings
    assert finding.severity is Severity.INFO and "measured and accepted" in finding.message


def test_run_as_group_is_checked_too_and_user_namespaces_pass() -> None:
    pod = mutated(restricted_pod(), lambda p: p["spec"]["securityContext"].update(runAsGroup=0))
    (finding,) = check_objects([pod], only=["pod-security/run-as-user-below-10000"]).findings
    assert finding.path == "spec.securityContext.runAsGroup"
    pod["spec"]["hostUsers"] = False
    assert check_objects([pod], only=["pod-security/run-as-user-below-10000"]).findings == ()


def test_probes_are_not_required_in_jobs_or_without_ports() -> None:
    pod = restricted_pod()
    del pod["spec"]["containers"][0]["ports"]
    del pod["spec"]["containers"][0]["livenessProbe"]
    assert check_objects([pod], only=["pod-security/probes"]).findings == ()
    job = {
        "apiVersion": "batch/v1",
        "kind": "Job",
        "metadata": {"name": "j"},
        "spec": {
            "template": {
                "metadata": pod["metadata"],
                "spec": mutated(
                    restricted_pod(), lambda p: p["spec"]["containers"][0].pop("livenessProbe")
                )["spec"],
            }
        },
    }
    assert check_objects([job], only=["pod-security/probes"]).findings == ()


def test_env_from_secret_is_found() -> None:
    pod = mutated(
        restricted_pod(),
        lambda p: p["spec"]["containers"][0].update(envFrom=[{"secretRef": {"name": "db"}}]),
    )
    (finding,) = check_objects([pod], only=["pod-security/secret-env"]).findings
    assert finding.path == "spec.containers[0].envFrom[0].secretRef"


# -- images -----------------------------------------------------------------------------------


def _with_image(
    image: str, *, profile: bool = True, annotations: dict[str, str] | None = None
) -> dict[str, Any]:
    pod = restricted_pod(profile=profile, annotations=annotations)
    pod["spec"]["containers"][0]["image"] = image
    return pod


@pytest.mark.parametrize(
    ("image", "profile", "severity"),
    [
        ("nginx", True, Severity.ERROR),
        ("nginx:latest", True, Severity.ERROR),
        ("nginx", False, Severity.WARNING),
        ("ghcr.io/acme/web:latest", False, Severity.WARNING),
    ],
)
def test_floating_tags(image: str, profile: bool, severity: Severity) -> None:
    (finding,) = check_objects([_with_image(image, profile=profile)], only=["images/tag"]).findings
    assert (finding.severity, finding.path) == (severity, "spec.containers[0].image")


@pytest.mark.parametrize("image", ["nginx:1.27.3", IMAGE, f"nginx@sha256:{'0' * 64}"])
def test_fixed_tags_are_quiet(image: str) -> None:
    assert check_objects([_with_image(image)], only=["images/tag"]).findings == ()


def test_image_tag_exemption() -> None:
    pod = _with_image(
        "nginx:latest",
        annotations=exemption_annotations(
            [Exemption(control="image-tag", reason="the lab tracks upstream")]
        ),
    )
    (finding,) = check_objects([pod], only=["images/tag"]).findings
    assert finding.severity is Severity.INFO


def test_digest_warning_and_quiet() -> None:
    (finding,) = check_objects([_with_image("nginx:1.27.3")], only=["images/digest"]).findings
    assert finding.severity is Severity.WARNING and "@sha256:" in finding.hint
    assert check_objects([_with_image(IMAGE)], only=["images/digest"]).findings == ()
    # a floating image is reported by images/tag, not twice
    assert check_objects([_with_image("nginx")], only=["images/digest"]).findings == ()
    exempt = _with_image(
        "nginx:1.27.3",
        annotations=exemption_annotations(
            [Exemption(control="image-digest", reason="vendor image, tags are immutable")]
        ),
    )
    assert [f.severity for f in check_objects([exempt], only=["images/digest"]).findings] == [
        Severity.INFO
    ]


@pytest.mark.parametrize(
    ("image", "allowed"),
    [
        ("registry.example.com/team/app:1", True),
        ("registry.example.com:5000/app:1", False),
        ("ghcr.io/acme/web:1", True),
        ("ghcr.io/acme-evil/web:1", False),
        ("nginx:1.27", False),
        ("docker.io/library/busybox:1.36", True),
        ("busybox:1.36", True),
    ],
)
def test_allowed_registries(image: str, allowed: bool) -> None:
    settings = {
        "allowed_registries": ("registry.example.com", "ghcr.io/acme", "docker.io/library/busybox")
    }
    report = check_objects([_with_image(image)], only=["images/registry"], settings=settings)
    assert report.has_errors() is (not allowed)


def test_no_registry_list_means_no_registry_rule() -> None:
    assert (
        check_objects([_with_image("evil.example.net/x:1")], only=["images/registry"]).findings
        == ()
    )


def test_invalid_reference() -> None:
    (finding,) = check_objects(
        [_with_image("Nginx:1.0")], only=["images/invalid-reference"]
    ).findings
    assert finding.severity is Severity.ERROR and "lowercase" in finding.hint
    assert check_objects([_with_image(IMAGE)], only=["images/invalid-reference"]).findings == ()


def test_pull_secret_must_exist_in_the_app() -> None:
    pod = restricted_pod()
    pod["spec"]["imagePullSecrets"] = [{"name": "regcred"}]
    (finding,) = check_objects([pod], only=["images/pull-secret"]).findings
    assert finding.severity is Severity.WARNING
    assert finding.path == "spec.imagePullSecrets[0].name"
    secret = {
        "apiVersion": "v1",
        "kind": "Secret",
        "metadata": {"name": "regcred", "namespace": "apps"},
    }
    assert check_objects([pod, secret], only=["images/pull-secret"]).findings == ()
    elsewhere = {**secret, "metadata": {"name": "regcred", "namespace": "other"}}
    assert check_objects([pod, elsewhere], only=["images/pull-secret"]).codes() == [
        "images/pull-secret"
    ]


@pytest.mark.parametrize("image", ["busybox", "busybox:latest"])
def test_the_notes_busybox_is_an_error_in_securepod_and_a_warning_elsewhere(
    image: str, tmp_path: Any
) -> None:
    """The notes run ``busybox`` with no tag; built as constructs, a SecurePod (and a
    workload of a SecurePodTemplate) fails synth on it and a plain Pod gets a warning."""
    from k8sdsl import App, Chart
    from k8sdsl.workloads import Container, Deployment, Pod, SecurePod, SecurePodTemplate

    app = App(outdir=tmp_path / "dist")
    chart = Chart(app, "notes", namespace="apps")
    SecurePod(chart, "secure", image=image)
    Deployment(chart, "workload", template=SecurePodTemplate(image=image))
    Pod(chart, "plain", containers=[Container(name="busybox", image=image)])
    found = {
        (f.obj.kind, f.obj.name): f.severity for f in app.check().findings if f.code == "images/tag"
    }
    assert found == {
        ("Pod", "secure"): Severity.ERROR,
        ("Deployment", "workload"): Severity.ERROR,
        ("Pod", "plain"): Severity.WARNING,
    }
