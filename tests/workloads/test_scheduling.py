"""Scheduling values (affinity, topology spread, tolerations, priority class, node selector)
on pods and templates: golden YAML, schema validity for 1.28 and 1.37, and the
``workloads/spread-labels``, ``workloads/anti-affinity-replicas`` and
``workloads/toleration`` rules on YAML through ``k8sdsl check`` and on constructs."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from k8sdsl import App, Chart, Cluster, K8sDslError, NodePool
from k8sdsl.cli import main
from k8sdsl.workloads import (
    Affinity,
    Container,
    Deployment,
    DeploymentStrategy,
    NodeAffinity,
    NodeSelectorOperator,
    NodeSelectorRequirement,
    NodeSelectorTerm,
    Pod,
    PodAffinity,
    PodAffinityTerm,
    PreferredSchedulingTerm,
    SecurePod,
    SecurePodTemplate,
    TaintEffect,
    Toleration,
    TopologySpreadConstraint,
    UnsatisfiableConstraintAction,
)

from ..conftest import assert_schema_valid

IMAGE = "registry.example.com/shop/web:1.0"
WEB = {"app.kubernetes.io/name": "web"}


def scheduled_template(**extra: Any) -> SecurePodTemplate:
    return SecurePodTemplate(
        image=IMAGE,
        labels=WEB,
        affinity=Affinity(
            node_affinity=NodeAffinity(
                required=[
                    NodeSelectorTerm(
                        match_expressions=[
                            NodeSelectorRequirement(
                                key="kubernetes.io/arch",
                                operator=NodeSelectorOperator.IN,
                                values=["amd64", "arm64"],
                            )
                        ]
                    )
                ],
                preferred=[
                    PreferredSchedulingTerm(
                        weight=50, preference=NodeSelectorTerm.of({"node.example.com/ssd": "true"})
                    )
                ],
            ),
            pod_affinity=PodAffinity(
                preferred=None,
                required=[
                    PodAffinityTerm(
                        label_selector={"app.kubernetes.io/name": "cache"},
                        topology_key="topology.kubernetes.io/zone",
                    )
                ],
            ),
            pod_anti_affinity=Affinity.one_per_node(WEB).pod_anti_affinity,
        ),
        topology_spread_constraints=[TopologySpreadConstraint.spread_over_zones(WEB)],
        tolerations=[
            Toleration.of_taint("dedicated", effect=TaintEffect.NO_SCHEDULE),
            Toleration(
                key="node.kubernetes.io/unreachable",
                operator="Exists",
                effect="NoExecute",
                toleration_seconds=30,
            ),
        ],
        priority_class_name="shop-critical",
        node_selector={"kubernetes.io/os": "linux"},
        **extra,
    )


def test_scheduling_golden_and_schema_valid(chart: Chart, yaml_snapshot: Any) -> None:
    web = Deployment(chart, "web", replicas=3, template=scheduled_template())
    pod = SecurePod(
        chart,
        "single",
        image=IMAGE,
        affinity=Affinity.require_node_labels({"pool": "general"}),
        topology_spread_constraints=[
            TopologySpreadConstraint.spread_over_nodes(
                {"app.kubernetes.io/name": "single"},
                when_unsatisfiable=UnsatisfiableConstraintAction.DO_NOT_SCHEDULE,
            )
        ],
    )
    assert [web.to_k8s(), pod.to_k8s()] == yaml_snapshot
    assert_schema_valid([web, pod], ["1.28", "1.37"])
    spec = web.to_k8s()["spec"]["template"]["spec"]
    assert spec["affinity"]["podAntiAffinity"] == {
        "requiredDuringSchedulingIgnoredDuringExecution": [
            {
                "labelSelector": {"matchLabels": WEB},
                "topologyKey": "kubernetes.io/hostname",
            }
        ]
    }
    assert spec["topologySpreadConstraints"] == [
        {
            "maxSkew": 1,
            "topologyKey": "topology.kubernetes.io/zone",
            "whenUnsatisfiable": "ScheduleAnyway",
            "labelSelector": {"matchLabels": WEB},
        }
    ]
    assert spec["priorityClassName"] == "shop-critical"


def test_plain_pod_takes_the_fields(chart: Chart) -> None:
    pod = Pod(
        chart,
        "plain",
        containers=[Container(name="c", image=IMAGE)],
        affinity=Affinity.one_per_zone({"a": "b"}),
    )
    anti = pod.to_k8s()["spec"]["affinity"]["podAntiAffinity"]
    assert anti["preferredDuringSchedulingIgnoredDuringExecution"][0]["weight"] == 100


@pytest.mark.parametrize(
    ("build", "code"),
    [
        (lambda: Toleration(operator="Exists", value="x"), "value/toleration-value"),
        (lambda: Toleration(value="x"), "value/toleration-key"),
        (lambda: Toleration(key="k", toleration_seconds=3), "value/toleration-seconds"),
        (lambda: Toleration(key="k", effect="NoRun"), "value/enum"),
        (
            lambda: NodeSelectorRequirement(key="k", operator="In"),
            "value/node-selector-values",
        ),
        (
            lambda: NodeSelectorRequirement(key="k", operator="Gt", values=["x"]),
            "value/node-selector-values",
        ),
        (
            lambda: NodeSelectorRequirement(key="k", operator="Exists", values=["x"]),
            "value/node-selector-values",
        ),
        (lambda: NodeSelectorTerm(), "value/node-selector-term"),
        (
            lambda: TopologySpreadConstraint.spread_over_zones({"a": "b"}, max_skew=0),
            "value/greater-than-equal",
        ),
        (
            lambda: TopologySpreadConstraint(
                max_skew=1,
                topology_key="zone",
                when_unsatisfiable="ScheduleAnyway",
                label_selector={"a": "b"},
                min_domains=2,
            ),
            "value/min-domains",
        ),
        (
            lambda: PreferredSchedulingTerm(weight=0, preference=NodeSelectorTerm.of({"a": "b"})),
            "value/greater-than-equal",
        ),
    ],
)
def test_value_errors(build: Any, code: str) -> None:
    with pytest.raises(K8sDslError) as info:
        build()
    assert code in info.value.codes


def test_a_misspelt_scheduling_field_is_an_argument_error(chart: Chart) -> None:
    with pytest.raises(K8sDslError) as info:
        SecurePod(chart, "x", image=IMAGE, afinity=Affinity.one_per_node(WEB))  # type: ignore[call-arg]
    assert "did you mean 'affinity'?" in info.value.findings[0].hint


# -- rules on constructs -------------------------------------------------------------------


def test_rules_on_constructs(tmp_path: Path) -> None:
    cluster = Cluster(node_pools=[NodePool(name="general", count=3)])
    app = App(outdir=tmp_path / "dist", cluster=cluster)
    chart = Chart(app, "shop", namespace="shop")
    Deployment(
        chart,
        "web",
        replicas=4,
        template=SecurePodTemplate(
            image=IMAGE,
            affinity=Affinity.one_per_node({"app.kubernetes.io/name": "web"}),
            topology_spread_constraints=[
                TopologySpreadConstraint.spread_over_zones({"app.kubernetes.io/name": "wbe"})
            ],
        ),
    )
    Deployment(
        chart,
        "api",
        replicas=3,  # as many as nodes, and the default rollout surges with maxUnavailable 0
        template=SecurePodTemplate(
            image=IMAGE, affinity=Affinity.one_per_node({"app.kubernetes.io/name": "api"})
        ),
    )
    Deployment(
        chart,
        "worker",
        replicas=3,
        strategy=DeploymentStrategy.rolling(max_surge=0, max_unavailable=1),
        template=SecurePodTemplate(
            image=IMAGE, affinity=Affinity.one_per_node({"app.kubernetes.io/name": "worker"})
        ),
    )
    found = [f for f in app.check().findings if f.code.startswith("workloads/")]
    summary = sorted((f.code, f.obj.name, str(f.severity)) for f in found)
    assert summary == [
        ("workloads/anti-affinity-replicas", "api", "warning"),
        ("workloads/anti-affinity-replicas", "web", "error"),
        ("workloads/spread-labels", "web", "warning"),
    ]
    web = next(f for f in found if f.obj.name == "web" and f.severity == "error")
    assert "1 stay Pending" in web.message
    with pytest.raises(K8sDslError):
        app.synth()


def test_without_declared_nodes_anti_affinity_is_not_judged(app: App) -> None:
    chart = Chart(app, "shop", namespace="shop")
    Deployment(
        chart,
        "web",
        replicas=40,
        template=SecurePodTemplate(
            image=IMAGE, affinity=Affinity.one_per_node({"app.kubernetes.io/name": "web"})
        ),
    )
    assert "workloads/anti-affinity-replicas" not in app.check().codes()


# -- rules on YAML through k8sdsl check ----------------------------------------------------


def deployment_yaml(*, replicas: int = 3, scheduling: str = "", labels: str = "{app: web}") -> str:
    return f"""\
