"""Who may talk to whom, on which ports: NetworkPolicy semantics over Kubernetes dicts.

The model reads plain objects (an app's manifests or anyone's YAML), so ``k8sdsl explain
network`` and the ``network/*`` rules give the same answers for hand-written manifests.
The semantics are Kubernetes' (``networking.k8s.io/v1`` NetworkPolicy):

* a pod is isolated for ingress (egress) once any policy of its namespace selects it with
  ``Ingress`` (``Egress``) in ``policyTypes``; unselected pods allow everything;
* policies add up: a connection is allowed in a direction when any rule of any policy
  that isolates the pod allows it; there are no deny rules;
* a connection needs both the sender's egress and the receiver's ingress to allow it;
* a missing ``policyTypes`` means ``Ingress``, plus ``Egress`` when the policy has egress
  rules; a rule without peers matches every peer, without ports every port;
* ``podSelector`` alone selects pods of the policy's namespace; ``namespaceSelector``
  alone every pod of matching namespaces; both together, pods matching both;
* named ports resolve against the destination pod's container ports.

What is outside the app is modelled, not guessed: every namespace carries the
``kubernetes.io/metadata.name`` label the API server sets; cluster DNS is a known pod group
(``kube-system``, ``k8s-app=kube-dns``, UDP/TCP 53). Pod IPs are unknown before the pods
run, so ``ipBlock`` peers match addresses, never pods (the API reference leaves pod-IP
matching to the network plugin). Pods with ``hostNetwork: true`` are listed but never
isolated: NetworkPolicy does not reliably apply to them.

Calico policies (``projectcalico.org/v3`` or ``crd.projectcalico.org/v1`` NetworkPolicy and
GlobalNetworkPolicy) are evaluated as Calico's default tier does, per port: the policies
that select the pod for the direction, in ``order`` (lower first, none last), with the
Kubernetes NetworkPolicies at order 1000; the first Allow or Deny rule that matches decides,
Log goes on, Pass skips the rest of the tier (the Kubernetes policies too) to the
namespace's profile, which allows; what no rule decides is denied once any policy of the
tier applies. A GlobalNetworkPolicy applies in every namespace. Selectors are evaluated in
an exact subset (``k8sdsl.network._calico_selector``); a policy outside it (another tier,
``notSelector``, ``app in {...}``...) makes the side "not evaluated" instead of a guess.
Calico's ``nets`` match addresses, never pods, as ipBlocks do.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

from k8sdsl._crd_schema import CALICO_API_VERSIONS
from k8sdsl.core._dns import CLUSTER_DNS_LABELS, CLUSTER_DNS_NAMESPACE, CLUSTER_DNS_PORT
from k8sdsl.core._label_index import LabelIndex, SelectorIndex
from k8sdsl.core._manifest import Manifest
from k8sdsl.core._podspecs import pod_specs
from k8sdsl.core._selectors import LabelSelector
from k8sdsl.core._versions import DEFAULT_VERSION, K8sVersion
from k8sdsl.network._calico_policy import KUBERNETES_POLICY_ORDER
from k8sdsl.network._calico_selector import (
    CalicoPolicyView,
    CalicoRuleView,
    EntityView,
    calico_namespace_labels,
    calico_pod_labels,
    read_calico_policy,
)
from k8sdsl.network._policy import NAMESPACE_NAME_LABEL

IpNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network
IpAddress = ipaddress.IPv4Address | ipaddress.IPv6Address

PROTOCOLS = ("TCP", "UDP", "SCTP")
_MAX_PORT = 65535
#: Kubernetes' namespace for objects that name none (what ``kubectl apply`` uses).
DEFAULT_NAMESPACE = "default"


# -- port sets ----------------------------------------------------------------------------


@dataclass(frozen=True)
class PortSet:
    """Ports per protocol, as sorted, disjoint, inclusive ranges: what a rule allows."""

    ranges: Mapping[str, tuple[tuple[int, int], ...]] = field(default_factory=dict)

    @classmethod
    def none(cls) -> PortSet:
        return cls({})

    @classmethod
    def all(cls) -> PortSet:
        return cls({p: ((1, _MAX_PORT),) for p in PROTOCOLS})

    @classmethod
    def of(cls, protocol: str, start: int | None = None, end: int | None = None) -> PortSet:
        """``protocol`` ports ``start`` to ``end``; ``start`` alone is one port, neither is all."""
        if start is None:
            return cls({protocol: ((1, _MAX_PORT),)})
        return cls({protocol: ((start, start if end is None else end),)})

    def is_empty(self) -> bool:
        return not any(self.ranges.values())

    def is_all(self) -> bool:
        return all(self.ranges.get(p) == ((1, _MAX_PORT),) for p in PROTOCOLS)

    def contains(self, port: int, protocol: str = "TCP") -> bool:
        return any(lo <= port <= hi for lo, hi in self.ranges.get(protocol, ()))

    def union(self, other: PortSet) -> PortSet:
        out: dict[str, tuple[tuple[int, int], ...]] = {}
        for proto in PROTOCOLS:
            merged = _merge([*self.ranges.get(proto, ()), *other.ranges.get(proto, ())])
            if merged:
                out[proto] = merged
        return PortSet(out)

    def intersection(self, other: PortSet) -> PortSet:
        out: dict[str, tuple[tuple[int, int], ...]] = {}
        for proto in PROTOCOLS:
            pieces = [
                (max(a, c), min(b, d))
                for a, b in self.ranges.get(proto, ())
                for c, d in other.ranges.get(proto, ())
                if max(a, c) <= min(b, d)
            ]
            merged = _merge(pieces)
            if merged:
                out[proto] = merged
        return PortSet(out)

    def difference(self, other: PortSet) -> PortSet:
        """The ports of this set that ``other`` does not hold."""
        out: dict[str, tuple[tuple[int, int], ...]] = {}
        for proto in PROTOCOLS:
            pieces = list(self.ranges.get(proto, ()))
            for c, d in other.ranges.get(proto, ()):
                cut: list[tuple[int, int]] = []
                for a, b in pieces:
                    if d < a or c > b:
                        cut.append((a, b))
                        continue
                    if a < c:
                        cut.append((a, c - 1))
                    if d < b:
                        cut.append((d + 1, b))
                pieces = cut
            merged = _merge(pieces)
            if merged:
                out[proto] = merged
        return PortSet(out)

    def describe(self) -> str:
        """``all``, ``none``, or ``TCP 6379, UDP 53, TCP 8000-8080, all SCTP``."""
        if self.is_all():
            return "all"
        if self.is_empty():
            return "none"
        parts: list[str] = []
        for proto in PROTOCOLS:
            for lo, hi in self.ranges.get(proto, ()):
                if (lo, hi) == (1, _MAX_PORT):
                    parts.append(f"all {proto}")
                elif lo == hi:
                    parts.append(f"{proto} {lo}")
                else:
                    parts.append(f"{proto} {lo}-{hi}")
        return ", ".join(parts)

    def __str__(self) -> str:
        return self.describe()


def _merge(ranges: Iterable[tuple[int, int]]) -> tuple[tuple[int, int], ...]:
    out: list[tuple[int, int]] = []
    for lo, hi in sorted(ranges):
        if out and lo <= out[-1][1] + 1:
            out[-1] = (out[-1][0], max(out[-1][1], hi))
        else:
            out.append((lo, hi))
    return tuple(out)


# -- endpoints ----------------------------------------------------------------------------


@dataclass(frozen=True)
class DeclaredPort:
    """A declared container port: the target of named NetworkPolicy ports."""

    port: int
    protocol: str = "TCP"
    name: str | None = None


@dataclass(frozen=True)
class PodGroup:
    """The pods of one workload (or one Pod): they share namespace, labels and ports."""

    kind: str
    name: str
    namespace: str
    labels: Mapping[str, str]
    ports: tuple[DeclaredPort, ...] = ()
    host_network: bool = False
    dns_policy: str | None = None
    #: outside the app (cluster DNS): modelled, never reported on
    external: bool = False
    source: str = ""
    #: JSON path of the pod spec inside the object (``spec.template.spec``)
    spec_path: str = "spec"
    #: the object the pods come from (``None`` for modelled pods such as cluster DNS)
    manifest: Manifest | None = field(default=None, compare=False, repr=False)

    @property
    def id(self) -> str:
        """``namespace/name``, with the kind when it is not a Pod (``default/db (Deployment)``)."""
        return f"{self.namespace}/{self.name}"

    def describe(self) -> str:
        return f"{self.id} ({self.kind})"

    def named_port(self, name: str, protocol: str) -> list[int]:
        return [p.port for p in self.ports if p.name == name and p.protocol == protocol]

    def uses_cluster_dns(self) -> bool:
        """``ClusterFirst`` (the default) and ``ClusterFirstWithHostNet`` query cluster DNS,
        except a host-network pod on plain ``ClusterFirst``, which gets the node's resolver."""
        policy = self.dns_policy or "ClusterFirst"
        if policy == "ClusterFirstWithHostNet":
            return True
        return policy == "ClusterFirst" and not self.host_network


