"""Typed CNI configuration lists: rendering, the spec's examples, every check of the one
checker (on values and on the JSON a node reads)."""

from __future__ import annotations

import json
from typing import Any

import pytest
from syrupy.extensions.single_file import SingleFileSnapshotExtension, WriteMode

from k8sdsl import K8sDslError
from k8sdsl.core import Severity
from k8sdsl.network import (
    BandwidthPlugin,
    BridgePlugin,
    CniConfigList,
    CustomPlugin,
    DhcpIpam,
    FirewallPlugin,
    HostDevicePlugin,
    HostLocalIpam,
    IpRange,
    IpvlanPlugin,
    LoopbackPlugin,
    MacvlanPlugin,
    PortMapPlugin,
    PtpPlugin,
    Route,
    SbrPlugin,
    StaticAddress,
    StaticIpam,
    TuningPlugin,
    check_cni_config,
)


class ConflistSnapshot(SingleFileSnapshotExtension):
    """The rendered file, byte for byte, as a node reads it."""

    file_extension = "conflist"
    _write_mode = WriteMode.TEXT

    def serialize(self, data: Any, **kwargs: Any) -> str:
        return str(data)


@pytest.fixture
def conflist_snapshot(snapshot: Any) -> Any:
    return snapshot.use_extension(ConflistSnapshot)


#: SPEC.md (1.0.0), "Section 1: Network configuration format", the example ("dbnet"),
#: without its placeholder key "keyA"
SPEC_EXAMPLE: dict[str, Any] = {
    "cniVersion": "1.0.0",
    "name": "dbnet",
    "plugins": [
        {
            "type": "bridge",
            "bridge": "cni0",
            "ipam": {
                "type": "host-local",
                "subnet": "10.1.0.0/16",
                "gateway": "10.1.0.1",
                "routes": [{"dst": "0.0.0.0/0"}],
            },
            "dns": {"nameservers": ["10.1.0.1"]},
        },
        {
            "type": "tuning",
            "capabilities": {"mac": True},
            "sysctl": {"net.core.somaxconn": "500"},
        },
        {"type": "portmap", "capabilities": {"portMappings": True}},
    ],
}


def pod_network() -> CniConfigList:
    return CniConfigList(
        name="k8s-pod-network",
        plugins=[
            BridgePlugin(
                bridge="cni0",
                is_gateway=True,
                ip_masq=True,
                hairpin_mode=True,
                ipam=HostLocalIpam.of("10.244.1.0/24", "fd00:10:244:1::/64", routes=("0.0.0.0/0",)),
            ),
            PortMapPlugin(),
            BandwidthPlugin(),
        ],
    )


def codes(data: Any, **kwargs: Any) -> list[tuple[str, str]]:
    return [(p.code, p.path) for p in check_cni_config(data, **kwargs)]


def error_codes(exc: pytest.ExceptionInfo[K8sDslError]) -> list[tuple[str, str]]:
    return [(f.code, f.path) for f in exc.value.findings]


# --- rendering ----------------------------------------------------------------------------


def test_render_is_the_pod_network_file(conflist_snapshot: Any) -> None:
    conf = pod_network()
    assert conf.render() == conflist_snapshot
    assert conf.file_name == "10-k8s-pod-network.conflist"


def test_render_is_byte_stable_and_ends_with_a_newline() -> None:
    first, second = pod_network().render(), pod_network().render()
    assert first == second
    assert first.endswith("}\n") and not first.endswith("\n\n")
    assert json.loads(first) == pod_network().to_cni()


def test_keys_are_in_the_spec_order() -> None:
    conf = CniConfigList(
        cni_version="1.1.0",
        cni_versions=("0.4.0", "1.0.0", "1.1.0"),
        name="net",
        disable_check=True,
        disable_gc=True,
        load_only_inlined_plugins=True,
        plugins=[
            BridgePlugin(
                ipam=HostLocalIpam(
                    ranges=(
                        (
                            IpRange(
                                subnet="10.1.0.0/24",
                                range_start="10.1.0.10",
                                range_end="10.1.0.200",
                                gateway="10.1.0.1",
                            ),
                        ),
                    )
                ),
                bridge="br0",
            )
        ],
    )
    data = conf.to_cni()
    assert list(data) == [
        "cniVersion",
        "cniVersions",
        "name",
        "disableCheck",
        "disableGC",
        "loadOnlyInlinedPlugins",
        "plugins",
    ]
    plugin = data["plugins"][0]
    assert list(plugin)[0] == "type"  # type first, whatever the field order
    assert list(plugin["ipam"])[0] == "type"
    assert list(plugin["ipam"]["ranges"][0][0]) == ["subnet", "rangeStart", "rangeEnd", "gateway"]


