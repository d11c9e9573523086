"""The kubelet's configuration file (``kubelet.config.k8s.io/v1beta1`` KubeletConfiguration),
with the hardened settings as defaults.

The kubelet serves an HTTPS API on port 10250 (pods, logs, exec, metrics) and, unless told
otherwise, a read-only HTTP API on 10255. The course notes put its weak points plainly: a
request no authenticator accepts is treated as anonymous, and the authorization mode of the
kubelet's flags defaults to AlwaysAllow. A :class:`KubeletConfiguration` starts from the
other end: anonymous requests refused, bearer tokens checked with the API server
(TokenReview), the API server's client certificate checked against the cluster CA, every
request authorized by the API server (SubjectAccessReview), no read-only port, rotated
client certificates, a serving certificate signed by the cluster, the kernel settings left
as the kubelet expects them, and TLS 1.2 or later with AEAD cipher suites.

The ``kubelet/...`` rules (``k8sdsl/rules/node_config.py``) judge the same fields in anyone's
YAML, so a weaker value given here fails synth with the same finding.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Any, ClassVar

from pydantic import Field

from k8sdsl.core._model import K8sModel
from k8sdsl.core._types import AbsolutePath, DnsSubdomain, Duration, NonEmptyStr

#: where kubeadm puts the cluster CA on every node; the kubelet of a kubeadm node reads it
KUBEADM_CLIENT_CA_FILE = "/etc/kubernetes/pki/ca.crt"

#: the cipher suites of TLS 1.2 that are AEAD with forward secrecy (ECDHE with AES-GCM or
#: ChaCha20-Poly1305), by the names the kubelet's --tls-cipher-suites takes (Go's crypto/tls
#: names); TLS 1.3's suites are not configurable
SECURE_TLS_CIPHER_SUITES: tuple[str, ...] = (
    "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256",
    "TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384",
    "TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256",
    "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256",
    "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384",
    "TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256",
)


class KubeletAuthorizationMode(StrEnum):
    """How the kubelet authorizes a request to its API."""

    #: ask the API server (SubjectAccessReview): RBAC decides, as for any other request
    WEBHOOK = "Webhook"
    #: every authenticated (or anonymous) request may do anything: the flags' default
    ALWAYS_ALLOW = "AlwaysAllow"


class TlsVersion(StrEnum):
    """A TLS version by the name the kubelet's ``tlsMinVersion`` takes."""

    TLS10 = "VersionTLS10"
    TLS11 = "VersionTLS11"
    TLS12 = "VersionTLS12"
    TLS13 = "VersionTLS13"


class KubeletX509Authentication(K8sModel):
    """Client certificates: a request with a certificate signed by ``client_ca_file`` is
    authenticated as its CommonName (user) and Organizations (groups). This is how the API
    server authenticates when it calls the kubelet (logs, exec, port-forward)."""

    k8s_type: ClassVar[str] = "KubeletX509Authentication"

    #: the CA bundle on the node; kubeadm's cluster CA by default. ``None`` leaves client
    #: certificate authentication off (the rule ``kubelet/client-ca`` refuses that)
    client_ca_file: AbsolutePath | None = Field(
        default=KUBEADM_CLIENT_CA_FILE, serialization_alias="clientCAFile"
    )


class KubeletWebhookAuthentication(K8sModel):
    """Bearer tokens (service-account and other tokens), checked with the API server's
    TokenReview API."""

    k8s_type: ClassVar[str] = "KubeletWebhookAuthentication"

    enabled: bool = True
    #: how long a TokenReview answer is cached
    cache_ttl: Duration = Field(default="2m", serialization_alias="cacheTTL")


class KubeletAnonymousAuthentication(K8sModel):
    """Requests no authenticator accepted: ``system:anonymous`` in ``system:unauthenticated``
    when enabled, refused with 401 when not."""

    k8s_type: ClassVar[str] = "KubeletAnonymousAuthentication"

    enabled: bool = False


class KubeletAuthentication(K8sModel):
    """How requests to the kubelet's API are authenticated."""

    k8s_type: ClassVar[str] = "KubeletAuthentication"

    x509: KubeletX509Authentication = Field(default_factory=KubeletX509Authentication)
    webhook: KubeletWebhookAuthentication = Field(default_factory=KubeletWebhookAuthentication)
    anonymous: KubeletAnonymousAuthentication = Field(
        default_factory=KubeletAnonymousAuthentication
    )


class KubeletWebhookAuthorization(K8sModel):
    """How long the kubelet caches the API server's SubjectAccessReview answers."""

    k8s_type: ClassVar[str] = "KubeletWebhookAuthorization"

    cache_authorized_ttl: Duration = Field(default="5m", serialization_alias="cacheAuthorizedTTL")
    cache_unauthorized_ttl: Duration = Field(
        default="30s", serialization_alias="cacheUnauthorizedTTL"
    )


