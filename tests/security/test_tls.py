"""TLS: the cluster PKI's names from the declared cluster, CSRs checked on real requests,
cert-manager objects, and every tls/* rule on constructs and on YAML."""

from __future__ import annotations

import base64
import ipaddress
import json
from pathlib import Path

import pytest
import yaml
from cryptography import x509
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.hazmat.primitives.serialization import Encoding
from cryptography.x509.oid import NameOID

from k8sdsl import App, Chart, K8sDslError
from k8sdsl.cli import main
from k8sdsl.core import Cluster, ClusterNetwork
from k8sdsl.network import Ingress, IngressBackend, IngressHostRule, IngressTls
from k8sdsl.security import (
    AcmeIssuer,
    AcmeSolver,
    Certificate,
    CertificateSigningRequest,
    ClusterIssuer,
    ClusterPki,
    ClusterPkiFiles,
    ClusterTrustBundle,
    IssuerRef,
    KeyUsage,
    PkiNode,
    PrivateKey,
    Signer,
    san_list_problems,
)
from k8sdsl.workloads import Service

CP = [PkiNode("cp-1", ("10.0.0.10",))]


def _request(
    cn: str,
    orgs: tuple[str, ...] = (),
    dns: tuple[str, ...] = (),
    ips: tuple[str, ...] = (),
    emails: tuple[str, ...] = (),
    der: bool = False,
) -> bytes:
    key = ec.generate_private_key(ec.SECP256R1())  # in memory only
    attrs = [x509.NameAttribute(NameOID.COMMON_NAME, cn)] + [
        x509.NameAttribute(NameOID.ORGANIZATION_NAME, o) for o in orgs
    ]
    builder = x509.CertificateSigningRequestBuilder().subject_name(x509.Name(attrs))
    names: list[x509.GeneralName] = [x509.DNSName(d) for d in dns]
    names += [x509.IPAddress(ipaddress.ip_address(i)) for i in ips]
    names += [x509.RFC822Name(e) for e in emails]
    if names:
        builder = builder.add_extension(x509.SubjectAlternativeName(names), critical=False)
    csr = builder.sign(key, hashes.SHA256())
    return csr.public_bytes(Encoding.DER if der else Encoding.PEM)


def _codes(err: pytest.ExceptionInfo[K8sDslError]) -> set[str]:
    return {f.code for f in err.value.findings}


# -- SANs from the declared cluster ------------------------------------------------------


def test_default_cluster_gives_the_notes_names_and_the_service_ip() -> None:
    api = ClusterPki.of(Cluster(), control_plane=CP).api_server
    assert api.dns_names == (
        "kubernetes",
        "kubernetes.default",
        "kubernetes.default.svc",
        "kubernetes.default.svc.cluster",
        "kubernetes.default.svc.cluster.local",
        "cp-1",
    )
    assert api.ip_addresses == ("10.96.0.1", "10.0.0.10")  # each once, service IP in
    assert set(api.usages) == {
        KeyUsage.DIGITAL_SIGNATURE,
        KeyUsage.KEY_ENCIPHERMENT,
        KeyUsage.SERVER_AUTH,
    }


def test_other_cluster_domain() -> None:
    api = ClusterPki.of(Cluster(cluster_domain="corp.internal"), control_plane=CP).api_server
    assert "kubernetes.default.svc.corp.internal" in api.dns_names
    assert not any(n.endswith("cluster.local") for n in api.dns_names)


def test_ipv6_service_range() -> None:
    cluster = Cluster(
        network=ClusterNetwork(service_cidrs=("fd00:10:96::/108",), pod_cidrs=("fd00:10:244::/56",))
    )
    api = ClusterPki.of(cluster, control_plane=[PkiNode("cp-1", ("2001:db8::10",))]).api_server
    assert api.ip_addresses == ("fd00:10:96::1", "2001:db8::10")


def test_dual_stack_takes_the_primary_range_and_addresses_are_deduplicated() -> None:
    cluster = Cluster(
        network=ClusterNetwork(
            service_cidrs=("fd00:10:96::/108", "10.96.0.0/12"),
            pod_cidrs=("fd00:10:244::/56", "10.244.0.0/16"),
        ),
        api_server_addresses=("K8S.example.com.", "2001:DB8:0::10", "k8s.example.com"),
    )
    api = ClusterPki.of(cluster, control_plane=[PkiNode("cp-1", ("2001:db8::10",))]).api_server
    assert api.ip_addresses == ("fd00:10:96::1", "2001:db8::10")
    assert api.dns_names.count("k8s.example.com") == 1
    config = ClusterPki.of(cluster, control_plane=CP).kubeadm_cluster_configuration()
    assert config["networking"]["serviceSubnet"] == "fd00:10:96::/108,10.96.0.0/12"
    assert config["controlPlaneEndpoint"] == "K8S.example.com.:6443"


