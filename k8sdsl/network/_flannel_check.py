"""The one checker of Flannel's ``net-conf.json`` (the ``kube-flannel-cfg`` ConfigMap key
flanneld reads with ``--kube-subnet-mgr``), on its JSON.

What it knows comes from flannel-io/flannel: ``pkg/subnet/config.go`` (``Config``: Network,
IPv6Network, EnableIPv4, EnableIPv6, SubnetLen, SubnetMin, SubnetMax, IPv6SubnetLen, ...,
Backend; a SubnetLen longer than /30 or not longer than the Network's prefix is refused),
``Documentation/configuration.md`` and ``Documentation/backends.md`` (the backend types and
their options). flanneld decodes it with Go's ``encoding/json``, which matches keys without
regard to case, so ``network`` is ``Network``; an unknown key is ignored silently.
"""

from __future__ import annotations

import ipaddress
import json
from collections.abc import Iterator
from typing import Any

from k8sdsl.core._findings import Severity
from k8sdsl.core._suggest import suggest
from k8sdsl.network._cni_check import CniProblem

#: the ConfigMap key flanneld reads (``/etc/kube-flannel/net-conf.json``)
FLANNEL_NET_CONF_KEY = "net-conf.json"
#: flannel's default SubnetLen when the Network's prefix leaves room for it
FLANNEL_DEFAULT_SUBNET_LEN = 24

#: backends of flannel-io/flannel (Documentation/backends.md): the recommended ones, then
#: the experimental and cloud ones
FLANNEL_BACKENDS: dict[str, tuple[str, ...]] = {
    "vxlan": ("VNI", "Port", "GBP", "DirectRouting", "MTU", "MacPrefix"),
    "host-gw": (),
    "wireguard": ("PSK", "ListenPort", "ListenPortV6", "Mode", "PersistentKeepaliveInterval"),
    "udp": ("Port",),
    "ipsec": ("PSK", "UDPEncap", "ESPProposal"),
    "alloc": (),
    "extension": (
        "PreStartupCommand",
        "PostStartupCommand",
        "SubnetAddCommand",
        "SubnetRemoveCommand",
    ),
    "alivpc": ("AccessKeyID", "AccessKeySecret"),
    "awsvpc": ("RouteTableID",),
    "gce": (),
    "tencentvpc": ("AccessKeyID", "AccessKeySecret"),
}
_TOP_LEVEL = (
    "Network",
    "IPv6Network",
    "Networks",
    "IPv6Networks",
    "EnableIPv4",
    "EnableIPv6",
    "SubnetLen",
    "SubnetMin",
    "SubnetMax",
    "IPv6SubnetLen",
    "IPv6SubnetMin",
    "IPv6SubnetMax",
    "EnableNFTables",
    "Backend",
)


def _get(obj: dict[str, Any], key: str) -> tuple[str | None, Any]:
    """(the key as written, its value), matching as Go's encoding/json does (any case)."""
    for written, value in obj.items():
        if isinstance(written, str) and written.lower() == key.lower():
            return written, value
    return None, None


def check_flannel_net_conf(
    text: str, *, pod_cidrs: tuple[str, ...] | None = None, node_mask_ipv4: int | None = None
) -> list[CniProblem]:
    """Every problem of one ``net-conf.json``. With the declared cluster's ``pod_cidrs``
    and IPv4 node mask, Network must be the pod CIDR and SubnetLen the node mask."""
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        return [
            CniProblem(
                Severity.ERROR,
                "flannel/net-conf-json",
                "",
                f"not valid JSON at line {exc.lineno}, column {exc.colno}: {exc.msg}; flanneld "
                "exits at start and every node stays NotReady",
                "net-conf.json is strict JSON: no comments, no trailing commas, double quotes",
                exc.lineno,
            )
        ]
    if not isinstance(data, dict):
        return [
            CniProblem(
                Severity.ERROR,
                "flannel/net-conf-json",
                "",
                "net-conf.json is a JSON object, not a list or a scalar",
                '{"Network": "10.244.0.0/16", "Backend": {"Type": "vxlan"}}',
            )
        ]
    return list(_net_conf(data, pod_cidrs, node_mask_ipv4))


def _net_conf(
    data: dict[str, Any], pod_cidrs: tuple[str, ...] | None, node_mask: int | None
) -> Iterator[CniProblem]:
    lower = {k.lower() for k in _TOP_LEVEL}
    for key in data:
        if str(key).lower() not in lower:
            guess = suggest(str(key), list(_TOP_LEVEL))
            yield CniProblem(
                Severity.WARNING,
                "flannel/net-conf-json",
                str(key),
                f"{key!r} is not a field of flannel's net-conf.json: flanneld ignores it",
                f"did you mean {guess!r}?" if guess else "known: " + ", ".join(_TOP_LEVEL),
            )
    yield from _network(data, pod_cidrs, node_mask)
    yield from _backend(data)


