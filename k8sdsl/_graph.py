"""A picture of the objects of an app and their references (``k8sdsl graph``).

Nodes are objects (``Kind/namespace/name``; cluster-scoped objects have no namespace part);
edges are references: a workload to the ConfigMaps, Secrets, claims and ServiceAccount its
pods use, a claim to its PersistentVolume and StorageClass, a Service to the workloads it
selects, an Ingress to its Services, an HPA or PDB to its target, a binding to its role and
subjects, a NetworkPolicy to the pods it selects. With ``network``, the traffic the
NetworkPolicies allow between workloads (the reachability model of ``explain network``).
A referenced object no file defines is drawn dashed and labelled "missing". Output is sorted:
the same files give the same bytes.
"""

from __future__ import annotations

import re
import shutil
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

from k8sdsl.core._manifest import Manifest
from k8sdsl.network._reachability import Reachability

#: kind -> JSON path of the pod spec
POD_SPEC_PATHS: dict[str, tuple[str, ...]] = {
    "Pod": ("spec",),
    "Deployment": ("spec", "template", "spec"),
    "StatefulSet": ("spec", "template", "spec"),
    "DaemonSet": ("spec", "template", "spec"),
    "ReplicaSet": ("spec", "template", "spec"),
    "ReplicationController": ("spec", "template", "spec"),
    "Job": ("spec", "template", "spec"),
    "CronJob": ("spec", "jobTemplate", "spec", "template", "spec"),
}
#: kinds that are not namespaced (the rest are, for drawing)
CLUSTER_KINDS = frozenset(
    {
        "Namespace",
        "PersistentVolume",
        "StorageClass",
        "ClusterRole",
        "ClusterRoleBinding",
        "Node",
        "CSIDriver",
        "IngressClass",
        "PriorityClass",
        "User",
        "Group",
    }
)
#: subjects of bindings: identities, never objects, so never "missing"
IDENTITY_KINDS = frozenset({"User", "Group"})


class GraphError(Exception):
    """The picture cannot be written (an unknown output format, Graphviz not installed)."""


@dataclass(frozen=True, order=True)
class Node:
    kind: str
    namespace: str
    name: str

    @property
    def id(self) -> str:
        return (
            f"{self.kind}/{self.namespace}/{self.name}"
            if self.namespace
            else (f"{self.kind}/{self.name}")
        )


@dataclass(frozen=True, order=True)
class Edge:
    source: Node
    target: Node
    label: str
    #: ``reference`` (an object names another) or ``traffic`` (--network)
    style: str = "reference"


@dataclass
class Graph:
    defined: set[Node] = field(default_factory=set)
    edges: set[Edge] = field(default_factory=set)
    #: for an object a file defines: extra text under its name (``claim template``)
    notes: dict[Node, str] = field(default_factory=dict)

    @property
    def nodes(self) -> list[Node]:
        """Every node, defined or referenced, sorted."""
        found = set(self.defined)
        for e in self.edges:
            found.update((e.source, e.target))
        return sorted(found)

    def missing(self, node: Node) -> bool:
        return node not in self.defined and node.kind not in IDENTITY_KINDS

    def sorted_edges(self) -> list[Edge]:
        return sorted(self.edges)

    def add(self, source: Node, target: Node, label: str, style: str = "reference") -> None:
        self.edges.add(Edge(source, target, label, style))


def _get(data: Any, *path: str) -> Any:
    for key in path:
        if not isinstance(data, Mapping):
            return None
        data = data.get(key)
    return data


def _dicts(value: Any) -> Iterator[Mapping[str, Any]]:
    if isinstance(value, list):
        yield from (v for v in value if isinstance(v, Mapping))


def _name(value: Any) -> str | None:
    return value if isinstance(value, str) and value else None


def _ns(m: Manifest) -> str:
    return "" if m.kind in CLUSTER_KINDS else (m.namespace or "default")


def node_of(m: Manifest) -> Node:
    return Node(m.kind, _ns(m), m.name)


