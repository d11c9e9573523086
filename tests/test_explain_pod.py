"""``k8sdsl explain pod``: each stage of a pod's life on a fixture, with the exact status and
kubectl command; five problems of one Deployment in cluster order; the shop explains clean;
and every finding code is placed in the one table or named as not about pods."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from k8sdsl._explain_pod import (
    NOT_ABOUT_POD_FAMILIES,
    NOT_ABOUT_PODS,
    OUTCOMES,
    WORKLOAD_KINDS,
    PodLife,
    explain_pod,
)
from k8sdsl._pipeline import check_manifests, rule_settings
from k8sdsl.cli import explain_pod as cli_explain_pod
from k8sdsl.cli import load_manifests, main
from k8sdsl.core._findings import K8sDslError
from k8sdsl.core._versions import DEFAULT_VERSION, K8sVersion
from k8sdsl.rules._registry import registered_rules
from tests.test_documented_codes import source_codes

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "tests" / "fixtures" / "explain"
VERSION = K8sVersion.supported(DEFAULT_VERSION)


def life(name: str, target: str) -> PodLife:
    return cli_explain_pod([FIXTURES / name], VERSION, target)[0]


def certain(result: PodLife) -> list[tuple[int, str, str, str]]:
    return [(p.stage, p.status, p.finding.code, p.kubectl) for p in result.problems if p.certain]


def test_five_problems_in_cluster_order() -> None:
    result = life("five-problems.yaml", "shop/web")
    assert not result.runs
    assert certain(result) == [
        (
            1,
            "FailedCreate (admission forbids its pods)",
            "pod-security/privileged",
            "kubectl get events -n shop --field-selector "
            "involvedObject.kind=ReplicaSet,reason=FailedCreate",
        ),
        (2, "Pending", "storage/missing-claim", "kubectl get pvc -n shop cache"),
        (3, "ImagePullBackOff", "references/missing-object", "kubectl get secret -n shop regcred"),
        (
            3,
            "CreateContainerConfigError",
            "references/missing-object",
            "kubectl describe pod -n shop -l app=web",
        ),
        (
            5,
            "Running, not Ready",
            "workloads/probe-port",
            "kubectl describe pod -n shop -l app=web",
        ),
    ]
    # restricted (not enforced in a baseline namespace) only warns: the pods are admitted
    warned = [p for p in result.stages[0].problems if not p.certain]
    assert warned and all(p.status.startswith("admitted") for p in warned)
    # the pull-secret warning says less than the error on the same field: not repeated
    assert "images/pull-secret" not in [p.finding.code for p in result.problems]


@pytest.mark.parametrize(
    ("fixture", "target", "expected"),
    [
        (
            "admission-pod.yaml",
            "batch/debug",
            (
                1,
                "Forbidden (admission refuses the Pod)",
                "pod-security/host-namespaces",
                "kubectl apply --dry-run=server -f " + str(FIXTURES / "admission-pod.yaml"),
            ),
        ),
        (
            "scheduling-claim.yaml",
            "db/migrate",
            (2, "Pending", "storage/unbound-claim", "kubectl get pvc -n db data"),
        ),
        (
            "creation-volume.yaml",
            "ops/agent",
            (
                3,
                "ContainerCreating",
                "references/missing-object",
                "kubectl describe pod -n ops -l app=agent",
            ),
        ),
        (
            "start-liveness.yaml",
            "ops/StatefulSet/cache",
            (
                4,
                "CrashLoopBackOff",
                "workloads/probe-port",
                "kubectl describe pod -n ops -l app=cache",
            ),
        ),
        (
            "traffic.yaml",
            "web/api",
            (
                6,
                "Running, no traffic",
                "references/unknown-target-port",
                "kubectl get endpointslices -n web -l kubernetes.io/service-name=api",
            ),
        ),
    ],
)
def test_each_stage(fixture: str, target: str, expected: tuple[int, str, str, str]) -> None:
    result = life(fixture, target)
    assert certain(result)[0] == expected
    assert not result.runs
    # the other stages say what they checked
    ok = [s for s in result.stages if not s.problems]
    assert ok and all(s.checked for s in ok)


def test_dns_cut_by_a_policy() -> None:
    result = life("traffic.yaml", "web/api")
    assert certain(result)[1] == (
        6,
        "Running, DNS fails",
        "network/dns-egress-blocked",
        "kubectl exec -n web deploy/api -- nslookup kubernetes.default",
    )
    assert result.stages[5].checked == (
        "selected by Services api",
        "selected by NetworkPolicies api-egress",
    )


def test_shop_workloads_explain_clean() -> None:
    from apps.shop import CLUSTER

    paths = [ROOT / "dist" / "shop.k8s.yaml"]
    manifests, _, _ = load_manifests(paths, VERSION, pinned=False)
    settings = rule_settings(CLUSTER, VERSION, complete=True)
    findings = check_manifests(manifests, settings).findings
    workloads = [m for m in manifests if m.kind in WORKLOAD_KINDS]
    assert len(workloads) >= 4
    for m in workloads:
        result = explain_pod(manifests, f"{m.namespace}/{m.kind}/{m.name}", findings=findings)
        assert result.runs, result.format()
        assert [p.finding.code for p in result.problems if p.certain] == []
        assert "namespace 'shop' enforces Pod Security restricted" in result.stages[0].checked
    web = explain_pod(manifests, "shop/web", findings=findings)
    assert any(n.startswith("selected by Services web") for n in web.stages[5].checked)


def test_missing_workload_suggests() -> None:
    manifests, _, _ = load_manifests([FIXTURES / "five-problems.yaml"], VERSION)
    with pytest.raises(K8sDslError) as info:
        explain_pod(manifests, "shop/wbe")
    assert info.value.codes == ["explain/unknown-workload"]
    assert "did you mean shop/web?" in info.value.findings[0].hint
    with pytest.raises(K8sDslError) as info:
        explain_pod(manifests, "shop/Gadget/web")
    assert info.value.codes == ["explain/invalid-target"]


def test_two_kinds_share_a_name(tmp_path: Path) -> None:
    manifests, _, _ = load_manifests([FIXTURES / "start-liveness.yaml"], VERSION)
    # a Service shares the name, but it is no workload: the StatefulSet is meant
    assert explain_pod(manifests, "ops/cache").workload.kind == "StatefulSet"
    extra = (FIXTURES / "start-liveness.yaml").read_text() + (
        "---\napiVersion: apps/v1\nkind: Deployment\nmetadata: {name: cache, namespace: ops}\n"
        "spec:\n  selector: {matchLabels: {app: c}}\n  template:\n"
        "    metadata: {labels: {app: c}}\n"
        "    spec: {containers: [{name: c, image: registry.example.com/c:1}]}\n"
    )
    both = tmp_path / "both.yaml"
    both.write_text(extra)
    manifests, _, _ = load_manifests([both], VERSION)
    with pytest.raises(K8sDslError) as info:
        explain_pod(manifests, "ops/cache")
    assert info.value.codes == ["explain/ambiguous-workload"]
    assert "ops/Deployment/cache or ops/StatefulSet/cache" in info.value.findings[0].hint
    assert explain_pod(manifests, "ops/deploy/cache").workload.kind == "Deployment"


def test_cli_exit_codes_and_json(capsys: pytest.CaptureFixture[str]) -> None:
    fixture = str(FIXTURES / "five-problems.yaml")
    assert main(["explain", "pod", "shop/web", fixture, "--format", "json"]) == 1
    data = json.loads(capsys.readouterr().out)
    assert set(data) == {"workload", "runs", "stages"}
    assert data["workload"] == {
        "kind": "Deployment",
        "name": "web",
        "namespace": "shop",
        "source": f"{fixture}:9",
    }
    assert [s["name"] for s in data["stages"]] == [
        "admission",
        "scheduling",
        "container creation",
        "start",
        "readiness",
        "traffic",
    ]
    problem = data["stages"][1]["problems"][0]
    assert set(problem) == {
        "status",
        "certain",
        "code",
        "severity",
        "message",
        "hint",
        "object",
        "path",
        "kubectl",
    }
    assert main(["explain", "pod", "shop/nope", fixture]) == 2
    assert "explain/unknown-workload" in capsys.readouterr().err
    assert main(["explain", "pod", "shop/web", str(FIXTURES / "missing.yaml")]) == 2
    capsys.readouterr()
    shop = str(ROOT / "dist" / "shop.k8s.yaml")
    cluster = ROOT / "tests" / "fixtures" / "explain" / "shop-cluster.yaml"
    assert main(["explain", "pod", "shop/web", shop, "--cluster", str(cluster)]) == 0
    text = capsys.readouterr().out
    assert text.startswith("Deployment shop/web (")
    assert "its pods would run" in text
    assert "6. traffic: ok" in text


def test_every_code_is_placed_or_named_as_not_about_pods() -> None:
    codes = source_codes() | {r.id for r in registered_rules()}
    placed = {row.code for row in OUTCOMES}
    unplaced = sorted(
        c
        for c in codes
        if c not in placed
        and c not in NOT_ABOUT_PODS
        and c.split("/")[0] not in NOT_ABOUT_POD_FAMILIES
    )
    assert unplaced == [], f"place these codes in OUTCOMES or NOT_ABOUT_PODS: {unplaced}"
    # and the table names no code that does not exist
    assert sorted((placed | NOT_ABOUT_PODS) - codes) == []
    assert placed & NOT_ABOUT_PODS == set()


@pytest.mark.parametrize("target", ["x/odd", "x/cj"])
def test_malformed_yaml_explains_without_a_traceback(target: str) -> None:
    result = life("malformed.yaml", target)
    assert not result.runs  # the schema's errors: the API server refuses the object
    assert result.stages[0].problems[0].status == "Invalid (the API server refuses the object)"
    assert result.format() and json.loads(result.to_json())["runs"] is False
