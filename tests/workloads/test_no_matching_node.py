"""``workloads/no-matching-node``: a pod whose nodeSelector, required node affinity or
intolerance of taints leaves no declared node pool stays Pending. Judged against the
declared ``nodePools`` only, on manifests and on YAML through ``k8sdsl check --cluster``."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from k8sdsl.cli import main
from k8sdsl.core._cluster import Cluster, NodePool
from k8sdsl.core._manifest import Manifest
from k8sdsl.core._versions import DEFAULT_VERSION, K8sVersion
from k8sdsl.rules._registry import run_rules

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "explain"
POOLS = (
    NodePool(name="general", count=3, labels={"pool": "general", "zone": "a"}),
    NodePool(
        name="gpu",
        count=1,
        labels={"pool": "gpu", "gpu": "true", "cores": "64"},
        taints=("nvidia.com/gpu=present:NoSchedule",),
    ),
)


def pod(**spec: Any) -> dict[str, Any]:
    return {
        "apiVersion": "v1",
        "kind": "Pod",
        "metadata": {"name": "p", "namespace": "ml"},
        "spec": {"containers": [{"name": "c", "image": "registry.example.com/c:1"}], **spec},
    }


def codes(obj: dict[str, Any], pools: tuple[NodePool, ...] = POOLS) -> list[str]:
    m = Manifest(obj, "test", K8sVersion.supported(DEFAULT_VERSION))
    settings = {"cluster": Cluster(node_pools=pools)}
    return [f.path for f in run_rules([m], settings, only=["workloads/no-matching-node"])]


def required(expression: dict[str, Any]) -> dict[str, Any]:
    term = {"matchExpressions": [expression]}
    return {
        "nodeAffinity": {
            "requiredDuringSchedulingIgnoredDuringExecution": {"nodeSelectorTerms": [term]}
        }
    }


TOLERATE = [{"key": "nvidia.com/gpu", "operator": "Exists", "effect": "NoSchedule"}]


@pytest.mark.parametrize(
    ("spec", "stuck"),
    [
        ({}, False),
        ({"nodeSelector": {"pool": "general"}}, False),
        ({"nodeSelector": {"pool": "storage"}}, True),
        ({"nodeSelector": {"gpu": "true"}}, True),  # only the tainted pool has it
        ({"nodeSelector": {"gpu": "true"}, "tolerations": TOLERATE}, False),
        ({"tolerations": [{"operator": "Exists"}], "nodeSelector": {"gpu": "true"}}, False),
        (
            {
                "nodeSelector": {"gpu": "true"},
                "tolerations": [{"key": "nvidia.com/gpu", "value": "absent"}],
            },
            True,
        ),
        (
            {"affinity": required({"key": "zone", "operator": "In", "values": ["b"]})},
            True,
        ),
        (
            {
                "affinity": required({"key": "cores", "operator": "Gt", "values": ["32"]}),
                "tolerations": TOLERATE,
            },
            False,
        ),
        ({"nodeName": "node-1", "nodeSelector": {"pool": "storage"}}, False),
    ],
)
def test_pools_that_take_the_pod(spec: dict[str, Any], stuck: bool) -> None:
    assert bool(codes(pod(**spec))) is stuck


def test_not_judged_without_declared_nodes() -> None:
    assert codes(pod(nodeSelector={"pool": "storage"}), pools=()) == []


def test_yaml_through_check_and_explain(capsys: pytest.CaptureFixture[str]) -> None:
    fixture = str(FIXTURES / "scheduling-nodes.yaml")
    cluster = str(FIXTURES / "scheduling-nodes.cluster.yaml")
    assert main(["check", fixture, "--cluster", cluster]) == 1
    out = capsys.readouterr().out
    assert "error[workloads/no-matching-node] Deployment ml/train" in out
    assert "pool 'gpu': it has the taint nvidia.com/gpu=present:NoSchedule" in out
    assert main(["check", fixture]) == 0  # no declared nodes: not judged
    capsys.readouterr()
    assert main(["explain", "pod", "ml/train", fixture, "--cluster", cluster]) == 1
    text = capsys.readouterr().out
    assert "2. scheduling: FAILS" in text
    assert "   Pending  [workloads/no-matching-node]" in text
    assert "confirm: kubectl describe pod -n ml -l app=train" in text
