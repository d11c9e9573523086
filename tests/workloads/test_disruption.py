"""PodDisruptionBudget: built from a workload, exactly one budget, golden YAML, schema
validity, and its rules on constructs and on YAML through ``k8sdsl check``."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from k8sdsl import App, Chart, K8sDslError, LabelSelector
from k8sdsl.cli import main
from k8sdsl.workloads import (
    ContainerPort,
    Deployment,
    PodDisruptionBudget,
    SecurePodTemplate,
    UnhealthyPodEvictionPolicy,
)

from ..conftest import assert_schema_valid, check_objects

IMAGE = (
    "registry.example.com/team/web:1.0"
    "@sha256:5d0da3dc976460b72c77d94c8a1ad043720b0416bfc16c52c45d4847e53fadb6"
)


@pytest.fixture
def chart(app: App) -> Chart:
    return Chart(app, "shop", namespace="shop")


def web(chart: Chart, replicas: int = 3) -> Deployment:
    return Deployment(
        chart,
        "web",
        replicas=replicas,
        template=SecurePodTemplate(image=IMAGE, ports=[ContainerPort.tcp(8080, name="http")]),
    )


def codes(objects: list[Any], **settings: Any) -> list[tuple[str, str, str]]:
    report = check_objects(objects, settings=settings)
    return sorted((f.code, f.severity.value, f.path) for f in report.findings if "/pdb-" in f.code)


def test_pdb_for_a_workload_golden(chart: Chart, yaml_snapshot: Any) -> None:
    deployment = web(chart)
    pdb = PodDisruptionBudget.for_workload(
        deployment,
        max_unavailable=1,
        unhealthy_pod_eviction_policy=UnhealthyPodEvictionPolicy.ALWAYS_ALLOW,
    )
    assert pdb.to_k8s() == yaml_snapshot
    assert_schema_valid([pdb], ["1.28", "1.37"])
    assert pdb.name == "web" and pdb.namespace == "shop"
    assert pdb.to_k8s()["spec"] == {
        "selector": {"matchLabels": {"app.kubernetes.io/name": "web"}},
        "maxUnavailable": 1,
        "unhealthyPodEvictionPolicy": "AlwaysAllow",
    }
    assert codes([deployment, pdb], complete=True) == []


def test_budgets_are_counts_or_percentages_and_exactly_one(chart: Chart) -> None:
    pdb = PodDisruptionBudget(
        chart,
        "api",
        selector=LabelSelector.of({"app": "api"}),
        min_available="50%",
    )
    assert pdb.to_k8s()["spec"]["minAvailable"] == "50%"
    for i, kwargs in enumerate(
        [
            {},
            {"min_available": 1, "max_unavailable": 1},
            {"max_unavailable": -1},
            {"max_unavailable": "150%"},
            {"max_unavailable": "half"},
        ]
    ):
        with pytest.raises(K8sDslError) as err:
            PodDisruptionBudget(chart, f"bad{i}", selector={"app": "api"}, **kwargs)
        assert err.value.findings[0].hint, kwargs
    with pytest.raises(K8sDslError) as err:
        PodDisruptionBudget.for_workload("web", max_unavailable=1)  # type: ignore[arg-type]
    assert err.value.findings[0].code == "value/workload"
    from k8sdsl.workloads import Job

    job = Job(chart, "migrate", template=SecurePodTemplate(image=IMAGE, command=["true"]))
    with pytest.raises(K8sDslError) as err:
        PodDisruptionBudget.for_workload(job, max_unavailable=1)
    assert err.value.findings[0].code == "value/workload"


def test_rules_on_constructs(chart: Chart) -> None:
    deployment = web(chart, replicas=2)
    blocking = PodDisruptionBudget.for_workload(deployment, min_available=2)
    assert codes([deployment, blocking]) == [
        ("workloads/pdb-blocks-eviction", "warning", "spec.minAvailable")
    ]
    fine = PodDisruptionBudget.for_workload(deployment, min_available=1, id="fine", name="fine")
    assert codes([deployment, fine]) == []
    zero = PodDisruptionBudget.for_workload(deployment, max_unavailable=0, id="z", name="z")
    assert codes([deployment, zero]) == [
        ("workloads/pdb-blocks-eviction", "warning", "spec.maxUnavailable")
    ]
    # an autoscaled workload runs at least the autoscaler's minReplicas
    from k8sdsl.workloads import HorizontalPodAutoscaler

    scaled = Deployment(
        chart,
        "scaled",
        template=SecurePodTemplate(image=IMAGE, ports=[ContainerPort.tcp(8080, name="http")]),
    )
    hpa = HorizontalPodAutoscaler(
        chart, "scaled-hpa", scale_target=scaled, min_replicas=3, max_replicas=6
    )
    keep_two = PodDisruptionBudget.for_workload(scaled, min_available=2)
    assert codes([scaled, keep_two]) == [
        ("workloads/pdb-blocks-eviction", "warning", "spec.minAvailable")
    ]  # replicas unset: 1 pod
    assert codes([scaled, hpa, keep_two]) == []
    second = PodDisruptionBudget(
        chart, "second", selector={"app.kubernetes.io/name": "scaled"}, max_unavailable=1
    )
    assert codes([scaled, hpa, keep_two, second]) == [
        ("workloads/pdb-overlap", "error", "spec.selector"),
        ("workloads/pdb-overlap", "error", "spec.selector"),
    ]
    other = PodDisruptionBudget(
        chart, "typo", selector={"app.kubernetes.io/name": "wbe"}, max_unavailable=1
    )
    assert codes([deployment, other], complete=True) == [
        ("workloads/pdb-selects-nothing", "error", "spec.selector")
    ]
    assert codes([deployment, other]) == [
        ("workloads/pdb-selects-nothing", "warning", "spec.selector")
    ]


# -- YAML through k8sdsl check ------------------------------------------------------------------

OBJECTS = """\
apiVersion: apps/v1
kind: StatefulSet
metadata: {name: db, namespace: data}
spec:
  serviceName: db
  replicas: 3
  selector: {matchLabels: {app: db}}
  template:
    metadata: {labels: {app: db, tier: data}}
    spec:
      containers: [{name: db, image: registry.example.com/db:1.0}]
