"""The one checker of CNI network configuration lists, on the JSON a node reads.

The typed values (:mod:`k8sdsl.network._cni`) call it when they are built, and the rule
``cni/config`` calls it on ``.conflist``/``.conf`` files and on the CNI configuration inside
ConfigMaps, so a Python app, a hand-written file and an installer's ConfigMap get one verdict.

What it knows comes from the CNI specification (github.com/containernetworking/cni,
``SPEC.md``) and the reference plugins (github.com/containernetworking/plugins):

- SPEC.md "Section 1: Network configuration format": a configuration has ``cniVersion``,
  ``name`` ("must start with an alphanumeric character, optionally followed by any
  combination of one or more alphanumeric characters, underscore, dot (.) or hyphen (-)"),
  ``plugins`` (a list of plugin configuration objects, each with a ``type``, the name of a
  binary, so no path separator) and the optional ``disableCheck``; 1.1.0 adds
  ``cniVersions``, ``disableGC`` and ``loadOnlyInlinedPlugins``.
- "Section 3: Execution of Network Configurations": the runtime calls the plugins in order on
  ADD and passes each one the ``prevResult`` of the one before. An interface plugin (bridge,
  ptp, macvlan, ipvlan, host-device, loopback) creates the container's interface; meta
  plugins (portmap, bandwidth, tuning, firewall, sbr) change what an earlier plugin made and
  fail without a ``prevResult``, so they come after it. Two interface plugins in one list
  would both create ``CNI_IFNAME``.
- Spec versions 0.3.0 and later have configuration lists (0.1.0 and 0.2.0 do not); CHECK,
  and with it ``disableCheck``, came in 0.4.0.
- host-local (plugins/ipam/host-local, ``backend/allocator/range.go`` and ``config.go``):
  each range's ``subnet`` is a network address with a prefix of at most /30 (IPv4) or /126,
  ``rangeStart``, ``rangeEnd`` and ``gateway`` lie inside it, ranges in one set are one
  family, and no two ranges overlap.
"""

from __future__ import annotations

import ipaddress
import json
import re
from collections.abc import Generator, Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from k8sdsl.core._findings import Severity
from k8sdsl.core._suggest import suggest

#: spec versions that have configuration lists (plugin chaining came in 0.3.0)
CNI_VERSIONS = ("0.3.0", "0.3.1", "0.4.0", "1.0.0", "1.1.0")
#: the spec versions before configuration lists
_OLD_VERSIONS = ("0.1.0", "0.2.0")
_NAME_RE = re.compile(r"^[a-zA-Z0-9][a-zA-Z0-9_.\-]*$")

#: plugins that create the container's interface
INTERFACE_PLUGINS = frozenset(
    {"bridge", "ptp", "macvlan", "ipvlan", "host-device", "loopback", "vlan", "dummy", "tap"}
)
#: chained plugins that need an earlier plugin's result
META_PLUGINS = frozenset({"portmap", "bandwidth", "tuning", "firewall", "sbr", "vrf"})

# JSON types of fields: "bool", "int", "str", "list", "dict", "any", or a tuple of the
# strings a field may take
_FieldType = str | tuple[str, ...]

#: keys every plugin configuration object may carry (SPEC.md section 1; name and cniVersion
#: are injected by the runtime, and a single-plugin ``.conf`` has them at the top)
_COMMON: dict[str, _FieldType] = {
    "type": "str",
    "name": "str",
    "cniVersion": "str",
    "capabilities": "dict",
    "args": "dict",
    "runtimeConfig": "dict",
}
_ADDRESSES: dict[str, _FieldType] = {"ipam": "dict", "dns": "dict"}