@dataclass(frozen=True)
class Address:
    """An IP address outside the pod network (a client, a database, a public resolver)."""

    ip: IpAddress

    @classmethod
    def parse(cls, text: str) -> Address:
        return cls(ipaddress.ip_address(text))

    @property
    def id(self) -> str:
        return str(self.ip)

    def describe(self) -> str:
        return str(self.ip)


Endpoint = PodGroup | Address

#: Cluster DNS as the app sees it: CoreDNS pods in kube-system, labelled k8s-app=kube-dns.
CLUSTER_DNS = PodGroup(
    kind="Deployment",
    name="coredns",
    namespace=CLUSTER_DNS_NAMESPACE,
    labels=dict(CLUSTER_DNS_LABELS),
    ports=(
        DeclaredPort(CLUSTER_DNS_PORT, "UDP", "dns"),
        DeclaredPort(CLUSTER_DNS_PORT, "TCP", "dns-tcp"),
        DeclaredPort(9153, "TCP", "metrics"),
    ),
    external=True,
    source="cluster DNS (kube-system)",
)


# -- policies -----------------------------------------------------------------------------


@dataclass(frozen=True)
class PeerView:
    """One ``from``/``to`` entry, read leniently (bad parts match nothing)."""

    pod_selector: LabelSelector | None = None
    namespace_selector: LabelSelector | None = None
    network: IpNetwork | None = None
    excepts: tuple[IpNetwork, ...] = ()
    valid: bool = True

    def describe(self) -> str:
        if self.network is not None:
            text = str(self.network)
            if self.excepts:
                text += " except " + ", ".join(str(e) for e in self.excepts)
            return text
        parts = []
        if self.namespace_selector is not None:
            parts.append("namespaces " + _selector_text(self.namespace_selector))
        if self.pod_selector is not None:
            parts.append("pods " + _selector_text(self.pod_selector))
        return " and ".join(parts) or "?"


@dataclass(frozen=True)
class PortView:
    protocol: str
    port: int | str | None
    end_port: int | None


@dataclass(frozen=True)
class RuleView:
    """One ingress/egress rule: ``peers``/``ports`` ``None`` mean "every one"."""

    peers: tuple[PeerView, ...] | None
    ports: tuple[PortView, ...] | None
    index: int


@dataclass(frozen=True)
class PolicyView:
    """A NetworkPolicy as the model reads it, with Kubernetes' defaults applied."""

    name: str
    namespace: str
    pod_selector: LabelSelector | None
    ingress_isolating: bool
    egress_isolating: bool
    ingress: tuple[RuleView, ...]
    egress: tuple[RuleView, ...]
    manifest: Manifest | None = None

    @property
    def id(self) -> str:
        return f"{self.namespace}/{self.name}"

    def selects(self, pod: PodGroup) -> bool:
        if pod.host_network or pod.namespace != self.namespace:
            return False
        return self.pod_selector is not None and self.pod_selector.matches(pod.labels)


