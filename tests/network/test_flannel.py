"""FlannelNetwork: kube-flannel's objects from the declared network, secure except where
Flannel needs privileges (each written down), and clean under k8sdsl's own rules."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from k8sdsl import App, Chart, Cluster
from k8sdsl.cli import main
from k8sdsl.core import ClusterNetwork
from k8sdsl.network import (
    FlannelBackend,
    FlannelNetwork,
    check_cni_config,
    check_flannel_net_conf,
    flannel_net_conf,
)
from k8sdsl.security import EXEMPTION_PREFIX
from tests.conftest import assert_schema_valid


def build(tmp_path: Path, **kwargs: Any) -> tuple[App, FlannelNetwork]:
    app = App(outdir=tmp_path / "dist", cluster=kwargs.pop("cluster", None))
    chart = Chart(app, "flannel")
    return app, FlannelNetwork(chart, "flannel", **kwargs)


def test_the_objects_of_kube_flannel(tmp_path: Path, yaml_snapshot: Any) -> None:
    app, flannel = build(tmp_path)
    objects = [
        flannel.namespace,
        flannel.service_account,
        flannel.cluster_role,
        flannel.binding,
        flannel.config_map,
        flannel.daemon_set,
    ]
    assert [o.to_k8s()["kind"] for o in objects] == [
        "Namespace",
        "ServiceAccount",
        "ClusterRole",
        "ClusterRoleBinding",
        "ConfigMap",
        "DaemonSet",
    ]
    assert objects == yaml_snapshot
    assert_schema_valid(objects)
    report = app.synth()
    assert not report.has_errors()
    # every finding is an exempted control quoting its reason (no warning)
    assert {f.severity.value for f in report.findings} == {"info"}


def test_the_config_map_follows_the_declared_network(tmp_path: Path) -> None:
    network = ClusterNetwork(
        pod_cidrs=("10.42.0.0/16", "fd00:42::/56"),
        service_cidrs=("10.43.0.0/16", "fd00:43::/112"),
        node_cidr_mask_size_ipv4=25,
    )
    _, flannel = build(tmp_path, cluster=Cluster(network=network))
    data = flannel.config_map.data
    net_conf = json.loads(data["net-conf.json"])
    assert net_conf == {
        "Network": "10.42.0.0/16",
        "SubnetLen": 25,
        "EnableIPv6": True,
        "IPv6Network": "fd00:42::/56",
        "IPv6SubnetLen": 64,
        "Backend": {"Type": "vxlan"},
    }
    assert (
        check_flannel_net_conf(
            data["net-conf.json"], pod_cidrs=network.pod_cidrs, node_mask_ipv4=25
        )
        == []
    )
    assert check_cni_config(json.loads(data["cni-conf.json"])) == []
    assert data["cni-conf.json"] == flannel.cni_config.render()


def test_an_explicit_network_wins_over_the_apps(tmp_path: Path) -> None:
    _, flannel = build(
        tmp_path,
        cluster=Cluster(network=ClusterNetwork(pod_cidrs=("10.42.0.0/16",))),
        network=ClusterNetwork(pod_cidrs=("10.50.0.0/16",)),
    )
    assert json.loads(flannel.config_map.data["net-conf.json"])["Network"] == "10.50.0.0/16"


def test_an_ipv6_only_network_disables_ipv4() -> None:
    conf = flannel_net_conf(
        ClusterNetwork(pod_cidrs=("fd00:10:244::/56",), service_cidrs=("fd00:10:96::/112",)),
        FlannelBackend.host_gw(),
    )
    assert conf == {
        "EnableIPv4": False,
        "EnableIPv6": True,
        "IPv6Network": "fd00:10:244::/56",
        "IPv6SubnetLen": 64,
        "Backend": {"Type": "host-gw"},
    }
    assert check_flannel_net_conf(json.dumps(conf)) == []


@pytest.mark.parametrize(
    ("backend", "written"),
    [
        (
            FlannelBackend.vxlan(vni=4, port=4789, direct_routing=True),
            {"Type": "vxlan", "VNI": 4, "Port": 4789, "DirectRouting": True},
        ),
        (FlannelBackend.host_gw(), {"Type": "host-gw"}),
        (
            FlannelBackend.wireguard(listen_port=51820, mode="separate"),
            {"Type": "wireguard", "ListenPort": 51820, "Mode": "separate"},
        ),
        (FlannelBackend.udp(port=8285), {"Type": "udp", "Port": 8285}),
    ],
)
def test_backends_as_flannel_writes_them(backend: FlannelBackend, written: dict[str, Any]) -> None:
    assert backend.to_flannel() == written
    conf = flannel_net_conf(ClusterNetwork(), backend)
    assert check_flannel_net_conf(json.dumps(conf)) == []


def test_backend_values_are_checked() -> None:
    from k8sdsl import K8sDslError

    with pytest.raises(K8sDslError):
        FlannelBackend(type="vxlam")  # type: ignore[arg-type]
    with pytest.raises(K8sDslError):
        FlannelBackend.vxlan(vni=0)


def test_the_daemonset_writes_down_each_privilege(tmp_path: Path) -> None:
    _, flannel = build(tmp_path)
    obj = flannel.daemon_set.to_k8s()
    spec = obj["spec"]["template"]["spec"]
    assert spec["hostNetwork"] is True and spec["dnsPolicy"] == "Default"
    assert spec["serviceAccountName"] == "flannel"
    (container,) = spec["containers"]
    assert container["securityContext"]["capabilities"] == {
        "add": ["NET_ADMIN", "NET_RAW"],
        "drop": ["ALL"],
    }
    assert container["securityContext"]["allowPrivilegeEscalation"] is False
    assert "privileged" not in container["securityContext"]
    exempted = {
        k[len(EXEMPTION_PREFIX) :]
        for k in obj["metadata"]["annotations"]
        if k.startswith(EXEMPTION_PREFIX)
    }
    assert {
        "host-namespaces",
        "host-path-volumes",
        "capabilities-baseline",
        "run-as-non-root",
        "service-account-token",
    } <= exempted
    assert "privileged" not in exempted and "privilege-escalation" not in exempted
    assert [c["name"] for c in spec["initContainers"]] == ["install-cni-plugin", "install-cni"]
    assert spec["initContainers"][1]["args"] == [
        "-f",
        "/etc/kube-flannel/cni-conf.json",
        "/etc/cni/net.d/10-flannel.conflist",
    ]


def test_the_synthesized_yaml_checks_clean_for_its_cluster(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    network = "network:\n  podCidrs: [10.42.0.0/16]\n  serviceCidrs: [10.43.0.0/16]\n"
    app, _ = build(
        tmp_path,
        network=ClusterNetwork(pod_cidrs=("10.42.0.0/16",), service_cidrs=("10.43.0.0/16",)),
    )
    app.synth()
    (tmp_path / "cluster.yaml").write_text(network)
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
    out, _ = capsys.readouterr()
    found = json.loads(out)["findings"]
    assert code == 0
    assert [f for f in found if f["severity"] != "info"] == []
    # for a cluster with another pod CIDR, the Network is wrong
    (tmp_path / "other.yaml").write_text("network:\n  podCidrs: [10.244.0.0/16]\n")
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
    out, _ = capsys.readouterr()
    assert code == 1
    assert [f["code"] for f in json.loads(out)["findings"] if f["severity"] == "error"] == [
        "flannel/network"
    ]


def test_network_policies_beside_flannel_are_not_enforced(tmp_path: Path) -> None:
    from k8sdsl.network import NetworkPolicy

    app, _ = build(tmp_path)
    apps = Chart(app, "apps", namespace="default")
    NetworkPolicy(apps, "deny", pod_selector={}, ingress=[])
    report = app.check()
    (found,) = [f for f in report.findings if f.code == "network/policy-not-enforced"]
    assert found.severity.value == "warning"
    assert found.message.startswith("Flannel (the plugin its DaemonSet shows)")