def _pod_references(spec: Mapping[str, Any], ns: str) -> Iterator[tuple[Node, str]]:
    """(object, how) for every object a pod spec names."""
    for vol in _dicts(spec.get("volumes")):
        vname = vol.get("name", "")
        if name := _name(_get(vol, "configMap", "name")):
            yield Node("ConfigMap", ns, name), f"volume {vname}"
        if name := _name(_get(vol, "secret", "secretName")):
            yield Node("Secret", ns, name), f"volume {vname}"
        if name := _name(_get(vol, "persistentVolumeClaim", "claimName")):
            yield Node("PersistentVolumeClaim", ns, name), f"volume {vname}"
        for src in _dicts(_get(vol, "projected", "sources")):
            if name := _name(_get(src, "configMap", "name")):
                yield Node("ConfigMap", ns, name), f"volume {vname}"
            if name := _name(_get(src, "secret", "name")):
                yield Node("Secret", ns, name), f"volume {vname}"
    containers = [*_dicts(spec.get("initContainers")), *_dicts(spec.get("containers"))]
    for c in containers:
        for env in _dicts(c.get("env")):
            if name := _name(_get(env, "valueFrom", "configMapKeyRef", "name")):
                yield Node("ConfigMap", ns, name), "env"
            if name := _name(_get(env, "valueFrom", "secretKeyRef", "name")):
                yield Node("Secret", ns, name), "env"
        for env in _dicts(c.get("envFrom")):
            if name := _name(_get(env, "configMapRef", "name")):
                yield Node("ConfigMap", ns, name), "envFrom"
            if name := _name(_get(env, "secretRef", "name")):
                yield Node("Secret", ns, name), "envFrom"
    for ref in _dicts(spec.get("imagePullSecrets")):
        if name := _name(ref.get("name")):
            yield Node("Secret", ns, name), "pull secret"
    if name := _name(spec.get("serviceAccountName")):
        yield Node("ServiceAccount", ns, name), "runs as"


def _pod_labels(m: Manifest) -> dict[str, str] | None:
    path = POD_SPEC_PATHS.get(m.kind)
    if path is None:
        return None
    labels = (
        _get(m.obj, "metadata", "labels")
        if m.kind == "Pod"
        else (_get(m.obj, *path[:-1], "metadata", "labels"))
    )
    return {str(k): str(v) for k, v in labels.items()} if isinstance(labels, Mapping) else {}


def _matches(selector: Any, labels: Mapping[str, str]) -> bool:
    """A plain map selector (a Service's), or a LabelSelector's matchLabels and
    matchExpressions (In, NotIn, Exists, DoesNotExist)."""
    if not isinstance(selector, Mapping):
        return False
    if "matchLabels" in selector or "matchExpressions" in selector:
        wanted = selector.get("matchLabels") or {}
        exprs = list(_dicts(selector.get("matchExpressions")))
    else:
        wanted, exprs = selector, []
    if not isinstance(wanted, Mapping) or not (wanted or exprs):
        return False  # an empty selector in a Service selects nothing
    if any(labels.get(str(k)) != str(v) for k, v in wanted.items()):
        return False
    for e in exprs:
        key, op, values = str(e.get("key")), e.get("operator"), e.get("values") or []
        has = key in labels
        if op == "In" and not (has and labels[key] in values):
            return False
        if op == "NotIn" and has and labels[key] in values:
            return False
        if op == "Exists" and not has:
            return False
        if op == "DoesNotExist" and has:
            return False
    return True


