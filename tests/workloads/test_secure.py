"""SecurePod and SecurePodTemplate: the defaults, pinned; each one changeable; weakening
needs an exemption."""

from __future__ import annotations

from typing import Any

import pytest

from k8sdsl import App, Chart, Namespace
from k8sdsl.core import SUPPORTED_VERSIONS, K8sDslError, ValueInputError
from k8sdsl.network import BUSYBOX_IMAGE
from k8sdsl.security import Control, Exemption
from k8sdsl.workloads import (
    SECURE_RESOURCES,
    Capabilities,
    Container,
    ContainerPort,
    Deployment,
    ImagePullPolicy,
    Job,
    PodSecurityContext,
    Probe,
    ResourceRequirements,
    SecurePod,
    SecurePodTemplate,
    SecurityContext,
)

from ..conftest import assert_schema_valid

IMAGE = (
    "registry.example.com/team/app:1.0"
    "@sha256:5d0da3dc976460b72c77d94c8a1ad043720b0416bfc16c52c45d4847e53fadb6"
)


@pytest.fixture
def chart(app: App) -> Chart:
    return Chart(app, "secure", namespace="apps")


def test_bare_securepod_golden(chart: Chart, yaml_snapshot: Any) -> None:
    pod = SecurePod(chart, "bare", image=IMAGE)
    assert pod.to_k8s() == yaml_snapshot
    assert_schema_valid([pod], SUPPORTED_VERSIONS)


def test_securepod_with_a_port_golden(chart: Chart, yaml_snapshot: Any) -> None:
    pod = SecurePod(chart, "server", image=IMAGE, ports=[ContainerPort.tcp(8080, name="http")])
    assert pod.to_k8s() == yaml_snapshot
    assert_schema_valid([pod], SUPPORTED_VERSIONS)


@pytest.mark.parametrize("version", SUPPORTED_VERSIONS)
def test_a_bare_securepod_passes_every_rule_in_a_restricted_namespace(version: str) -> None:
    app = App(k8s_version=version)
    Namespace(
        Chart(app, "base"),
        "apps",
        labels={
            "pod-security.kubernetes.io/enforce": "restricted",
            "pod-security.kubernetes.io/enforce-version": f"v{version}",
        },
    )
    chart = Chart(app, "secure", namespace="apps")
    SecurePod(chart, "bare", image=IMAGE)
    SecurePod(chart, "server", image=IMAGE, ports=[8080])
    report = app.check()
    assert report.findings == ()


def test_pod_defaults_can_be_changed_field_by_field(chart: Chart) -> None:
    pod = SecurePod(
        chart,
        "p",
        image=IMAGE,
        security_context=PodSecurityContext(run_as_user=20000, fs_group=30000),
    )
    sc = pod.to_k8s()["spec"]["securityContext"]
    assert sc == {
        "runAsUser": 20000,
        "fsGroup": 30000,
        "runAsGroup": 10001,
        "runAsNonRoot": True,
        "seccompProfile": {"type": "RuntimeDefault"},
    }


def test_container_settings_win_over_defaults(chart: Chart) -> None:
    container = Container(
        name="app",
        image=IMAGE,
        ports=[8080],
        security_context=SecurityContext(capabilities=Capabilities(add=["NET_BIND_SERVICE"])),
        resources=ResourceRequirements.of(memory="1Gi", memory_limit="1Gi"),
        liveness_probe=Probe.http(path="/live", port=8080),
        image_pull_policy=ImagePullPolicy.IF_NOT_PRESENT,
    )
    (c,) = SecurePod(chart, "p", containers=[container]).to_k8s()["spec"]["containers"]
    assert c["securityContext"]["capabilities"] == {"add": ["NET_BIND_SERVICE"], "drop": ["ALL"]}
    assert c["resources"] == {
        "requests": {"memory": "1Gi", "cpu": "100m"},
        "limits": {"cpu": "500m", "memory": "1Gi"},
    }
    assert c["livenessProbe"] == {"httpGet": {"path": "/live", "port": 8080}}
    assert c["readinessProbe"] == {"tcpSocket": {"port": 8080}}
    assert c["imagePullPolicy"] == "IfNotPresent"


def test_default_resources_are_documented_values() -> None:
    assert SECURE_RESOURCES.to_k8s() == {
        "requests": {"cpu": "100m", "memory": "128Mi"},
        "limits": {"cpu": "500m", "memory": "256Mi"},
    }


def test_weakening_needs_an_exemption(app: App, chart: Chart) -> None:
    SecurePod(
        chart,
        "writer",
        containers=[
            Container(
                name="app",
                image=IMAGE,
                security_context=SecurityContext(read_only_root_filesystem=False),
            )
        ],
    )
    with pytest.raises(K8sDslError) as err:
        app.synth()
    assert err.value.codes == ["pod-security/read-only-root-filesystem"]
    (finding,) = err.value.findings
    assert finding.obj.source == "secure/writer"
    assert "Exemption(control='read-only-root-filesystem'" in finding.hint


