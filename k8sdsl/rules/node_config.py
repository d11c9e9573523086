"""Node configuration rules: a kubelet that answers anyone, or trusts what it should check.

The kubelet's API (port 10250) runs commands in containers, streams their logs and reads
their volumes; its read-only port (10255) lists every pod with its environment. The course
notes name the defaults of the kubelet's flags: requests no authenticator accepts are
anonymous, and the authorization mode is AlwaysAllow. These rules judge a
``kubelet.config.k8s.io/v1beta1`` KubeletConfiguration document, from
:class:`~k8sdsl.security.KubeletConfiguration` or from anyone's YAML. A configuration file
has no metadata, so there is no written exemption: fix the file.

Where the file leaves a field out, the kubelet applies its configuration-file defaults
(``SetDefaults_KubeletConfiguration``): anonymous off, webhook authentication on, mode
Webhook, read-only port 0, eventRecordQPS 50. The rules follow them, so an omitted field is
only a finding where the default itself is weak (no client CA, no certificate rotation, a
self-signed serving certificate, kernel defaults not protected).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from k8sdsl.core._findings import Finding
from k8sdsl.core._manifest import Manifest
from k8sdsl.rules._registry import RuleContext, rule

KUBELET_API_VERSION = "kubelet.config.k8s.io/v1beta1"
_WEAK_TLS = {"VersionTLS10": "TLS 1.0", "VersionTLS11": "TLS 1.1"}


def _kubelets(ctx: RuleContext) -> Iterator[Manifest]:
    for m in ctx.of_kind("KubeletConfiguration"):
        if m.api_version == KUBELET_API_VERSION:
            yield m


def _get(obj: Any, *keys: str) -> Any:
    """``obj[k1][k2]...``, or ``None`` where a level is missing or not a mapping."""
    for key in keys:
        if not isinstance(obj, dict):
            return None
        obj = obj.get(key)
    return obj


@rule("kubelet/anonymous-auth", "a kubelet that serves anonymous requests")
def anonymous_auth(ctx: RuleContext) -> Iterator[Finding]:
    """With ``authentication.anonymous.enabled: true`` a request without credentials is
    served as ``system:anonymous``; with AlwaysAllow that is anyone who reaches port 10250
    running ``exec`` in any pod of the node."""
    for m in _kubelets(ctx):
        if _get(m.obj, "authentication", "anonymous", "enabled") is True:
            yield m.error(
                "kubelet/anonymous-auth",
                "authentication.anonymous.enabled",
                "the kubelet treats requests without credentials as system:anonymous",
                "set authentication.anonymous.enabled: false (requests then need a client "
                "certificate or a bearer token)",
            )


@rule("kubelet/always-allow", "a kubelet that authorizes every request")
def always_allow(ctx: RuleContext) -> Iterator[Finding]:
    """``authorization.mode: AlwaysAllow`` lets every authenticated (or anonymous) caller use
    the whole kubelet API: exec, attach, port-forward, logs. ``Webhook`` asks the API server
    (SubjectAccessReview on ``nodes/proxy``, ``nodes/log``, ...), so RBAC decides."""
    for m in _kubelets(ctx):
        if _get(m.obj, "authorization", "mode") == "AlwaysAllow":
            yield m.error(
                "kubelet/always-allow",
                "authorization.mode",
                "the kubelet allows every request it authenticated (AlwaysAllow)",
                "set authorization.mode: Webhook (the API server's RBAC then decides, for "
                "the nodes/proxy, nodes/log, nodes/stats and nodes/metrics subresources)",
            )


@rule("kubelet/read-only-port", "a kubelet with its unauthenticated read-only port open")
def read_only_port(ctx: RuleContext) -> Iterator[Finding]:
    """The read-only port (10255 by the flags' old default) serves ``/pods`` and
    ``/metrics`` over plain HTTP with no authentication and no authorization at all: every
    pod's spec, environment variables included, to anyone on the network."""
    for m in _kubelets(ctx):
        port = m.obj.get("readOnlyPort")
        if isinstance(port, int) and not isinstance(port, bool) and port != 0:
            yield m.error(
                "kubelet/read-only-port",
                "readOnlyPort",
                f"the kubelet serves its read-only API on port {port} without authentication "
                "or authorization",
                "set readOnlyPort: 0 (metrics are served, authenticated, on port 10250)",
            )


@rule("kubelet/webhook-authentication", "a kubelet that does not check bearer tokens")
def webhook_authentication(ctx: RuleContext) -> Iterator[Finding]:
    """With ``authentication.webhook.enabled: false`` the kubelet cannot check a bearer
    token with the API server (TokenReview): service-account tokens are not accepted, and a
    request with one falls through to anonymous, if that is on."""
    for m in _kubelets(ctx):
        if _get(m.obj, "authentication", "webhook", "enabled") is False:
            yield m.error(
                "kubelet/webhook-authentication",
                "authentication.webhook.enabled",
                "the kubelet does not check bearer tokens with the API server (TokenReview)",
                "set authentication.webhook.enabled: true",
            )


@rule("kubelet/client-ca", "a kubelet that accepts no client certificates")
def client_ca(ctx: RuleContext) -> Iterator[Finding]:
    """Without ``authentication.x509.clientCAFile`` the kubelet authenticates no client
    certificate, the API server's own (``--kubelet-client-certificate``) included, so
    ``kubectl logs`` and ``exec`` either fail or depend on anonymous access."""
    for m in _kubelets(ctx):
        ca = _get(m.obj, "authentication", "x509", "clientCAFile")
        if not (isinstance(ca, str) and ca.strip()):
            yield m.error(
                "kubelet/client-ca",
                "authentication.x509.clientCAFile",
                "the kubelet authenticates no client certificate (no clientCAFile)",
                "set authentication.x509.clientCAFile to the cluster CA on the node "
                "(kubeadm: /etc/kubernetes/pki/ca.crt)",
            )


@rule("kubelet/certificate-rotation", "a kubelet whose client certificate is not rotated")
def certificate_rotation(ctx: RuleContext) -> Iterator[Finding]:
    """``rotateCertificates`` defaults to false: the kubelet's client certificate is then
    never renewed, and the node drops out of the cluster when it expires (a year, with
    kubeadm), or an admin hands out long-lived certificates."""
    for m in _kubelets(ctx):
        if m.obj.get("rotateCertificates") is not True:
            yield m.warning(
                "kubelet/certificate-rotation",
                "rotateCertificates",
                "the kubelet's client certificate is not rotated (rotateCertificates is not true)",
                "set rotateCertificates: true (the kubelet requests a new certificate from "
                "the certificates API before the old one expires)",
            )


@rule("kubelet/serving-certificate", "a kubelet that serves with a self-signed certificate")
def serving_certificate(ctx: RuleContext) -> Iterator[Finding]:
    """Without ``serverTLSBootstrap`` or ``tlsCertFile`` the kubelet signs its own serving
    certificate, which nobody can verify: the API server then calls it without checking
    whom it talks to (``--kubelet-certificate-authority`` cannot be set)."""
    for m in _kubelets(ctx):
        if m.obj.get("serverTLSBootstrap") is True:
            continue
        cert = m.obj.get("tlsCertFile")
        if isinstance(cert, str) and cert.strip():
            continue
        yield m.warning(
            "kubelet/serving-certificate",
            "serverTLSBootstrap",
            "the kubelet serves with a self-signed certificate (no serverTLSBootstrap, no "
            "tlsCertFile)",
            "set serverTLSBootstrap: true (and approve the kubelet-serving CSRs), or give "
            "tlsCertFile and tlsPrivateKeyFile signed by a CA the API server trusts",
        )


@rule("kubelet/kernel-defaults", "a kubelet that changes the node's kernel settings")
def kernel_defaults(ctx: RuleContext) -> Iterator[Finding]:
    """``protectKernelDefaults`` defaults to false: the kubelet then rewrites the kernel
    settings it needs (``vm.overcommit_memory``, ``kernel.panic``, ...) instead of refusing
    to start on a node whose hardening set them otherwise."""
    for m in _kubelets(ctx):
        if m.obj.get("protectKernelDefaults") is not True:
            yield m.warning(
                "kubelet/kernel-defaults",
                "protectKernelDefaults",
                "the kubelet may change the node's kernel settings (protectKernelDefaults is "
                "not true)",
                "set protectKernelDefaults: true, with the settings it expects in a sysctl.d "
                "file of the node",
            )


@rule("kubelet/tls-version", "a kubelet that accepts TLS 1.0 or 1.1")
def tls_version(ctx: RuleContext) -> Iterator[Finding]:
    """TLS 1.0 and 1.1 are deprecated (RFC 8996). Left out, ``tlsMinVersion`` is the Go
    default, TLS 1.2 for servers of every supported Kubernetes version."""
    for m in _kubelets(ctx):
        version = m.obj.get("tlsMinVersion")
        if isinstance(version, str) and version in _WEAK_TLS:
            yield m.warning(
                "kubelet/tls-version",
                "tlsMinVersion",
                f"the kubelet accepts {_WEAK_TLS[version]} (deprecated by RFC 8996)",
                "set tlsMinVersion: VersionTLS12 (or VersionTLS13)",
            )


def weak_cipher_suite(name: str) -> bool:
    """A TLS 1.2 suite without forward secrecy (RSA key exchange) or without AEAD (CBC,
    RC4, 3DES)."""
    return (
        name.startswith("TLS_RSA_")
        or "_CBC_" in name
        or "_RC4_" in name
        or "3DES" in name
        or not name.startswith("TLS_")
    )


@rule("kubelet/tls-cipher-suites", "a kubelet that offers weak TLS cipher suites")
def tls_cipher_suites(ctx: RuleContext) -> Iterator[Finding]:
    """Suites with RSA key exchange have no forward secrecy; CBC, RC4 and 3DES suites have
    known attacks (Lucky13, RC4 biases, Sweet32). ECDHE with AES-GCM or ChaCha20-Poly1305
    has neither problem."""
    for m in _kubelets(ctx):
        suites = m.obj.get("tlsCipherSuites")
        if not isinstance(suites, list):
            continue
        weak = [s for s in suites if isinstance(s, str) and weak_cipher_suite(s)]
        if weak:
            yield m.warning(
                "kubelet/tls-cipher-suites",
                "tlsCipherSuites",
                f"the kubelet offers weak cipher suites: {', '.join(weak)}",
                "keep the ECDHE suites with AES-GCM or CHACHA20-POLY1305 only "
                "(k8sdsl.security.SECURE_TLS_CIPHER_SUITES)",
            )


@rule("kubelet/event-qps", "a kubelet whose events are not rate-limited")
def event_qps(ctx: RuleContext) -> Iterator[Finding]:
    """``eventRecordQPS: 0`` removes the limit on the events the kubelet creates: a crash
    looping pod on every node can then flood the API server and etcd."""
    for m in _kubelets(ctx):
        qps = m.obj.get("eventRecordQPS")
        if isinstance(qps, int) and not isinstance(qps, bool) and qps == 0:
            yield m.warning(
                "kubelet/event-qps",
                "eventRecordQPS",
                "the kubelet's events are not rate-limited (eventRecordQPS: 0)",
                "leave eventRecordQPS out (50) or set a limit, with eventBurst",
            )