def test_unset_fields_are_left_out_and_priority_is_not_in_the_file() -> None:
    conf = CniConfigList(name="lo", priority=99, plugins=[LoopbackPlugin()])
    assert conf.to_cni() == {
        "cniVersion": "1.0.0",
        "name": "lo",
        "plugins": [{"type": "loopback"}],
    }
    assert conf.file_name == "99-lo.conflist"


def test_meta_plugins_ask_for_their_capabilities_by_default() -> None:
    assert PortMapPlugin().to_cni() == {"type": "portmap", "capabilities": {"portMappings": True}}
    assert BandwidthPlugin().to_cni() == {"type": "bandwidth", "capabilities": {"bandwidth": True}}
    assert PortMapPlugin(capabilities=None).to_cni() == {"type": "portmap"}


def test_every_reference_plugin_renders(conflist_snapshot: Any) -> None:
    """One list per interface plugin, each with the meta plugins after it."""
    interfaces = [
        BridgePlugin(bridge="cni0", is_gateway=True, ipam=HostLocalIpam.of("10.22.0.0/16")),
        PtpPlugin(ip_masq=True, mtu=1450, ipam=HostLocalIpam.of("10.23.0.0/16")),
        MacvlanPlugin(master="eth0", mode="bridge", ipam=DhcpIpam()),
        IpvlanPlugin(master="eth0", mode="l2", ipam=DhcpIpam(daemon_socket_path="/run/dhcp.sock")),
        HostDevicePlugin(
            pci_bus_id="0000:00:1f.6",
            ipam=StaticIpam(
                addresses=(StaticAddress(address="10.10.0.5/24", gateway="10.10.0.1"),),
                routes=(Route(dst="0.0.0.0/0"),),
            ),
        ),
        LoopbackPlugin(),
    ]
    metas = [
        TuningPlugin(sysctl={"net.core.somaxconn": "500"}, tx_q_len=1000),
        FirewallPlugin(backend="iptables"),
        SbrPlugin(table=100),
        BandwidthPlugin(ingress_rate=1_000_000, ingress_burst=100_000),
    ]
    files = [
        CniConfigList(name=f"net-{i}", plugins=[iface, *metas]).render()
        for i, iface in enumerate(interfaces)
    ]
    assert "".join(files) == conflist_snapshot
    assert '"pciBusID": "0000:00:1f.6"' in files[4]
    assert '"txQLen": 1000' in files[0]


def test_custom_plugins_keep_their_fields_sorted_after_type() -> None:
    flannel = CustomPlugin(
        type="flannel", config={"delegate": {"isDefaultGateway": True}, "cniVersion": "x"}
    )
    assert list(flannel.to_cni()) == ["type", "cniVersion", "delegate"]
    conf = CniConfigList.from_cni(
        {
            "cniVersion": "0.3.1",
            "name": "cbr0",
            "plugins": [
                {"type": "flannel", "delegate": {"hairpinMode": True}},
                {"type": "portmap", "capabilities": {"portMappings": True}},
            ],
        }
    )
    assert isinstance(conf.plugins[0], CustomPlugin)
    assert isinstance(conf.plugins[1], PortMapPlugin)
    assert conf.to_cni()["plugins"][0] == {"type": "flannel", "delegate": {"hairpinMode": True}}


# --- the specification's examples ---------------------------------------------------------


def test_the_spec_example_has_no_problem() -> None:
    assert check_cni_config(SPEC_EXAMPLE) == []


def test_the_spec_example_reads_and_renders_back_the_same_network() -> None:
    conf = CniConfigList.from_cni(SPEC_EXAMPLE)
    assert conf.name == "dbnet"
    bridge = conf.plugins[0]
    assert isinstance(bridge, BridgePlugin)
    assert isinstance(bridge.ipam, HostLocalIpam)
    # host-local's single-range form is one range set of one range
    assert bridge.ipam.ranges == ((IpRange(subnet="10.1.0.0/16", gateway="10.1.0.1"),),)
    data = conf.to_cni()
    assert data["plugins"][1:] == SPEC_EXAMPLE["plugins"][1:]
    assert data["plugins"][0]["ipam"] == {
        "type": "host-local",
        "ranges": [[{"subnet": "10.1.0.0/16", "gateway": "10.1.0.1"}]],
        "routes": [{"dst": "0.0.0.0/0"}],
    }
    assert check_cni_config(data) == []