apiVersion: apps/v1
kind: Deployment
metadata: {{name: web, namespace: shop}}
spec:
  replicas: {replicas}
  selector: {{matchLabels: {labels}}}
  strategy: {{rollingUpdate: {{maxSurge: 0, maxUnavailable: 1}}}}
  template:
    metadata: {{labels: {labels}}}
    spec:
      containers: [{{name: web, image: registry.example.com/web:1.0}}]
{scheduling}
"""


def check(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, text: str, *flags: str
) -> tuple[int, list[dict[str, Any]]]:
    path = tmp_path / "objects.yaml"
    path.write_text(text)
    code = main(["check", "--format", "json", *flags, str(path)])
    found = json.loads(capsys.readouterr().out)["findings"]
    wanted = ("workloads/spread-labels", "workloads/anti-affinity-replicas", "workloads/toleration")
    return code, [f for f in found if f["code"] in wanted]


SPREAD = """\
      topologySpreadConstraints:
        - {maxSkew: 1, topologyKey: topology.kubernetes.io/zone, whenUnsatisfiable: DoNotSchedule,
           labelSelector: {matchLabels: {app: SELECTED}}}
"""

ANTI = """\
      affinity:
        podAntiAffinity:
          requiredDuringSchedulingIgnoredDuringExecution:
            - {topologyKey: KEY, labelSelector: {matchLabels: {app: SELECTED}}}