#: the fields of each reference plugin (containernetworking/plugins, plugins/main and
#: plugins/meta, each plugin's ``NetConf``)
PLUGIN_FIELDS: dict[str, dict[str, _FieldType]] = {
    "bridge": {
        **_ADDRESSES,
        "bridge": "str",
        "isGateway": "bool",
        "isDefaultGateway": "bool",
        "forceAddress": "bool",
        "ipMasq": "bool",
        "ipMasqBackend": ("iptables", "nftables"),
        "mtu": "int",
        "hairpinMode": "bool",
        "promiscMode": "bool",
        "vlan": "int",
        "vlanTrunk": "list",
        "preserveDefaultVlan": "bool",
        "macspoofchk": "bool",
        "enabledad": "bool",
        "disableContainerInterface": "bool",
        "portIsolation": "bool",
    },
    "ptp": {
        **_ADDRESSES,
        "ipMasq": "bool",
        "ipMasqBackend": ("iptables", "nftables"),
        "mtu": "int",
    },
    "macvlan": {
        **_ADDRESSES,
        "master": "str",
        "mode": ("bridge", "private", "vepa", "passthru"),
        "mtu": "int",
        "linkInContainer": "bool",
    },
    "ipvlan": {
        **_ADDRESSES,
        "master": "str",
        "mode": ("l2", "l3", "l3s"),
        "mtu": "int",
        "linkInContainer": "bool",
    },
    "host-device": {
        **_ADDRESSES,
        "device": "str",
        "hwaddr": "str",
        "kernelpath": "str",
        "pciBusID": "str",
    },
    "loopback": {},
    "portmap": {
        "snat": "bool",
        "markMasqBit": "int",
        "externalSetMarkChain": "str",
        "conditionsV4": "list",
        "conditionsV6": "list",
        "masqAll": "bool",
        "backend": ("iptables", "nftables"),
    },
    "bandwidth": {
        "ingressRate": "int",
        "ingressBurst": "int",
        "egressRate": "int",
        "egressBurst": "int",
        "shapedSubnets": "list",
        "unshapedSubnets": "list",
    },
    "tuning": {
        "sysctl": "dict",
        "mac": "str",
        "promisc": "bool",
        "allmulti": "bool",
        "mtu": "int",
        "txQLen": "int",
        "dataDir": "str",
    },
    "firewall": {
        "backend": ("iptables", "firewalld"),
        "iptablesAdminChainName": "str",
        "firewalldZone": "str",
        "ingressPolicy": ("open", "same-bridge", "isolated"),
    },
    "sbr": {"table": "int"},
}

#: the fields of each reference IPAM plugin (plugins/ipam)
IPAM_FIELDS: dict[str, dict[str, _FieldType]] = {
    "host-local": {
        "type": "str",
        "ranges": "list",
        "routes": "list",
        "dataDir": "str",
        "resolvConf": "str",
        # the single-range form of older configurations
        "subnet": "str",
        "rangeStart": "str",
        "rangeEnd": "str",
        "gateway": "str",
    },
    "static": {"type": "str", "addresses": "list", "routes": "list", "dns": "dict"},
    "dhcp": {
        "type": "str",
        "daemonSocketPath": "str",
        "request": "list",
        "provide": "list",
        "timeout": "int",
        "resendMax": "int",
        "resendTimeout": "int",
    },
}
_RANGE_FIELDS: dict[str, _FieldType] = {
    "subnet": "str",
    "rangeStart": "str",
    "rangeEnd": "str",
    "gateway": "str",
}
#: placeholders install-cni programs replace with the node's pod CIDR (Calico)
_POD_CIDR_PLACEHOLDERS = frozenset({"usePodCidr", "usePodCidrIPv6"})

IpNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network


@dataclass(frozen=True)
class CniProblem:
    """One thing wrong in a CNI configuration, at a JSON path inside it."""

    severity: Severity
    code: str
    path: str
    message: str
    hint: str = ""
    #: the line inside the configuration's text, when the problem knows it (invalid JSON)
    line: int | None = None


def _json_type(value: Any) -> str:
    if isinstance(value, bool):
        return "bool"
    if isinstance(value, int):
        return "int"
    return {str: "str", list: "list", dict: "dict", float: "number", type(None): "null"}.get(
        type(value), type(value).__name__
    )


