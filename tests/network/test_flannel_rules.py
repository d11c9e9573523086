"""Flannel's net-conf.json judged on YAML through ``k8sdsl check`` (rule flannel/net-conf)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from k8sdsl.cli import main
from k8sdsl.network import check_flannel_net_conf

FIXTURES = Path(__file__).parent / "fixtures" / "cni"
FLANNEL_CFG = (FIXTURES / "kube-flannel-cfg.yaml").read_text()
NET_CONF = """\
    {
      "Network": "10.244.0.0/16",
      "EnableNFTables": false,
      "Backend": {
        "Type": "vxlan"
      }
    }
"""


def with_net_conf(text: str) -> str:
    assert NET_CONF in FLANNEL_CFG
    body = "".join("    " + line + "\n" for line in text.strip("\n").splitlines())
    return FLANNEL_CFG.replace(NET_CONF, body)


def check(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, yaml: str, cluster: str | None = None
) -> tuple[int, list[dict[str, Any]]]:
    file = tmp_path / "flannel.yaml"
    file.write_text(yaml)
    args = ["check", "--format", "json", str(file)]
    if cluster is not None:
        (tmp_path / "cluster.yaml").write_text(cluster)
        args[1:1] = ["--cluster", str(tmp_path / "cluster.yaml")]
    code = main(args)
    out, err = capsys.readouterr()
    assert not json.loads(out)["unreadable"], err
    return code, json.loads(out)["findings"]


def summary(found: list[dict[str, Any]]) -> list[tuple[str, str, str]]:
    return [(f["code"], f["severity"], f["message"].split(":", 1)[0]) for f in found]


def test_the_kube_flannel_config_map_is_clean(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    assert check(capsys, tmp_path, FLANNEL_CFG) == (0, [])
    cluster = "network:\n  podCidrs: [10.244.0.0/16]\n"
    assert check(capsys, tmp_path, FLANNEL_CFG, cluster) == (0, [])


def test_net_conf_that_is_not_json(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    code, found = check(capsys, tmp_path, with_net_conf('{"Network": "10.244.0.0/16",}'))
    assert code == 1
    assert [(f["code"], f["path"]) for f in found] == [
        ("flannel/net-conf-json", "data.net-conf.json")
    ]
    assert found[0]["message"].startswith("not valid JSON at line 1")
    assert found[0]["obj"]["source"].endswith("flannel.yaml:32")  # the key's line


@pytest.mark.parametrize(
    ("backend", "hint"),
    [
        ("vxlam", "did you mean 'vxlan'?"),
        ("host_gw", "did you mean 'host-gw'?"),
        ("wiregaurd", "did you mean 'wireguard'?"),
    ],
)
def test_an_unknown_backend_type_suggests_the_known_one(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, backend: str, hint: str
) -> None:
    net_conf = f'{{"Network": "10.244.0.0/16", "Backend": {{"Type": "{backend}"}}}}'
    code, found = check(capsys, tmp_path, with_net_conf(net_conf))
    assert code == 1
    assert summary(found) == [("flannel/backend", "error", "Backend.Type")]
    assert found[0]["hint"] == hint


def test_backend_options_and_a_missing_backend(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    net_conf = '{"Network": "10.244.0.0/16", "Backend": {"Type": "vxlan", "VNI": 4, "Prot": 8472}}'
    code, found = check(capsys, tmp_path, with_net_conf(net_conf))
    assert code == 0
    assert summary(found) == [("flannel/backend", "warning", "Backend.Prot")]
    assert found[0]["hint"] == "did you mean 'Port'?"
    code, found = check(capsys, tmp_path, with_net_conf('{"Network": "10.244.0.0/16"}'))
    assert summary(found) == [("flannel/backend", "warning", "Backend")]
    assert "flannel then uses udp" in found[0]["message"]


def test_keys_match_in_any_case_as_go_decodes_them() -> None:
    assert (
        check_flannel_net_conf('{"network": "10.244.0.0/16", "backend": {"type": "host-gw"}}') == []
    )
    (problem,) = check_flannel_net_conf(
        '{"Network": "10.244.0.0/16", "SubnetLength": 24, "Backend": {"Type": "vxlan"}}'
    )
    assert (problem.code, problem.path, problem.hint) == (
        "flannel/net-conf-json",
        "SubnetLength",
        "did you mean 'SubnetLen'?",
    )


def test_network_is_the_declared_pod_cidr(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    cluster = "network:\n  podCidrs: [10.42.0.0/16]\n  serviceCidrs: [10.43.0.0/16]\n"
    code, found = check(capsys, tmp_path, FLANNEL_CFG, cluster)
    assert code == 1
    assert summary(found) == [("flannel/network", "error", "Network")]
    assert "Network 10.244.0.0/16 is not the declared pod CIDR 10.42.0.0/16" in found[0]["message"]
    assert found[0]["hint"].startswith('set "Network": "10.42.0.0/16"')


@pytest.mark.parametrize("network", ['"10.244.0.1/16"', '"fd00::/56"', "16", None])
def test_network_is_an_ipv4_cidr(network: str | None) -> None:
    head = f'"Network": {network}, ' if network is not None else ""
    (problem,) = check_flannel_net_conf("{" + head + '"Backend": {"Type": "vxlan"}}')
    assert (problem.code, problem.severity.value) == ("flannel/network", "error")
    # an IPv6-only flannel has no Network
    if network is None:
        assert (
            check_flannel_net_conf(
                '{"EnableIPv4": false, "EnableIPv6": true, "IPv6Network": "fd00::/56", '
                '"Backend": {"Type": "vxlan"}}'
            )
            == []
        )


def test_subnet_len_against_the_network_and_the_node_mask(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    for length in (16, 31, '"24"'):
        (problem,) = check_flannel_net_conf(
            f'{{"Network": "10.244.0.0/16", "SubnetLen": {length}, "Backend": {{"Type": "vxlan"}}}}'
        )
        assert (problem.code, problem.severity.value) == ("flannel/subnet-len", "error")
    net_conf = '{"Network": "10.244.0.0/16", "SubnetLen": 26, "Backend": {"Type": "vxlan"}}'
    cluster = "network:\n  podCidrs: [10.244.0.0/16]\n"
    code, found = check(capsys, tmp_path, with_net_conf(net_conf), cluster)
    assert code == 0
    assert summary(found) == [("flannel/subnet-len", "warning", "SubnetLen")]
    assert "not the declared node mask /24" in found[0]["message"]
    cluster = "network:\n  podCidrs: [10.244.0.0/16]\n  nodeCidrMaskSizeIpv4: 26\n"
    assert check(capsys, tmp_path, with_net_conf(net_conf), cluster) == (0, [])
    # without a declared network, 26 is a choice
    assert check(capsys, tmp_path, with_net_conf(net_conf)) == (0, [])