def _selector_text(selector: LabelSelector) -> str:
    if selector.is_empty():
        return "(all)"
    parts = [f"{k}={v}" for k, v in (selector.match_labels or {}).items()]
    for req in selector.match_expressions or ():
        values = ",".join(req.values or ())
        parts.append(f"{req.key} {req.operator.value}" + (f" ({values})" if values else ""))
    return ",".join(parts)


def read_selector(data: Any) -> LabelSelector | None:
    """A selector from a dict; ``None`` when it cannot be read (it then matches nothing)."""
    if data is None:
        return None
    if not isinstance(data, dict):
        return None
    try:
        return LabelSelector.from_k8s(data)
    except Exception:  # malformed selectors are the schema's and the API server's to report
        return None


def read_network(text: Any) -> IpNetwork | None:
    """A CIDR as Kubernetes reads it: host bits are dropped (``10.0.0.1/24`` is ``10.0.0.0/24``)."""
    if not isinstance(text, str) or "/" not in text:
        return None
    try:
        return ipaddress.ip_network(text, strict=False)
    except ValueError:
        return None


def _read_peer(data: Any) -> PeerView:
    if not isinstance(data, dict):
        return PeerView(valid=False)
    block = data.get("ipBlock")
    if isinstance(block, dict):
        network = read_network(block.get("cidr"))
        excepts = tuple(
            n for n in (read_network(e) for e in _list(block.get("except"))) if n is not None
        )
        has_selector = "podSelector" in data or "namespaceSelector" in data
        return PeerView(
            network=network, excepts=excepts, valid=network is not None and not has_selector
        )
    pods = read_selector(data["podSelector"]) if "podSelector" in data else None
    namespaces = read_selector(data["namespaceSelector"]) if "namespaceSelector" in data else None
    valid = (pods is not None or namespaces is not None) and (
        ("podSelector" not in data or pods is not None)
        and ("namespaceSelector" not in data or namespaces is not None)
    )
    return PeerView(pod_selector=pods, namespace_selector=namespaces, valid=valid)


def _read_port(data: Any) -> PortView | None:
    if not isinstance(data, dict):
        return None
    protocol = str(data.get("protocol") or "TCP")
    port = data.get("port")
    if isinstance(port, bool) or not isinstance(port, int | str | None):
        return None
    end = data.get("endPort")
    return PortView(
        protocol, port, end if isinstance(end, int) and not isinstance(end, bool) else None
    )


def _list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else []


def _read_rules(items: Any, peer_key: str) -> tuple[RuleView, ...]:
    rules: list[RuleView] = []
    for i, item in enumerate(_list(items)):
        if not isinstance(item, dict):
            continue
        # Missing, null or [] peers/ports mean "every one". Anything else that is not a list
        # is malformed (the API server rejects it) and matches nothing, never everything.
        raw_peers = item.get(peer_key)
        peers: tuple[PeerView, ...] | None = None
        if isinstance(raw_peers, list) and raw_peers:
            peers = tuple(_read_peer(p) for p in raw_peers)
        elif raw_peers is not None and not isinstance(raw_peers, list):
            peers = (PeerView(valid=False),)
        raw_ports = item.get("ports")
        ports: tuple[PortView, ...] | None = None
        if isinstance(raw_ports, list) and raw_ports:
            ports = tuple(p for p in (_read_port(x) for x in raw_ports) if p is not None)
        elif raw_ports is not None and not isinstance(raw_ports, list):
            ports = ()
        rules.append(RuleView(peers, ports, i))
    return tuple(rules)


def policy_types(spec: Mapping[str, Any]) -> tuple[bool, bool]:
    """(isolates ingress, isolates egress), with Kubernetes' default for a missing list."""
    types = spec.get("policyTypes")
    if isinstance(types, list) and types:
        return "Ingress" in types, "Egress" in types
    return True, bool(spec.get("egress"))


def read_policy(manifest: Manifest) -> PolicyView:
    spec = manifest.obj.get("spec")
    spec = spec if isinstance(spec, dict) else {}
    ingress_on, egress_on = policy_types(spec)
    return PolicyView(
        name=manifest.name,
        namespace=manifest.namespace or DEFAULT_NAMESPACE,
        pod_selector=read_selector(spec.get("podSelector", {})),
        ingress_isolating=ingress_on,
        egress_isolating=egress_on,
        ingress=_read_rules(spec.get("ingress"), "from") if ingress_on else (),
        egress=_read_rules(spec.get("egress"), "to") if egress_on else (),
        manifest=manifest,
    )


def _container_ports(spec: Mapping[str, Any]) -> tuple[DeclaredPort, ...]:
    out: list[DeclaredPort] = []
    for key in ("initContainers", "containers"):
        for container in _list(spec.get(key)):
            if not isinstance(container, dict):
                continue
            for port in _list(container.get("ports")):
                number = port.get("containerPort") if isinstance(port, dict) else None
                if isinstance(number, int) and not isinstance(number, bool):
                    name = port.get("name")
                    out.append(
                        DeclaredPort(
                            number,
                            str(port.get("protocol") or "TCP"),
                            name if isinstance(name, str) else None,
                        )
                    )
    return tuple(out)


def read_pod_groups(manifests: Iterable[Manifest]) -> list[PodGroup]:
    """Every Pod and workload pod template, with its namespace, labels and ports."""
    groups: list[PodGroup] = []
    for manifest in manifests:
        for ref in pod_specs(manifest):
            groups.append(
                PodGroup(
                    kind=manifest.kind,
                    name=manifest.name,
                    namespace=ref.namespace or DEFAULT_NAMESPACE,
                    labels={str(k): str(v) for k, v in ref.labels.items()},
                    ports=_container_ports(ref.spec),
                    host_network=bool(ref.spec.get("hostNetwork")),
                    dns_policy=ref.spec.get("dnsPolicy"),
                    source=manifest.source,
                    spec_path=ref.path,
                    manifest=manifest,
                )
            )
    return groups


# -- verdicts -----------------------------------------------------------------------------