def _type_problem(path: str, value: Any, expected: _FieldType, plugin: str) -> CniProblem | None:
    if expected == "any":
        return None
    if isinstance(expected, tuple):
        if value in expected:
            return None
        guess = suggest(str(value), list(expected)) if isinstance(value, str) else None
        return CniProblem(
            Severity.ERROR,
            "cni/field-value",
            path,
            f"{value!r} is not a value {plugin} takes for {path.rsplit('.', 1)[-1]}",
            f"did you mean {guess!r}?" if guess else "use one of " + ", ".join(expected),
        )
    got = _json_type(value)
    if got == expected or (expected == "int" and got == "number" and float(value).is_integer()):
        return None
    return CniProblem(
        Severity.ERROR,
        "cni/field-type",
        path,
        f"{path.rsplit('.', 1)[-1]} of {plugin} is a JSON {expected}, not a {got} ({value!r}): "
        "the plugin cannot decode the configuration and fails every pod's ADD",
        f"write a {expected}" + (f", such as {str(value).lower()}" if expected == "bool" else ""),
    )


def _fields(
    obj: Mapping[str, Any], path: str, known: Mapping[str, _FieldType], plugin: str
) -> Iterator[CniProblem]:
    """Unknown keys (plugins ignore them silently) and keys of the wrong JSON type."""
    for key, value in obj.items():
        where = f"{path}.{key}" if path else key
        if key.startswith("cni.dev/"):
            continue
        if key not in known:
            guess = suggest(key, list(known))
            yield CniProblem(
                Severity.WARNING,
                "cni/unknown-field",
                where,
                f"{key!r} is not a field of {plugin}: the plugin ignores it silently",
                f"did you mean {guess!r}?"
                if guess
                else "known fields: " + ", ".join(sorted(known)),
            )
            continue
        problem = _type_problem(where, value, known[key], plugin)
        if problem is not None:
            yield problem


def _network(text: Any) -> IpNetwork | None:
    try:
        return ipaddress.ip_network(text, strict=False) if isinstance(text, str) else None
    except ValueError:
        return None


def _address(text: Any) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    try:
        return ipaddress.ip_address(text) if isinstance(text, str) else None
    except ValueError:
        return None


def check_cni_config(data: Any, *, service_cidrs: tuple[str, ...] = ()) -> list[CniProblem]:
    """Every problem of one CNI configuration: a list (``.conflist``: ``plugins``) or a single
    plugin configuration (``.conf``: ``type`` at the top). ``service_cidrs`` are the declared
    cluster's service ranges: a host-local range inside one is an error."""
    if not isinstance(data, dict):
        return [
            CniProblem(
                Severity.ERROR,
                "cni/not-an-object",
                "",
                f"a CNI configuration is a JSON object, not a {_json_type(data)}",
                'write {"cniVersion": "1.0.0", "name": "...", "plugins": [...]}',
            )
        ]
    problems: list[CniProblem] = []
    single = "plugins" not in data and "type" in data
    problems += _top_level(data, single=single)
    if single:
        plugins: list[tuple[str, Any]] = [("", data)]
    else:
        raw = data.get("plugins")
        if not isinstance(raw, list) or not raw:
            problems.append(
                CniProblem(
                    Severity.ERROR,
                    "cni/plugins",
                    "plugins",
                    "a configuration list needs a non-empty list of plugins"
                    if raw is None or raw == []
                    else f"plugins is a list of plugin objects, not a {_json_type(raw)}",
                    'add "plugins": [{"type": "bridge", ...}]',
                )
            )
            raw = []
        plugins = [(f"plugins[{i}]", p) for i, p in enumerate(raw)]
    kinds: list[tuple[str, str]] = []
    for path, plugin in plugins:
        if not isinstance(plugin, dict):
            problems.append(
                CniProblem(
                    Severity.ERROR,
                    "cni/plugins",
                    path,
                    f"a plugin configuration is a JSON object, not a {_json_type(plugin)}",
                    'write {"type": "<plugin binary>", ...}',
                )
            )
            continue
        problems += _plugin(plugin, path, service_cidrs=service_cidrs)
        kind = plugin.get("type")
        if isinstance(kind, str):
            kinds.append((path, kind))
    problems += _chain_order(kinds)
    return problems