"""


def test_spread_labels_yaml(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    _, found = check(
        capsys, tmp_path, deployment_yaml(scheduling=SPREAD.replace("SELECTED", "web"))
    )
    assert found == []
    code, found = check(
        capsys, tmp_path, deployment_yaml(scheduling=SPREAD.replace("SELECTED", "wbe"))
    )
    assert code == 0
    assert [(f["code"], f["severity"], f["path"]) for f in found] == [
        (
            "workloads/spread-labels",
            "warning",
            "spec.template.spec.topologySpreadConstraints[0].labelSelector",
        )
    ]


def test_anti_affinity_labels_yaml(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    anti = ANTI.replace("KEY", "kubernetes.io/hostname").replace("SELECTED", "cache")
    _, found = check(capsys, tmp_path, deployment_yaml(scheduling=anti))
    assert [f["code"] for f in found] == ["workloads/spread-labels"]
    cache = """\
---
apiVersion: v1
kind: Pod
metadata: {name: cache, namespace: shop, labels: {app: cache}}
spec: {containers: [{name: c, image: registry.example.com/cache:1.0}]}
"""
    # keeping away from other pods that exist is a choice, not a mistake
    _, found = check(capsys, tmp_path, deployment_yaml(scheduling=anti) + cache)
    assert found == []


def test_anti_affinity_replicas_yaml(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    cluster = tmp_path / "cluster.yaml"
    cluster.write_text(
        "nodePools:\n"
        "  - {name: a, count: 2, labels: {topology.kubernetes.io/zone: a}}\n"
        "  - {name: b, count: 1, labels: {topology.kubernetes.io/zone: b}}\n"
    )
    per_node = ANTI.replace("KEY", "kubernetes.io/hostname").replace("SELECTED", "web")
    per_zone = ANTI.replace("KEY", "topology.kubernetes.io/zone").replace("SELECTED", "web")
    # no declared nodes: not judged
    _, found = check(capsys, tmp_path, deployment_yaml(replicas=5, scheduling=per_node))
    assert found == []
    code, found = check(
        capsys,
        tmp_path,
        deployment_yaml(replicas=5, scheduling=per_node),
        "--cluster",
        str(cluster),
    )
    assert code == 1
    (f,) = found
    assert f["code"] == "workloads/anti-affinity-replicas" and f["severity"] == "error"
    assert "the declared cluster has 3 eligible: 2 stay Pending" in f["message"]
    _, found = check(
        capsys,
        tmp_path,
        deployment_yaml(replicas=3, scheduling=per_zone),
        "--cluster",
        str(cluster),
    )
    assert "2 eligible" in found[0]["message"]
    _, found = check(
        capsys,
        tmp_path,
        deployment_yaml(replicas=3, scheduling=per_node),
        "--cluster",
        str(cluster),
    )
    assert found == []  # maxUnavailable 1: the rollout replaces pods in place


TOLERATIONS = """\
      tolerations:
        - {key: gpu, operator: Exists, value: "true"}
        - {key: gpu, operator: Equal, value: "true", effect: NoSchedul}
        - {operator: Equal, value: x}
        - {key: gpu, operator: Exists, effect: NoSchedule, tolerationSeconds: 60}
        - {key: gpu, operator: Exists, effect: NoExecute, tolerationSeconds: 60}
"""


def test_toleration_yaml(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    code, found = check(capsys, tmp_path, deployment_yaml(scheduling=TOLERATIONS))
    assert code == 1
    assert sorted(
        f["path"].rsplit(".", 2)[-2:][0] + "." + f["path"].rsplit(".", 1)[-1] for f in found
    ) == [
        "tolerations[0].value",
        "tolerations[1].effect",
        "tolerations[2].operator",
        "tolerations[3].tolerationSeconds",
    ]
    assert all(f["severity"] == "error" and f["hint"] for f in found)


def test_malformed_scheduling_yaml_never_crashes(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    odd = """\
      affinity:
        podAntiAffinity:
          requiredDuringSchedulingIgnoredDuringExecution: [3, {labelSelector: x}]
          preferredDuringSchedulingIgnoredDuringExecution: [{podAffinityTerm: []}]
      topologySpreadConstraints:
        - x
        - {labelSelector: {matchExpressions: [{key: a, operator: Bogus}]}}
      tolerations: [1, {effect: [x]}]
      nodeSelector: []
