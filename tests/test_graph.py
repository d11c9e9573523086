"""``k8sdsl graph``: the shop's objects and references as DOT, Mermaid and SVG."""

from __future__ import annotations

import re
import shutil
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from k8sdsl._graph import GraphError, build_graph, to_dot, to_mermaid
from k8sdsl.cli import load_manifests, main
from k8sdsl.core._manifest import Manifest
from k8sdsl.core._versions import DEFAULT_VERSION, K8sVersion

ROOT = Path(__file__).resolve().parent.parent
SHOP = ROOT / "dist" / "shop.k8s.yaml"
VERSION = K8sVersion(DEFAULT_VERSION)

SHOP_EDGES = {
    ("Deployment/shop/api", "Secret/shop/shop-db"),
    ("Deployment/shop/api", "ServiceAccount/shop/api"),
    ("StatefulSet/shop/postgres", "Secret/shop/shop-db"),
    ("StatefulSet/shop/postgres", "PersistentVolumeClaim/shop/data-postgres-*"),
    ("ExternalSecret/shop/shop-db", "Secret/shop/shop-db"),
    ("Service/shop/web", "Deployment/shop/web"),
    ("Service/shop/api", "Deployment/shop/api"),
    ("Service/shop/postgres", "StatefulSet/shop/postgres"),
    ("Ingress/shop/storefront", "Service/shop/web"),
    ("Ingress/shop/storefront", "Secret/shop/shop-tls"),
    ("HorizontalPodAutoscaler/shop/web", "Deployment/shop/web"),
    ("PodDisruptionBudget/shop/web", "Deployment/shop/web"),
    ("NetworkPolicy/shop/default-deny", "StatefulSet/shop/postgres"),
    ("NetworkPolicy/shop/postgres-from-api", "StatefulSet/shop/postgres"),
}
#: the traffic the shop's policies allow: web -> api -> postgres, the backup job -> postgres
SHOP_TRAFFIC = {
    ("Deployment/shop/web", "Deployment/shop/api", "TCP 8080"),
    ("Deployment/shop/api", "StatefulSet/shop/postgres", "TCP 5432"),
    ("CronJob/shop/backup", "StatefulSet/shop/postgres", "TCP 5432"),
}


def _dot_edges(text: str) -> set[tuple[str, str, str]]:
    pattern = r'^\s*"((?:[^"\\]|\\.)*)" -> "((?:[^"\\]|\\.)*)" \[label="((?:[^"\\]|\\.)*)"'
    return {m.groups() for m in re.finditer(pattern, text, re.M)}


def _dot_nodes(text: str) -> dict[str, str]:
    pattern = r'^\s*"((?:[^"\\]|\\.)*)" \[label="((?:[^"\\]|\\.)*)"'
    return {m.group(1): m.group(2) for m in re.finditer(pattern, text, re.M)}


def _shop(network: bool = False) -> str:
    manifests, _, unreadable = load_manifests([SHOP], VERSION)
    assert not unreadable
    return to_dot(build_graph(manifests, network=network))


def test_shop_dot_has_every_reference() -> None:
    text = _shop()
    edges = {(s, t) for s, t, _ in _dot_edges(text)}
    assert SHOP_EDGES <= edges
    nodes = _dot_nodes(text)
    # the TLS Secret comes from cert-manager on the cluster: no file defines it
    assert nodes["Secret/shop/shop-tls"].endswith("\\n(missing)")
    assert "(missing)" not in nodes["Secret/shop/shop-db"]  # the ExternalSecret makes it
    line = next(ln for ln in text.splitlines() if ln.strip().startswith('"Secret/shop/shop-tls" ['))
    assert "style=dashed" in line
    # without --network, no traffic edges
    assert not any(label.startswith("TCP") for _, _, label in _dot_edges(text))
    # one cluster per namespace
    assert text.count("subgraph cluster_") == 1
    assert 'label="namespace shop";' in text


def test_shop_network_edges_are_the_allowed_traffic() -> None:
    edges = _dot_edges(_shop(network=True))
    traffic = {e for e in edges if e[2].startswith("TCP")}
    assert traffic == SHOP_TRAFFIC


def test_output_is_deterministic() -> None:
    manifests, _, _ = load_manifests([SHOP], VERSION)
    first = to_dot(build_graph(manifests))
    again = to_dot(build_graph(list(reversed(manifests))))
    assert first == again


def test_mermaid_of_the_shop(tmp_path: Path) -> None:
    out = tmp_path / "shop.mmd"
    assert main(["graph", str(SHOP), "--output", str(out), "--network"]) == 0
    text = out.read_text()
    assert text.startswith("flowchart LR\n")
    ids = dict(re.findall(r'^\s*(n\d+)\["([^"]*)"\]', text, re.M))
    names = {label.split("<br/>")[0] + "/" + label.split("<br/>")[1]: i for i, label in ids.items()}
    edges = set(re.findall(r"^\s*(n\d+) -(?:->|\.->)\|\"[^\"]*\"\| (n\d+)$", text, re.M))
    web, api = names["Deployment/web"], names["Deployment/api"]
    assert (names["Service/web"], web) in edges
    assert (web, api) in edges  # traffic
    assert f"class {names['Secret/shop-tls']} missing" in text
    assert re.search(r'^\s*subgraph ns\d+\["namespace shop"\]$', text, re.M)