def _top_level(data: Mapping[str, Any], *, single: bool) -> Iterator[CniProblem]:
    version = data.get("cniVersion")
    if version is None:
        yield CniProblem(
            Severity.ERROR,
            "cni/version",
            "cniVersion",
            "the configuration has no cniVersion: runtimes refuse it",
            'add "cniVersion": "1.0.0"',
        )
    elif not isinstance(version, str) or version not in CNI_VERSIONS + _OLD_VERSIONS:
        guess = (
            f"{version}.0"
            if f"{version}.0" in CNI_VERSIONS
            else suggest(str(version), list(CNI_VERSIONS))
        )
        yield CniProblem(
            Severity.ERROR,
            "cni/version",
            "cniVersion",
            f"cniVersion {version!r} is not a CNI specification version",
            f"did you mean {guess!r}?" if guess else "use one of " + ", ".join(CNI_VERSIONS),
        )
    elif version in _OLD_VERSIONS and not single:
        yield CniProblem(
            Severity.ERROR,
            "cni/version",
            "cniVersion",
            f"cniVersion {version} has no configuration lists (chaining came in 0.3.0)",
            'use "cniVersion": "1.0.0" (or "0.4.0" for runtimes older than libcni 1.0)',
        )
    name = data.get("name")
    if not isinstance(name, str) or not _NAME_RE.match(name):
        yield CniProblem(
            Severity.ERROR,
            "cni/name",
            "name",
            "the network has no name"
            if name is None
            else f"network name {name!r} must start with a letter or digit and hold only "
            "letters, digits, '_', '.' and '-'",
            'name the network, e.g. "k8s-pod-network" (unique among a node\'s configurations)',
        )
    list_fields: dict[str, _FieldType] = {
        "cniVersion": "str",
        "cniVersions": "list",
        "name": "str",
        "disableCheck": "bool",
        "disableGC": "bool",
        "loadOnlyInlinedPlugins": "bool",
        "plugins": "list",
    }
    if not single:
        for problem in _fields(data, "", list_fields, "a network configuration list"):
            # libcni also takes "true"/"false" strings for disableCheck
            if problem.path == "disableCheck" and data["disableCheck"] in ("true", "false"):
                continue
            if problem.code != "cni/field-type" or problem.path not in ("cniVersion", "name"):
                yield problem
    newer = [k for k in ("cniVersions", "disableGC", "loadOnlyInlinedPlugins") if k in data]
    if isinstance(version, str) and version in CNI_VERSIONS and version < "1.1.0" and newer:
        yield CniProblem(
            Severity.WARNING,
            "cni/version",
            newer[0],
            f"{', '.join(newer)} came in CNI 1.1.0; a runtime reading cniVersion {version} "
            "may ignore them",
            'use "cniVersion": "1.1.0", or drop them',
        )
    if isinstance(version, str) and version < "0.4.0" and "disableCheck" in data:
        yield CniProblem(
            Severity.WARNING,
            "cni/version",
            "disableCheck",
            f"disableCheck has no effect with cniVersion {version}: CHECK came in 0.4.0",
            'use "cniVersion": "0.4.0" or later, or drop disableCheck',
        )


