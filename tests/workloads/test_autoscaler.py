"""HorizontalPodAutoscaler: typed metrics and behavior, golden YAML, schema validity, and its
rules on constructs and on YAML through ``k8sdsl check``."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from k8sdsl import App, Chart, K8sDslError, LabelSelector
from k8sdsl.cli import main
from k8sdsl.workloads import (
    Container,
    ContainerPort,
    CrossVersionObjectReference,
    Deployment,
    HorizontalPodAutoscaler,
    Metric,
    MetricTarget,
    PodTemplate,
    ScalingBehavior,
    ScalingPolicy,
    ScalingPolicyType,
    ScalingRules,
    SecurePodTemplate,
    SelectPolicy,
)

from ..conftest import assert_schema_valid, check_objects

IMAGE = (
    "registry.example.com/team/web:1.0"
    "@sha256:5d0da3dc976460b72c77d94c8a1ad043720b0416bfc16c52c45d4847e53fadb6"
)


@pytest.fixture
def chart(app: App) -> Chart:
    return Chart(app, "shop", namespace="shop")


def web(chart: Chart, **kwargs: Any) -> Deployment:
    return Deployment(
        chart,
        "web",
        template=SecurePodTemplate(image=IMAGE, ports=[ContainerPort.tcp(8080, name="http")]),
        **kwargs,
    )


def hpa_codes(objects: list[Any], **settings: Any) -> list[tuple[str, str, str]]:
    report = check_objects(objects, settings=settings)
    return sorted((f.code, f.severity.value, f.path) for f in report.findings if "/hpa-" in f.code)


def test_hpa_golden(chart: Chart, yaml_snapshot: Any) -> None:
    deployment = web(chart)
    hpa = HorizontalPodAutoscaler(
        chart,
        "web-hpa",
        name="web",
        scale_target=deployment,
        min_replicas=2,
        max_replicas=10,
        metrics=[
            Metric.cpu(utilization=70),
            Metric.memory(average_value="400Mi"),
            Metric.for_pods("http_requests_per_second", average_value="100"),
            Metric.for_object(
                "requests_per_second",
                described_object=CrossVersionObjectReference(
                    api_version="networking.k8s.io/v1", kind="Ingress", name="web"
                ),
                value="2k",
            ),
            Metric.for_external(
                "queue_messages_ready",
                average_value="30",
                selector=LabelSelector.of({"queue": "orders"}),
            ),
        ],
        behavior=ScalingBehavior(
            scale_up=ScalingRules(
                policies=[ScalingPolicy(type=ScalingPolicyType.PODS, value=4, period_seconds=60)],
                select_policy=SelectPolicy.MAX,
            ),
            scale_down=ScalingRules(stabilization_window_seconds=600),
        ),
    )
    assert hpa.to_k8s() == yaml_snapshot
    assert_schema_valid([hpa, deployment], ["1.28", "1.37"])
    spec = hpa.to_k8s()["spec"]
    assert spec["scaleTargetRef"] == {"apiVersion": "apps/v1", "kind": "Deployment", "name": "web"}
    assert spec["metrics"][0] == {
        "type": "Resource",
        "resource": {"name": "cpu", "target": {"type": "Utilization", "averageUtilization": 70}},
    }
    assert spec["metrics"][3]["object"]["target"] == {"type": "Value", "value": "2k"}
    # SecurePodTemplate requests cpu and memory, and the Deployment leaves replicas unset
    assert hpa_codes([deployment, hpa], complete=True) == []


def test_value_errors(chart: Chart) -> None:
    deployment = web(chart)
    with pytest.raises(K8sDslError) as err:
        HorizontalPodAutoscaler(chart, "a", scale_target=deployment, min_replicas=5, max_replicas=2)
    assert "above max_replicas" in err.value.findings[0].message
    with pytest.raises(K8sDslError):
        HorizontalPodAutoscaler(chart, "b", scale_target=deployment, max_replicas=0)
    with pytest.raises(K8sDslError) as err:
        HorizontalPodAutoscaler(chart, "c", scale_target="web", max_replicas=3)  # type: ignore[arg-type]
    assert err.value.findings[0].code == "value/scale-target"
    with pytest.raises(K8sDslError) as err:
        Metric.cpu()
    assert err.value.findings[0].code == "value/metric-target"
    with pytest.raises(K8sDslError) as err:
        Metric.for_external("q", value="1", average_value="1")
    assert err.value.findings[0].code == "value/metric-target"
    with pytest.raises(K8sDslError):
        MetricTarget(type="Utilization", value="1")
    with pytest.raises(K8sDslError):
        ScalingPolicy(type=ScalingPolicyType.PERCENT, value=10, period_seconds=3600)


def test_rules_on_constructs(chart: Chart) -> None:
    bare = Deployment(
        chart,
        "bare",
        replicas=3,
        template=PodTemplate(containers=[Container(name="app", image=IMAGE)]),
    )
    hpa = HorizontalPodAutoscaler(chart, "bare-hpa", scale_target=bare, max_replicas=5)
    assert hpa_codes([bare, hpa]) == [
        ("workloads/hpa-replicas", "warning", "spec.replicas"),
        ("workloads/hpa-requests", "error", "spec.metrics"),  # the default: CPU utilization
    ]
    average = HorizontalPodAutoscaler(
        chart,
        "avg",
        scale_target=bare,
        max_replicas=5,
        metrics=[Metric.cpu(average_value="200m")],
    )
    assert hpa_codes([bare, average]) == [("workloads/hpa-replicas", "warning", "spec.replicas")]
    assert hpa_codes([hpa], complete=True) == [
        ("workloads/hpa-target", "error", "spec.scaleTargetRef.name")
    ]


# -- YAML through k8sdsl check ------------------------------------------------------------------

OBJECTS = """\
apiVersion: apps/v1
kind: Deployment
metadata: {name: web, namespace: shop}
spec:
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec:
      containers:
        - name: web
          image: registry.example.com/web:1.0
          resources: {requests: {cpu: 100m, memory: 128Mi}}