def test_the_spec_example_placeholder_key_is_a_warning_not_an_error() -> None:
    data = json.loads(json.dumps(SPEC_EXAMPLE))
    data["plugins"][0]["keyA"] = ["some more", "plugin specific", "configuration"]
    (problem,) = check_cni_config(data)
    assert (problem.severity, problem.code, problem.path) == (
        Severity.WARNING,
        "cni/unknown-field",
        "plugins[0].keyA",
    )


def test_the_containerd_example_with_two_range_sets_is_valid() -> None:
    """containerd's docs/cni: one IPv4 and one IPv6 range set, for dual-stack pods."""
    data = {
        "cniVersion": "1.0.0",
        "name": "containerd-net",
        "plugins": [
            {
                "type": "bridge",
                "bridge": "cni0",
                "isGateway": True,
                "ipMasq": True,
                "promiscMode": True,
                "ipam": {
                    "type": "host-local",
                    "ranges": [[{"subnet": "10.88.0.0/16"}], [{"subnet": "2001:4860:4860::/64"}]],
                    "routes": [{"dst": "0.0.0.0/0"}, {"dst": "::/0"}],
                },
            },
            {"type": "portmap", "capabilities": {"portMappings": True}},
        ],
    }
    assert check_cni_config(data) == []
    assert CniConfigList.from_cni(data).render() == json.dumps(data, indent=2) + "\n"


def test_a_single_plugin_conf_file_is_checked_too() -> None:
    conf = {
        "cniVersion": "0.4.0",
        "name": "mynet",
        "type": "bridge",
        "bridge": "cni0",
        "isGateway": True,
        "ipMasq": True,
        "ipam": {"type": "host-local", "subnet": "10.22.0.0/16", "routes": [{"dst": "0.0.0.0/0"}]},
    }
    assert check_cni_config(conf) == []
    # the 0.2.0 .conf files of old READMEs are fine alone, but not as lists
    assert check_cni_config({**conf, "cniVersion": "0.2.0"}) == []
    assert codes({"cniVersion": "0.2.0", "name": "a", "plugins": [{"type": "loopback"}]}) == [
        ("cni/version", "cniVersion")
    ]


# --- host-local ranges --------------------------------------------------------------------


def bridge_with(*ranges: IpRange, sets: int = 1) -> CniConfigList:
    if sets == 1:
        ipam = HostLocalIpam(ranges=(ranges,))
    else:
        ipam = HostLocalIpam(ranges=tuple((r,) for r in ranges))
    return CniConfigList(name="net", plugins=[BridgePlugin(ipam=ipam)])


def test_range_start_end_and_gateway_lie_inside_the_subnet() -> None:
    with pytest.raises(K8sDslError) as exc:
        bridge_with(
            IpRange(
                subnet="10.1.0.0/24",
                range_start="10.1.1.10",
                range_end="10.2.0.1",
                gateway="10.1.1.1",
            )
        )
    base = "plugins[0].ipam.ranges[0][0]"
    # a report is in path order
    assert error_codes(exc) == [
        ("cni/ipam", f"{base}.gateway"),
        ("cni/ipam", f"{base}.rangeEnd"),
        ("cni/ipam", f"{base}.rangeStart"),
    ]
    gateway = exc.value.findings[0]
    assert "gateway 10.1.1.1 is outside the range's subnet 10.1.0.0/24" in gateway.message
    assert gateway.hint == "use an address inside 10.1.0.0/24 (10.1.0.1 to 10.1.0.254)"
    assert gateway.obj.kind == "CniConfigList" and gateway.obj.name == "net"


def test_an_ipv6_gateway_in_an_ipv4_range_is_outside_it() -> None:
    with pytest.raises(K8sDslError) as exc:
        bridge_with(IpRange(subnet="10.1.0.0/24", gateway="fd00::1"))
    assert error_codes(exc) == [("cni/ipam", "plugins[0].ipam.ranges[0][0].gateway")]


def test_range_bounds_in_the_wrong_order() -> None:
    with pytest.raises(K8sDslError) as exc:
        bridge_with(IpRange(subnet="10.1.0.0/24", range_start="10.1.0.100", range_end="10.1.0.10"))
    assert error_codes(exc) == [("cni/ipam", "plugins[0].ipam.ranges[0][0].rangeEnd")]