def _plugin(
    plugin: Mapping[str, Any], path: str, *, service_cidrs: tuple[str, ...]
) -> Iterator[CniProblem]:
    prefix = f"{path}." if path else ""
    kind = plugin.get("type")
    if not isinstance(kind, str) or not kind:
        yield CniProblem(
            Severity.ERROR,
            "cni/plugins",
            f"{prefix}type",
            "a plugin configuration needs a type (the name of the plugin's binary)",
            'add "type": "bridge" (or the plugin the network uses)',
        )
        return
    if "/" in kind or "\\" in kind:
        yield CniProblem(
            Severity.ERROR,
            "cni/plugins",
            f"{prefix}type",
            f"type {kind!r} is a path: the runtime looks the binary up by name in its CNI "
            "bin folders",
            f"use {kind.replace(chr(92), '/').rsplit('/', 1)[-1]!r} and put the binary in "
            "/opt/cni/bin",
        )
        return
    if kind not in PLUGIN_FIELDS:
        return  # a third-party plugin (flannel, calico, cilium-cni...): its fields are its own
    known = {**_COMMON, **PLUGIN_FIELDS[kind]}
    yield from _fields(plugin, path, known, kind)
    ipam = plugin.get("ipam")
    if isinstance(ipam, dict):
        yield from _ipam(ipam, f"{prefix}ipam", service_cidrs)
    if kind == "bandwidth":
        for way in ("ingress", "egress"):
            rate, burst = plugin.get(f"{way}Rate"), plugin.get(f"{way}Burst")
            if bool(rate) != bool(burst):
                yield CniProblem(
                    Severity.ERROR,
                    "cni/bandwidth",
                    f"{prefix}{way}Rate" if not rate else f"{prefix}{way}Burst",
                    f"bandwidth needs {way}Rate and {way}Burst together (both in bits): the "
                    "plugin refuses one without the other",
                    f"set both {way}Rate and {way}Burst, or neither",
                )
    if kind == "portmap":
        bit = plugin.get("markMasqBit")
        if isinstance(bit, int) and not isinstance(bit, bool) and not 0 <= bit <= 31:
            yield CniProblem(
                Severity.ERROR,
                "cni/field-value",
                f"{prefix}markMasqBit",
                f"markMasqBit {bit} is not a bit of the 32-bit packet mark",
                "use 0 to 31 (kube-proxy uses 14 by default)",
            )


def _ipam(
    ipam: Mapping[str, Any], path: str, service_cidrs: tuple[str, ...]
) -> Iterator[CniProblem]:
    kind = ipam.get("type")
    if not isinstance(kind, str) or not kind:
        yield CniProblem(
            Severity.ERROR,
            "cni/ipam",
            f"{path}.type",
            "an ipam section needs a type (host-local, static, dhcp, or another IPAM plugin)",
            'add "type": "host-local"',
        )
        return
    if kind not in IPAM_FIELDS:
        return
    yield from _fields(ipam, path, IPAM_FIELDS[kind], f"{kind} IPAM")
    for i, route in enumerate(ipam.get("routes") or []):
        yield from _route(route, f"{path}.routes[{i}]")
    if kind == "host-local":
        yield from _host_local(ipam, path, service_cidrs)
    if kind == "static":
        for i, entry in enumerate(ipam.get("addresses") or []):
            yield from _static_address(entry, f"{path}.addresses[{i}]")


def _route(route: Any, path: str) -> Iterator[CniProblem]:
    if not isinstance(route, dict):
        yield CniProblem(
            Severity.ERROR, "cni/ipam", path, "a route is an object", '{"dst": "0.0.0.0/0"}'
        )
        return
    if _network(route.get("dst")) is None:
        yield CniProblem(
            Severity.ERROR,
            "cni/ipam",
            f"{path}.dst",
            f"route dst {route.get('dst')!r} is not a CIDR",
            'write a destination network, e.g. "0.0.0.0/0"',
        )
    if "gw" in route and _address(route["gw"]) is None:
        yield CniProblem(
            Severity.ERROR,
            "cni/ipam",
            f"{path}.gw",
            f"route gw {route['gw']!r} is not an IP address",
            "write the gateway's address, or leave gw out to use the range's gateway",
        )