---
apiVersion: autoscaling/v2
kind: HorizontalPodAutoscaler
metadata: {name: web, namespace: shop}
spec:
  scaleTargetRef: {apiVersion: apps/v1, kind: Deployment, name: web}
  minReplicas: 2
  maxReplicas: 10
  metrics:
    - type: Resource
      resource: {name: memory, target: {type: Utilization, averageUtilization: 80}}
"""


def hpa_findings(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, text: str, *flags: str
) -> list[tuple[str, str, str]]:
    path = tmp_path / "objects.yaml"
    path.write_text(text)
    main(["check", "--format", "json", *flags, str(path)])
    found = json.loads(capsys.readouterr().out)["findings"]
    return [(f["code"], f["severity"], f["path"]) for f in found if "/hpa-" in f["code"]]


def test_the_valid_autoscaler_has_no_finding(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    assert hpa_findings(capsys, tmp_path, OBJECTS, "--complete") == []


@pytest.mark.parametrize(
    ("old", "new", "flags", "expected"),
    [
        (
            "name: web}\n  minReplicas",
            "name: wbe}\n  minReplicas",
            (),
            ("workloads/hpa-target", "warning", "spec.scaleTargetRef.name"),
        ),
        (
            "name: web}\n  minReplicas",
            "name: wbe}\n  minReplicas",
            ("--complete",),
            ("workloads/hpa-target", "error", "spec.scaleTargetRef.name"),
        ),
        (
            "{cpu: 100m, memory: 128Mi}",
            "{cpu: 100m}",
            (),
            ("workloads/hpa-requests", "error", "spec.metrics[0].resource"),
        ),
        (
            "minReplicas: 2",
            "minReplicas: 12",
            (),
            ("workloads/hpa-range", "error", "spec.minReplicas"),
        ),
        (
            "minReplicas: 2",
            "minReplicas: 0",
            (),
            ("workloads/hpa-range", "error", "spec.minReplicas"),
        ),
        (
            "spec:\n  selector",
            "spec:\n  replicas: 3\n  selector",
            (),
            ("workloads/hpa-replicas", "warning", "spec.replicas"),
        ),
    ],
)
def test_hpa_rules_on_yaml(
    capsys: pytest.CaptureFixture[str],
    tmp_path: Path,
    old: str,
    new: str,
    flags: tuple[str, ...],
    expected: tuple[str, str, str],
) -> None:
    source = OBJECTS.replace(old, new)
    assert source != OBJECTS
    assert hpa_findings(capsys, tmp_path, source, *flags) == [expected]


# -- ContainerResource metrics -------------------------------------------------------------------


def test_container_resource_golden(chart: Chart, yaml_snapshot: Any) -> None:
    deployment = web(chart)
    hpa = HorizontalPodAutoscaler(
        chart,
        "web-hpa",
        name="web",
        scale_target=deployment,
        max_replicas=6,
        metrics=[
            Metric.for_container_resource("cpu", container="app", utilization=60),
            Metric.for_container_resource("memory", container="app", average_value="300Mi"),
        ],
    )
    assert hpa.to_k8s() == yaml_snapshot
    assert hpa.to_k8s()["spec"]["metrics"][0] == {
        "type": "ContainerResource",
        "containerResource": {
            "name": "cpu",
            "container": "app",
            "target": {"type": "Utilization", "averageUtilization": 60},
        },
    }
    assert_schema_valid([hpa, deployment], ["1.28", "1.37"])
    # SecurePodTemplate names its container "app" and requests cpu and memory
    assert deployment.to_k8s()["spec"]["template"]["spec"]["containers"][0]["name"] == "app"
    assert hpa_codes([deployment, hpa], complete=True) == []


def test_container_resource_values_and_rules(chart: Chart) -> None:
    with pytest.raises(K8sDslError) as err:
        Metric.for_container_resource("cpu", container="app")
    assert err.value.findings[0].code == "value/metric-target"
    with pytest.raises(K8sDslError) as err:
        Metric(
            type="ContainerResource",  # type: ignore[arg-type]
            resource={"name": "cpu", "target": {"type": "Value", "value": "1"}},  # type: ignore[arg-type]
        )
    assert "container_resource source only" in err.value.findings[0].message
    bare = Deployment(
        chart, "bare", template=PodTemplate(containers=[Container(name="app", image=IMAGE)])
    )
    wrong = HorizontalPodAutoscaler(
        chart,
        "wrong",
        scale_target=bare,
        max_replicas=3,
        metrics=[Metric.for_container_resource("cpu", container="ap", utilization=60)],
    )
    unrequested = HorizontalPodAutoscaler(
        chart,
        "unrequested",
        scale_target=bare,
        max_replicas=3,
        metrics=[Metric.for_container_resource("cpu", container="app", utilization=60)],
    )
    average = HorizontalPodAutoscaler(
        chart,
        "average",
        scale_target=bare,
        max_replicas=3,
        metrics=[Metric.for_container_resource("cpu", container="app", average_value="100m")],
    )
    report = check_objects([bare, wrong])
    (finding,) = [f for f in report.findings if f.code == "workloads/hpa-requests"]
    assert finding.path == "spec.metrics[0].containerResource.container"
    assert finding.hint == "did you mean 'app'?"
    assert hpa_codes([bare, unrequested]) == [
        ("workloads/hpa-requests", "error", "spec.metrics[0].containerResource")
    ]
    assert hpa_codes([bare, average]) == []


CONTAINER_RESOURCE = OBJECTS.replace(
    "    - type: Resource\n      resource: {name: memory, target: {type: Utilization, "
    "averageUtilization: 80}}\n",
    "    - type: ContainerResource\n      containerResource:\n        name: memory\n"
    "        container: web\n        target: {type: Utilization, averageUtilization: 80}\n",
)


@pytest.mark.parametrize(
    ("old", "new", "expected"),
    [
        ("", "", []),
        (
            "container: web",
            "container: proxy",
            [("workloads/hpa-requests", "error", "spec.metrics[0].containerResource.container")],
        ),
        (
            "{cpu: 100m, memory: 128Mi}",
            "{cpu: 100m}",
            [("workloads/hpa-requests", "error", "spec.metrics[0].containerResource")],
        ),
        ("type: Utilization, averageUtilization: 80", "type: AverageValue, averageValue: 1Gi", []),
    ],
)
def test_container_resource_rules_on_yaml(
    capsys: pytest.CaptureFixture[str],
    tmp_path: Path,
    old: str,
    new: str,
    expected: list[tuple[str, str, str]],
) -> None:
    assert CONTAINER_RESOURCE != OBJECTS
    source = CONTAINER_RESOURCE.replace(old, new)
    assert hpa_findings(capsys, tmp_path, source, "--complete", "--k8s-version", "1.28") == expected
    assert hpa_findings(capsys, tmp_path, source, "--complete", "--k8s-version", "1.37") == expected
