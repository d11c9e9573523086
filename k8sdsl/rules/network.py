"""Network rules: NetworkPolicy mistakes the API server rejects, policies that do not do
what they seem to, and pods cut off from cluster DNS.

Every rule reads dicts, so ``k8sdsl check`` gives hand-written YAML (the course notes'
samples included) the same verdicts as objects k8sdsl built.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterator
from typing import Any

from k8sdsl._crd_schema import CALICO_API_VERSIONS
from k8sdsl.core._dns import CLUSTER_DNS_LABELS, CLUSTER_DNS_NAMESPACE, CLUSTER_DNS_PORT
from k8sdsl.core._findings import Finding
from k8sdsl.core._manifest import Manifest
from k8sdsl.core._podspecs import pod_specs
from k8sdsl.core._suggest import suggest
from k8sdsl.core._types import check_port_name
from k8sdsl.network._cluster_network import NetworkFacts
from k8sdsl.network._cni_catalog import CniSupport, cni_plugin, infer_cni_plugin
from k8sdsl.network._reachability import (
    PeerView,
    PolicyView,
    Reachability,
    read_network,
)
from k8sdsl.rules._registry import RuleContext, rule

_PROTOCOLS = ("TCP", "UDP", "SCTP")
_DIRECTIONS = (("ingress", "from", "Ingress"), ("egress", "to", "Egress"))


def _policies(ctx: RuleContext) -> Iterator[Manifest]:
    for m in ctx.of_kind("NetworkPolicy"):
        if m.api_version.startswith("networking.k8s.io/"):
            yield m


def _spec(manifest: Manifest) -> dict[str, Any]:
    spec = manifest.obj.get("spec")
    return spec if isinstance(spec, dict) else {}


def _model(ctx: RuleContext) -> Reachability:
    # Several rules need the same model; it is built once per run and kept on the context
    # (a fleet has thousands of pods and policies).
    return ctx.memo("network/reachability", lambda: Reachability.from_manifests(ctx.manifests))


def _list(value: Any) -> list[Any]:
    """``value`` when it is a list, else ``[]``: the schema reports a map or a scalar where
    Kubernetes wants a list, and the rules must not crash on it."""
    return value if isinstance(value, list) else []


def _rules(spec: dict[str, Any], key: str) -> Iterator[tuple[int, dict[str, Any]]]:
    for i, item in enumerate(_list(spec.get(key))):
        if isinstance(item, dict):
            yield i, item


def _peers(
    spec: dict[str, Any],
) -> Iterator[tuple[str, dict[str, Any]]]:
    """(JSON path, peer dict) of every from/to entry."""
    for direction, peer_key, _ in _DIRECTIONS:
        for i, item in _rules(spec, direction):
            for j, peer in enumerate(_list(item.get(peer_key))):
                if isinstance(peer, dict):
                    yield f"spec.{direction}[{i}].{peer_key}[{j}]", peer


def _ports(
    spec: dict[str, Any],
) -> Iterator[tuple[str, str, int, dict[str, Any]]]:
    """(direction, JSON path, rule index, port dict) of every ports entry."""
    for direction, _, _ in _DIRECTIONS:
        for i, item in _rules(spec, direction):
            for j, port in enumerate(_list(item.get("ports"))):
                if isinstance(port, dict):
                    yield direction, f"spec.{direction}[{i}].ports[{j}]", i, port


# -- CIDRs --------------------------------------------------------------------------------


def _cidr_problem(text: Any) -> tuple[str, str] | None:
    """(message, hint) when ``text`` is not a CIDR with host bits zero."""
    if not isinstance(text, str):
        return f"{text!r} is not a CIDR string", "write it as 'address/prefix', e.g. 10.0.0.0/24"
    try:
        network = ipaddress.ip_network(text, strict=False)
    except ValueError:
        return f"{text!r} is not a CIDR", "write it as 'address/prefix', e.g. 10.0.0.0/24"
    if "/" not in text:
        suffix = "32" if network.version == 4 else "128"
        return (
            f"{text!r} has no prefix length",
            f"write {text}/{suffix} for the single address",
        )
    if str(network) != text and network.network_address != ipaddress.ip_interface(text).ip:
        return (
            f"{text!r} has host bits set: the address is not the start of its /"
            f"{network.prefixlen} network, and Kubernetes silently uses {network}",
            f"write {network} (or /{network.max_prefixlen} for the single address "
            f"{ipaddress.ip_interface(text).ip})",
        )
    return None


@rule("network/invalid-cidr", "ipBlock CIDRs are valid, with host bits zero")
def invalid_cidr(ctx: RuleContext) -> Iterator[Finding]:
    """An ``ipBlock`` cidr or except that is not ``address/prefix`` is rejected by the API
    server. One with host bits set (``10.0.0.1/24``) is accepted by older servers and read
    as its network (``10.0.0.0/24``), so the policy covers more or other addresses than the
    text suggests; Kubernetes 1.33+ warns about it. The hint gives the canonical form."""
    for m in _policies(ctx):
        for path, peer in _peers(_spec(m)):
            block = peer.get("ipBlock")
            if not isinstance(block, dict):
                continue
            problem = _cidr_problem(block.get("cidr"))
            if problem:
                yield m.error("network/invalid-cidr", f"{path}.ipBlock.cidr", *problem)
            for k, item in enumerate(_list(block.get("except"))):
                problem = _cidr_problem(item)
                if problem:
                    yield m.error("network/invalid-cidr", f"{path}.ipBlock.except[{k}]", *problem)


@rule("network/except-outside-cidr", "every ipBlock except lies strictly inside its cidr")
def except_outside_cidr(ctx: RuleContext) -> Iterator[Finding]:
    """The API server rejects an ``except`` entry that is not a strict subset of ``cidr``
    ("must be a strict subset of `cidr`"): an exception outside the block excludes nothing,
    and one equal to it excludes everything."""
    for m in _policies(ctx):
        for path, peer in _peers(_spec(m)):
            block = peer.get("ipBlock")
            if not isinstance(block, dict):
                continue
            outer = read_network(block.get("cidr"))
            if outer is None:
                continue
            for k, item in enumerate(_list(block.get("except"))):
                inner = read_network(item)
                if inner is None:
                    continue
                inside = (
                    inner.version == outer.version
                    and inner.subnet_of(outer)  # type: ignore[arg-type]
                    and inner.prefixlen > outer.prefixlen
                )
                if not inside:
                    why = "equals" if inner == outer else "is not inside"
                    yield m.error(
                        "network/except-outside-cidr",
                        f"{path}.ipBlock.except[{k}]",
                        f"except {item} {why} cidr {block.get('cidr')}: the API server rejects "
                        "it (an exception must be a strict subset of the block)",
                        f"use a CIDR inside {outer} with a prefix longer than /{outer.prefixlen}, "
                        "or widen cidr",
                    )


# -- peers --------------------------------------------------------------------------------


@rule("network/invalid-peer", "a peer is an ipBlock alone, or pod and/or namespace selectors")
def invalid_peer(ctx: RuleContext) -> Iterator[Finding]:
    """The API server rejects a peer that combines ``ipBlock`` with a selector, and an empty
    peer ``{}``; only ``podSelector`` and ``namespaceSelector`` may appear together (then a
    pod must match both)."""
    for m in _policies(ctx):
        for path, peer in _peers(_spec(m)):
            keys = {k for k in ("podSelector", "namespaceSelector", "ipBlock") if k in peer}
            if "ipBlock" in keys and len(keys) > 1:
                yield m.error(
                    "network/invalid-peer",
                    path,
                    "a peer with ipBlock cannot also have "
                    + " or ".join(sorted(keys - {"ipBlock"})),
                    "split it into two peers of the same rule (peers of a rule add up)",
                )
            elif not keys:
                yield m.error(
                    "network/invalid-peer",
                    path,
                    "an empty peer selects nothing and is rejected",
                    "to allow every source or destination, leave out from/to altogether",
                )


# -- ports --------------------------------------------------------------------------------


@rule("network/invalid-port", "ports are 1-65535 or port names, with TCP, UDP or SCTP")
def invalid_port(ctx: RuleContext) -> Iterator[Finding]:
    """The API server rejects ``port: 0`` and numbers above 65535, port names that are not
    IANA service names (a quoted number such as ``"6379"`` is a name, and an invalid one),
    and protocols other than TCP, UDP and SCTP. ``port: 0`` is a known generator bug: "all
    ports" is written by leaving ``port`` out."""
    for m in _policies(ctx):
        for _, path, _, port in _ports(_spec(m)):
            protocol = port.get("protocol", "TCP")
            if protocol not in _PROTOCOLS:
                upper = str(protocol).upper()
                yield m.error(
                    "network/invalid-port",
                    f"{path}.protocol",
                    f"protocol {protocol!r} is not TCP, UDP or SCTP",
                    f"use {upper!r}" if upper in _PROTOCOLS else "use TCP, UDP or SCTP",
                )
            value = port.get("port")
            if value is None:
                continue
            if isinstance(value, bool) or not isinstance(value, int | str):
                yield m.error(
                    "network/invalid-port",
                    f"{path}.port",
                    f"port {value!r} is neither a number nor a name",
                    "use a number from 1 to 65535 or a container port name",
                )
            elif isinstance(value, int) and not 1 <= value <= 65535:
                hint = (
                    "leave port out to allow every port of the protocol"
                    if value == 0
                    else "use a port number from 1 to 65535"
                )
                yield m.error(
                    "network/invalid-port",
                    f"{path}.port",
                    f"port {value} is outside 1-65535",
                    hint,
                )
            elif isinstance(value, str):
                if value.isdigit():
                    yield m.error(
                        "network/invalid-port",
                        f"{path}.port",
                        f"port {value!r} is a quoted number, which Kubernetes reads as a port "
                        "name, and names need a letter",
                        f"write port: {int(value)} without quotes",
                    )
                    continue
                try:
                    check_port_name(value)
                except Exception as exc:
                    ctx_hint = str((getattr(exc, "context", None) or {}).get("hint", ""))
                    yield m.error(
                        "network/invalid-port",
                        f"{path}.port",
                        f"port name {value!r} is not an IANA service name (at most 15 lowercase "
                        "letters, digits and '-', with a letter)",
                        ctx_hint or "use the name of a container port",
                    )