def test_a_valid_range_with_every_bound_passes() -> None:
    conf = bridge_with(
        IpRange(
            subnet="10.1.0.0/24",
            range_start="10.1.0.10",
            range_end="10.1.0.250",
            gateway="10.1.0.1",
        )
    )
    assert check_cni_config(conf.to_cni()) == []


@pytest.mark.parametrize("sets", [1, 2])
def test_ranges_do_not_overlap_in_a_set_or_across_sets(sets: int) -> None:
    with pytest.raises(K8sDslError) as exc:
        bridge_with(IpRange(subnet="10.1.0.0/16"), IpRange(subnet="10.1.128.0/24"), sets=sets)
    path = (
        "plugins[0].ipam.ranges[0][1].subnet"
        if sets == 1
        else "plugins[0].ipam.ranges[1][0].subnet"
    )
    assert error_codes(exc) == [("cni/range-overlap", path)]
    assert "range 10.1.128.0/24 overlaps range 10.1.0.0/16" in exc.value.findings[0].message
    assert ("in one set" in exc.value.findings[0].message) == (sets == 1)


def test_adjacent_ranges_do_not_overlap() -> None:
    conf = bridge_with(IpRange(subnet="10.1.0.0/24"), IpRange(subnet="10.1.1.0/24"))
    assert len(conf.plugins) == 1


def test_one_set_is_one_family() -> None:
    with pytest.raises(K8sDslError) as exc:
        bridge_with(IpRange(subnet="10.1.0.0/24"), IpRange(subnet="fd00::/64"))
    assert error_codes(exc) == [("cni/ipam", "plugins[0].ipam.ranges[0][1].subnet")]
    # one set per family is dual stack
    assert bridge_with(IpRange(subnet="10.1.0.0/24"), IpRange(subnet="fd00::/64"), sets=2)


def test_subnets_on_the_json_side() -> None:
    def ipam(**kwargs: Any) -> dict[str, Any]:
        return {
            "cniVersion": "1.0.0",
            "name": "n",
            "plugins": [{"type": "bridge", "ipam": {"type": "host-local", **kwargs}}],
        }

    at = "plugins[0].ipam"
    assert codes(ipam(ranges=[[{"subnet": "10.1.0.5/24"}]])) == [
        ("cni/ipam", f"{at}.ranges[0][0].subnet")
    ]
    (host_bits,) = check_cni_config(ipam(ranges=[[{"subnet": "10.1.0.5/24"}]]))
    assert host_bits.hint == "use '10.1.0.0/24' (the network address)"
    assert codes(ipam(ranges=[[{"subnet": "ten"}]])) == [("cni/ipam", f"{at}.ranges[0][0].subnet")]
    # host-local cannot allocate from a /31 (range.go: "too small to allocate from")
    assert codes(ipam(ranges=[[{"subnet": "10.1.0.0/31"}]])) == [
        ("cni/ipam", f"{at}.ranges[0][0].subnet")
    ]
    assert codes(ipam(ranges=[[{"subnet": "10.1.0.0/30"}]])) == []
    assert codes(ipam(ranges=[[]])) == [("cni/ipam", f"{at}.ranges[0]")]
    assert codes(ipam()) == [("cni/ipam", f"{at}.ranges")]
    # Calico's install-cni replaces usePodCidr with the node's range
    assert codes(ipam(ranges=[[{"subnet": "usePodCidr"}]])) == []
    assert codes(ipam(subnet="10.1.0.0/16", gateway="10.2.0.1")) == [("cni/ipam", f"{at}.gateway")]


def test_a_range_inside_the_service_range_is_an_error() -> None:
    data = pod_network().to_cni()
    data["plugins"][0]["ipam"]["ranges"][0][0]["subnet"] = "10.96.1.0/24"
    found = check_cni_config(data, service_cidrs=("10.96.0.0/12",))
    assert [(p.code, p.path) for p in found] == [
        ("cni/range-overlap", "plugins[0].ipam.ranges[0][0].subnet")
    ]
    assert "network.serviceCidrs[0]" in found[0].message
    assert check_cni_config(data) == []  # without a declared cluster there is nothing to compare


