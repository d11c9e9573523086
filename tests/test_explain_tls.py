"""``k8sdsl explain tls``: the names each cluster certificate carries (cluster domains other
than cluster.local, dual-stack and IPv6 service ranges, nodes given or not, a SAN problem
flagged with its rule's code), and which certificate serves each Ingress host and Service
(the shop in dist/, a fixture with an uncovered host, a wildcard, ingress-shim and a Secret
nothing makes), in text and JSON, agreeing with the rules."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from syrupy.assertion import SnapshotAssertion

from k8sdsl._explain_tls import explain_tls, parse_node
from k8sdsl._pipeline import check_manifests, rule_settings
from k8sdsl.cli import load_manifests, main
from k8sdsl.core import Cluster
from k8sdsl.core._cluster import ClusterNetwork
from k8sdsl.core._versions import DEFAULT_VERSION, K8sVersion

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "tests" / "fixtures" / "explain-tls"
DUAL = FIXTURES / "cluster-dual-stack.yaml"
APP = FIXTURES / "app.yaml"
VERSION = K8sVersion.supported(DEFAULT_VERSION)


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str]:
    code = main(["explain", "tls", *args])
    return code, capsys.readouterr().out


def block(text: str, first: str) -> list[str]:
    """The lines from the one starting with ``first`` to the next blank line."""
    lines = text.splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith(first))
    end = next((i for i in range(start, len(lines)) if not lines[i]), len(lines))
    return lines[start:end]


def test_api_server_names_of_the_default_cluster(capsys: pytest.CaptureFixture[str]) -> None:
    code, out = run(capsys, "--control-plane", "cp-1=10.0.0.10")
    assert code == 0
    assert out.splitlines()[:2] == [
        "Cluster certificates (cluster domain cluster.local; service range 10.96.0.0/12)",
        "  the API server's service IP (ClusterIP of kubernetes.default): 10.96.0.1",
    ]
    assert block(out, "apiserver ") == [
        "apiserver (apiserver.crt): the API server's serving certificate",
        "  subject  CN=kube-apiserver; signed by ca; 365 days",
        "  usages   digital signature, key encipherment, server auth",
        "  DNS      kubernetes, kubernetes.default, kubernetes.default.svc, "
        "kubernetes.default.svc.cluster, kubernetes.default.svc.cluster.local, cp-1",
        "  IP       10.96.0.1, 10.0.0.10",
    ]
    assert block(out, "front-proxy-client ") == [
        "front-proxy-client (front-proxy-client.crt): the API server proxying to aggregated "
        "API servers",
        "  subject  CN=front-proxy-client; signed by front-proxy-ca; 365 days",
        "  usages   digital signature, key encipherment, client auth",
    ]
    assert block(out, "etcd-server-cp-1 ") == [
        "etcd-server-cp-1 (etcd/server-cp-1.crt): etcd serving clients on cp-1",
        "  subject  CN=cp-1; signed by etcd-ca; 365 days",
        "  usages   digital signature, key encipherment, server auth, client auth",
        "  DNS      cp-1, localhost",
        "  IP       10.0.0.10, 127.0.0.1, ::1",
    ]
    assert block(out, "kubelet-client-cp-1 ")[1] == (
        "  subject  CN=system:node:cp-1, O=system:nodes; signed by ca; 365 days"
    )
    assert out.rstrip().endswith(
        "service account key pair (sa.key, sa.pub): signs and verifies service account "
        "tokens; RSA 2048, no certificate, no names"
    )
    assert "nodes not given" not in out


def test_without_nodes_the_placeholders_show_where_node_names_go(
    capsys: pytest.CaptureFixture[str],
) -> None:
    code, out = run(capsys)
    assert code == 0
    assert out.splitlines()[2] == (
        "  nodes not given: <control-plane> and <node> stand for each node's name and "
        "addresses (--control-plane NAME=ADDR,..., --worker NAME=ADDR,...)"
    )
    assert block(out, "apiserver ")[3:] == [
        "  DNS      kubernetes, kubernetes.default, kubernetes.default.svc, "
        "kubernetes.default.svc.cluster, kubernetes.default.svc.cluster.local, "
        "<control-plane>",
        "  IP       10.96.0.1",
    ]
    assert block(out, "kubelet-serving-<node> ")[-1] == "  DNS      <node>"


def test_cluster_domain_flag_and_dual_stack_file(capsys: pytest.CaptureFixture[str]) -> None:
    code, out = run(
        capsys,
        "--cluster",
        str(DUAL),
        "--control-plane",
        "cp-1=10.0.0.10,fd00:10::10",
        "--worker",
        "w-1=10.0.0.21",
    )
    assert code == 0
    assert out.splitlines()[:3] == [
        "Cluster certificates (cluster domain corp.internal; service ranges 10.96.0.0/12, "
        "fd00:10:96::/108)",
        "  the API server's service IP (ClusterIP of kubernetes.default): 10.96.0.1",
        "  fd00:10:96::1 (first IP of fd00:10:96::/108) is not needed: the kubernetes Service "
        "is single-stack, in the primary range's family",
    ]
    assert block(out, "apiserver ")[3:] == [
        "  DNS      kubernetes, kubernetes.default, kubernetes.default.svc, "
        "kubernetes.default.svc.corp, kubernetes.default.svc.corp.internal, cp-1, "
        "k8s.corp.example",
        "  IP       10.96.0.1, 10.0.0.10, fd00:10::10, 192.0.2.10",
    ]
    assert block(out, "kubelet-serving-w-1 ")[3:] == ["  DNS      w-1", "  IP       10.0.0.21"]
    code, out = run(capsys, "--cluster", str(DUAL), "--cluster-domain", "prod.example")
    assert block(out, "apiserver ")[3] == (
        "  DNS      kubernetes, kubernetes.default, kubernetes.default.svc, "
        "kubernetes.default.svc.prod, kubernetes.default.svc.prod.example, <control-plane>, "
        "k8s.corp.example"
    )


def test_ipv6_primary_range_gives_an_ipv6_service_ip() -> None:
    cluster = Cluster(
        network=ClusterNetwork(
            pod_cidrs=("fd00:10:244::/56", "10.244.0.0/16"),
            service_cidrs=("fd00:10:96::/108", "10.96.0.0/12"),
        )
    )
    tls = explain_tls(cluster, control_plane=[parse_node("cp-1=fd00:10::10")])
    assert tls.cluster.pki.api_server.ip_addresses == ("fd00:10:96::1", "fd00:10::10")
    assert tls.cluster.unused_ranges() == [("10.96.0.0/12", "10.96.0.1")]
    data = json.loads(tls.to_json())["cluster"]
    assert data["apiServerServiceIp"] == "fd00:10:96::1"
    assert data["secondaryServiceIps"] == [
        {"cidr": "10.96.0.0/12", "firstIp": "10.96.0.1", "carried": False}
    ]


def test_a_shell_variable_in_the_api_addresses_is_flagged(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    cluster = tmp_path / "cluster.yaml"
    cluster.write_text("apiServerAddresses: ['${MASTER-IP}']\n", encoding="utf-8")
    code, out = run(capsys, "--cluster", str(cluster), "--control-plane", "cp-1")
    assert code == 1
    assert block(out, "apiserver ")[-1] == (
        "  error[tls/san-shell-variable] '${master-ip}' holds an unexpanded shell variable: "
        "the certificate would name that text, which no client dials"
    )


def test_the_shop_in_dist_is_served_by_its_certificate(
    capsys: pytest.CaptureFixture[str],
) -> None:
    code, out = run(capsys, "--control-plane", "cp-1=10.0.0.10", str(ROOT / "dist"))
    assert code == 0
    assert "  Certificate shop/shop -> Secret shop-tls (ClusterIssuer letsencrypt): " + (
        "shop.example.com"
    ) in block(out, "App certificates")
    assert block(out, "Ingress TLS hosts") == [
        "Ingress TLS hosts",
        "  Ingress shop/storefront",
        "    shop.example.com: Secret shop-tls <- Certificate shop/shop -> Service shop/web",
    ]
    assert (
        "  shop/web: https://shop.example.com via Ingress shop/storefront (Certificate shop/shop)"
        in block(out, "Services")
    )
    code, out = run(capsys, "--format", "json", str(ROOT / "dist"))
    data = json.loads(out)
    hosts = [h for i in data["app"]["ingresses"] for h in i["hosts"]]
    assert hosts == [
        {
            "host": "shop.example.com",
            "secretName": "shop-tls",
            "certificate": {"namespace": "shop", "name": "shop", "madeBy": "Certificate"},
            "covered": True,
            "code": None,
            "source": "Certificate",
            "services": ["shop/web"],
        }
    ]


APP_TEXT = """\
App certificates
  Certificate shop/admin-tls (ingress-shim) -> Secret admin-tls (ClusterIssuer letsencrypt): \