@rule("network/end-port-range", "endPort follows a numeric port and is not below it")
def end_port_range(ctx: RuleContext) -> Iterator[Finding]:
    """``endPort`` makes ``port`` the start of a range. The API server rejects it when
    ``port`` is missing or a name, and when ``endPort`` is below ``port``."""
    for m in _policies(ctx):
        for _, path, _, port in _ports(_spec(m)):
            end = port.get("endPort")
            if end is None:
                continue
            start = port.get("port")
            if not isinstance(start, int) or isinstance(start, bool):
                yield m.error(
                    "network/end-port-range",
                    f"{path}.endPort",
                    "endPort needs a numeric port as the start of the range"
                    + (f" (port is {start!r})" if start is not None else " (port is missing)"),
                    "set port to the first port of the range, as a number",
                )
            elif isinstance(end, int) and end < start:
                yield m.error(
                    "network/end-port-range",
                    f"{path}.endPort",
                    f"endPort {end} is below port {start}",
                    f"swap them: port: {end}, endPort: {start}",
                )


@rule("network/unknown-named-port", "named ports exist on the pods they point at")
def unknown_named_port(ctx: RuleContext) -> Iterator[Finding]:
    """A named port matches only pods with a container port of that name and protocol; a
    name no pod declares silently allows nothing. In an ingress rule the name resolves on the
    pods the policy selects; in an egress rule on the destination pods. Reported when the
    app has such pods and none declares the name (pods outside the app are not judged)."""
    model = _model(ctx)
    views = {id(p.manifest): p for p in model.policies}
    for m in _policies(ctx):
        view = views.get(id(m))
        if view is None:
            continue
        for direction, path, index, port in _ports(_spec(m)):
            name = port.get("port")
            if not isinstance(name, str) or name.isdigit():
                continue
            protocol = str(port.get("protocol") or "TCP")
            if direction == "ingress":
                targets = model.selected_pods(view)
                where = "the pods this policy selects"
            else:
                targets = _egress_targets(model, view, index)
                where = "the pods this rule sends to"
            if not targets:
                continue
            if any(t.named_port(name, protocol) for t in targets):
                continue
            declared = sorted(
                {f"{p.name} ({p.protocol} {p.port})" for t in targets for p in t.ports if p.name}
            )
            yield m.error(
                "network/unknown-named-port",
                f"{path}.port",
                f"no container of {where} ("
                + ", ".join(t.id for t in targets)
                + f") declares a {protocol} port named {name!r}: the rule allows nothing",
                ("named ports there: " + ", ".join(declared))
                if declared
                else "name the container port (ports[].name), or use the port number",
            )