def _network(
    data: dict[str, Any], pod_cidrs: tuple[str, ...] | None, node_mask: int | None
) -> Iterator[CniProblem]:
    enable_v4 = _get(data, "EnableIPv4")[1]
    key, text = _get(data, "Network")
    network = None
    if text is None:
        if enable_v4 is not False and _get(data, "Networks")[1] is None:
            yield CniProblem(
                Severity.ERROR,
                "flannel/network",
                "Network",
                "net-conf.json has no Network: flanneld refuses to start without an IPv4 "
                "network (unless EnableIPv4 is false)",
                '"Network": "10.244.0.0/16" (the cluster\'s pod CIDR)',
            )
    else:
        try:
            network = ipaddress.ip_network(text) if isinstance(text, str) else None
        except ValueError:
            network = None
        if network is None or network.version != 4:
            yield CniProblem(
                Severity.ERROR,
                "flannel/network",
                key or "Network",
                f"Network {text!r} is not an IPv4 CIDR (with host bits zero)",
                'write the pod CIDR, e.g. "10.244.0.0/16"; IPv6 goes in IPv6Network',
            )
            network = None
    declared_v4 = [c for c in pod_cidrs or () if ipaddress.ip_network(c).version == 4]
    if network is not None and pod_cidrs is not None and declared_v4:
        if str(network) != declared_v4[0]:
            yield CniProblem(
                Severity.ERROR,
                "flannel/network",
                key or "Network",
                f"Network {network} is not the declared pod CIDR {declared_v4[0]}: with "
                "--kube-subnet-mgr flanneld takes each node's podCIDR from kube-controller-"
                "manager's --cluster-cidr, and refuses node ranges outside Network",
                f'set "Network": "{declared_v4[0]}" (the --pod-network-cidr kubeadm was given)',
            )
    sub_key, subnet_len = _get(data, "SubnetLen")
    if subnet_len is None or network is None:
        return
    if not isinstance(subnet_len, int) or isinstance(subnet_len, bool):
        yield CniProblem(
            Severity.ERROR,
            "flannel/subnet-len",
            sub_key or "SubnetLen",
            f"SubnetLen {subnet_len!r} is not a number",
            "write the node mask as a number, e.g. 24",
        )
        return
    if subnet_len > 30 or subnet_len <= network.prefixlen:
        yield CniProblem(
            Severity.ERROR,
            "flannel/subnet-len",
            sub_key or "SubnetLen",
            f"SubnetLen {subnet_len} does not cut Network {network} into node subnets: "
            "flannel needs it longer than the Network's prefix and at most /30",
            f"use a SubnetLen between {network.prefixlen + 1} and 30 (24 is the default)",
        )
    elif pod_cidrs is not None and node_mask is not None and subnet_len != node_mask:
        yield CniProblem(
            Severity.WARNING,
            "flannel/subnet-len",
            sub_key or "SubnetLen",
            f"SubnetLen {subnet_len} is not the declared node mask /{node_mask} "
            "(--node-cidr-mask-size-ipv4): with --kube-subnet-mgr flanneld uses the node's "
            "podCIDR and SubnetLen says something the nodes do not do",
            f'set "SubnetLen": {node_mask}, or change the node mask the cluster declares',
        )


def _backend(data: dict[str, Any]) -> Iterator[CniProblem]:
    key, backend = _get(data, "Backend")
    if backend is None:
        yield CniProblem(
            Severity.WARNING,
            "flannel/backend",
            "Backend",
            "net-conf.json has no Backend: flannel then uses udp (configuration.md: "
            "'Defaults to udp backend'), a user-space tunnel meant for debugging and much "
            "slower than vxlan",
            '"Backend": {"Type": "vxlan"}',
        )
        return
    if not isinstance(backend, dict):
        yield CniProblem(
            Severity.ERROR,
            "flannel/backend",
            key or "Backend",
            "Backend is an object with a Type",
            '"Backend": {"Type": "vxlan"}',
        )
        return
    type_key, kind = _get(backend, "Type")
    where = f"{key}.{type_key or 'Type'}"
    if not isinstance(kind, str) or kind.lower() not in FLANNEL_BACKENDS:
        guess = suggest(str(kind), list(FLANNEL_BACKENDS)) if isinstance(kind, str) else None
        yield CniProblem(
            Severity.ERROR,
            "flannel/backend",
            where,
            f"backend type {kind!r} is not one flannel has: flanneld exits with "
            "'failed to create backend' and no node gets a pod network",
            f"did you mean {guess!r}?"
            if guess
            else "use vxlan (the default), host-gw, wireguard or udp",
        )
        return
    options = FLANNEL_BACKENDS[kind.lower()]
    lower = {o.lower() for o in options} | {"type"}
    for option in backend:
        if str(option).lower() not in lower:
            guess = suggest(str(option), list(options)) if options else None
            yield CniProblem(
                Severity.WARNING,
                "flannel/backend",
                f"{key}.{option}",
                f"{option!r} is not an option of the {kind} backend: flanneld ignores it",
                f"did you mean {guess!r}?"
                if guess
                else (f"{kind} takes " + ", ".join(options) if options else f"{kind} takes none"),
            )