def _host_local(
    ipam: Mapping[str, Any], path: str, service_cidrs: tuple[str, ...]
) -> Iterator[CniProblem]:
    sets: list[tuple[str, list[Any]]] = []
    ranges = ipam.get("ranges")
    if isinstance(ranges, list):
        for i, rset in enumerate(ranges):
            if not isinstance(rset, list) or not rset:
                yield CniProblem(
                    Severity.ERROR,
                    "cni/ipam",
                    f"{path}.ranges[{i}]",
                    "each entry of ranges is a non-empty list of ranges (a range set)",
                    'write "ranges": [[{"subnet": "10.22.0.0/16"}]]',
                )
                continue
            sets.append((f"{path}.ranges[{i}]", rset))
    if "subnet" in ipam:  # the old single-range form
        sets.append(("", [{k: ipam[k] for k in _RANGE_FIELDS if k in ipam}]))
    if not sets:
        if isinstance(ranges, list) and ranges:
            return  # every range set is reported above
        yield CniProblem(
            Severity.ERROR,
            "cni/ipam",
            f"{path}.ranges",
            "host-local needs ranges (or a subnet) to allocate from",
            'add "ranges": [[{"subnet": "10.22.0.0/16"}]]',
        )
        return
    seen: list[tuple[str, IpNetwork, int]] = []  # (path, subnet, set index)
    for index, (set_path, rset) in enumerate(sets):
        families: set[int] = set()
        for j, entry in enumerate(rset):
            where = f"{set_path}[{j}]" if set_path else path
            subnet = yield from _range(entry, where)
            if subnet is None:
                continue
            families.add(subnet.version)
            if len(families) > 1:
                yield CniProblem(
                    Severity.ERROR,
                    "cni/ipam",
                    f"{where}.subnet",
                    "one range set mixes IPv4 and IPv6: host-local refuses it",
                    "put each family in its own range set: [[{v4 range}], [{v6 range}]]",
                )
            for other_path, other, other_set in seen:
                if subnet.overlaps(other):
                    yield CniProblem(
                        Severity.ERROR,
                        "cni/range-overlap",
                        f"{where}.subnet",
                        f"range {subnet} overlaps range {other} ({other_path}): host-local "
                        "refuses overlapping ranges"
                        + (" in one set" if other_set == index else " across range sets"),
                        "give each range its own addresses",
                    )
            seen.append((f"{where}.subnet", subnet, index))
            for k, cidr in enumerate(service_cidrs):
                service = ipaddress.ip_network(cidr)
                if service.version == subnet.version and service.overlaps(subnet):
                    yield CniProblem(
                        Severity.ERROR,
                        "cni/range-overlap",
                        f"{where}.subnet",
                        f"range {subnet} overlaps the cluster's service range {service} "
                        f"(network.serviceCidrs[{k}]): pods would get Service addresses",
                        "use a range inside the pod CIDR and outside the service range",
                    )


