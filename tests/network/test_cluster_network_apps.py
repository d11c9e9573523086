"""The cluster-network apps (apps/flannel_cluster.py, apps/calico_cluster.py): their objects,
and k8sdsl check of their YAML against the cluster each declares and against another."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import yaml

from apps import calico_cluster, flannel_cluster
from k8sdsl import App
from k8sdsl.cli import main
from tests.conftest import assert_schema_valid


def built(module: Any) -> App:
    app = App()
    module.build(app)
    return app


def check(
    tmp_path: Path, app: App, cluster: str, capsys: pytest.CaptureFixture[str]
) -> tuple[int, list[dict[str, Any]]]:
    (tmp_path / "app.yaml").write_text(yaml.safe_dump_all([m.obj for m in app.manifests()]))
    (tmp_path / "cluster.yaml").write_text(cluster)
    code = main(
        [
            "check",
            "--format",
            "json",
            "--cluster",
            str(tmp_path / "cluster.yaml"),
            str(tmp_path / "app.yaml"),
        ]
    )
    return code, json.loads(capsys.readouterr().out)["findings"]


def test_flannel_cluster(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    app = built(flannel_cluster)
    objects = [m.obj for m in app.manifests()]
    assert_schema_valid(objects)
    node_cni = next(o for o in objects if o["metadata"]["name"] == "node-cni-config")
    assert json.loads(node_cni["data"]["cni-conf.json"])["plugins"][0]["ipam"]["ranges"] == [
        [{"subnet": "10.244.1.0/24"}]
    ]
    flannel_cfg = next(o for o in objects if o["metadata"]["name"] == "kube-flannel-cfg")
    net_conf = json.loads(flannel_cfg["data"]["net-conf.json"])
    assert (net_conf["Network"], net_conf["SubnetLen"]) == ("10.244.0.0/16", 24)
    declared = "network:\n  podCidrs: [10.244.0.0/16]\n  serviceCidrs: [10.96.0.0/12]\n"
    code, found = check(tmp_path, app, declared, capsys)
    assert code == 0 and [f for f in found if f["severity"] != "info"] == []
    code, found = check(tmp_path, app, "network:\n  podCidrs: [10.42.0.0/16]\n", capsys)
    assert code == 1
    assert {f["code"] for f in found if f["severity"] != "info"} == {
        "flannel/network",
        "cni/outside-pod-cidr",
    }


def test_calico_cluster(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    app = built(calico_cluster)
    objects = [m.obj for m in app.manifests()]
    assert [(o["kind"], o["metadata"]["name"]) for o in objects] == [
        ("IPPool", "workloads"),
        ("IPPool", "edge"),
        ("FelixConfiguration", "default"),
        ("GlobalNetworkPolicy", "default-deny"),
    ]
    assert_schema_valid(objects)
    declared = "network:\n  podCidrs: [192.168.0.0/16]\n  serviceCidrs: [10.96.0.0/12]\n"
    code, found = check(tmp_path, app, declared, capsys)
    assert (code, found) == (0, [])
    code, found = check(tmp_path, app, "network:\n  podCidrs: [10.244.0.0/16]\n", capsys)
    assert [(f["code"], f["obj"]["name"]) for f in found] == [
        ("calico/pool-outside-pod-cidr", "workloads"),
        ("calico/pool-outside-pod-cidr", "edge"),
    ]
