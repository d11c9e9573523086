"""CalicoNetwork, IPPool and FelixConfiguration values, and the calico/* rules on YAML."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import yaml

from k8sdsl import App, Chart, Cluster, K8sDslError
from k8sdsl.cli import main
from k8sdsl.core import ClusterNetwork
from k8sdsl.network import (
    CalicoNetwork,
    EncapsulationMode,
    FelixConfiguration,
    IPPool,
    LogSeverity,
    check_ip_pools,
)
from tests.conftest import assert_schema_valid

DUAL = ClusterNetwork(pod_cidrs=("10.244.0.0/16", "fd00:10:244::/56"))


def build(
    tmp_path: Path, network: ClusterNetwork | None = None, **kwargs: Any
) -> tuple[App, CalicoNetwork]:
    cluster = Cluster(network=network) if network is not None else None
    app = App(outdir=tmp_path / "dist", cluster=cluster)
    return app, CalicoNetwork(Chart(app, "calico"), "calico", **kwargs)


def codes(problems: Any) -> list[tuple[str, str]]:
    return [(p.code, p.path) for p in problems]


def test_default_pools_follow_the_declared_pod_cidrs(tmp_path: Path, yaml_snapshot: Any) -> None:
    app, calico = build(
        tmp_path,
        DUAL,
        felix=FelixConfiguration(log_severity_screen=LogSeverity.INFO, vxlan_vni=4096),
    )
    objects = [*calico.pool_resources, calico.felix_configuration]
    specs = {o.name: o.to_k8s()["spec"] for o in objects}
    assert specs["default-ipv4-ippool"] == {
        "cidr": "10.244.0.0/16",
        "blockSize": 26,
        "ipipMode": "Never",
        "vxlanMode": "CrossSubnet",
        "natOutgoing": True,
        "nodeSelector": "all()",
    }
    assert specs["default-ipv6-ippool"]["cidr"] == "fd00:10:244::/56"
    assert specs["default-ipv6-ippool"]["blockSize"] == 122
    assert specs["default"] == {"logSeverityScreen": "Info", "vxlanVNI": 4096}
    # cluster-scoped: no namespace even in a chart with one
    assert all("namespace" not in o.to_k8s()["metadata"] for o in objects)
    assert objects == yaml_snapshot
    assert_schema_valid(objects)
    assert not app.synth().has_errors()


def test_a_small_pod_cidr_gets_a_block_no_larger_than_itself(tmp_path: Path) -> None:
    _, calico = build(
        tmp_path, ClusterNetwork(pod_cidrs=("10.1.0.0/28",), node_cidr_mask_size_ipv4=28)
    )
    assert calico.pools[0].block_size == 28


def test_without_a_declared_cluster_kubeadms_range(tmp_path: Path) -> None:
    _, calico = build(tmp_path)
    assert [p.cidr for p in calico.pools] == ["10.244.0.0/16"]


@pytest.mark.parametrize(
    ("kwargs", "expected"),
    [
        ({"cidr": "10.0.0.0/16", "block_size": 19}, [("calico/block-size", "blockSize")]),
        ({"cidr": "10.0.0.0/16", "block_size": 33}, [("calico/block-size", "blockSize")]),
        ({"cidr": "fd00::/48", "block_size": 112}, [("calico/block-size", "blockSize")]),
        ({"cidr": "10.0.0.0/28", "block_size": 26}, [("calico/block-size", "blockSize")]),
        (
            {"cidr": "10.0.0.0/16", "ipip_mode": "Always", "vxlan_mode": "CrossSubnet"},
            [("calico/encapsulation", "ipipMode")],
        ),
        ({"cidr": "fd00::/48", "ipip_mode": "CrossSubnet"}, [("calico/encapsulation", "ipipMode")]),
        ({"cidr": "10.0.0.1/16"}, [("calico/pool-cidr", "cidr")]),
        ({"cidr": "169.254.0.0/20"}, [("calico/pool-cidr", "cidr")]),
    ],
)
def test_ip_pool_values_are_checked(
    kwargs: dict[str, Any], expected: list[tuple[str, str]]
) -> None:
    with pytest.raises(K8sDslError) as exc:
        IPPool(name="p", **kwargs)
    assert [(f.code, f.path) for f in exc.value.findings] == expected


def test_valid_bounds_and_a_disabled_small_pool() -> None:
    for size in (20, 32):
        assert IPPool(name="p", cidr="10.0.0.0/16", block_size=size).block_size == size
    for size in (116, 128):
        assert IPPool(name="p", cidr="fd00::/48", block_size=size).block_size == size
    # a disabled pool allocates nothing: its size is not judged against the block
    assert IPPool(name="p", cidr="10.0.0.0/28", block_size=26, disabled=True).disabled
    assert IPPool(name="p", cidr="fd00::/48", vxlan_mode=EncapsulationMode.ALWAYS).vxlan_mode


def test_an_unknown_mode_is_a_value_error() -> None:
    with pytest.raises(K8sDslError):
        IPPool(name="p", cidr="10.0.0.0/16", ipip_mode="always")  # type: ignore[arg-type]
    problems = check_ip_pools([("p", {"cidr": "10.0.0.0/16", "vxlanMode": "crosssubnet"})])
    assert codes(problems) == [("calico/encapsulation", "spec.vxlanMode")]
    assert problems[0].hint == "did you mean 'CrossSubnet'?"


def test_overlapping_pools_and_pools_outside_the_pod_cidr(tmp_path: Path) -> None:
    a = IPPool(name="a", cidr="10.244.0.0/17")
    b = IPPool(name="b", cidr="10.244.64.0/18")
    with pytest.raises(K8sDslError) as exc:
        build(tmp_path, DUAL, pools=[a, b])
    (finding,) = exc.value.findings
    assert (finding.code, finding.obj.name) == ("calico/pool-overlap", "b")
    assert "10.244.64.0/18 overlaps IPPool a (10.244.0.0/17)" in finding.message
    outside = IPPool(name="c", cidr="10.10.0.0/16")
    with pytest.raises(K8sDslError) as exc:
        build(tmp_path / "2", DUAL, pools=[outside])
    assert [f.code for f in exc.value.findings] == ["calico/pool-outside-pod-cidr"]
    # two halves of the pod CIDR are fine; without a declared network no pod CIDR is assumed
    halves = [IPPool(name="a", cidr="10.244.0.0/17"), IPPool(name="b", cidr="10.244.128.0/17")]
    build(tmp_path / "3", DUAL, pools=halves)
    build(tmp_path / "4", pools=[outside])


def test_the_checker_on_specs() -> None:
    pools = [
        ("a", {"cidr": "10.244.0.0/16"}),
        ("b", {"cidr": "10.244.3.0/24"}),
        ("c", {"cidr": "fd00::/64"}),
    ]
    problems = check_ip_pools(pools, ["10.244.0.0/16"])
    assert [(p.code, p.pool, p.index, p.severity.value) for p in problems] == [
        ("calico/pool-overlap", "b", 1, "error"),
        ("calico/pool-outside-pod-cidr", "c", 2, "warning"),
    ]
    assert "no IPv6 pod CIDR" in problems[1].message
    # the default blockSize (26) is judged when none is written
    assert codes(check_ip_pools([("s", {"cidr": "10.0.0.0/27"})])) == [
        ("calico/block-size", "spec.blockSize")
    ]


def pool(name: str, **spec: Any) -> dict[str, Any]:
    return {
        "apiVersion": "projectcalico.org/v3",
        "kind": "IPPool",
        "metadata": {"name": name},
        "spec": spec,
    }


def check_json(
    capsys: pytest.CaptureFixture[str],
    tmp_path: Path,
    docs: list[dict[str, Any]],
    cluster: str | None = None,
) -> tuple[int, list[dict[str, Any]]]:
    path = tmp_path / "pools.yaml"
    path.write_text(yaml.safe_dump_all(docs))
    flags = []
    if cluster is not None:
        (tmp_path / "cluster.yaml").write_text(cluster)
        flags = ["--cluster", str(tmp_path / "cluster.yaml")]
    code = main(["check", "--format", "json", *flags, str(path)])
    return code, json.loads(capsys.readouterr().out)["findings"]


def test_rules_on_yaml(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    docs = [
        pool("a", cidr="10.244.0.0/16", blockSize=26, ipipMode="Always", vxlanMode="Always"),
        pool("b", cidr="10.244.128.0/17", blockSize=18),
        pool("c", cidr="10.50.0.0/16"),
    ]
    code, found = check_json(capsys, tmp_path, docs, "network:\n  podCidrs: [10.244.0.0/16]\n")
    assert code == 1
    assert sorted((f["code"], f["obj"]["name"], f["path"], f["severity"]) for f in found) == [
        ("calico/block-size", "b", "spec.blockSize", "error"),
        ("calico/encapsulation", "a", "spec.ipipMode", "error"),
        ("calico/pool-outside-pod-cidr", "c", "spec.cidr", "warning"),
        ("calico/pool-overlap", "b", "spec.cidr", "error"),
    ]
    # no declared network: no pod CIDR to compare with
    code, found = check_json(capsys, tmp_path, [docs[2]])
    assert (code, found) == (0, [])


def test_the_synthesized_yaml_checks_clean_for_its_cluster(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    app, _ = build(tmp_path, DUAL)
    app.synth()
    (tmp_path / "cluster.yaml").write_text(
        "network:\n  podCidrs: [10.244.0.0/16, fd00:10:244::/56]\n"
    )
    code = main(
        [
            "check",
            "--format",
            "json",
            "--cluster",
            str(tmp_path / "cluster.yaml"),
            str(tmp_path / "dist"),
        ]
    )
    assert (code, json.loads(capsys.readouterr().out)["findings"]) == (0, [])
    (tmp_path / "other.yaml").write_text("network:\n  podCidrs: [10.42.0.0/16]\n")
    code = main(
        [
            "check",
            "--format",
            "json",
            "--cluster",
            str(tmp_path / "other.yaml"),
            str(tmp_path / "dist"),
        ]
    )
    found = json.loads(capsys.readouterr().out)["findings"]
    assert code == 0  # warnings only
    assert [(f["code"], f["obj"]["name"]) for f in found] == [
        ("calico/pool-outside-pod-cidr", "default-ipv4-ippool"),
        ("calico/pool-outside-pod-cidr", "default-ipv6-ippool"),
    ]