def _egress_targets(model: Reachability, view: PolicyView, index: int) -> list[Any]:
    rule_views = [r for r in view.egress if r.index == index]
    if not rule_views or rule_views[0].peers is None:
        return []  # "to anywhere": destinations outside the app are possible
    peers: tuple[PeerView, ...] = rule_views[0].peers
    if any(p.network is not None or not p.valid for p in peers):
        return []
    found: list[Any] = []
    for peer in peers:
        for pod in model.pods_matching(peer, view):
            if pod not in found:
                found.append(pod)
    return found


# -- what a policy really does ------------------------------------------------------------


@rule("network/selects-no-pod", "each NetworkPolicy selects at least one pod of the app")
def selects_no_pod(ctx: RuleContext) -> Iterator[Finding]:
    """A policy applies only to pods of its own namespace that match its ``podSelector``;
    one that matches none (a label typo, the wrong namespace) protects nothing. Judged only
    when the objects include pods at all."""
    model = _model(ctx)
    if not model.pods:
        return
    for view in model.policies:
        if view.manifest is None or view.pod_selector is None or model.selected_pods(view):
            continue
        in_namespace = model.pods_in(view.namespace)
        hint = (
            "pods in that namespace have labels: "
            + "; ".join(
                f"{p.name}: " + ",".join(f"{k}={v}" for k, v in sorted(p.labels.items()))
                for p in in_namespace[:5]
            )
            if in_namespace
            else "the policy only applies in its own namespace: set metadata.namespace to the "
            "pods' namespace"
        )
        yield view.manifest.warning(
            "network/selects-no-pod",
            "spec.podSelector",
            f"the podSelector matches no pod of the app in namespace {view.namespace!r}",
            hint,
        )