def test_kubelet_and_etcd_certificates() -> None:
    pki = ClusterPki.of(Cluster(), control_plane=CP, workers=[PkiNode("w-1", ("10.0.0.21",))])
    serving = pki.certificate("kubelet-serving-w-1")
    assert serving.common_name == "system:node:w-1"
    assert serving.organizations == ("system:nodes",)
    assert serving.sans == ("w-1", "10.0.0.21")
    client = pki.certificate("kubelet-client-w-1")
    assert client.sans == () and KeyUsage.CLIENT_AUTH in client.usages
    etcd = pki.certificate("etcd-server-cp-1")
    assert etcd.ip_addresses == ("10.0.0.10", "127.0.0.1", "::1")
    assert pki.certificate("ca").is_ca and pki.certificate("ca").signer is None


def test_renderings(tmp_path: Path) -> None:
    cluster = Cluster(api_server_addresses=("k8s.example.com",))
    pki = ClusterPki.of(cluster, control_plane=CP)
    app = App(outdir=tmp_path / "dist")
    ClusterPkiFiles(app, "pki", pki=pki)
    app.synth()
    out = tmp_path / "dist" / "pki"
    config = yaml.safe_load((out / "kubeadm-config.yaml").read_text())
    assert config["apiServer"]["certSANs"] == list(pki.api_server.sans)
    cnf = (out / "openssl" / "apiserver.cnf").read_text()
    assert "subjectAltName = @alt_names" in cnf and "IP.1 = 10.96.0.1" in cnf
    assert "DNS.7 = k8s.example.com" in cnf
    cfssl = json.loads((out / "cfssl" / "apiserver-csr.json").read_text())
    assert cfssl["hosts"] == list(pki.api_server.sans)
    easyrsa = (out / "easyrsa.sh").read_text()
    assert easyrsa.count("IP:10.0.0.10") == 1 and "IP:10.96.0.1" in easyrsa
    assert "--days=365" in easyrsa and "10000" not in easyrsa and "$" not in easyrsa
    for path in out.rglob("*"):
        if path.is_file():
            assert "PRIVATE KEY" not in path.read_text(), path


def test_a_shell_variable_in_the_declared_addresses_fails_the_pki() -> None:
    cluster = Cluster(api_server_addresses=("${MASTER-IP}",))
    with pytest.raises(K8sDslError) as err:
        ClusterPkiFiles(App(outdir="unused"), "pki", pki=ClusterPki.of(cluster, control_plane=CP))
    assert _codes(err) == {"tls/san-shell-variable"}
    assert err.value.findings[0].path.startswith("certificates.apiserver.sans[")


def test_san_checker_on_the_notes_list() -> None:
    notes = ["${MASTER_IP}", "${MASTER_IP}", "kubernetes", "kubernetes.default"]
    codes = [p.code for p in san_list_problems(notes, service_ip="10.96.0.1")]
    assert codes == [
        "tls/san-shell-variable",
        "tls/san-shell-variable",
        "tls/san-missing-service-ip",
    ]
    assert [p.code for p in san_list_problems(["10.0.0.1", "10.0.0.1"])] == ["tls/san-duplicate"]


# -- CertificateSigningRequest -----------------------------------------------------------


@pytest.fixture
def chart() -> Chart:
    return Chart(App(outdir="unused"), "tls", namespace="shop")


@pytest.mark.parametrize("der", [False, True])
def test_kubelet_serving_csr_from_pem_and_der(chart: Chart, der: bool) -> None:
    request = _request("system:node:w-1", ("system:nodes",), ("w-1",), ("10.0.0.21",), der=der)
    csr = CertificateSigningRequest(
        chart,
        "w-1-serving",
        request=request,
        signer_name=Signer.KUBELET_SERVING,
        usages=[KeyUsage.DIGITAL_SIGNATURE, KeyUsage.SERVER_AUTH],
        expiration_seconds=86400,
    )
    obj = csr.to_k8s()
    assert "namespace" not in obj["metadata"]
    assert base64.b64decode(obj["spec"]["request"]).startswith(b"-----BEGIN CERTIFICATE REQUEST")