def test_static_addresses_and_routes() -> None:
    data = {
        "cniVersion": "1.0.0",
        "name": "n",
        "plugins": [
            {
                "type": "macvlan",
                "master": "eth0",
                "ipam": {
                    "type": "static",
                    "addresses": [
                        {"address": "10.10.0.5/24", "gateway": "10.10.1.1"},
                        {"address": "10.10.0.6"},
                    ],
                    "routes": [{"dst": "default"}, {"dst": "0.0.0.0/0", "gw": "nope"}],
                },
            }
        ],
    }
    at = "plugins[0].ipam"
    assert codes(data) == [
        ("cni/ipam", f"{at}.routes[0].dst"),
        ("cni/ipam", f"{at}.routes[1].gw"),
        ("cni/ipam", f"{at}.addresses[0].gateway"),
        ("cni/ipam", f"{at}.addresses[1].address"),
    ]


# --- plugin chain -------------------------------------------------------------------------


def test_a_meta_plugin_cannot_be_first() -> None:
    with pytest.raises(K8sDslError) as exc:
        CniConfigList(name="n", plugins=[PortMapPlugin()])
    assert error_codes(exc) == [("cni/chain-order", "plugins[0].type")]
    assert exc.value.findings[0].message.startswith("portmap is a chained (meta) plugin")


def test_the_interface_plugin_comes_before_the_meta_plugins() -> None:
    with pytest.raises(K8sDslError) as exc:
        CniConfigList(name="n", plugins=[CustomPlugin(type="flannel"), TuningPlugin(), PtpPlugin()])
    assert error_codes(exc) == [("cni/chain-order", "plugins[2].type")]
    assert "comes after the meta plugin at plugins[1]" in exc.value.findings[0].message


def test_two_interface_plugins_in_one_list() -> None:
    with pytest.raises(K8sDslError) as exc:
        CniConfigList(name="n", plugins=[BridgePlugin(), PtpPlugin()])
    assert error_codes(exc) == [("cni/chain-order", "plugins[1].type")]
    assert "plugins[0] is the first" in exc.value.findings[0].message


def test_a_third_party_plugin_may_be_followed_by_meta_plugins() -> None:
    conf = CniConfigList(
        name="k8s-pod-network",
        plugins=[
            CustomPlugin(type="calico", config={"ipam": {"type": "calico-ipam"}}),
            PortMapPlugin(),
        ],
    )
    assert check_cni_config(conf.to_cni()) == []


def test_a_type_is_a_binary_name_not_a_path() -> None:
    data = {"cniVersion": "1.0.0", "name": "n", "plugins": [{"type": "/opt/cni/bin/bridge"}]}
    (problem,) = check_cni_config(data)
    assert (problem.code, problem.path) == ("cni/plugins", "plugins[0].type")
    assert problem.hint.startswith("use 'bridge'")


@pytest.mark.parametrize(
    ("plugins", "path"),
    [
        (None, "plugins"),
        ([], "plugins"),
        ({"type": "bridge"}, "plugins"),
        (["bridge"], "plugins[0]"),
        ([{"bridge": "cni0"}], "plugins[0].type"),
    ],
)
def test_the_plugins_list_is_a_list_of_objects_with_a_type(plugins: Any, path: str) -> None:
    data: dict[str, Any] = {"cniVersion": "1.0.0", "name": "n"}
    if plugins is not None:
        data["plugins"] = plugins
    found = [(p.code, p.path) for p in check_cni_config(data) if p.code == "cni/plugins"]
    assert found == [("cni/plugins", path)]


# --- the top level ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("version", "hint"),
    [
        ("1.0", "did you mean '1.0.0'?"),
        ("0.4", "did you mean '0.4.0'?"),
        (1, None),
        ("2.0.0", None),
    ],
)
def test_cni_version_is_a_known_spec_version(version: Any, hint: str | None) -> None:
    data = {**SPEC_EXAMPLE, "cniVersion": version}
    (problem,) = check_cni_config(data)
    assert (problem.code, problem.path, problem.severity) == (
        "cni/version",
        "cniVersion",
        Severity.ERROR,
    )
    if hint is not None:
        assert problem.hint == hint


def test_cni_version_is_required() -> None:
    data = {k: v for k, v in SPEC_EXAMPLE.items() if k != "cniVersion"}
    assert codes(data) == [("cni/version", "cniVersion")]