@rule("network/implicit-policy-types", "egress-only policies state policyTypes")
def implicit_policy_types(ctx: RuleContext) -> Iterator[Finding]:
    """Without ``policyTypes`` Kubernetes assumes ``Ingress`` (plus ``Egress`` when there are
    egress rules). A policy with only egress rules and no ``policyTypes``, like the notes'
    "allow all outgoing traffic" sample, therefore also isolates its pods for ingress and
    denies every incoming connection."""
    for m in _policies(ctx):
        spec = _spec(m)
        if spec.get("policyTypes") or "ingress" in spec or not spec.get("egress"):
            continue
        yield m.warning(
            "network/implicit-policy-types",
            "spec.policyTypes",
            "no policyTypes and only egress rules: Kubernetes adds Ingress, so every "
            "incoming connection to the selected pods is denied too",
            "add policyTypes: [Egress] (or [Ingress, Egress] if denying ingress is meant)",
        )


_POLICY_TYPES = ("Ingress", "Egress")


@rule("network/policy-type", "policyTypes are Ingress and Egress")
def policy_type(ctx: RuleContext) -> Iterator[Finding]:
    """The schema types ``policyTypes`` as strings; the API server accepts only ``Ingress``
    and ``Egress``, case and all (``ingress`` is refused)."""
    for m in _policies(ctx):
        types = _spec(m).get("policyTypes")
        for i, value in enumerate(types if isinstance(types, list) else []):
            if value in _POLICY_TYPES:
                continue
            guess = suggest(str(value), _POLICY_TYPES)
            yield m.error(
                "network/policy-type",
                f"spec.policyTypes[{i}]",
                f"{value!r} is not a policy type",
                f"did you mean {guess!r}?" if guess else "use Ingress or Egress",
            )