---
apiVersion: policy/v1
kind: PodDisruptionBudget
metadata: {name: db, namespace: data}
spec:
  minAvailable: 2
  selector:
    matchLabels: {app: db}
    matchExpressions: [{key: tier, operator: In, values: [data]}]
"""


def pdb_findings(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, text: str, *flags: str
) -> list[tuple[str, str, str]]:
    path = tmp_path / "objects.yaml"
    path.write_text(text)
    main(["check", "--format", "json", *flags, str(path)])
    found = json.loads(capsys.readouterr().out)["findings"]
    return [(f["code"], f["severity"], f["path"]) for f in found if "/pdb-" in f["code"]]


def test_a_budget_without_selector_selects_nothing(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    source = OBJECTS.replace(
        "  selector:\n    matchLabels: {app: db}\n    matchExpressions: [{key: tier, operator: In, "
        "values: [data]}]\n",
        "",
    )
    assert source != OBJECTS
    assert pdb_findings(capsys, tmp_path, source) == [
        ("workloads/pdb-selects-nothing", "error", "spec.selector")
    ]


def test_the_valid_budget_has_no_finding(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    assert pdb_findings(capsys, tmp_path, OBJECTS, "--complete") == []


@pytest.mark.parametrize(
    ("old", "new", "flags", "expected"),
    [
        (
            "minAvailable: 2",
            "minAvailable: 3",
            (),
            ("workloads/pdb-blocks-eviction", "warning", "spec.minAvailable"),
        ),
        (
            "minAvailable: 2",
            "minAvailable: 100%",
            (),
            ("workloads/pdb-blocks-eviction", "warning", "spec.minAvailable"),
        ),
        (
            "minAvailable: 2",
            "maxUnavailable: 0%",
            (),
            ("workloads/pdb-blocks-eviction", "warning", "spec.maxUnavailable"),
        ),
        (
            "values: [data]",
            "values: [cache]",
            (),
            ("workloads/pdb-selects-nothing", "warning", "spec.selector"),
        ),
        (
            "values: [data]",
            "values: [cache]",
            ("--complete",),
            ("workloads/pdb-selects-nothing", "error", "spec.selector"),
        ),
        (
            "metadata: {name: db, namespace: data}\nspec:\n  minAvailable",
            "metadata: {name: db, namespace: other}\nspec:\n  minAvailable",
            ("--complete",),
            ("workloads/pdb-selects-nothing", "error", "spec.selector"),
        ),
    ],
)
def test_pdb_rules_on_yaml(
    capsys: pytest.CaptureFixture[str],
    tmp_path: Path,
    old: str,
    new: str,
    flags: tuple[str, ...],
    expected: tuple[str, str, str],
) -> None:
    source = OBJECTS.replace(old, new)
    assert source != OBJECTS
    assert pdb_findings(capsys, tmp_path, source, *flags) == [expected]


def test_two_budgets_over_one_workload_on_yaml(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    second = (
        "---\napiVersion: policy/v1\nkind: PodDisruptionBudget\n"
        "metadata: {name: db-2, namespace: data}\n"
        "spec: {maxUnavailable: 1, selector: {matchLabels: {tier: data}}}\n"
    )
    assert pdb_findings(capsys, tmp_path, OBJECTS + second) == [
        ("workloads/pdb-overlap", "error", "spec.selector"),
        ("workloads/pdb-overlap", "error", "spec.selector"),
    ]
