"""The one checker of Calico IPPools, on their ``spec`` as in YAML (``cidr``, ``blockSize``,
``ipipMode``, ``vxlanMode``, ``disabled``): what Calico refuses when a pool is created, and
what breaks pods once it is.

From projectcalico/calico v3.29.7 ``libcalico-go/lib/validator/v3/validator.go``
(``validateIPPoolSpec``): the CIDR must be a subnet written without host bits; IPIP is
refused on an IPv6 pool; IPIP and VXLAN cannot both be on; an enabled pool must be at least
as large as one block; the modes are ``Always``, ``CrossSubnet`` or ``Never``. The block size
bounds (IPv4 20-32, IPv6 116-128) are Calico IPAM's (the IPPool reference). Two pools whose
CIDRs overlap are refused by libcalico-go's IPPool client; a pool outside the cluster's pod
CIDR hands out addresses kube-proxy and the rest of the cluster treat as outside traffic.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import Any

from k8sdsl.core._findings import Severity
from k8sdsl.core._suggest import suggest

#: the values of ipipMode and vxlanMode (Calico's ``ipipModeRegex``/``vxlanModeRegex``)
ENCAPSULATION_MODES = ("Always", "CrossSubnet", "Never")
#: blockSize bounds of Calico IPAM, per family, and its defaults
BLOCK_SIZE_BOUNDS = {4: (20, 32), 6: (116, 128)}
DEFAULT_BLOCK_SIZE = {4: 26, 6: 122}
_LINK_LOCAL = {4: ipaddress.ip_network("169.254.0.0/16"), 6: ipaddress.ip_network("fe80::/10")}

IpNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network


@dataclass(frozen=True, slots=True)
class PoolProblem:
    """One problem of one IPPool: ``index`` is the pool's place in the list given to
    :func:`check_ip_pools`, ``path`` is inside the pool object (``spec.blockSize``)."""

    severity: Severity
    code: str
    pool: str
    path: str
    message: str
    hint: str
    index: int = 0


def _cidr(spec: dict[str, Any]) -> IpNetwork | None:
    value = spec.get("cidr")
    if not isinstance(value, str):
        return None
    try:
        return ipaddress.ip_network(value, strict=True)
    except ValueError:
        return None


def _mode(spec: dict[str, Any], key: str) -> str:
    value = spec.get(key)
    return value if isinstance(value, str) else "Never"


def _pool_problems(name: str, spec: dict[str, Any]) -> list[PoolProblem]:
    out: list[PoolProblem] = []

    def add(code: str, path: str, message: str, hint: str) -> None:
        out.append(PoolProblem(Severity.ERROR, code, name, path, message, hint))

    raw = spec.get("cidr")
    cidr = _cidr(spec)
    if cidr is None:
        try:
            loose = ipaddress.ip_network(raw, strict=False) if isinstance(raw, str) else None
        except ValueError:
            loose = None
        add(
            "calico/pool-cidr",
            "spec.cidr",
            f"cidr {raw!r} is not a subnet" + (" (host bits set)" if loose else ""),
            f"write the network address: cidr: {loose}" if loose else "write a CIDR: 10.244.0.0/16",
        )
    elif cidr.overlaps(_LINK_LOCAL[cidr.version]):
        add(
            "calico/pool-cidr",
            "spec.cidr",
            f"cidr {cidr} overlaps the link-local range "
            f"{_LINK_LOCAL[cidr.version]}, which Calico refuses",
            "use a private range outside it (10.244.0.0/16, fd00:10:244::/56)",
        )
    for key in ("ipipMode", "vxlanMode"):
        value = spec.get(key)
        if value is not None and value not in ENCAPSULATION_MODES:
            guess = suggest(str(value), list(ENCAPSULATION_MODES))
            add(
                "calico/encapsulation",
                f"spec.{key}",
                f"{key} {value!r} is not a mode Calico knows",
                f"did you mean {guess!r}?"
                if guess
                else "use one of " + ", ".join(ENCAPSULATION_MODES),
            )
    ipip, vxlan = _mode(spec, "ipipMode"), _mode(spec, "vxlanMode")
    on = ("Always", "CrossSubnet")
    if ipip in on and vxlan in on:
        add(
            "calico/encapsulation",
            "spec.ipipMode",
            f"ipipMode {ipip} and vxlanMode {vxlan} are both on; Calico refuses a pool with both",
            "choose one encapsulation: set the other to Never",
        )
    if cidr is not None and cidr.version == 6 and ipip != "Never":
        add(
            "calico/encapsulation",
            "spec.ipipMode",
            f"ipipMode {ipip} on the IPv6 pool {cidr}; IPIP carries IPv4 only",
            "set ipipMode: Never (use vxlanMode for IPv6)",
        )
    size = spec.get("blockSize")
    if cidr is not None and (
        size is None or (isinstance(size, int) and not isinstance(size, bool))
    ):
        low, high = BLOCK_SIZE_BOUNDS[cidr.version]
        default = DEFAULT_BLOCK_SIZE[cidr.version]
        block = default if size is None else size
        if not low <= block <= high:
            add(
                "calico/block-size",
                "spec.blockSize",
                f"blockSize {block} is outside {low}-{high} for the IPv{cidr.version} pool {cidr}",
                f"use a blockSize from {low} to {high} (default {default}: "
                f"{2 ** (cidr.max_prefixlen - default)} addresses a block)",
            )
        elif cidr.prefixlen > block and spec.get("disabled") is not True:
            add(
                "calico/block-size",
                "spec.blockSize",
                f"the pool {cidr} is smaller than one block of /{block}; "
                "Calico IPAM cannot allocate from it",
                f"use a blockSize of at least {cidr.prefixlen}, or a larger pool",
            )
    return out


def check_ip_pools(
    pools: Sequence[tuple[str, dict[str, Any]]], pod_cidrs: Sequence[str] | None = None
) -> list[PoolProblem]:
    """Every problem of the pools (name, spec): each pool alone, two pools that overlap, and,
    given the declared ``pod_cidrs``, a pool outside the pod CIDR of its family."""
    out: list[PoolProblem] = []
    seen: list[tuple[str, IpNetwork]] = []
    declared = [ipaddress.ip_network(c, strict=False) for c in pod_cidrs or ()]
    for index, (name, spec) in enumerate(pools):
        out.extend(replace(p, index=index) for p in _pool_problems(name, spec))
        cidr = _cidr(spec)
        if cidr is None:
            continue
        for other, earlier in seen:
            if cidr.version == earlier.version and cidr.overlaps(earlier):
                out.append(
                    PoolProblem(
                        Severity.ERROR,
                        "calico/pool-overlap",
                        name,
                        "spec.cidr",
                        f"cidr {cidr} overlaps IPPool {other} ({earlier}); "
                        "Calico refuses overlapping pools",
                        "give each pool its own range (split the pod CIDR between them)",
                        index,
                    )
                )
        seen.append((name, cidr))
        family = [d for d in declared if d.version == cidr.version]
        if pod_cidrs is not None and not any(cidr.subnet_of(d) for d in family):  # type: ignore[arg-type]
            where = " or ".join(str(d) for d in family) or f"no IPv{cidr.version} pod CIDR"
            out.append(
                PoolProblem(
                    Severity.WARNING,
                    "calico/pool-outside-pod-cidr",
                    name,
                    "spec.cidr",
                    f"cidr {cidr} is outside the cluster's pod CIDR ({where}); "
                    "kube-proxy treats its pods' addresses as outside the cluster",
                    f"use a range inside {where}"
                    if family
                    else "declare the pod CIDR of "
                    f"IPv{cidr.version} in the cluster network, or drop the pool",
                    index,
                )
            )
    return out