@rule("network/ignored-rules", "rules are given only for directions in policyTypes")
def ignored_rules(ctx: RuleContext) -> Iterator[Finding]:
    """Kubernetes ignores ``ingress`` rules of a policy whose ``policyTypes`` lacks
    ``Ingress`` (and ``egress`` rules without ``Egress``): the traffic they seem to allow
    is not allowed by this policy."""
    for m in _policies(ctx):
        spec = _spec(m)
        types = spec.get("policyTypes")
        if not isinstance(types, list) or not types:
            continue
        for direction, _, type_name in _DIRECTIONS:
            if spec.get(direction) and type_name not in types:
                yield m.warning(
                    "network/ignored-rules",
                    f"spec.{direction}",
                    f"{direction} rules are ignored: policyTypes does not list {type_name}",
                    f"add {type_name} to policyTypes, or remove the {direction} rules",
                )


# -- DNS ----------------------------------------------------------------------------------


@rule("network/dns-egress-blocked", "pods with restricted egress can still reach cluster DNS")
def dns_egress_blocked(ctx: RuleContext) -> Iterator[Finding]:
    """Once any policy selects a pod for ``Egress``, everything not allowed is dropped,
    cluster DNS included: the pod cannot resolve even ``kubernetes.default`` or Services
    in its own namespace. Cluster DNS (CoreDNS, labelled ``k8s-app=kube-dns`` in
    ``kube-system``) answers on UDP 53, and on TCP 53 for answers too large for a datagram;
    both must be allowed. Pods that do not use cluster DNS (``dnsPolicy: Default`` or
    ``None``, host-network pods without ``ClusterFirstWithHostNet``) are not judged."""
    model = _model(ctx)
    for pod in model.pods:
        if pod.external or pod.host_network or not pod.uses_cluster_dns():
            continue
        isolating = model.isolating(pod, "egress")
        if not isolating:
            continue
        udp, tcp = model.dns_access(pod)
        if udp and tcp:
            continue
        manifest = pod.manifest
        if manifest is None:
            continue
        missing = " and ".join(n for n, ok in (("UDP 53", udp), ("TCP 53", tcp)) if not ok)
        labels = ",".join(f"{k}={v}" for k, v in CLUSTER_DNS_LABELS.items())
        yield manifest.error(
            "network/dns-egress-blocked",
            pod.spec_path,
            f"egress of {pod.id} is restricted by "
            + ", ".join(p.id for p in isolating)
            + f" and no policy lets it reach cluster DNS on {missing}: name lookups fail",
            f"call .allow_dns() on {isolating[0].id}, add an AllowDnsEgressPolicy, or add an "
            f"egress rule to pods {labels} in namespace {CLUSTER_DNS_NAMESPACE} on UDP and TCP "
            f"{CLUSTER_DNS_PORT}",
        )


