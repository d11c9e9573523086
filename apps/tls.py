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
"""

from __future__ import annotations

from k8sdsl import App, Chart
from k8sdsl.core import Cluster
from k8sdsl.security import (
    AcmeIssuer,
    AcmeSolver,
    Certificate,
    ClusterIssuer,
    ClusterPki,
    ClusterPkiFiles,
    PkiNode,
)

#: the kubeadm cluster of the notes, as declared
PKI_CLUSTER = Cluster(api_server_addresses=("k8s.example.com",))
PKI = ClusterPki.of(
    PKI_CLUSTER,
    control_plane=[PkiNode("cp-1", ("10.0.0.10",))],
    workers=[PkiNode("worker-1", ("10.0.0.21",))],
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