"""
    path = tmp_path / "odd.yaml"
    path.write_text(deployment_yaml(scheduling=odd))
    cluster = tmp_path / "cluster.yaml"
    cluster.write_text("nodePools: [{name: a, count: 1}]\n")
    main(["check", "--format", "json", "--cluster", str(cluster), str(path)])
    codes = {f["code"] for f in json.loads(capsys.readouterr().out)["findings"]}
    assert "internal/rule-failed" not in codes
    assert "workloads/toleration" in codes


def test_the_toleration_value_and_rule_say_the_same(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    with pytest.raises(K8sDslError) as info:
        Toleration(key="gpu", operator="Exists", value="true")
    _, found = check(
        capsys,
        tmp_path,
        deployment_yaml(scheduling='      tolerations: [{key: gpu, operator: Exists, value: "1"}]'),
    )
    (finding,) = info.value.findings
    assert finding.message.startswith(found[0]["message"])
    assert finding.hint == found[0]["hint"]


def test_toleration_rule_catches_an_escape_hatch_patch(app: App) -> None:
    import cdk8s

    chart = Chart(app, "shop", namespace="shop")
    pod = SecurePod(chart, "web", image=IMAGE, tolerations=[Toleration.of_taint("gpu")])
    pod.api_object.add_json_patch(cdk8s.JsonPatch.add("/spec/tolerations/0/value", "x"))
    with pytest.raises(K8sDslError) as info:
        app.synth()
    found = [(f.code, f.path) for f in info.value.findings if f.code == "workloads/toleration"]
    assert found == [("workloads/toleration", "spec.tolerations[0].value")]


def test_anti_affinity_misses_match_brute_force_over_a_random_fleet() -> None:
    """The terms that match neither their own pods nor any other pod, found from the pod
    index, are those a scan of every pod finds: same namespace, listed namespaces and a
    namespaceSelector (any namespace), at random."""
    import random

    from k8sdsl.core._manifest import Manifest
    from k8sdsl.core._selectors import LabelSelector
    from k8sdsl.core._versions import K8sVersion
    from k8sdsl.rules._registry import run_rules

    rng = random.Random(19)
    namespaces = ["a", "b", "c"]
    apps = [f"app{i}" for i in range(240)]
    objects: list[dict[str, Any]] = []
    for i in range(300):
        term: dict[str, Any] = {
            "topologyKey": "kubernetes.io/hostname",
            "labelSelector": {"matchLabels": {"app": rng.choice(apps)}},
        }
        roll = rng.random()
        if roll < 0.3:
            term["namespaces"] = rng.sample(namespaces, rng.randint(1, 2))
        elif roll < 0.45:
            term["namespaceSelector"] = {}
        spec: dict[str, Any] = {"containers": [{"name": "c", "image": "nginx:1.27.3"}]}
        if rng.random() < 0.6:
            spec["affinity"] = {
                "podAntiAffinity": {"requiredDuringSchedulingIgnoredDuringExecution": [term]}
            }
        objects.append(
            {
                "apiVersion": "v1",
                "kind": "Pod",
                "metadata": {
                    "name": f"p{i}",
                    "namespace": rng.choice(namespaces),
                    "labels": {"app": rng.choice(apps)},
                },
                "spec": spec,
            }
        )
    version = K8sVersion("1.35")
    manifests = [Manifest(o, f"x.yaml:{i}", version) for i, o in enumerate(objects)]
    found = {
        f.obj.name
        for f in run_rules(manifests, only=["workloads/spread-labels"])
        if "anti-affinity" in f.message
    }

    def matches(term: dict[str, Any], labels: dict[str, str]) -> bool:
        return LabelSelector.from_k8s(term["labelSelector"]).matches(labels)

    expected = set()
    for o in objects:
        terms = (
            o["spec"]
            .get("affinity", {})
            .get("podAntiAffinity", {})
            .get("requiredDuringSchedulingIgnoredDuringExecution", [])
        )
        for term in terms:
            meta = o["metadata"]
            if matches(term, meta["labels"]):
                continue
            if "namespaceSelector" in term:
                looked = set(namespaces)
            else:
                looked = set(term.get("namespaces") or [meta["namespace"]])
            if not any(
                p is not o
                and p["metadata"]["namespace"] in looked
                and matches(term, p["metadata"]["labels"])
                for p in objects
            ):
                expected.add(meta["name"])
    assert expected and len(expected) < 150  # both kinds of term occur
    assert found == expected