@rule("network/dns-config-missing", "dnsPolicy None comes with at least one nameserver")
def dns_config_missing(ctx: RuleContext) -> Iterator[Finding]:
    """With ``dnsPolicy: None`` the pod's resolver configuration comes only from
    ``dnsConfig``; the API server rejects the pod unless ``dnsConfig.nameservers`` lists at
    least one address."""
    for m, ref in ctx.pod_specs():
        if ref.spec.get("dnsPolicy") != "None":
            continue
        config = ref.spec.get("dnsConfig")
        servers = config.get("nameservers") if isinstance(config, dict) else None
        if not servers:
            yield m.error(
                "network/dns-config-missing",
                f"{ref.path}.dnsConfig.nameservers",
                "dnsPolicy is None but dnsConfig lists no nameserver: the API server "
                "rejects the pod",
                "list a nameserver in dnsConfig.nameservers (DnsConfig(nameservers=[...]) in "
                "k8sdsl), or use dnsPolicy ClusterFirst",
            )


@rule("network/host-network-dns", "host-network pods say which DNS they use")
def host_network_dns(ctx: RuleContext) -> Iterator[Finding]:
    """A pod with ``hostNetwork: true`` and ``dnsPolicy: ClusterFirst`` (the default) gets
    the node's resolver, not cluster DNS: Service names do not resolve. Kubernetes offers
    ``ClusterFirstWithHostNet`` for host-network pods that need cluster names."""
    for m, ref in ctx.pod_specs():
        if not ref.spec.get("hostNetwork"):
            continue
        if (ref.spec.get("dnsPolicy") or "ClusterFirst") != "ClusterFirst":
            continue
        yield m.warning(
            "network/host-network-dns",
            f"{ref.path}.dnsPolicy",
            "a host-network pod with dnsPolicy ClusterFirst uses the node's resolver: "
            "cluster Service names will not resolve",
            "set dnsPolicy: ClusterFirstWithHostNet for cluster names, or Default to say "
            "the node's resolver is meant",
        )


# -- the declared cluster network ---------------------------------------------------------


@rule("network/cluster-overlap", "the declared pod, service and node ranges share no address")
def cluster_overlap(ctx: RuleContext) -> Iterator[Finding]:
    """A pod range that overlaps the service range makes pods and ClusterIPs share
    addresses: kube-proxy's rules catch packets for a Service IP before the pod routes, so a
    pod holding that address is unreachable (and the reverse); one that overlaps the nodes'
    network sends traffic for nodes into the overlay. kubeadm warns of neither, the API
    server checks neither. Each finding names both ranges and a free range to move to."""
    for overlap in NetworkFacts.of(ctx.cluster.network).overlaps:
        yield overlap.finding()


#: ipBlocks this wide mean "anywhere", written to let traffic out (or in) from outside the
#: cluster; that they also cover pod addresses is the common, deliberate case
_ANYWHERE = (ipaddress.ip_network("0.0.0.0/0"), ipaddress.ip_network("::/0"))