def test_privileged_needs_two_exemptions_and_then_synthesizes(app: App, chart: Chart) -> None:
    def pod(name: str, exemptions: list[Exemption]) -> None:
        SecurePod(
            chart,
            name,
            exemptions=exemptions,
            containers=[
                Container(
                    name="fuse", image=IMAGE, security_context=SecurityContext(privileged=True)
                )
            ],
        )

    pod("without", [])
    with pytest.raises(K8sDslError) as err:
        app.synth()
    assert sorted(set(err.value.codes)) == [
        "pod-security/privilege-escalation",
        "pod-security/privileged",
    ]
    other = App(outdir=app.outdir)
    chart = Chart(other, "secure", namespace="apps")
    SecurePod(
        chart,
        "with",
        exemptions=[
            Exemption(control="privileged", reason="mounts FUSE filesystems"),
            Exemption(control="privilege-escalation", reason="privileged implies it"),
        ],
        containers=[
            Container(name="fuse", image=IMAGE, security_context=SecurityContext(privileged=True))
        ],
    )
    report = other.synth()
    assert {f.severity.value for f in report.findings} == {"info"}
    # the API server rejects privileged with allowPrivilegeEscalation=false: not defaulted
    written = (other.outdir / "secure.k8s.yaml").read_text()
    assert "allowPrivilegeEscalation" not in written


def test_portless_containers_record_the_probe_decision(chart: Chart) -> None:
    annotations = SecurePod(chart, "worker", image=IMAGE).to_k8s()["metadata"]["annotations"]
    assert annotations["k8sdsl.io/exemption.probes"].startswith("no port to probe in container")
    assert annotations["checkov.io/skip1"].startswith("CKV_K8S_8=no port to probe")
    assert annotations["checkov.io/skip2"].startswith("CKV_K8S_9=no port to probe")
    served = SecurePod(chart, "server", image=IMAGE, ports=[80]).to_k8s()["metadata"]
    assert "k8sdsl.io/exemption.probes" not in served["annotations"]


def test_a_job_carries_no_automatic_probes_exemption(app: App, chart: Chart) -> None:
    """A Job's pods run to completion: nobody probes them, and neither k8sdsl's probes rule
    nor checkov's probe checks look at Jobs, so the automatic exemption would be noise.
    A Deployment of the same template keeps it; an exemption the user wrote is kept."""
    template = SecurePodTemplate(image=IMAGE, container_name="worker")
    job = Job(chart, "once", template=template).to_k8s()
    assert "annotations" not in job["metadata"]
    assert "k8sdsl.io/exemption.probes" not in job["spec"]["template"]["metadata"]["annotations"]
    deployment = Deployment(chart, "always", template=template).to_k8s()
    assert "k8sdsl.io/exemption.probes" in deployment["metadata"]["annotations"]
    own = Exemption(control=Control.PROBES, reason="the batch runner watches the job itself")
    written = SecurePodTemplate(image=IMAGE, exemptions=[own])
    annotations = Job(chart, "mine", template=written).to_k8s()["metadata"]["annotations"]
    assert annotations["k8sdsl.io/exemption.probes"] == own.reason
    assert not app.check().has_errors()


@pytest.mark.parametrize(
    ("kwargs", "code"),
    [
        ({}, "value/no-container"),
        (
            {"image": IMAGE, "containers": [Container(name="a", image=IMAGE)]},
            "value/image-and-containers",
        ),
        (
            {"containers": [Container(name="a", image=IMAGE)], "command": ["x"]},
            "value/shorthand-without-image",
        ),
        ({"image": IMAGE, "os": "windows"}, "value/windows"),
        ({"image": IMAGE, "imagePullPolicy": "Always"}, "value/extra-forbidden"),
    ],
)
def test_template_input_errors(kwargs: dict[str, Any], code: str) -> None:
    with pytest.raises(ValueInputError) as err:
        SecurePodTemplate(**kwargs)
    assert code in err.value.codes


def test_errors_carry_the_construct_path(chart: Chart) -> None:
    with pytest.raises(K8sDslError) as err:
        SecurePod(chart, "web", image="Nginx")
    (finding,) = err.value.findings
    assert (finding.obj.source, finding.path) == ("secure/web", "image")


def test_a_job_with_a_securepod_template(app: App, chart: Chart, yaml_snapshot: Any) -> None:
    job = Job(
        chart,
        "lookup",
        backoff_limit=0,
        ttl_seconds_after_finished=300,
        template=SecurePodTemplate(
            image=BUSYBOX_IMAGE,
            container_name="nslookup",
            command=["nslookup", "kubernetes.default"],
        ),
    )
    assert job.to_k8s() == yaml_snapshot
    assert_schema_valid([job], SUPPORTED_VERSIONS)
    assert not app.check().has_errors()