@dataclass(frozen=True)
class DirectionVerdict:
    """One side of a connection: the sender's egress or the receiver's ingress."""

    direction: str  # "egress" | "ingress"
    isolated: bool
    ports: PortSet
    #: the policies that isolate the pod in this direction
    isolating: tuple[str, ...] = ()
    #: the policies with a rule that matches the peer (whatever the ports)
    matching: tuple[str, ...] = ()
    #: False when a Calico policy on the way cannot be evaluated exactly (``reason``)
    evaluated: bool = True
    reason: str = ""
    #: with Calico policies: what decided which ports, in evaluation order
    steps: tuple[tuple[str, PortSet], ...] = ()

    def explain_port(self, port: int, protocol: str) -> str:
        """What decided ``protocol``/``port`` on this side."""
        if not self.evaluated:
            return f"{self.direction} not evaluated: {self.reason}"
        for text, ports in self.steps:
            if ports.contains(port, protocol):
                return f"{self.direction} {text}"
        return self.explain()

    def explain(self) -> str:
        if not self.evaluated:
            return f"{self.direction} not evaluated: {self.reason}"
        if not self.isolated:
            return f"{self.direction} not isolated"
        by = ", ".join(self.isolating)
        if self.ports.is_empty():
            if self.matching:
                return (
                    f"{self.direction} isolated by {by}; rules of "
                    f"{', '.join(self.matching)} match the peer but not the port"
                )
            return f"{self.direction} isolated by {by}; no rule matches the peer"
        return f"{self.direction} allowed by {', '.join(self.matching)} ({self.ports})"


@dataclass(frozen=True)
class Verdict:
    """Whether ``source`` may open a connection to ``target`` on ``port``/``protocol``."""

    source: Endpoint
    target: Endpoint
    port: int
    protocol: str
    egress: DirectionVerdict | None
    ingress: DirectionVerdict | None

    @property
    def allowed(self) -> bool:
        """Whether both sides allow the connection; meaningful only when :attr:`evaluated`."""
        sides = [s for s in (self.egress, self.ingress) if s is not None]
        return all(s.ports.contains(self.port, self.protocol) for s in sides)

    @property
    def evaluated(self) -> bool:
        """False when a Calico policy on the way is outside what k8sdsl evaluates exactly."""
        return all(s.evaluated for s in (self.egress, self.ingress) if s is not None)

    def __bool__(self) -> bool:
        return self.allowed

    def explain(self) -> str:
        state = "not evaluated" if not self.evaluated else "allowed" if self.allowed else "denied"
        head = (
            f"{self.source.describe()} -> {self.target.describe()} "
            f"{self.protocol} {self.port}: {state}"
        )
        parts = []
        for side in (self.egress, self.ingress):
            if side is None:
                continue
            if side.steps or not side.evaluated:
                parts.append(side.explain_port(self.port, self.protocol))
                continue
            ok = side.ports.contains(self.port, self.protocol)
            parts.append(
                side.explain()
                if ok or side.ports.is_empty()
                else f"{side.direction}: only {side.ports}"
            )
        return head + (" (" + "; ".join(parts) + ")" if parts else "")


# -- the model ----------------------------------------------------------------------------


