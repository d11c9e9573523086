"""TLS: the notes' cluster PKI for a kubeadm cluster and the shop's certificate.

- ``pki/`` of the output: the inputs of every cluster certificate, computed from the
  declared cluster (kubeadm's service range 10.96.0.0/12, ``cluster.local``, one control
  plane ``cp-1`` at 10.0.0.10 behind ``k8s.example.com``, one worker): kubeadm's
  ClusterConfiguration with ``apiServer.certSANs``, an openssl config and a cfssl CSR per
  certificate, and the notes' easyrsa session corrected (the master IP once, the service IP
  10.96.0.1 added, 365 days). No key: keys are made on the machines.
- ``tls.k8s.yaml``: a cert-manager ClusterIssuer (Let's Encrypt, HTTP-01 through the nginx
  IngressClass) and the Certificate that makes the shop's ``shop-tls`` Secret for
  ``shop.example.com`` (apps/shop.py's Ingress serves it; ``tls/host-not-covered`` holds
  the Ingress's TLS hosts to the Certificate's names).
- ``tls-trust-bundle.k8s.yaml``: the shop's private root CA (its certificate only: the key
  was never kept) as a ClusterTrustBundle, ``certificates.k8s.io/v1beta1`` at the app's
  target 1.35, and a pod that mounts it through a projected ``clusterTrustBundle`` source
  at ``/etc/ssl/corp/ca.crt``, the file its clients verify the shop's internal servers
  with. At 1.35 both are off by default: the cluster must serve the beta API
  (``--runtime-config=certificates.k8s.io/v1beta1/clustertrustbundles=true``) and turn on
  the ``ClusterTrustBundleProjection`` gate on the API server and kubelets, which the
  ``volumes/feature-gate`` warning says (on by default, and ``v1``, from 1.37).
"""

from __future__ import annotations

from k8sdsl import App, Chart
from k8sdsl.core import Cluster
from k8sdsl.network import BUSYBOX_IMAGE
from k8sdsl.security import (
    AcmeIssuer,
    AcmeSolver,
    Certificate,
    ClusterIssuer,
    ClusterPki,
    ClusterPkiFiles,
    ClusterTrustBundle,
    PkiNode,
)
from k8sdsl.volumes import ClusterTrustBundleProjection, Volume
from k8sdsl.workloads import SecurePod

#: the kubeadm cluster of the notes, as declared
PKI_CLUSTER = Cluster(api_server_addresses=("k8s.example.com",))
PKI = ClusterPki.of(
    PKI_CLUSTER,
    control_plane=[PkiNode("cp-1", ("10.0.0.10",))],
    workers=[PkiNode("worker-1", ("10.0.0.21",))],
)

#: the shop's private root CA: a certificate only (ECDSA P-256, CA:TRUE, 2026-2036); its
#: key was made in memory and dropped, as a real CA's stays offline
SHOP_ROOT_CA = """\
-----BEGIN CERTIFICATE-----
MIIBtDCCAVmgAwIBAgIUBPGwQbkNrMJoEnD7zBWMgHO1LeIwCgYIKoZIzj0EAwIw
NjEVMBMGA1UECgwMRXhhbXBsZSBTaG9wMR0wGwYDVQQDDBRFeGFtcGxlIFNob3Ag
Um9vdCBDQTAeFw0yNjAxMDEwMDAwMDBaFw0zNjAxMDEwMDAwMDBaMDYxFTATBgNV
BAoMDEV4YW1wbGUgU2hvcDEdMBsGA1UEAwwURXhhbXBsZSBTaG9wIFJvb3QgQ0Ew
WTATBgcqhkjOPQIBBggqhkjOPQMBBwNCAAS2XpuxXH8CDVCmjjMDSMew725z25VM
WFsNfBA/c1sr8wHWoZpdjvPvTZNMEvqhVTJZ0f/tsUnZjJ2ShHHU+Po+o0UwQzAS
BgNVHRMBAf8ECDAGAQH/AgEBMA4GA1UdDwEB/wQEAwIBhjAdBgNVHQ4EFgQUaQeg
b8jZgr+s4XxG49zFBKv774IwCgYIKoZIzj0EAwIDSQAwRgIhAMvU5GNey4SPq6zo
Ww0xaIk4HyvPHo52QggqH9PVuAFHAiEAnWEycKIHfbc6czHPNdZOcQnbJIQnPVZy
yGmeuNL2L9g=
-----END CERTIFICATE-----
"""


def _trust_bundle(app: App) -> None:
    chart = Chart(app, "tls-trust-bundle", labels={"app.kubernetes.io/part-of": "shop"})
    bundle = ClusterTrustBundle(chart, "shop-root-ca", trust_bundle=SHOP_ROOT_CA)
    ca = Volume.projected(
        "corp-ca",
        ClusterTrustBundleProjection(path="ca.crt", name=bundle.name),
    )
    SecurePod(
        chart,
        "trust-check",
        namespace="shop",
        image=BUSYBOX_IMAGE,
        command=("sleep", "infinity"),
        mounts=[ca.mount("/etc/ssl/corp")],
    )


def build(app: App) -> None:
    ClusterPkiFiles(app, "pki", pki=PKI)
    chart = Chart(app, "tls", labels={"app.kubernetes.io/part-of": "shop"})
    issuer = ClusterIssuer(
        chart,
        "letsencrypt",
        config=AcmeIssuer(
            email="platform@example.com",
            private_key_secret_name="letsencrypt-account",
            solvers=(AcmeSolver.http01_ingress(ingress_class_name="nginx"),),
        ),
    )
    Certificate(
        chart,
        "shop",
        namespace="shop",
        secret_name="shop-tls",
        issuer=issuer,
        dns_names=["shop.example.com"],
        duration="2160h",
        renew_before="720h",
    )
    _trust_bundle(app)