def _range(entry: Any, where: str) -> Generator[CniProblem, None, IpNetwork | None]:
    """Problems of one host-local range; its return value is the subnet, when valid."""
    if not isinstance(entry, dict):
        yield CniProblem(
            Severity.ERROR, "cni/ipam", where, "a range is an object", '{"subnet": "10.22.0.0/16"}'
        )
        return None
    yield from _fields(entry, where, _RANGE_FIELDS, "a host-local range")
    text = entry.get("subnet")
    if text in _POD_CIDR_PLACEHOLDERS:
        return None
    try:
        subnet = ipaddress.ip_network(text) if isinstance(text, str) else None
    except ValueError:
        loose = _network(text)
        yield CniProblem(
            Severity.ERROR,
            "cni/ipam",
            f"{where}.subnet",
            f"subnet {text!r} has host bits set"
            if loose is not None
            else f"subnet {text!r} is not a CIDR",
            f"use {str(loose)!r} (the network address)"
            if loose is not None
            else 'write a network such as "10.22.0.0/16"',
        )
        return loose  # still compared with the other ranges
    if subnet is None:
        yield CniProblem(
            Severity.ERROR,
            "cni/ipam",
            f"{where}.subnet",
            "a host-local range needs a subnet",
            'add "subnet": "10.22.0.0/16"',
        )
        return None
    if subnet.max_prefixlen - subnet.prefixlen < 2:
        yield CniProblem(
            Severity.ERROR,
            "cni/ipam",
            f"{where}.subnet",
            f"subnet {subnet} is too small to allocate from (host-local needs /30 or /126 at most)",
            f"use a subnet of /{subnet.max_prefixlen - 2} or larger",
        )
        return subnet
    bounds: dict[str, Any] = {}
    for key in ("rangeStart", "rangeEnd", "gateway"):
        if key not in entry:
            continue
        address = _address(entry[key])
        if address is None:
            yield CniProblem(
                Severity.ERROR,
                "cni/ipam",
                f"{where}.{key}",
                f"{key} {entry[key]!r} is not an IP address",
                f"write an address inside {subnet}",
            )
        elif address.version != subnet.version or address not in subnet:
            yield CniProblem(
                Severity.ERROR,
                "cni/ipam",
                f"{where}.{key}",
                f"{key} {address} is outside the range's subnet {subnet}"
                + (
                    ": pods could not reach their gateway"
                    if key == "gateway"
                    else ": host-local refuses it"
                ),
                f"use an address inside {subnet} ({subnet.network_address + 1} to "
                f"{subnet[-2] if subnet.version == 4 else subnet[-1]})",
            )
        else:
            bounds[key] = address
    start, end = bounds.get("rangeStart"), bounds.get("rangeEnd")
    if start is not None and end is not None and start > end:
        yield CniProblem(
            Severity.ERROR,
            "cni/ipam",
            f"{where}.rangeEnd",
            f"rangeEnd {end} comes before rangeStart {start}: the range holds no address",
            "swap them",
        )
    return subnet


def _static_address(entry: Any, where: str) -> Iterator[CniProblem]:
    if not isinstance(entry, dict):
        yield CniProblem(
            Severity.ERROR,
            "cni/ipam",
            where,
            "a static address is an object",
            '{"address": "10.10.0.1/24"}',
        )
        return
    yield from _fields(entry, where, {"address": "str", "gateway": "str"}, "a static address")
    text = entry.get("address")
    try:
        interface = ipaddress.ip_interface(text) if isinstance(text, str) and "/" in text else None
    except ValueError:
        interface = None
    if interface is None:
        yield CniProblem(
            Severity.ERROR,
            "cni/ipam",
            f"{where}.address",
            f"address {text!r} is not an address with a prefix",
            'write the interface address and its prefix, e.g. "10.10.0.1/24"',
        )
        return
    gateway = _address(entry.get("gateway")) if "gateway" in entry else None
    if "gateway" in entry and (
        gateway is None or gateway.version != interface.version or gateway not in interface.network
    ):
        yield CniProblem(
            Severity.ERROR,
            "cni/ipam",
            f"{where}.gateway",
            f"gateway {entry['gateway']!r} is not inside {interface.network}",
            f"use an address of {interface.network}",
        )


def _chain_order(kinds: list[tuple[str, str]]) -> Iterator[CniProblem]:
    """Interface plugin first, meta plugins after it (SPEC.md section 3: each plugin gets the
    previous one's result). Third-party plugins are not judged: their role is their own."""
    interface_at: str | None = None
    meta_at: str | None = None
    for index, (path, kind) in enumerate(kinds):
        if kind in META_PLUGINS and index == 0:
            yield CniProblem(
                Severity.ERROR,
                "cni/chain-order",
                f"{path}.type",
                f"{kind} is a chained (meta) plugin: it changes the interface an earlier plugin "
                "made and fails without a previous result, so it cannot be first",
                "put an interface plugin (bridge, ptp, macvlan, ipvlan, host-device) or the "
                f"network's own plugin before {kind}",
            )
        if kind in META_PLUGINS and meta_at is None:
            meta_at = path
        if kind in INTERFACE_PLUGINS:
            if interface_at is not None:
                yield CniProblem(
                    Severity.ERROR,
                    "cni/chain-order",
                    f"{path}.type",
                    f"{kind} is a second interface plugin ({interface_at} is the first): both "
                    "would create the container's interface, and the second ADD fails",
                    "keep one interface plugin per list; give a second interface its own "
                    "network (for example a Multus attachment)",
                )
            elif meta_at is not None:
                yield CniProblem(
                    Severity.ERROR,
                    "cni/chain-order",
                    f"{path}.type",
                    f"{kind} creates the interface but comes after the meta plugin at "
                    f"{meta_at}, which then had no interface to change",
                    f"move {kind} to the front of plugins",
                )
            interface_at = interface_at or path