class Reachability:
    """The pods, namespaces and policies of an app or of YAML files, and who reaches whom.

    ``Reachability.from_manifests(app.manifests())`` or ``Reachability.from_objects(dicts)``;
    then ``check(source, target, port=6379)``, ``allowed_ports(source, target)``,
    ``dns_access(pod)`` and ``format()`` (what ``k8sdsl explain network`` prints).
    """

    def __init__(
        self,
        *,
        pods: Sequence[PodGroup],
        policies: Sequence[PolicyView],
        namespaces: Mapping[str, Mapping[str, str]],
        calico_policies: Sequence[CalicoPolicyView] = (),
    ) -> None:
        self.pods: tuple[PodGroup, ...] = tuple(pods)
        self.policies: tuple[PolicyView, ...] = tuple(policies)
        #: Calico NetworkPolicies and GlobalNetworkPolicies, in Calico's evaluation order
        self.calico_policies: tuple[CalicoPolicyView, ...] = tuple(
            sorted(calico_policies, key=lambda p: p.sort_key)
        )
        self._namespaces = {k: dict(v) for k, v in namespaces.items()}
        # Indexes: a fleet puts thousands of pods and policies into one namespace, and
        # matching every policy against every pod is quadratic. Pods are filed by namespace
        # and label, policies by the rarest label their podSelector needs (k8sdsl.core.
        # _label_index), so each lookup costs the size of its answer.
        self._pod_index: LabelIndex[PodGroup] = LabelIndex(
            self.pods, namespace=lambda p: p.namespace, labels=lambda p: p.labels
        )
        self._policy_index: SelectorIndex[PolicyView] = SelectorIndex(
            self.policies,
            namespace=lambda p: p.namespace,
            selector=lambda p: p.pod_selector,
            counts=self._pod_index,
        )
        # cached only for the model's own pods: their ids stay valid while the model lives
        self._own_pods = {id(p) for p in self.pods}
        self._pod_order = {id(p): i for i, p in enumerate(self.pods)}
        self._isolating: dict[tuple[int, str], list[PolicyView]] = {}

    @classmethod
    def from_manifests(cls, manifests: Iterable[Manifest]) -> Reachability:
        """The model of ``manifests`` as the cluster would hold them once applied in order:
        an object named like an earlier one (same kind, namespace and name) replaces it."""
        latest: dict[tuple[str, str, str, str], Manifest] = {}
        for m in manifests:
            key = (m.api_version.split("/")[0], m.kind, m.namespace or DEFAULT_NAMESPACE, m.name)
            latest.pop(key, None)  # the replacement takes the later position
            latest[key] = m
        items = list(latest.values())
        namespaces: dict[str, dict[str, str]] = {}
        for m in items:
            if m.kind == "Namespace" and m.name:
                namespaces[m.name] = {str(k): str(v) for k, v in m.labels.items()}
        return cls(
            pods=read_pod_groups(items),
            policies=[
                read_policy(m)
                for m in items
                if m.kind == "NetworkPolicy" and m.api_version.startswith("networking.k8s.io/")
            ],
            namespaces=namespaces,
            calico_policies=[
                read_calico_policy(
                    m.obj, None if m.kind == "GlobalNetworkPolicy" else m.namespace or "default"
                )
                for m in items
                if m.api_version in CALICO_API_VERSIONS
                and m.kind in ("NetworkPolicy", "GlobalNetworkPolicy")
            ],
        )

    @classmethod
    def from_objects(cls, objects: Iterable[Mapping[str, Any]]) -> Reachability:
        version = K8sVersion(DEFAULT_VERSION)
        return cls.from_manifests(
            Manifest(dict(o), f"object[{i}]", version) for i, o in enumerate(objects)
        )

    @classmethod
    def of(cls, app: Any) -> Reachability:
        """The model of a ``k8sdsl.App`` (every chart's objects)."""
        return cls.from_manifests(app.manifests())

    # -- lookups --------------------------------------------------------------------------

    def namespace_labels(self, namespace: str) -> dict[str, str]:
        """The namespace's labels plus ``kubernetes.io/metadata.name`` (set by the API server)."""
        return {**self._namespaces.get(namespace, {}), NAMESPACE_NAME_LABEL: namespace}

    def pod(
        self, name: str, *, namespace: str = DEFAULT_NAMESPACE, kind: str | None = None
    ) -> PodGroup:
        """The pods of the workload (or Pod) ``name`` in ``namespace``."""
        found = [
            p
            for p in self.pods
            if p.name == name and p.namespace == namespace and (kind is None or p.kind == kind)
        ]
        if len(found) != 1:
            known = ", ".join(p.describe() for p in self.pods) or "none"
            what = "no" if not found else "more than one"
            raise LookupError(
                f"{what} pod group named {name!r} in namespace {namespace!r} "
                f"(known: {known}); pass kind= to choose"
            )
        return found[0]

    @staticmethod
    def address(ip: str) -> Address:
        """An address outside the pod network, for ``check``: ``net.address("10.0.0.7")``."""
        return Address.parse(ip)

    @property
    def cluster_dns(self) -> PodGroup:
        return CLUSTER_DNS

    def isolating(self, pod: PodGroup, direction: str) -> list[PolicyView]:
        """The policies that isolate ``pod`` for ``direction`` (``ingress``/``egress``)."""
        if direction not in ("ingress", "egress"):
            raise ValueError(f"direction must be 'ingress' or 'egress', not {direction!r}")
        cached = self._isolating.get((id(pod), direction))
        if cached is not None:
            return list(cached)
        attr = "ingress_isolating" if direction == "ingress" else "egress_isolating"
        found = [
            p
            for p in self._policy_index.matching(pod.namespace, pod.labels)
            if getattr(p, attr) and p.selects(pod)
        ]
        if id(pod) in self._own_pods:
            self._isolating[(id(pod), direction)] = found
        return list(found)

    def selected_pods(self, policy: PolicyView) -> list[PodGroup]:
        """The app's pod groups ``policy`` selects (its namespace, matching its podSelector)."""
        if policy.pod_selector is None:
            return []
        candidates = self._pod_index.candidates(policy.namespace, policy.pod_selector)
        return [p for p in candidates if policy.selects(p)]

    def pods_in(self, namespace: str) -> list[PodGroup]:
        """The app's pod groups in ``namespace``."""
        return self._pod_index.in_namespace(namespace)

    def pods_matching(self, peer: PeerView, policy: PolicyView) -> list[PodGroup]:
        """The app's pod groups a selector peer of ``policy`` matches (none for ipBlocks).

        Looked up through the namespace and label indexes, not by trying every pod: rules
        ask this for every rule of every policy, and a fleet has thousands of each."""
        if not peer.valid or peer.network is not None:
            return []
        if peer.namespace_selector is None:
            namespaces = [policy.namespace]
        else:
            selector = peer.namespace_selector
            namespaces = [
                ns
                for ns in self._pod_index.namespaces()
                if selector.matches(self.namespace_labels(ns))
            ]
        found: list[PodGroup] = []
        for namespace in namespaces:
            if peer.pod_selector is None:
                candidates = self._pod_index.in_namespace(namespace)
            else:
                candidates = self._pod_index.candidates(namespace, peer.pod_selector)
            found += [p for p in candidates if self.peer_matches(peer, policy, p)]
        return sorted(found, key=lambda p: self._pod_order[id(p)])

    # -- matching -------------------------------------------------------------------------

    def peer_matches(self, peer: PeerView, policy: PolicyView, endpoint: Endpoint) -> bool:
        if not peer.valid:
            return False
        if isinstance(endpoint, Address):
            if peer.network is None or endpoint.ip not in peer.network:
                return False
            return not any(endpoint.ip in e for e in peer.excepts)
        if peer.network is not None:
            return False
        if peer.namespace_selector is None:
            namespace_ok = endpoint.namespace == policy.namespace
        else:
            namespace_ok = peer.namespace_selector.matches(
                self.namespace_labels(endpoint.namespace)
            )
        if not namespace_ok:
            return False
        return peer.pod_selector is None or peer.pod_selector.matches(endpoint.labels)

    @staticmethod
    def rule_ports(rule: RuleView, target: Endpoint | None) -> PortSet:
        """The ports a rule opens towards ``target``: named ports resolve on a pod target's
        container ports, and on nothing else (``None``: an address). ``ports`` unset means
        every port; a list of entries that cannot be read opens none."""
        if rule.ports is None:
            return PortSet.all()
        out = PortSet.none()
        for p in rule.ports:
            if p.port is None:
                out = out.union(PortSet.of(p.protocol))
            elif isinstance(p.port, int):
                end = p.end_port if p.end_port is not None and p.end_port >= p.port else p.port
                out = out.union(PortSet({p.protocol: ((p.port, end),)}))
            elif isinstance(target, PodGroup):
                for number in target.named_port(p.port, p.protocol):
                    out = out.union(PortSet({p.protocol: ((number, number),)}))
            elif p.port.isdigit():
                # a quoted number in YAML ("6379") is read by the API server as a name
                continue
        return out

    def _side(
        self, pod: PodGroup, peer: Endpoint, target: Endpoint, direction: str
    ) -> DirectionVerdict:
        kubernetes = self._kubernetes_side(pod, peer, target, direction)
        if not self.calico_policies or pod.host_network:
            return kubernetes
        return self._calico_side(pod, peer, target, direction, kubernetes)

    # -- Calico -----------------------------------------------------------------------------

    def _calico_ns_labels(self, namespace: str) -> dict[str, str]:
        return calico_namespace_labels(namespace, self.namespace_labels(namespace))

    def calico_applying(
        self, pod: PodGroup, direction: str
    ) -> tuple[list[CalicoPolicyView], list[CalicoPolicyView]]:
        """The Calico policies that apply to ``pod`` in ``direction``, in Calico's order, and
        those that cannot be evaluated for it (whether they apply is unknown, or they do and
        hold a rule outside what k8sdsl evaluates)."""
        applying: list[CalicoPolicyView] = []
        unknown: list[CalicoPolicyView] = []
        labels = calico_pod_labels(pod.namespace, pod.labels)
        for policy in self.calico_policies:
            if not (policy.ingress if direction == "ingress" else policy.egress):
                continue
            if policy.namespace is not None and policy.namespace != pod.namespace:
                continue
            if not policy.scope_evaluated or policy.selector is None:
                unknown.append(policy)
                continue
            if policy.namespace_selector is not None and not policy.namespace_selector(
                self._calico_ns_labels(pod.namespace)
            ):
                continue
            if not policy.selector(labels):
                continue
            (unknown if policy.unevaluated else applying).append(policy)
        return applying, unknown

    def _entity_matches(
        self, entity: EntityView, policy: CalicoPolicyView, endpoint: Endpoint
    ) -> bool:
        if isinstance(endpoint, Address):
            if entity.selector is not None or entity.namespace_selector is not None:
                return False  # selectors match endpoints, never outside addresses
            return entity.nets is None or any(endpoint.ip in n for n in entity.nets)
        if entity.nets is not None:
            return False  # pod IPs are unknown before the pods run (as for ipBlock)
        if entity.namespace_selector is not None:
            if not entity.namespace_selector(self._calico_ns_labels(endpoint.namespace)):
                return False
        elif entity.selector is not None and policy.namespace is not None:
            # a namespaced policy's selector picks endpoints of its own namespace
            if endpoint.namespace != policy.namespace:
                return False
        if entity.selector is None:
            return True
        return entity.selector(calico_pod_labels(endpoint.namespace, endpoint.labels))

    @staticmethod
    def _calico_rule_ports(rule: CalicoRuleView, target: Endpoint) -> PortSet:
        """The ports (of TCP, UDP, SCTP) a rule covers towards ``target``."""
        if rule.protocol is None:
            protocols: tuple[str, ...] = PROTOCOLS
        elif rule.protocol.upper() in PROTOCOLS:
            protocols = (rule.protocol.upper(),)
        else:
            return PortSet.none()  # ICMP, UDPLite, a number: no TCP/UDP/SCTP port
        ports = rule.destination.ports
        out = PortSet.none()
        for proto in protocols:
            if ports is None:
                out = out.union(PortSet.of(proto))
                continue
            for port in ports:
                if isinstance(port, tuple):
                    low, high = max(port[0], 1), port[1]
                    if low <= high:
                        out = out.union(PortSet({proto: ((low, high),)}))
                elif isinstance(target, PodGroup):
                    for number in target.named_port(port, proto):
                        out = out.union(PortSet({proto: ((number, number),)}))
        return out

    def _calico_side(
        self,
        pod: PodGroup,
        peer: Endpoint,
        target: Endpoint,
        direction: str,
        kubernetes: DirectionVerdict,
    ) -> DirectionVerdict:
        """Calico's default tier for ``pod`` in ``direction``: its policies in order, the
        Kubernetes NetworkPolicies at order 1000, the first Allow or Deny deciding a port,
        Pass sending it on to the namespace's profile (which allows), and a deny at the end
        of a tier in which any policy applies."""
        applying, unknown = self.calico_applying(pod, direction)
        if unknown:
            reasons = "; ".join(
                f"{p.id}: {p.unevaluated or 'its selector is outside the evaluated subset'}"
                for p in unknown
            )
            return replace(kubernetes, evaluated=False, reason=reasons, ports=PortSet.all())
        if not applying:
            return kubernetes
        undecided = PortSet.all()
        allowed = PortSet.none()
        steps: list[tuple[str, PortSet]] = []
        matching: list[str] = []

        def walk(policy: CalicoPolicyView) -> None:
            nonlocal undecided, allowed
            rules = policy.ingress_rules if direction == "ingress" else policy.egress_rules
            for i, rule in enumerate(rules):
                source, destination = (peer, pod) if direction == "ingress" else (pod, peer)
                if not self._entity_matches(rule.source, policy, source):
                    continue
                if not self._entity_matches(rule.destination, policy, destination):
                    continue
                ports = self._calico_rule_ports(rule, target).intersection(undecided)
                if rule.action == "Log" or ports.is_empty():
                    continue
                if policy.id not in matching:
                    matching.append(policy.id)
                where = f"{policy.id} {direction}[{i}]"
                if rule.action == "Allow":
                    allowed = allowed.union(ports)
                    steps.append((f"allowed by {where} (Allow)", ports))
                elif rule.action == "Deny":
                    steps.append((f"denied by {where} (Deny)", ports))
                else:
                    allowed = allowed.union(ports)
                    steps.append(
                        (f"passed by {where} to the namespace profile, which allows", ports)
                    )
                undecided = undecided.difference(ports)

        for policy in applying:
            if policy.order is not None and policy.order <= KUBERNETES_POLICY_ORDER:
                walk(policy)
        if kubernetes.isolated:
            ports = kubernetes.ports.intersection(undecided)
            if not ports.is_empty():
                allowed = allowed.union(ports)
                steps.append((f"allowed by {', '.join(kubernetes.matching)} (order 1000)", ports))
                matching.extend(m for m in kubernetes.matching if m not in matching)
            undecided = undecided.difference(kubernetes.ports)
        for policy in applying:
            if policy.order is None or policy.order > KUBERNETES_POLICY_ORDER:
                walk(policy)
        by = [*(p.id for p in applying), *kubernetes.isolating]
        if not undecided.is_empty():
            steps.append(("denied: no rule of the default tier decides (end of tier)", undecided))
        return DirectionVerdict(
            direction, True, allowed, tuple(by), tuple(matching), steps=tuple(steps)
        )

    def evaluated(self, source: Endpoint, target: Endpoint) -> bool:
        """Whether every Calico policy between ``source`` and ``target`` was evaluated."""
        return all(s.evaluated for s in self.sides(source, target) if s is not None)

    def _kubernetes_side(
        self, pod: PodGroup, peer: Endpoint, target: Endpoint, direction: str
    ) -> DirectionVerdict:
        policies = self.isolating(pod, direction)
        if not policies:
            return DirectionVerdict(direction, False, PortSet.all())
        ports = PortSet.none()
        matching: list[str] = []
        for policy in policies:
            rules = policy.ingress if direction == "ingress" else policy.egress
            for rule in rules:
                if rule.peers is not None and not any(
                    self.peer_matches(p, policy, peer) for p in rule.peers
                ):
                    continue
                if policy.id not in matching:
                    matching.append(policy.id)
                ports = ports.union(self.rule_ports(rule, target))
        return DirectionVerdict(
            direction, True, ports, tuple(p.id for p in policies), tuple(matching)
        )

    def sides(
        self, source: Endpoint, target: Endpoint
    ) -> tuple[DirectionVerdict | None, DirectionVerdict | None]:
        """The sender's egress and the receiver's ingress verdicts (``None`` outside pods)."""
        egress = (
            self._side(source, target, target, "egress") if isinstance(source, PodGroup) else None
        )
        ingress = (
            self._side(target, source, target, "ingress") if isinstance(target, PodGroup) else None
        )
        return egress, ingress

    def allowed_ports(self, source: Endpoint, target: Endpoint) -> PortSet:
        """Every port ``source`` may connect to on ``target``: egress and ingress together."""
        ports = PortSet.all()
        for side in self.sides(source, target):
            if side is not None:
                ports = ports.intersection(side.ports)
        return ports

    def check(
        self,
        source: Endpoint | str,
        target: Endpoint | str,
        *,
        port: int | str,
        protocol: str = "TCP",
    ) -> Verdict:
        """May ``source`` connect to ``target`` on ``port``? Strings are IP addresses or
        ``namespace/name`` of a pod group; a port name resolves on ``target``."""
        src, dst = self._endpoint(source), self._endpoint(target)
        number = self._port_number(port, protocol, dst)
        egress, ingress = self.sides(src, dst)
        return Verdict(src, dst, number, protocol, egress, ingress)

    def dns_access(self, pod: PodGroup) -> tuple[bool, bool]:
        """(UDP 53, TCP 53) to cluster DNS allowed for ``pod``."""
        ports = self.allowed_ports(pod, CLUSTER_DNS)
        return ports.contains(CLUSTER_DNS_PORT, "UDP"), ports.contains(CLUSTER_DNS_PORT, "TCP")

    def _endpoint(self, value: Endpoint | str) -> Endpoint:
        if not isinstance(value, str):
            return value
        try:
            return Address.parse(value)
        except ValueError:
            pass
        namespace, _, name = value.rpartition("/")
        return self.pod(name, namespace=namespace or DEFAULT_NAMESPACE)

    @staticmethod
    def _port_number(port: int | str, protocol: str, target: Endpoint) -> int:
        if isinstance(port, int):
            return port
        if port.isdigit():
            return int(port)
        if isinstance(target, PodGroup):
            numbers = target.named_port(port, protocol)
            if numbers:
                return numbers[0]
        raise LookupError(f"{target.describe()} has no {protocol} port named {port!r}")

    # -- reports --------------------------------------------------------------------------

    def matrix(self) -> list[tuple[PodGroup, PodGroup, PortSet]]:
        """(source, target, allowed ports) for every ordered pair of the app's pod groups."""
        return [(s, t, self.allowed_ports(s, t)) for s in self.pods for t in self.pods]

    def outside(self, pod: PodGroup, direction: str) -> list[tuple[str, PortSet]]:
        """What ``pod`` may exchange with addresses outside the pod network in ``direction``:
        (``"any address"`` or a CIDR with exceptions, ports)."""
        policies = self.isolating(pod, direction)
        if not policies:
            return [("any address", PortSet.all())]
        out: list[tuple[str, PortSet]] = []
        for policy in policies:
            for rule in policy.ingress if direction == "ingress" else policy.egress:
                # an ingress rule's named ports resolve on the pod itself; an egress rule's
                # on the destination, and an address has no named ports
                ports = self.rule_ports(rule, pod if direction == "ingress" else None)
                if ports.is_empty():
                    continue
                if rule.peers is None:
                    out.append(("any address", ports))
                    continue
                for peer in rule.peers:
                    if peer.valid and peer.network is not None:
                        out.append((peer.describe(), ports))
        return out

    def _calico_decides(self, pod: PodGroup, direction: str) -> bool:
        if not self.calico_policies or pod.host_network:
            return False
        applying, unknown = self.calico_applying(pod, direction)
        return bool(applying or unknown)

    def _calico_ids(self, pod: PodGroup, direction: str) -> list[str]:
        """The Calico policies on ``pod`` in ``direction``, in order ("... (not evaluated)")."""
        if not self.calico_policies or pod.host_network:
            return []
        applying, unknown = self.calico_applying(pod, direction)
        return [p.id for p in applying] + [f"{p.id} (not evaluated)" for p in unknown]

    def _outside_dict(self, pod: PodGroup, direction: str) -> list[dict[str, str]] | str:
        if self._calico_decides(pod, direction):
            return "Calico policies apply: check an address with Reachability.check"
        return [{"peer": peer, "ports": str(ports)} for peer, ports in self.outside(pod, direction)]

    def to_dict(self) -> dict[str, Any]:
        """The model and its verdicts as plain data (``k8sdsl explain network --format json``)."""
        pods = []
        for pod in self.pods:
            udp, tcp = self.dns_access(pod)
            pods.append(
                {
                    "id": pod.id,
                    "kind": pod.kind,
                    "labels": dict(pod.labels),
                    "ports": [
                        {"port": p.port, "protocol": p.protocol, "name": p.name} for p in pod.ports
                    ],
                    "hostNetwork": pod.host_network,
                    "ingressIsolatedBy": [p.id for p in self.isolating(pod, "ingress")],
                    "egressIsolatedBy": [p.id for p in self.isolating(pod, "egress")],
                    "clusterDns": {"udp": udp, "tcp": tcp, "used": pod.uses_cluster_dns()},
                    "ingressFromOutside": self._outside_dict(pod, "ingress"),
                    "egressToOutside": self._outside_dict(pod, "egress"),
                    "calicoIngress": self._calico_ids(pod, "ingress"),
                    "calicoEgress": self._calico_ids(pod, "egress"),
                }
            )
        return {
            "pods": pods,
            "connections": [
                {
                    "from": s.id,
                    "to": t.id,
                    "ports": str(ports) if self.evaluated(s, t) else "not evaluated",
                }
                for s, t, ports in self.matrix()
            ],
            "policies": [
                {
                    "id": p.id,
                    "ingress": p.ingress_isolating,
                    "egress": p.egress_isolating,
                    "selects": [x.id for x in self.selected_pods(p)],
                }
                for p in self.policies
            ],
        }

    def format(self) -> str:
        """A readable report: pods, the pod-to-pod matrix, outside traffic, cluster DNS."""
        lines: list[str] = []
        if not self.pods:
            lines.append("no pods found (Pods, Deployments, StatefulSets, DaemonSets, Jobs, ...)")
        lines.append(f"Pods ({len(self.pods)})")
        for i, pod in enumerate(self.pods, 1):
            labels = ",".join(f"{k}={v}" for k, v in sorted(pod.labels.items())) or "(no labels)"
            ports = (
                ", ".join(
                    f"{p.protocol} {p.port}" + (f" ({p.name})" if p.name else "") for p in pod.ports
                )
                or "none declared"
            )
            lines.append(f"  [{i}] {pod.describe()}  labels: {labels}  ports: {ports}")
            if pod.host_network:
                lines.append("      hostNetwork: NetworkPolicy does not isolate it")
            for direction in ("ingress", "egress"):
                by = [p.id for p in self.isolating(pod, direction)]
                calico = bool(self.calico_policies) and not pod.host_network
                lines.append(
                    f"      {direction}: "
                    + (
                        f"isolated by {', '.join(by)}"
                        if by
                        else "no Kubernetes NetworkPolicy isolates it"
                        if calico
                        else "not isolated (everything allowed)"
                    )
                )
                if calico:
                    applying, unknown = self.calico_applying(pod, direction)
                    if applying or unknown:
                        lines.append(
                            f"      {direction} (Calico, in order): "
                            + ", ".join(p.id for p in applying)
                            + "".join(f"; {p.id} not evaluated" for p in unknown)
                        )
        if self.pods:
            lines.append("")
            lines.append("Pod to pod (row may connect to column on these ports)")
            cells = [
                [
                    str(self.allowed_ports(s, t)) if self.evaluated(s, t) else "not evaluated"
                    for t in self.pods
                ]
                for s in self.pods
            ]
            headers = [f"[{i}]" for i in range(1, len(self.pods) + 1)]
            width = max([len("from \\ to"), *(len(h) + 1 for h in headers)])
            col = [
                max(len(headers[j]), *(len(cells[i][j]) for i in range(len(self.pods))))
                for j in range(len(self.pods))
            ]
            lines.append(
                "  "
                + "from \\ to".ljust(width)
                + "  "
                + "  ".join(h.ljust(col[j]) for j, h in enumerate(headers)).rstrip()
            )
            for i, row in enumerate(cells):
                lines.append(
                    "  "
                    + headers[i].ljust(width)
                    + "  "
                    + "  ".join(c.ljust(col[j]) for j, c in enumerate(row)).rstrip()
                )
            lines.append("")
            lines.append("Outside the pod network (ipBlock)")
            for pod in self.pods:
                for direction, verb in (("ingress", "from"), ("egress", "to")):
                    if self._calico_decides(pod, direction):
                        lines.append(
                            f"  {pod.id} {direction} {verb}: Calico policies apply; "
                            "check an address with Reachability.check"
                        )
                        continue
                    entries = self.outside(pod, direction)
                    text = "; ".join(f"{peer}: {ports}" for peer, ports in entries) or "nothing"
                    lines.append(f"  {pod.id} {direction} {verb}: {text}")
            lines.append("")
            lines.append(
                f"Cluster DNS ({CLUSTER_DNS_NAMESPACE}, "
                + ",".join(f"{k}={v}" for k, v in CLUSTER_DNS_LABELS.items())
                + f", UDP and TCP {CLUSTER_DNS_PORT})"
            )
            for pod in self.pods:
                udp, tcp = self.dns_access(pod)
                if not pod.uses_cluster_dns():
                    state = f"not used (dnsPolicy {pod.dns_policy or 'ClusterFirst'}"
                    state += ", hostNetwork)" if pod.host_network else ")"
                elif udp and tcp:
                    state = "reachable"
                else:
                    missing = [n for n, ok in (("UDP 53", udp), ("TCP 53", tcp)) if not ok]
                    state = "BLOCKED (" + " and ".join(missing) + " denied)"
                lines.append(f"  {pod.id}: {state}")
        return "\n".join(lines)


__all__ = [
    "CLUSTER_DNS",
    "Address",
    "DeclaredPort",
    "DirectionVerdict",
    "PodGroup",
    "PolicyView",
    "PortSet",
    "Reachability",
    "Verdict",
]