def test_the_typed_version_refuses_unknown_versions() -> None:
    with pytest.raises(K8sDslError) as exc:
        CniConfigList(name="n", cni_version="0.2.0", plugins=[LoopbackPlugin()])  # type: ignore[arg-type]
    assert exc.value.findings[0].path == "cni_version"


@pytest.mark.parametrize("name", ["-net", ".net", "my net", "net/1", "", "ünet"])
def test_a_network_name_starts_with_a_letter_or_digit(name: str) -> None:
    data = {**SPEC_EXAMPLE, "name": name}
    assert codes(data) == [("cni/name", "name")]


@pytest.mark.parametrize("name", ["k8s-pod-network", "cbr0", "0net", "a_b.c-d"])
def test_valid_network_names(name: str) -> None:
    assert codes({**SPEC_EXAMPLE, "name": name}) == []


def test_a_typed_list_with_a_bad_name_raises_at_the_name() -> None:
    with pytest.raises(K8sDslError) as exc:
        CniConfigList(name="-net", plugins=[LoopbackPlugin()])
    assert error_codes(exc) == [("cni/name", "name")]


@pytest.mark.parametrize(
    ("value", "ok"), [(True, True), ("true", True), ("yes", False), (1, False)]
)
def test_disable_check_is_a_boolean(value: Any, ok: bool) -> None:
    found = codes({**SPEC_EXAMPLE, "disableCheck": value})
    assert found == ([] if ok else [("cni/field-type", "disableCheck")])


def test_disable_check_before_0_4_0_and_1_1_fields_before_1_1_0_are_warnings() -> None:
    old = check_cni_config({**SPEC_EXAMPLE, "cniVersion": "0.3.1", "disableCheck": True})
    assert [(p.severity, p.code, p.path) for p in old] == [
        (Severity.WARNING, "cni/version", "disableCheck")
    ]
    newer = check_cni_config({**SPEC_EXAMPLE, "disableGC": True})
    assert [(p.severity, p.code, p.path) for p in newer] == [
        (Severity.WARNING, "cni/version", "disableGC")
    ]
    assert check_cni_config({**SPEC_EXAMPLE, "cniVersion": "1.1.0", "disableGC": True}) == []


def test_unknown_top_level_keys_are_warnings_with_a_guess() -> None:
    (problem,) = check_cni_config({**SPEC_EXAMPLE, "disableChecks": True})
    assert (problem.severity, problem.code, problem.path) == (
        Severity.WARNING,
        "cni/unknown-field",
        "disableChecks",
    )
    assert problem.hint == "did you mean 'disableCheck'?"


def test_not_an_object() -> None:
    assert codes([SPEC_EXAMPLE]) == [("cni/not-an-object", "")]


# --- plugin fields ------------------------------------------------------------------------


def test_plugin_fields_of_the_wrong_type_or_value() -> None:
    data = {
        "cniVersion": "1.0.0",
        "name": "n",
        "plugins": [
            {"type": "bridge", "isGateway": "true", "mtu": 1450.0, "ipMasqBackend": "nftable"},
            {"type": "portmap", "markMasqBit": 40},
            {"type": "bandwidth", "ingressRate": 1000},
        ],
    }
    found = check_cni_config(data)
    assert [(p.code, p.path) for p in found] == [
        ("cni/field-type", "plugins[0].isGateway"),
        ("cni/field-value", "plugins[0].ipMasqBackend"),
        ("cni/field-value", "plugins[1].markMasqBit"),
        ("cni/bandwidth", "plugins[2].ingressBurst"),
    ]
    assert found[0].hint == "write a bool, such as true"
    assert found[1].hint == "did you mean 'nftables'?"


def test_an_ipam_section_needs_a_type() -> None:
    data = {"cniVersion": "1.0.0", "name": "n", "plugins": [{"type": "ptp", "ipam": {}}]}
    assert codes(data) == [("cni/ipam", "plugins[0].ipam.type")]


def test_unknown_ipam_types_are_refused_by_the_typed_value() -> None:
    with pytest.raises(K8sDslError):
        CniConfigList.from_cni(
            {
                "cniVersion": "1.0.0",
                "name": "n",
                "plugins": [{"type": "ptp", "ipam": {"type": "whereabouts"}}],
            }
        )
    # but the checker leaves other IPAM plugins' fields to them
    data = {
        "cniVersion": "1.0.0",
        "name": "n",
        "plugins": [{"type": "ptp", "ipam": {"type": "whereabouts", "range": "x"}}],
    }
    assert check_cni_config(data) == []