@pytest.mark.parametrize(
    ("kwargs", "signer", "usages", "code"),
    [
        (
            {"cn": "w-1", "orgs": ("system:nodes",)},
            Signer.KUBELET_SERVING,
            ["server auth", "digital signature"],
            "tls/csr-subject",
        ),
        (
            {"cn": "system:node:w-1", "orgs": ("system:masters",)},
            Signer.KUBELET_SERVING,
            ["server auth", "digital signature"],
            "tls/csr-subject",
        ),
        (
            {"cn": "system:node:w-1", "orgs": ("system:nodes",), "emails": ("a@example.com",)},
            Signer.KUBELET_SERVING,
            ["server auth", "digital signature"],
            "tls/csr-sans",
        ),
        (
            {"cn": "system:node:w-1", "orgs": ("system:nodes",), "dns": ("w-1",)},
            Signer.KUBE_APISERVER_CLIENT_KUBELET,
            ["client auth", "digital signature"],
            "tls/csr-sans",
        ),
        (
            {"cn": "system:node:w-1", "orgs": ("system:nodes",)},
            Signer.KUBE_APISERVER_CLIENT_KUBELET,
            ["client auth", "digital signature", "server auth"],
            "tls/csr-usages",
        ),
        ({"cn": "alice"}, Signer.KUBE_APISERVER_CLIENT, ["digital signature"], "tls/csr-usages"),
        ({"cn": "alice"}, Signer.LEGACY_UNKNOWN, ["client auth"], "tls/csr-signer"),
        ({"cn": "alice"}, "not a signer", ["client auth"], "tls/csr-signer"),
    ],
)
def test_signer_rules(
    chart: Chart, kwargs: dict, signer: str, usages: list[str], code: str
) -> None:  # type: ignore[type-arg]
    with pytest.raises(K8sDslError) as err:
        CertificateSigningRequest(
            chart, "csr", request=_request(**kwargs), signer_name=signer, usages=usages
        )
    assert code in _codes(err)


def test_custom_signer_and_expiration(chart: Chart) -> None:
    CertificateSigningRequest(
        chart, "ok", request=_request("alice"), signer_name="example.com/my-signer", usages=["any"]
    )
    with pytest.raises(K8sDslError) as err:
        CertificateSigningRequest(
            chart,
            "short",
            request=_request("alice"),
            signer_name=Signer.KUBE_APISERVER_CLIENT,
            usages=["client auth"],
            expiration_seconds=599,
        )
    assert _codes(err) == {"tls/csr-expiration"}
    with pytest.raises(K8sDslError) as err:
        CertificateSigningRequest(
            chart,
            "bad",
            request=b"junk",
            signer_name=Signer.KUBE_APISERVER_CLIENT,
            usages=["client auth"],
        )
    assert _codes(err) == {"tls/csr-request"}


# -- cert-manager --------------------------------------------------------------------------


def _shop(chart: Chart, **cert: object) -> tuple[ClusterIssuer, Certificate]:
    issuer = ClusterIssuer(
        chart,
        "letsencrypt",
        config=AcmeIssuer(
            email="ops@example.com",
            private_key_secret_name="letsencrypt-account",
            solvers=(AcmeSolver.http01_ingress(ingress_class_name="nginx"),),
        ),
    )
    args: dict = {"secret_name": "shop-tls", "issuer": issuer, "dns_names": ["shop.example.com"]}  # type: ignore[type-arg]
    args.update(cert)
    return issuer, Certificate(chart, "shop", **args)


def test_certificate_defaults_and_issuer_ref(chart: Chart) -> None:
    issuer, cert = _shop(chart, duration="2160h", renew_before="720h")
    assert "namespace" not in issuer.to_k8s()["metadata"]
    spec = cert.to_k8s()["spec"]
    assert spec["issuerRef"] == {
        "name": "letsencrypt",
        "kind": "ClusterIssuer",
        "group": "cert-manager.io",
    }
    assert spec["privateKey"] == {"algorithm": "ECDSA", "size": 256, "rotationPolicy": "Always"}
    report = chart.node.scope.check()  # type: ignore[union-attr]
    assert not report.has_errors(), report


@pytest.mark.parametrize(
    ("kwargs", "code"),
    [
        ({"private_key": PrivateKey.rsa(1024)}, "tls/weak-key"),
        ({"private_key": PrivateKey(size=128)}, "tls/weak-key"),
        ({"duration": "720h", "renew_before": "720h"}, "tls/renew-before"),
        ({"dns_names": []}, "tls/certificate-names"),
    ],
)
def test_certificate_errors(chart: Chart, kwargs: dict, code: str) -> None:  # type: ignore[type-arg]
    with pytest.raises(K8sDslError) as err:
        _shop(chart, **kwargs)
    assert code in _codes(err)


