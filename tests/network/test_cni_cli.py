"""``k8sdsl check`` on CNI configuration: standalone ``.conflist``/``.conf`` files and the
configuration inside ConfigMaps, against the declared cluster's ranges."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from k8sdsl import App, Chart
from k8sdsl.cli import main
from k8sdsl.network import BridgePlugin, CniConfigList, HostLocalIpam, PortMapPlugin
from tests.conftest import assert_schema_valid

FIXTURES = Path(__file__).parent / "fixtures" / "cni"

BROKEN = """\
{
  "name": "cbr0",
  "cniVersion": "1.0",
  "plugins": [
    {
      "type": "portmap",
      "capabilities": {"portMappings": true}
    },
    {
      "type": "bridge",
      "ipam": {
        "type": "host-local",
        "ranges": [[{"subnet": "10.244.3.0/24", "gateway": "10.244.4.1"}]]
      }
    }
  ]
}
"""


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


def findings(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, list[dict[str, Any]]]:
    code, out, err = run(capsys, "check", "--format", "json", *args)
    assert not json.loads(out)["unreadable"], err
    return code, json.loads(out)["findings"]


def where(found: list[dict[str, Any]]) -> list[tuple[str, str, str]]:
    return [(f["code"], f["path"], f["obj"]["source"].rsplit("/", 1)[-1]) for f in found]


def test_a_clean_conflist_passes(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(capsys, "check", str(FIXTURES / "10-containerd-net.conflist"))
    assert (code, out, err) == (0, "", "")


def test_a_broken_conflist_is_reported_at_its_lines(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    file = tmp_path / "10-flannel.conflist"
    file.write_text(BROKEN)
    code, found = findings(capsys, str(file))
    assert code == 1
    assert where(found) == [
        ("cni/version", "cniVersion", "10-flannel.conflist:3"),
        ("cni/chain-order", "plugins[0].type", "10-flannel.conflist:6"),
        ("cni/chain-order", "plugins[1].type", "10-flannel.conflist:10"),
        ("cni/ipam", "plugins[1].ipam.ranges[0][0].gateway", "10-flannel.conflist:13"),
    ]
    assert {f["obj"]["kind"] for f in found} == {"CniConfigList"}
    assert {f["obj"]["name"] for f in found} == {"cbr0"}
    code, out, _ = run(capsys, "check", str(file))
    assert "error[cni/version] CniConfigList cbr0 (" in out
    assert "hint: did you mean '1.0.0'?" in out


def test_a_conf_that_is_not_json_names_the_line(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    file = tmp_path / "99-loopback.conf"
    file.write_text('{\n  "cniVersion": "0.4.0",\n  "name": "lo",\n  "type": "loopback",\n}\n')
    code, found = findings(capsys, str(file))
    assert code == 1
    assert where(found) == [("cni/invalid-json", "", "99-loopback.conf:5")]
    assert "not valid JSON at line 5" in found[0]["message"]


def test_a_single_plugin_conf_passes(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    file = tmp_path / "99-loopback.conf"
    file.write_text('{"cniVersion": "0.4.0", "name": "lo", "type": "loopback"}\n')
    assert run(capsys, "check", str(file)) == (0, "", "")


def test_a_folder_scan_reads_cni_files_and_leaves_other_conf_files(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    net_d = tmp_path / "net.d"
    net_d.mkdir()
    (net_d / "10-flannel.conflist").write_text(BROKEN)
    (net_d / "20-broken.conf").write_text('{"cniVersion": "0.4.0", "name": "x", "type": }')
    (net_d / "nginx.conf").write_text("server { listen 80; }\n")
    code, found = findings(capsys, str(net_d))
    assert code == 1
    assert {f["obj"]["source"].rsplit("/", 1)[-1].split(":")[0] for f in found} == {
        "10-flannel.conflist",
        "20-broken.conf",
    }
    # a folder of CNI files only is not "a folder without manifests"
    only = tmp_path / "only"
    only.mkdir()
    (only / "10-containerd-net.conflist").write_text(
        (FIXTURES / "10-containerd-net.conflist").read_text()
    )
    assert run(capsys, "check", str(only)) == (0, "", "")


def test_a_missing_conflist_is_unreadable(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    code, _, err = run(capsys, "check", str(tmp_path / "nope.conflist"))
    assert code == 2
    assert "nope.conflist: no such file or folder" in err


def test_flannels_config_map_passes(capsys: pytest.CaptureFixture[str]) -> None:
    code, found = findings(capsys, str(FIXTURES / "kube-flannel-cfg.yaml"))
    assert [f for f in found if f["code"].startswith("cni/")] == []
    assert code == 0


def config_map(key: str, value: str) -> str:
    body = "\n".join("    " + line for line in value.splitlines())
    return (
        "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: cni\n  namespace: kube-system\n"
        f"data:\n  other.txt: hello\n  {key}: |\n{body}\n"
    )


@pytest.mark.parametrize("key", ["cni-conf.json", "10-flannel.conflist", "99-loopback.conf"])
def test_cni_config_in_a_config_map_is_reported_at_the_key(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, key: str
) -> None:
    file = tmp_path / "cm.yaml"
    file.write_text(config_map(key, BROKEN))
    code, found = findings(capsys, str(file))
    assert code == 1
    cni = [f for f in found if f["code"].startswith("cni/")]
    assert [(f["code"], f["path"], f["obj"]["source"].rsplit(":", 1)[-1]) for f in cni] == [
        ("cni/chain-order", f"data.{key}", "8"),
        ("cni/chain-order", f"data.{key}", "8"),
        ("cni/ipam", f"data.{key}", "8"),
        ("cni/version", f"data.{key}", "8"),
    ]
    assert cni[2]["message"].startswith("plugins[1].ipam.ranges[0][0].gateway: gateway 10.244.4.1")
    assert {f["obj"]["kind"] for f in cni} == {"ConfigMap"}


def test_other_config_map_keys_are_not_cni(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    file = tmp_path / "cm.yaml"
    file.write_text(config_map("settings.json", BROKEN))
    code, found = findings(capsys, str(file))
    assert (code, found) == (0, [])


def test_invalid_json_in_a_config_map(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    file = tmp_path / "cm.yaml"
    file.write_text(config_map("cni-conf.json", '{"name": "cbr0", // a comment\n}'))
    code, found = findings(capsys, str(file))
    assert code == 1
    assert where(found) == [("cni/invalid-json", "data.cni-conf.json", "cm.yaml:8")]


def cluster_file(tmp_path: Path, network: str) -> Path:
    file = tmp_path / "cluster.yaml"
    file.write_text(f"network:\n{network}")
    return file


def test_ranges_against_the_declared_pod_network(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    conflist = str(FIXTURES / "10-containerd-net.conflist")
    # kubeadm's defaults are not a declaration: containerd's 10.88.0.0/16 is not judged
    assert findings(capsys, conflist) == (0, [])
    cluster = cluster_file(tmp_path, "  podCidrs: [10.244.0.0/16, fd00:10:244::/56]\n")
    code, found = findings(capsys, "--cluster", str(cluster), conflist)
    assert code == 0
    assert where(found) == [
        (
            "cni/outside-pod-cidr",
            "plugins[0].ipam.ranges[0][0].subnet",
            "10-containerd-net.conflist:14",
        ),
        (
            "cni/outside-pod-cidr",
            "plugins[0].ipam.ranges[1][0].subnet",
            "10-containerd-net.conflist:15",
        ),
    ]
    assert found[0]["severity"] == "warning"
    assert "not inside the declared pod network 10.244.0.0/16" in found[0]["message"]
    inside = cluster_file(tmp_path, "  podCidrs: [10.88.0.0/14, 2001:4860:4860::/56]\n")
    assert findings(capsys, "--cluster", str(inside), conflist) == (0, [])


def test_ranges_against_the_declared_service_network(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    conflist = str(FIXTURES / "10-containerd-net.conflist")
    cluster = cluster_file(tmp_path, "  serviceCidrs: [10.88.128.0/20]\n")
    code, found = findings(capsys, "--cluster", str(cluster), conflist)
    assert code == 1
    assert [(f["code"], f["path"]) for f in found if f["severity"] == "error"] == [
        ("cni/range-overlap", "plugins[0].ipam.ranges[0][0].subnet")
    ]
    assert "the cluster's service range 10.88.128.0/20" in found[0]["message"]


# --- the ConfigMap an installer copies ----------------------------------------------------


def pod_network() -> CniConfigList:
    return CniConfigList(
        name="k8s-pod-network",
        plugins=[
            BridgePlugin(bridge="cni0", is_gateway=True, ipam=HostLocalIpam.of("10.244.0.0/16")),
            PortMapPlugin(),
        ],
    )


def test_to_config_map_holds_the_rendered_file(yaml_snapshot: Any, tmp_path: Path) -> None:
    app = App(outdir=tmp_path / "dist")
    chart = Chart(app, "cni", namespace="kube-system")
    conf = pod_network()
    cm = conf.to_config_map(chart, "cni-config", name="cni-config")
    assert cm.data == {"10-k8s-pod-network.conflist": conf.render()}
    assert conf.install_path == "/etc/cni/net.d/10-k8s-pod-network.conflist"
    flannel_style = conf.to_config_map(
        chart, "flannel-cfg", name="flannel-cfg", key="cni-conf.json"
    )
    assert list(flannel_style.data) == ["cni-conf.json"]
    assert_schema_valid([cm, flannel_style])
    assert [cm, flannel_style] == yaml_snapshot
    # the rule reads the ConfigMap k8sdsl wrote and finds nothing
    assert [f for f in app.check().findings if f.code.startswith("cni/")] == []


def test_a_synthesized_config_map_checks_clean(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    app = App(outdir=tmp_path / "dist")
    chart = Chart(app, "cni", namespace="kube-system")
    pod_network().to_config_map(chart, "cni-config", name="cni-config")
    app.synth()
    assert run(capsys, "check", str(tmp_path / "dist")) == (0, "", "")