admin.example.com
  Certificate shop/api-internal -> Secret api-internal-tls (ClusterIssuer letsencrypt): \
api.shop.svc, api.shop.svc.corp.internal
  Certificate shop/shop -> Secret shop-tls (ClusterIssuer letsencrypt): shop.example.com, \
*.api.example.com

Ingress TLS hosts
  Ingress shop/admin
    admin.example.com: Secret admin-tls <- Certificate shop/admin-tls (ingress-shim) -> \
Service shop/admin
  Ingress shop/blog
    blog.example.com: Secret blog-tls, which nothing makes: the controller serves its \
default one -> Service shop/web  warning[network/ingress-tls-secret]
  Ingress shop/storefront
    shop.example.com: Secret shop-tls <- Certificate shop/shop -> Service shop/web
    www.example.com: Secret shop-tls <- Certificate shop/shop does NOT name it \
(shop.example.com, *.api.example.com) -> Service shop/web  error[tls/host-not-covered]
    v1.api.example.com: Secret shop-tls <- Certificate shop/shop -> Service shop/api

Services
  shop/admin: https://admin.example.com via Ingress shop/admin (Certificate shop/admin-tls \
(ingress-shim))
  shop/api: https://v1.api.example.com via Ingress shop/storefront (Certificate shop/shop); \