def test_ingress_tls_from_a_certificate_and_host_coverage(chart: Chart) -> None:
    _, cert = _shop(chart, dns_names=["*.example.com"])
    svc = Service(chart, "web", selector={"app": "web"}, ports=[80])
    backend = IngressBackend.service(svc, port=80)
    rules = [
        IngressHostRule.to("shop.example.com", backend),
        IngressHostRule.to("a.b.example.com", backend),
    ]
    Ingress(
        chart,
        "web-ingress",
        rules=rules,
        tls=[IngressTls.from_certificate(cert, hosts=["shop.example.com", "a.b.example.com"])],
    )
    report = chart.node.scope.check()  # type: ignore[union-attr]
    covered = [f for f in report.findings if f.code == "tls/host-not-covered"]
    assert [f.path for f in covered] == ["spec.tls[0].hosts[1]"]  # a wildcard is one label


def test_missing_issuer_on_constructs(chart: Chart) -> None:
    Certificate(
        chart, "c", secret_name="c-tls", issuer=IssuerRef("nowhere"), dns_names=["a.example.com"]
    )
    report = chart.node.scope.check()  # type: ignore[union-attr]
    assert {f.code for f in report.findings if f.severity.value == "error"} >= {
        "tls/missing-issuer"
    }


@pytest.mark.parametrize(
    ("version", "api"), [("1.30", "v1alpha1"), ("1.33", "v1beta1"), ("1.37", "v1")]
)
def test_cluster_trust_bundle_follows_the_target(version: str, api: str) -> None:
    chart = Chart(App(outdir="unused", k8s_version=version), "ctb")
    pem = "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n"
    bundle = ClusterTrustBundle(chart, "corp-ca", trust_bundle=pem)
    assert bundle.to_k8s()["apiVersion"] == f"certificates.k8s.io/{api}"
    with pytest.raises(K8sDslError) as err:
        ClusterTrustBundle(chart, "bad", trust_bundle="-----BEGIN PRIVATE KEY-----")
    assert _codes(err) == {"tls/trust-bundle"}


# -- the rules on YAML ---------------------------------------------------------------------

FIXTURES = Path(__file__).parent.parent / "fixtures" / "parity"


def _check(tmp_path: Path, text: str, capsys: pytest.CaptureFixture[str], *flags: str) -> set[str]:
    path = tmp_path / "x.yaml"
    path.write_text(text)
    main(["check", "--format", "json", *flags, str(path)])
    return {f["code"] for f in json.loads(capsys.readouterr().out)["findings"]}


def test_private_key_in_a_tls_secret(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    from cryptography.hazmat.primitives.serialization import NoEncryption, PrivateFormat

    pem = key.private_bytes(Encoding.PEM, PrivateFormat.PKCS8, NoEncryption())
    text = (
        "apiVersion: v1\nkind: Secret\nmetadata: {name: shop-tls, namespace: shop}\n"
        "type: kubernetes.io/tls\n"
        f"data: {{tls.crt: eA==, tls.key: {base64.b64encode(pem).decode()}}}\n"
    )
    assert "tls/private-key-in-git" in _check(tmp_path, text, capsys)
    config = "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\ndata:\n  k: |\n" + "".join(
        f"    {line}\n" for line in pem.decode().splitlines()
    )
    assert "tls/private-key-in-git" in _check(tmp_path, config, capsys)


def test_host_and_issuer_rules_on_yaml(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    text = """apiVersion: cert-manager.io/v1
kind: Certificate
metadata: {name: shop, namespace: shop}
spec:
  secretName: shop-tls
  issuerRef: {name: letsencrypt, kind: ClusterIssuer}
  dnsNames: [shop.example.com]
---
apiVersion: networking.k8s.io/v1
kind: Ingress
metadata:
  name: shop
  namespace: shop
  annotations: {cert-manager.io/issuer: missing}
spec:
  defaultBackend: {service: {name: web, port: {number: 80}}}
  tls:
    - hosts: [shop.example.com, www.example.com]
      secretName: shop-tls
"""
    codes = _check(tmp_path, text, capsys)
    assert {"tls/host-not-covered", "tls/missing-issuer"} <= codes
    cluster = tmp_path / "cluster.yaml"
    cluster.write_text(
        "objects:\n  - {kind: ClusterIssuer, name: letsencrypt}\n"
        "  - {kind: Issuer, name: missing, namespace: shop}\n"
    )
    assert "tls/missing-issuer" not in _check(tmp_path, text, capsys, "--cluster", str(cluster))


@pytest.mark.parametrize("fixture", sorted(FIXTURES.glob("tls--*.yaml")), ids=lambda p: p.stem)
def test_every_tls_fixture_gives_its_code(
    fixture: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    main(["check", "--format", "json", "--complete", str(fixture)])
    codes = {f["code"] for f in json.loads(capsys.readouterr().out)["findings"]}
    assert fixture.stem.replace("--", "/") in codes