class KubeletAuthorization(K8sModel):
    """How requests to the kubelet's API are authorized."""

    k8s_type: ClassVar[str] = "KubeletAuthorization"

    mode: KubeletAuthorizationMode = KubeletAuthorizationMode.WEBHOOK
    webhook: KubeletWebhookAuthorization = Field(default_factory=KubeletWebhookAuthorization)


class KubeletConfiguration(K8sModel):
    """A kubelet's configuration file (``kubelet --config FILE``), hardened by default.

    Defaults (every one written out, so a reviewer of the file sees it):

    - ``authentication``: anonymous off, webhook (TokenReview) on with a 2m cache, client
      certificates checked against ``/etc/kubernetes/pki/ca.crt`` (kubeadm's cluster CA; give
      ``client_ca_file=`` for another layout);
    - ``authorization``: ``Webhook`` (SubjectAccessReview), caching allowed answers 5m and
      denied ones 30s;
    - ``read_only_port=0``: no unauthenticated HTTP port (10255);
    - ``rotate_certificates=True``: the client certificate is renewed through the
      certificates API before it expires;
    - ``server_tls_bootstrap=True``: the serving certificate is requested from the cluster
      (a ``kubernetes.io/kubelet-serving`` CSR) instead of self-signed, so the API server can
      verify the kubelet. kube-controller-manager does not approve these CSRs: an approver
      (or ``kubectl certificate approve``) must;
    - ``protect_kernel_defaults=True``: the kubelet refuses to start when the kernel's
      settings differ from what it needs (``vm.overcommit_memory=1``, ``vm.panic_on_oom=0``,
      ``kernel.panic=10``, ``kernel.panic_on_oops=1``, ``kernel.keys.root_maxkeys=1000000``,
      ``kernel.keys.root_maxbytes=25000000``) instead of changing them: set them on the node
      (a sysctl.d file) first;
    - ``event_record_qps=50``, ``event_burst=100``: the kubelet's defaults, written out (0
      would mean no limit on the events it sends the API server);
    - ``tls_min_version=VersionTLS12`` and ``tls_cipher_suites`` =
      :data:`SECURE_TLS_CIPHER_SUITES`.

    The other fields are the kubelet's common ones; unset fields keep the kubelet's defaults.
    """

    api_version: ClassVar[str] = "kubelet.config.k8s.io/v1beta1"
    kind: ClassVar[str] = "KubeletConfiguration"
    k8s_type: ClassVar[str] = "KubeletConfiguration"

    authentication: KubeletAuthentication = Field(default_factory=KubeletAuthentication)
    authorization: KubeletAuthorization = Field(default_factory=KubeletAuthorization)
    read_only_port: int = Field(default=0, ge=0, le=65535)
    rotate_certificates: bool = True
    server_tls_bootstrap: bool = Field(default=True, serialization_alias="serverTLSBootstrap")
    protect_kernel_defaults: bool = True
    event_record_qps: int = Field(default=50, ge=0, serialization_alias="eventRecordQPS")
    event_burst: int = Field(default=100, ge=0)
    tls_min_version: TlsVersion = Field(
        default=TlsVersion.TLS12, serialization_alias="tlsMinVersion"
    )
    tls_cipher_suites: tuple[NonEmptyStr, ...] = Field(
        default=SECURE_TLS_CIPHER_SUITES, serialization_alias="tlsCipherSuites"
    )
    #: a serving certificate and key on the node, instead of ``server_tls_bootstrap``
    tls_cert_file: AbsolutePath | None = Field(default=None, serialization_alias="tlsCertFile")
    tls_private_key_file: AbsolutePath | None = Field(
        default=None, serialization_alias="tlsPrivateKeyFile"
    )
    #: ``systemd`` on kubeadm nodes (what kubeadm writes); the kubelet's default is cgroupfs
    cgroup_driver: str | None = None
    #: the cluster DNS Service's address(es) (kubeadm: the 10th address of the service range)
    cluster_dns: tuple[str, ...] | None = Field(default=None, serialization_alias="clusterDNS")
    cluster_domain: DnsSubdomain | None = None
    container_runtime_endpoint: str | None = None
    static_pod_path: AbsolutePath | None = None
    max_pods: int | None = Field(default=None, ge=0)
    #: ``RuntimeDefault`` seccomp for every container that sets no profile
    seccomp_default: bool | None = None
    feature_gates: dict[str, bool] | None = None

    def to_k8s(self) -> dict[str, Any]:
        """The configuration document: ``apiVersion``, ``kind`` and the fields."""
        return {"apiVersion": self.api_version, "kind": self.kind, **super().to_k8s()}