def parse_cni_text(text: str) -> tuple[Any, CniProblem | None]:
    """The JSON of a CNI configuration (a file, a ConfigMap value), or the problem that
    stops a runtime reading it: libcni decodes it with Go's JSON decoder, so YAML-isms
    (comments, trailing commas, single quotes) make the file unusable and the runtime skips
    it, leaving the node NotReady ("cni plugin not initialized")."""
    try:
        return json.loads(text), None
    except json.JSONDecodeError as exc:
        return None, CniProblem(
            Severity.ERROR,
            "cni/invalid-json",
            "",
            f"not valid JSON at line {exc.lineno}, column {exc.colno}: {exc.msg}; the container "
            "runtime skips this configuration",
            "CNI configuration is strict JSON: no comments, no trailing commas, double quotes",
            exc.lineno,
        )


def host_local_subnets(data: Any) -> Iterator[tuple[str, IpNetwork]]:
    """(JSON path, subnet) of every host-local range of a configuration (list or single)."""
    if not isinstance(data, dict):
        return
    raw = data.get("plugins") if "plugins" in data else [data]
    plugins = raw if isinstance(raw, list) else []
    single = "plugins" not in data
    for i, plugin in enumerate(plugins):
        ipam = plugin.get("ipam") if isinstance(plugin, dict) else None
        if not isinstance(ipam, dict) or ipam.get("type") != "host-local":
            continue
        at = "ipam" if single else f"plugins[{i}].ipam"
        entries: list[tuple[str, Any]] = []
        ranges = ipam.get("ranges")
        for j, rset in enumerate(ranges if isinstance(ranges, list) else []):
            for k, entry in enumerate(rset if isinstance(rset, list) else []):
                entries.append((f"{at}.ranges[{j}][{k}].subnet", entry))
        if "subnet" in ipam:
            entries.append((f"{at}.subnet", ipam))
        for path, entry in entries:
            subnet = _network(entry.get("subnet")) if isinstance(entry, dict) else None
            if subnet is not None:
                yield path, subnet


def pod_cidr_problems(data: Any, pod_cidrs: tuple[str, ...]) -> Iterator[CniProblem]:
    """host-local ranges outside every declared pod CIDR of their family: pods get addresses
    that no node's route and no kube-proxy ``--cluster-cidr`` rule knows as pod addresses, so
    traffic to them from other nodes is not routed, and the declared cluster and the nodes'
    configuration disagree."""
    declared = [ipaddress.ip_network(c) for c in pod_cidrs]
    for path, subnet in host_local_subnets(data):
        same = [n for n in declared if n.version == subnet.version]
        if not same or any(subnet.subnet_of(n) for n in same):  # type: ignore[arg-type]
            continue
        yield CniProblem(
            Severity.WARNING,
            "cni/outside-pod-cidr",
            path,
            f"range {subnet} is not inside the declared pod network "
            f"{', '.join(str(n) for n in same)}: pods on this node get addresses the cluster "
            "does not route as pod addresses",
            f"use a range inside {same[0]} (the node's own pod range), or declare the pod "
            "CIDR the cluster really has (network.podCidrs)",
        )