api.shop.svc (Certificate shop/api-internal); api.shop.svc.corp.internal (Certificate \
shop/api-internal)
  shop/web: https://blog.example.com via Ingress shop/blog (no certificate names it); \
https://shop.example.com via Ingress shop/storefront (Certificate shop/shop); \
https://www.example.com via Ingress shop/storefront (no certificate names it)
  no TLS name: shop/postgres
"""


def test_uncovered_host_wildcard_shim_and_service_names(
    capsys: pytest.CaptureFixture[str],
) -> None:
    code, out = run(capsys, "--cluster", str(DUAL), str(APP))
    assert code == 1
    assert out[out.index("App certificates") :] == APP_TEXT


def test_json_form_of_the_app(capsys: pytest.CaptureFixture[str]) -> None:
    code, out = run(capsys, "--cluster", str(DUAL), "--format", "json", str(APP))
    assert code == 1
    data = json.loads(out)
    assert data["cluster"]["clusterDomain"] == "corp.internal"
    storefront = {i["name"]: i for i in data["app"]["ingresses"]}["storefront"]
    assert [(h["host"], h["covered"], h["code"]) for h in storefront["hosts"]] == [
        ("shop.example.com", True, None),
        ("www.example.com", False, "tls/host-not-covered"),
        ("v1.api.example.com", True, None),
    ]
    services = {s["name"]: s for s in data["app"]["services"]}
    assert services["api"]["clusterNames"] == [
        {"name": "api.shop.svc", "certificate": "Certificate shop/api-internal"},
        {"name": "api.shop.svc.corp.internal", "certificate": "Certificate shop/api-internal"},
    ]
    assert services["postgres"] == {
        "namespace": "shop",
        "name": "postgres",
        "ingressHosts": [],
        "clusterNames": [],
    }
    admin = {c["name"]: c for c in data["app"]["certificates"]}["admin-tls"]
    assert admin["madeBy"] == "ingress-shim"
    assert admin["dnsNames"] == ["admin.example.com"]


def test_uncovered_hosts_are_the_rules_findings() -> None:
    """explain and check agree: the hosts explain flags are the findings of the rules."""
    cluster = Cluster.from_file(DUAL)
    manifests, _, _ = load_manifests([APP], VERSION)
    flagged = explain_tls(cluster, manifests).app
    assert flagged is not None
    report = check_manifests(manifests, rule_settings(cluster, VERSION, complete=False))
    codes = {"tls/host-not-covered", "network/ingress-tls-secret"}
    found = sorted(
        (f.code, f"{f.obj.namespace}/{f.obj.name}") for f in report.findings if f.code in codes
    )
    assert sorted((c, w.split(" ")[0]) for c, w in flagged.problems) == found
    assert len(found) == 2


def test_full_output_snapshot(
    capsys: pytest.CaptureFixture[str], snapshot: SnapshotAssertion
) -> None:
    _, out = run(capsys, "--cluster", str(DUAL), "--control-plane", "cp-1=10.0.0.10", str(APP))
    assert out == snapshot


@pytest.mark.parametrize(
    ("flag", "message"),
    [("--control-plane=CP-1", "give NAME=ADDR[,ADDR...]"), ("--worker=w-1=", "no address")],
)
def test_a_bad_node_is_usage_error(
    flag: str, message: str, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit) as exc:
        main(["explain", "tls", flag])
    assert exc.value.code == 2
    assert message in capsys.readouterr().err


def test_an_unreadable_file_exits_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["explain", "tls", str(tmp_path / "missing.yaml")]) == 2
    assert "error[yaml/unreadable]" in capsys.readouterr().err