def build_graph(manifests: Iterable[Manifest], *, network: bool = False) -> Graph:
    """The objects of ``manifests`` and their references; with ``network`` the allowed
    traffic between workloads too."""
    items = list(manifests)
    graph = Graph()
    # workloads by namespace, with their pod labels: Services and PDBs select from these
    workloads: dict[str, list[tuple[Node, dict[str, str]]]] = {}
    for m in items:
        if not m.kind or not m.name:
            continue
        node = node_of(m)
        graph.defined.add(node)
        labels = _pod_labels(m)
        if labels is not None:
            workloads.setdefault(node.namespace, []).append((node, labels))
    for m in items:
        if not m.kind or not m.name:
            continue
        node, ns, obj = node_of(m), _ns(m), m.obj
        path = POD_SPEC_PATHS.get(m.kind)
        if path is not None:
            spec = _get(obj, *path)
            if isinstance(spec, Mapping):
                for target, how in _pod_references(spec, ns):
                    graph.add(node, target, how)
        if m.kind == "StatefulSet":
            for tpl in _dicts(_get(obj, "spec", "volumeClaimTemplates")):
                if tname := _name(_get(tpl, "metadata", "name")):
                    claim = Node("PersistentVolumeClaim", ns, f"{tname}-{m.name}-*")
                    graph.defined.add(claim)
                    graph.notes[claim] = "claim template"
                    graph.add(node, claim, "claim template")
                    if sc := _name(_get(tpl, "spec", "storageClassName")):
                        graph.add(claim, Node("StorageClass", "", sc), "class")
        elif m.kind == "PersistentVolumeClaim":
            if pv := _name(_get(obj, "spec", "volumeName")):
                graph.add(node, Node("PersistentVolume", "", pv), "bound to")
            if sc := _name(_get(obj, "spec", "storageClassName")):
                graph.add(node, Node("StorageClass", "", sc), "class")
        elif m.kind == "PersistentVolume":
            if sc := _name(_get(obj, "spec", "storageClassName")):
                graph.add(node, Node("StorageClass", "", sc), "class")
        elif m.kind == "Service":
            selector = _get(obj, "spec", "selector")
            for target, labels in workloads.get(ns, []):
                if _matches(selector, labels):
                    graph.add(node, target, "selects")
        elif m.kind == "Ingress":
            backends = [_get(obj, "spec", "defaultBackend")]
            for rule in _dicts(_get(obj, "spec", "rules")):
                backends += [p.get("backend") for p in _dicts(_get(rule, "http", "paths"))]
            for backend in backends:
                if svc := _name(_get(backend, "service", "name")):
                    graph.add(node, Node("Service", ns, svc), "routes to")
            for tls in _dicts(_get(obj, "spec", "tls")):
                if secret := _name(tls.get("secretName")):
                    graph.add(node, Node("Secret", ns, secret), "TLS")
        elif m.kind == "HorizontalPodAutoscaler":
            ref = _get(obj, "spec", "scaleTargetRef")
            if (kind := _name(_get(ref, "kind"))) and (name := _name(_get(ref, "name"))):
                graph.add(node, Node(kind, ns, name), "scales")
        elif m.kind == "PodDisruptionBudget":
            selector = _get(obj, "spec", "selector")
            for target, labels in workloads.get(ns, []):
                if _matches(selector, labels):
                    graph.add(node, target, "protects")
        elif m.kind in ("RoleBinding", "ClusterRoleBinding"):
            role_kind = _name(_get(obj, "roleRef", "kind"))
            if role_kind and (role := _name(_get(obj, "roleRef", "name"))):
                graph.add(
                    node, Node(role_kind, "" if role_kind == "ClusterRole" else ns, role), "grants"
                )
            for subject in _dicts(obj.get("subjects")):
                kind, name = _name(subject.get("kind")), _name(subject.get("name"))
                if kind is None or name is None:
                    continue
                where = str(subject.get("namespace") or ns) if kind == "ServiceAccount" else ""
                graph.add(node, Node(kind, where, name), "subject")
        elif m.kind == "ExternalSecret":
            made = _name(_get(obj, "spec", "target", "name")) or m.name
            created = Node("Secret", ns, made)
            graph.defined.add(created)
            graph.add(node, created, "creates")
    model = Reachability.from_manifests(items)
    for policy in model.policies:
        pnode = Node("NetworkPolicy", policy.namespace, policy.name)
        for pod in model.selected_pods(policy):
            graph.add(pnode, Node(pod.kind, pod.namespace, pod.name), "applies to")
    if network:
        for src, dst, ports in model.matrix():
            if src is dst or ports.is_empty() or src.external or dst.external:
                continue
            graph.add(
                Node(src.kind, src.namespace, src.name),
                Node(dst.kind, dst.namespace, dst.name),
                ports.describe(),
                "traffic",
            )
    return graph


# -- writers -------------------------------------------------------------------------------


def _dot_quote(text: str) -> str:
    """A DOT double-quoted string: backslashes and quotes escaped, newlines as ``\\n``."""
    escaped = text.replace("\\", "\\\\").replace('"', '\\"')
    return '"' + escaped.replace("\r", "").replace("\n", "\\n") + '"'


def _label(graph: Graph, node: Node) -> str:
    lines = [node.kind, node.name]
    if note := graph.notes.get(node):
        lines.append(f"({note})")
    if graph.missing(node):
        lines.append("(missing)")
    return "\n".join(lines)


_SHAPES = {
    "Service": "ellipse",
    "Ingress": "ellipse",
    "ConfigMap": "note",
    "Secret": "note",
    "PersistentVolumeClaim": "cylinder",
    "PersistentVolume": "cylinder",
    "StorageClass": "cylinder",
    "NetworkPolicy": "hexagon",
    "User": "oval",
    "Group": "oval",
    "ServiceAccount": "oval",
}


def _by_namespace(graph: Graph) -> dict[str, list[Node]]:
    groups: dict[str, list[Node]] = {}
    for node in graph.nodes:
        groups.setdefault(node.namespace, []).append(node)
    return dict(sorted(groups.items()))


