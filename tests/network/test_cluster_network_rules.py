"""Rules on the declared cluster network, on YAML through ``k8sdsl check --cluster FILE``
and on an app's constructs: overlapping ranges, ipBlocks that name pods by address."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from k8sdsl import App, Chart, Cluster, K8sDslError
from k8sdsl.cli import main
from k8sdsl.core import ClusterNetwork
from k8sdsl.network import EgressRule, NetworkPolicy, Peer

POLICY = """\
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: egress, namespace: default}
spec:
  podSelector: {}
  policyTypes: [Egress]
  egress:
  - to:
    - ipBlock: {cidr: 10.0.0.0/8}
    - ipBlock: {cidr: 10.0.0.0/8, except: [10.244.0.0/16]}
    - ipBlock: {cidr: 0.0.0.0/0}
    - ipBlock: {cidr: 10.244.7.0/24}
    - ipBlock: {cidr: 192.168.0.0/16}
"""


def check(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, cluster: str | None, yaml: str
) -> tuple[int, list[dict[str, Any]]]:
    manifests = tmp_path / "app.yaml"
    manifests.write_text(yaml)
    args = ["check", "--format", "json", str(manifests)]
    if cluster is not None:
        file = tmp_path / "cluster.yaml"
        file.write_text(cluster)
        args[1:1] = ["--cluster", str(file)]
    code = main(args)
    out, err = capsys.readouterr()
    assert not json.loads(out)["unreadable"], err
    return code, json.loads(out)["findings"]


EMPTY = "apiVersion: v1\nkind: Namespace\nmetadata: {name: apps}\n"


def test_overlapping_pod_and_service_ranges(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    cluster = "network:\n  podCidrs: [10.96.0.0/16]\n  serviceCidrs: [10.96.0.0/12]\n"
    code, found = check(capsys, tmp_path, cluster, EMPTY)
    assert code == 1
    assert [(f["code"], f["path"], f["obj"]["kind"]) for f in found] == [
        ("network/cluster-overlap", "network.podCidrs[0]", "Cluster")
    ]
    (f,) = found
    assert "the pod range 10.96.0.0/16 overlaps the service range 10.96.0.0/12" in f["message"]
    # the fix names a free range of the pod range's size after the service range
    assert f["hint"].endswith("(for example 10.96.0.0/16 -> 10.112.0.0/16)")


def test_overlapping_node_network(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    cluster = "network:\n  nodeNetworks: [10.244.128.0/24, 192.168.1.0/24]\n"
    code, found = check(capsys, tmp_path, cluster, EMPTY)
    assert code == 1
    assert [(f["code"], f["path"]) for f in found] == [
        ("network/cluster-overlap", "network.podCidrs[0]")
    ]
    assert "overlaps the node network 10.244.128.0/24" in found[0]["message"]


def test_kubeadms_ranges_do_not_overlap(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    assert check(capsys, tmp_path, None, EMPTY) == (0, [])
    assert check(capsys, tmp_path, "network:\n  nodeNetworks: [192.168.0.0/16]\n", EMPTY) == (0, [])


def test_ipblocks_covering_pod_addresses(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    cluster = "network:\n  podCidrs: [10.244.0.0/16]\n"
    code, found = check(capsys, tmp_path, cluster, POLICY)
    assert code == 0  # warnings
    covers = [f for f in found if f["code"] == "network/ipblock-covers-pods"]
    assert [(f["path"], f["severity"]) for f in covers] == [
        ("spec.egress[0].to[0].ipBlock.cidr", "warning"),
        ("spec.egress[0].to[3].ipBlock.cidr", "warning"),
    ]
    assert (
        "ipBlock 10.0.0.0/8 covers pod addresses (10.244.0.0/16 of the declared"
        in covers[0]["message"]
    )
    assert "10.244.7.0/24 of the declared pod network 10.244.0.0/16" in covers[1]["message"]
    assert covers[0]["obj"]["source"].endswith("app.yaml:9")
    assert "add 10.244.0.0/16 to the block's except" in covers[0]["hint"]


def test_ipblocks_are_not_judged_without_a_declared_network(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    _, found = check(capsys, tmp_path, None, POLICY)
    assert [f for f in found if f["code"] == "network/ipblock-covers-pods"] == []
    _, found = check(capsys, tmp_path, "storageClasses: [standard]\n", POLICY)
    assert [f for f in found if f["code"] == "network/ipblock-covers-pods"] == []


def test_ipv6_blocks_against_a_dual_stack_pod_network(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    cluster = (
        "network:\n  podCidrs: [10.244.0.0/16, 'fd00:10:244::/56']\n"
        "  serviceCidrs: [10.96.0.0/12, 'fd00:10:96::/112']\n"
    )
    policy = POLICY.replace(
        "10.0.0.0/8}\n    - ipBlock: {cidr: 10.0.0.0/8, ",
        "'fd00::/8'}\n    - ipBlock: {cidr: 172.16.0.0/12, ",
    )
    _, found = check(capsys, tmp_path, cluster, policy)
    covers = [f for f in found if f["code"] == "network/ipblock-covers-pods"]
    assert [f["path"] for f in covers] == [
        "spec.egress[0].to[0].ipBlock.cidr",
        "spec.egress[0].to[3].ipBlock.cidr",
    ]
    assert "fd00:10:244::/56" in covers[0]["message"]


# --- on constructs ------------------------------------------------------------------------


def test_an_app_for_an_overlapping_cluster_does_not_synth(tmp_path: Path) -> None:
    cluster = Cluster(network=ClusterNetwork(pod_cidrs=("10.96.0.0/16",)))
    app = App(outdir=tmp_path, cluster=cluster)
    Chart(app, "empty")
    with pytest.raises(K8sDslError) as exc:
        app.synth()
    assert exc.value.codes == ["network/cluster-overlap"]


def test_a_policy_construct_with_a_pod_ipblock_warns(tmp_path: Path) -> None:
    cluster = Cluster(network=ClusterNetwork(pod_cidrs=("10.244.0.0/16",)))
    app = App(outdir=tmp_path, cluster=cluster)
    chart = Chart(app, "apps", namespace="default")
    NetworkPolicy(
        chart,
        "out",
        pod_selector={},
        egress=[EgressRule(to=(Peer.ip_block(cidr="10.244.0.0/15"),))],
    )
    report = app.synth()
    assert [(f.code, f.path) for f in report.findings if f.code.startswith("network/ip")] == [
        ("network/ipblock-covers-pods", "spec.egress[0].to[0].ipBlock.cidr")
    ]