@rule("network/ipblock-covers-pods", "ipBlocks do not name pods by their addresses")
def ipblock_covers_pods(ctx: RuleContext) -> Iterator[Finding]:
    """Kubernetes documents ipBlock for cluster-external addresses: pod IPs are ephemeral,
    and whether an ipBlock matches traffic from or to pods is up to the plugin (traffic may
    be masqueraded to the node's address, or matched before selectors apply). A block that
    reaches into the declared pod CIDR therefore allows or denies pods unreliably; pods are
    named with podSelector/namespaceSelector. Judged once the cluster declares its network
    (``network.podCidrs``); the "anywhere" blocks 0.0.0.0/0 and ::/0 are not reported."""
    if "network" not in ctx.cluster.model_fields_set:
        return
    pods = [ipaddress.ip_network(c) for c in ctx.cluster.network.pod_cidrs]
    for m in _policies(ctx):
        for path, peer in _peers(_spec(m)):
            block = peer.get("ipBlock")
            if not isinstance(block, dict):
                continue
            cidr = read_network(block.get("cidr"))
            if cidr is None or cidr in _ANYWHERE:
                continue
            excepts = [read_network(e) for e in _list(block.get("except"))]
            for pod in pods:
                if pod.version != cidr.version or not pod.overlaps(cidr):
                    continue
                shared = pod if pod.subnet_of(cidr) else cidr  # type: ignore[arg-type]
                if any(
                    e is not None and e.version == shared.version and shared.subnet_of(e)  # type: ignore[arg-type]
                    for e in excepts
                ):
                    continue  # the pod addresses are excepted
                yield m.warning(
                    "network/ipblock-covers-pods",
                    f"{path}.ipBlock.cidr",
                    f"ipBlock {cidr} covers pod addresses ({shared} of the declared pod "
                    f"network {pod}): whether an ipBlock matches pod traffic depends on the "
                    "network plugin, and pod IPs change as pods are replaced",
                    f"select the pods with podSelector/namespaceSelector, and add {pod} to "
                    "the block's except (or use a block outside it)",
                )


def _daemonset_images(ctx: RuleContext) -> list[str]:
    images: list[str] = []
    for m in ctx.of_kind("DaemonSet"):
        for ref in pod_specs(m):
            for _, container in ref.containers(ephemeral=False):
                image = container.get("image")
                if isinstance(image, str):
                    images.append(image)
    return images


def _calico_resources(ctx: RuleContext) -> bool:
    """Whether Calico's custom resources are among the manifests (Felix runs)."""
    kinds = ("FelixConfiguration", "IPPool", "GlobalNetworkPolicy", "NetworkPolicy")
    return any(m.api_version in CALICO_API_VERSIONS for m in ctx.of_kind(*kinds))


@rule("network/policy-not-enforced", "NetworkPolicies run on a plugin that enforces them")
def policy_not_enforced(ctx: RuleContext) -> Iterator[Finding]:
    """The API server stores a NetworkPolicy whatever the cluster's CNI plugin; only the
    plugin enforces it, and Flannel alone does not ("Flannel is focused on networking. For
    network policy, other projects such as Calico can be used"): every pod stays open to
    every other, silently. The plugin is the declared cluster's (``cni``), else inferred
    from the manifests checked: a kube-flannel DaemonSet with no policy engine beside it
    (calico-node, cilium, kube-router, weave-npc, antrea). Plugins that enforce policies
    only when enabled (AWS VPC CNI) or through another component (Multus, Azure CNI) get a
    note. See :data:`k8sdsl.network.CNI_CATALOG`."""
    declared = ctx.cluster.cni
    info = (
        cni_plugin(declared)
        if declared
        else infer_cni_plugin(_daemonset_images(ctx), calico_resources=_calico_resources(ctx))
    )
    if info is None or info.network_policy is CniSupport.YES:
        return
    how = "the declared cluster's plugin" if declared else "the plugin its DaemonSet shows"
    for m in _policies(ctx):
        if info.network_policy is CniSupport.NO:
            yield m.warning(
                "network/policy-not-enforced",
                "spec",
                f"{info.title} ({how}) does not enforce NetworkPolicy: the API server stores "
                "this policy and no one applies it, so the pods it selects stay open",
                "run a policy engine beside it (Calico's policy-only mode, i.e. Canal, or "
                f"kube-router's firewall) or a plugin that enforces policies; {info.source}",
            )
        else:
            yield m.info(
                "network/policy-not-enforced",
                "spec",
                f"{info.title} ({how}) enforces NetworkPolicy only "
                + (
                    "when its policy support is enabled"
                    if info.network_policy is CniSupport.WHEN_ENABLED
                    else "through another component"
                )
                + f": {info.notes}",
                f"check that the cluster has it on; {info.source}",
            )