def to_dot(graph: Graph) -> str:
    """Graphviz DOT text: one cluster per namespace, cluster-scoped objects outside."""
    out = [
        "digraph k8sdsl {",
        "  rankdir=LR;",
        '  graph [fontname="Helvetica", fontsize=12];',
        '  node [shape=box, fontname="Helvetica", fontsize=10];',
        '  edge [fontname="Helvetica", fontsize=8];',
    ]

    def node_line(node: Node, indent: str) -> str:
        attrs = [
            f"label={_dot_quote(_label(graph, node))}",
            f"shape={_SHAPES.get(node.kind, 'box')}",
        ]
        if graph.missing(node):
            attrs += ["style=dashed", "color=red", "fontcolor=red"]
        return f"{indent}{_dot_quote(node.id)} [{', '.join(attrs)}];"

    for i, (ns, nodes) in enumerate(_by_namespace(graph).items()):
        if not ns:
            out += [node_line(n, "  ") for n in nodes]
            continue
        out.append(f"  subgraph cluster_{i} {{")
        out.append(f"    label={_dot_quote(f'namespace {ns}')};")
        out.append("    style=rounded; color=gray50;")
        out += [node_line(n, "    ") for n in nodes]
        out.append("  }")
    for e in graph.sorted_edges():
        attrs = [f"label={_dot_quote(e.label)}"]
        if e.style == "traffic":
            attrs += ["color=blue", "fontcolor=blue", "style=bold"]
        elif graph.missing(e.target):
            attrs += ["style=dashed", "color=red"]
        out.append(
            f"  {_dot_quote(e.source.id)} -> {_dot_quote(e.target.id)} [{', '.join(attrs)}];"
        )
    out.append("}")
    return "\n".join(out) + "\n"


_MERMAID_ESCAPES = {
    '"': "#quot;",
    "<": "#lt;",
    ">": "#gt;",
    "#": "#35;",
    "|": "#124;",
    "`": "#96;",
}


def _mermaid_text(text: str) -> str:
    escaped = re.sub(r'["<>#|`]', lambda m: _MERMAID_ESCAPES[m.group(0)], text)
    return escaped.replace("\n", "<br/>")


def to_mermaid(graph: Graph) -> str:
    """A Mermaid flowchart: ids ``n0``, ``n1``... in sorted order (object names may hold
    characters Mermaid ids cannot), labels escaped, missing objects dashed."""
    ids = {node: f"n{i}" for i, node in enumerate(graph.nodes)}
    out = ["flowchart LR"]

    def node_line(node: Node, indent: str) -> str:
        return f'{indent}{ids[node]}["{_mermaid_text(_label(graph, node))}"]'

    for i, (ns, nodes) in enumerate(_by_namespace(graph).items()):
        if not ns:
            out += [node_line(n, "  ") for n in nodes]
            continue
        out.append(f'  subgraph ns{i}["namespace {_mermaid_text(ns)}"]')
        out += [node_line(n, "    ") for n in nodes]
        out.append("  end")
    for e in graph.sorted_edges():
        arrow = "-.->" if e.style == "traffic" else "-->"
        out.append(f'  {ids[e.source]} {arrow}|"{_mermaid_text(e.label)}"| {ids[e.target]}')
    missing = [ids[n] for n in graph.nodes if graph.missing(n)]
    out.append("  classDef missing stroke-dasharray: 5 5,stroke:#c00,color:#c00")
    if missing:
        out.append(f"  class {','.join(missing)} missing")
    return "\n".join(out) + "\n"


DOT_MISSING = (
    "SVG output needs Graphviz's `dot` program, which is not on PATH: install it with "
    "`make install` (runs `apt-get install graphviz` on Debian/Ubuntu), "
    "`brew install graphviz` on macOS, or write .dot or .mmd instead"
)


def to_svg(graph: Graph) -> str:
    """SVG laid out by Graphviz's ``dot`` (the Python ``graphviz`` package runs it)."""
    if shutil.which("dot") is None:
        raise GraphError(DOT_MISSING)
    import graphviz

    try:
        data = graphviz.Source(to_dot(graph)).pipe(format="svg", engine="dot")
    except graphviz.ExecutableNotFound as exc:  # pragma: no cover - raced removal
        raise GraphError(DOT_MISSING) from exc
    return data.decode("utf-8") if isinstance(data, bytes) else str(data)


WRITERS = {".dot": to_dot, ".gv": to_dot, ".mmd": to_mermaid, ".svg": to_svg}


def render(graph: Graph, suffix: str) -> str:
    """The picture in the format the output file's suffix names."""
    writer = WRITERS.get(suffix.lower())
    if writer is None:
        raise GraphError(
            f"unknown output format {suffix or '(no suffix)'!r}: name the output FILE.svg, "
            "FILE.dot or FILE.mmd"
        )
    return writer(graph)
