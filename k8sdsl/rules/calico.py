"""Calico rules: IP pools as Calico and the cluster's network judge them, on YAML.

Every ``IPPool`` (``crd.projectcalico.org/v1`` or ``projectcalico.org/v3``) in the run is
judged by the one checker CalicoNetwork runs (:func:`k8sdsl.network.check_ip_pools`), the
pools together: what Calico refuses when the pool is applied (a CIDR with host bits, a block
size out of bounds or larger than the pool, IPIP and VXLAN both on, IPIP on IPv6, two
overlapping pools), and, once the cluster declares its network, a pool outside its pod CIDR.
"""

from __future__ import annotations

from collections.abc import Iterator

from k8sdsl._crd_schema import CALICO_API_VERSIONS
from k8sdsl.core._findings import Finding
from k8sdsl.network._calico_check import check_ip_pools
from k8sdsl.rules._registry import RuleContext, rule
from k8sdsl.rules.cni import network_declared


@rule("calico/ip-pools", "Calico IP pools are valid, disjoint and inside the pod CIDR")
def ip_pools(ctx: RuleContext) -> Iterator[Finding]:
    """Calico refuses an invalid pool when it is applied, but an installer that applies a
    manifest in one go leaves the cluster without that pool, and pods on nodes that needed
    it get no address ("failed to request IPv4 addresses"). A pool outside the pod CIDR
    works for Calico, yet kube-proxy's ``--cluster-cidr`` and the node's routes treat its
    pods as outside the cluster (masquerading, NetworkPolicy ipBlocks)."""
    manifests = [m for m in ctx.of_kind("IPPool") if m.api_version in CALICO_API_VERSIONS]
    pools = []
    for m in manifests:
        spec = m.obj.get("spec")
        pools.append((m.name, spec if isinstance(spec, dict) else {}))
    declared = network_declared(ctx.cluster)
    for p in check_ip_pools(pools, ctx.cluster.network.pod_cidrs if declared else None):
        yield manifests[p.index].finding(p.severity, p.code, p.path, p.message, p.hint)