def test_labels_are_escaped() -> None:
    odd = {
        "apiVersion": "v1",
        "kind": "Service",
        "metadata": {"name": 'a"b<c>|#', "namespace": "n"},
        "spec": {"selector": {"app": "x"}},
    }
    pod = {
        "apiVersion": "v1",
        "kind": "Pod",
        "metadata": {"name": "p", "namespace": "n", "labels": {"app": "x"}},
        "spec": {"containers": [{"name": "c", "image": "i"}]},
    }
    graph = build_graph([Manifest(odd, "x", VERSION), Manifest(pod, "x", VERSION)])
    dot = to_dot(graph)
    assert '"Service/n/a\\"b<c>|#" -> "Pod/n/p"' in dot
    mmd = to_mermaid(graph)
    assert "a#quot;b#lt;c#gt;#124;#35;" in mmd
    assert '"a"b' not in mmd


def test_rbac_and_storage_references() -> None:
    objects = [
        {
            "apiVersion": "rbac.authorization.k8s.io/v1",
            "kind": "RoleBinding",
            "metadata": {"name": "rb", "namespace": "team"},
            "roleRef": {"apiGroup": "rbac.authorization.k8s.io", "kind": "Role", "name": "r"},
            "subjects": [
                {"kind": "ServiceAccount", "name": "bot"},
                {"kind": "User", "name": "jane", "apiGroup": "rbac.authorization.k8s.io"},
            ],
        },
        {
            "apiVersion": "v1",
            "kind": "PersistentVolumeClaim",
            "metadata": {"name": "data", "namespace": "team"},
            "spec": {"volumeName": "pv1", "storageClassName": "fast"},
        },
        {
            "apiVersion": "v1",
            "kind": "PersistentVolume",
            "metadata": {"name": "pv1"},
            "spec": {"storageClassName": "fast"},
        },
    ]
    graph = build_graph([Manifest(o, "x", VERSION) for o in objects])
    edges = {(e.source.id, e.target.id, e.label) for e in graph.edges}
    assert edges == {
        ("RoleBinding/team/rb", "Role/team/r", "grants"),
        ("RoleBinding/team/rb", "ServiceAccount/team/bot", "subject"),
        ("RoleBinding/team/rb", "User/jane", "subject"),
        ("PersistentVolumeClaim/team/data", "PersistentVolume/pv1", "bound to"),
        ("PersistentVolumeClaim/team/data", "StorageClass/fast", "class"),
        ("PersistentVolume/pv1", "StorageClass/fast", "class"),
    }
    missing = {n.id for n in graph.nodes if graph.missing(n)}
    assert missing == {"Role/team/r", "ServiceAccount/team/bot", "StorageClass/fast"}


@pytest.mark.skipif(shutil.which("dot") is None, reason="Graphviz's dot is not installed")
def test_svg_of_the_shop(tmp_path: Path) -> None:
    out = tmp_path / "shop.svg"
    assert main(["graph", str(SHOP), "--output", str(out)]) == 0
    root = ET.fromstring(out.read_text())
    ns = {"svg": "http://www.w3.org/2000/svg"}
    titles = {
        g.get("class"): set()
        for g in root.iterfind(".//svg:g", ns)
        if g.get("class") in ("node", "edge")
    }
    for g in root.iterfind(".//svg:g", ns):
        title = g.find("svg:title", ns)
        if g.get("class") in ("node", "edge") and title is not None and title.text:
            titles[g.get("class")].add(title.text)
    assert {"Deployment/shop/web", "Secret/shop/shop-tls", "Ingress/shop/storefront"} <= titles[
        "node"
    ]
    assert "Ingress/shop/storefront->Service/shop/web" in titles["edge"]


def test_svg_without_dot_names_the_fix(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("PATH", str(tmp_path))  # no dot here
    assert main(["graph", str(SHOP), "--output", str(tmp_path / "x.svg")]) == 2
    err = capsys.readouterr().err
    assert "dot" in err and "make install" in err and "apt-get install graphviz" in err
    assert not (tmp_path / "x.svg").exists()
    # DOT and Mermaid need no Graphviz
    assert main(["graph", str(SHOP), "--output", str(tmp_path / "x.dot")]) == 0
    assert main(["graph", str(SHOP), "--output", str(tmp_path / "x.mmd")]) == 0


def test_bad_input(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["graph", str(SHOP), "--output", str(tmp_path / "x.png")]) == 2
    assert "unknown output format '.png'" in capsys.readouterr().err
    assert main(["graph", str(tmp_path / "nope.yaml"), "--output", str(tmp_path / "x.dot")]) == 2
    with pytest.raises(GraphError):
        from k8sdsl._graph import render

        render(build_graph([]), ".pdf")


def test_docs_show_the_current_picture(tmp_path: Path) -> None:
    """docs/graph.md's Mermaid source and docs/shop-graph.svg are the shop as it is now."""
    out = tmp_path / "shop.mmd"
    assert main(["graph", str(SHOP), "--network", "--output", str(out)]) == 0
    page = (ROOT / "docs" / "graph.md").read_text()
    assert f"```mermaid\n{out.read_text()}```" in page
    svg = ET.fromstring((ROOT / "docs" / "shop-graph.svg").read_text())
    ns = {"svg": "http://www.w3.org/2000/svg"}
    titles = {
        t.text
        for g in svg.iterfind(".//svg:g[@class='node']", ns)
        if (t := g.find("svg:title", ns)) is not None
    }
    manifests, _, _ = load_manifests([SHOP], VERSION)
    assert titles == {n.id for n in build_graph(manifests, network=True).nodes}
