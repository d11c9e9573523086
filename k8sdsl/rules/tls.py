"""TLS rules: certificates requested right, named right and kept out of git.

They read kubeadm's ``ClusterConfiguration`` (its SAN lists), ``CertificateSigningRequest``
objects (the signer's rules, on the parsed request), cert-manager's ``Certificate``,
``Issuer`` and ``ClusterIssuer``, Ingresses' TLS entries and Secrets, in anything
``k8sdsl check`` reads and in what k8sdsl builds (whose constructs call the same checkers:
``san_list_problems``, ``csr_problems``, ``certificate_problems``).
"""

from __future__ import annotations

import base64
import binascii
from collections.abc import Iterator
from typing import Any

from k8sdsl.core._config_file import PRIVATE_KEY_MARKER
from k8sdsl.core._findings import Finding, Severity
from k8sdsl.core._manifest import Manifest
from k8sdsl.network._ingress import host_matches
from k8sdsl.rules._registry import RuleContext, rule
from k8sdsl.security._cert_manager import (
    CLUSTER_ISSUER_ANNOTATION,
    ISSUER_ANNOTATION,
    certificate_problems,
    solver_problems,
)
from k8sdsl.security._csr import csr_problems
from k8sdsl.security._pki import san_list_problems

_CERT_MANAGER_GROUP = "cert-manager.io"
#: a Certificate that names one of these is the API server's own (needs the service IP)
_API_SERVER_NAMES = frozenset({"kubernetes.default.svc", "kubernetes.default"})


def _d(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _l(value: Any) -> list[Any]:
    return value if isinstance(value, list) else []


def _cert_manager(ctx: RuleContext, *kinds: str) -> Iterator[Manifest]:
    for m in ctx.of_kind(*kinds):
        if m.api_version.startswith(f"{_CERT_MANAGER_GROUP}/"):
            yield m


def _san_findings(
    m: Manifest, path: str, entries: list[Any], service_ip: str | None
) -> Iterator[Finding]:
    for p in san_list_problems(entries, service_ip=service_ip):
        where = f"{path}[{p.index}]" if p.index is not None else path
        yield m.error(p.code, where, p.message, p.hint)


@rule("tls/san-list", "a SAN list with duplicates, shell variables or no service IP")
def san_list(ctx: RuleContext) -> Iterator[Finding]:
    """A SAN is a literal name the client compares: ``${MASTER-IP}`` left in a list (the
    notes' easyrsa command) certifies that text, which no client dials; a name twice is a
    copy-paste slip that hides a missing one (the notes repeat the master IP and lose the
    service IP). A cert-manager Certificate that names ``kubernetes.default.svc`` is an API
    server's and must carry the service IP too: pods dial ``kubernetes.default`` at the
    first address of the service range. kubeadm's ``certSANs`` are extras (kubeadm adds
    the ``kubernetes`` names and the service IP itself), so only duplicates and variables
    count there."""
    for m in ctx.of_kind("ClusterConfiguration"):
        if not m.api_version.startswith("kubeadm.k8s.io/"):
            continue
        api = _d(m.obj.get("apiServer"))
        yield from _san_findings(m, "apiServer.certSANs", _l(api.get("certSANs")), None)
        local = _d(_d(m.obj.get("etcd")).get("local"))
        for key in ("serverCertSANs", "peerCertSANs"):
            yield from _san_findings(m, f"etcd.local.{key}", _l(local.get(key)), None)
    service_ip = ctx.cluster.api_server_service_ip
    for m in _cert_manager(ctx, "Certificate"):
        spec = _d(m.obj.get("spec"))
        dns, ips = _l(spec.get("dnsNames")), _l(spec.get("ipAddresses"))
        api_server = any(isinstance(n, str) and n in _API_SERVER_NAMES for n in dns)
        yield from _san_findings(m, "spec.dnsNames", dns, None)
        yield from _san_findings(m, "spec.ipAddresses", ips, service_ip if api_server else None)


@rule("tls/csr", "a CertificateSigningRequest its signer or the API server refuses")
def csr(ctx: RuleContext) -> Iterator[Finding]:
    """The API server refuses ``kubernetes.io/legacy-unknown`` in v1, an
    ``expirationSeconds`` under 600 and a request that is not a PEM CERTIFICATE REQUEST;
    kube-controller-manager's signers refuse usages beyond theirs and, for the kubelet
    signers, any subject other than ``CN=system:node:<name>, O=system:nodes`` (with no SANs
    for the client signer, DNS and IP SANs only for kubelet-serving). A refused request
    stays Pending or ends Failed; the kubelet waiting on it never gets its certificate."""
    for m in ctx.of_kind("CertificateSigningRequest"):
        if not m.api_version.startswith("certificates.k8s.io/"):
            continue
        for p in csr_problems(m.obj):
            yield m.error(p.code, p.path, p.message, p.hint)


@rule("tls/certificate", "a cert-manager Certificate with a weak key or a bad lifetime")
def certificate(ctx: RuleContext) -> Iterator[Finding]:
    """RSA under 2048 bits and ECDSA under 256 are breakable or refused by clients; a TLS
    server certificate valid for more than 397 days is refused by browsers (CA/Browser
    Forum baseline requirements); ``renewBefore`` at or over ``duration`` makes cert-manager
    renew the certificate as soon as it is issued."""
    for m in _cert_manager(ctx, "Certificate"):
        for p in certificate_problems(m.obj):
            report = m.error if p.severity is Severity.ERROR else m.warning
            yield report(p.code, p.path, p.message, p.hint)


@rule("tls/acme-dns01", "an ACME DNS-01 solver cert-manager's webhook refuses")
def acme_dns01(ctx: RuleContext) -> Iterator[Finding]:
    """cert-manager's admission webhook checks more of an Issuer's DNS-01 solvers than its
    CRD schema: exactly one provider per solver, every Secret reference with its ``key``
    (the schema asks only for the name), Azure's service principal complete and not mixed
    with a managed identity, Cloudflare with exactly one of API key and token, an RFC 2136
    nameserver as ``host:port`` (a bare IPv6 address is refused: brackets), a supported
    TSIG algorithm and a key name with the TSIG secret. ``kubectl apply`` of such an
    Issuer fails, and nothing signs the certificates that name it."""
    for m in _cert_manager(ctx, "Issuer", "ClusterIssuer"):
        for path, p in solver_problems(m.obj):
            yield m.error("tls/acme-dns01", path, p.message, p.hint)


def _issuers(ctx: RuleContext) -> tuple[set[tuple[str | None, str]], set[str]]:
    def build() -> tuple[set[tuple[str | None, str]], set[str]]:
        namespaced = {(m.namespace, m.name) for m in _cert_manager(ctx, "Issuer")}
        cluster = {m.name for m in _cert_manager(ctx, "ClusterIssuer")}
        for obj in ctx.cluster.objects:
            if obj.kind == "Issuer":
                namespaced.add((obj.namespace, obj.name))
            elif obj.kind == "ClusterIssuer":
                cluster.add(obj.name)
        return namespaced, cluster

    return ctx.memo("k8sdsl.rules.tls:issuers", build)


def _missing_issuer(
    ctx: RuleContext, m: Manifest, path: str, kind: str, name: str
) -> Finding | None:
    namespaced, cluster = _issuers(ctx)
    if (kind == "ClusterIssuer" and name in cluster) or (
        kind == "Issuer" and (m.namespace, name) in namespaced
    ):
        return None
    where = f"namespace {m.namespace!r}" if kind == "Issuer" else "the cluster"
    hint = (
        f"create the {kind} (ClusterIssuer(...)/Issuer(...)), fix the name, or declare it in "
        f"the cluster's objects ({{kind: {kind}, name: {name}}})"
    )
    if kind == "Issuer" and name in cluster:
        hint = f"{name!r} is a ClusterIssuer: set issuerRef.kind: ClusterIssuer"
    text = f"{kind} {name!r} (in {where}) is neither"
    if ctx.settings.get("complete"):
        return m.error(
            "tls/missing-issuer", path, text + " in the app nor the declared cluster", hint
        )
    return m.warning(
        "tls/missing-issuer",
        path,
        text + " among the files checked nor in the declared cluster",
        hint,
    )


@rule("tls/missing-issuer", "a Certificate or Ingress names an issuer that does not exist")
def missing_issuer(ctx: RuleContext) -> Iterator[Finding]:
    """cert-manager leaves a Certificate whose issuer does not exist not Ready ("issuer
    not found"), so its Secret is never made and the Ingress serves the controller's
    default certificate. ``issuerRef.kind`` defaults to Issuer (of the Certificate's
    namespace); issuers of other groups (external issuers) are not judged."""
    for m in _cert_manager(ctx, "Certificate"):
        ref = _d(_d(m.obj.get("spec")).get("issuerRef"))
        name, kind = ref.get("name"), ref.get("kind") or "Issuer"
        if ref.get("group") not in (None, "", _CERT_MANAGER_GROUP):
            continue
        if isinstance(name, str) and kind in ("Issuer", "ClusterIssuer"):
            found = _missing_issuer(ctx, m, "spec.issuerRef.name", kind, name)
            if found is not None:
                yield found
    for m in ctx.of_kind("Ingress"):
        for annotation, kind in (
            (CLUSTER_ISSUER_ANNOTATION, "ClusterIssuer"),
            (ISSUER_ANNOTATION, "Issuer"),
        ):
            name = m.annotations.get(annotation)
            if isinstance(name, str) and name:
                found = _missing_issuer(ctx, m, f"metadata.annotations['{annotation}']", kind, name)
                if found is not None:
                    yield found


@rule("tls/host-not-covered", "an Ingress TLS host that its Certificate does not name")
def host_not_covered(ctx: RuleContext) -> Iterator[Finding]:
    """The Ingress controller serves the Secret's certificate for each TLS host; a host the
    certificate does not name fails verification in every client. A wildcard covers one
    label only (RFC 6125 6.4.3: ``*.example.com`` covers ``shop.example.com``, not
    ``example.com`` nor ``a.shop.example.com``). Judged where a cert-manager Certificate
    of the Ingress's namespace makes the TLS entry's Secret."""
    names: dict[tuple[str | None, str], list[str]] = {}
    for m in _cert_manager(ctx, "Certificate"):
        spec = _d(m.obj.get("spec"))
        secret = spec.get("secretName")
        if isinstance(secret, str):
            dns = [n.lower() for n in _l(spec.get("dnsNames")) if isinstance(n, str)]
            names.setdefault((m.namespace, secret), []).extend(dns)
    if not names:
        return
    for m in ctx.of_kind("Ingress"):
        for i, tls in enumerate(_l(_d(m.obj.get("spec")).get("tls"))):
            secret = _d(tls).get("secretName")
            covered = names.get((m.namespace, secret)) if isinstance(secret, str) else None
            if covered is None:
                continue
            for j, host in enumerate(_l(_d(tls).get("hosts"))):
                if not isinstance(host, str):
                    continue
                if any(host_matches(pattern, host.lower()) for pattern in covered):
                    continue
                yield m.error(
                    "tls/host-not-covered",
                    f"spec.tls[{i}].hosts[{j}]",
                    f"host {host!r} is not among the names of the Certificate that makes "
                    f"Secret {secret!r} ({', '.join(covered) or 'none'}): clients reject it",
                    f"add {host!r} to the Certificate's dnsNames (a wildcard covers one "
                    "label only), or serve the host with another Secret",
                )


def _has_key(value: object, encoded: bool) -> bool:
    if not isinstance(value, str) or not value:
        return False
    if not encoded:
        return bool(PRIVATE_KEY_MARKER.search(value))
    try:
        text = base64.b64decode(value, validate=True).decode("utf-8", "replace")
    except (binascii.Error, ValueError):
        return False
    return bool(PRIVATE_KEY_MARKER.search(text))


@rule("tls/private-key-in-git", "a Secret that carries a private key")
def private_key_in_git(ctx: RuleContext) -> Iterator[Finding]:
    """The files k8sdsl writes and checks go to git, where every clone keeps a key for
    ever: a ``kubernetes.io/tls`` Secret with ``tls.key``, or any Secret or ConfigMap
    value that is a PEM private key. Keys are made in the cluster (cert-manager, a CSR)
    or delivered by an ExternalSecret/SealedSecret, never committed."""
    for m in ctx.of_kind("Secret", "ConfigMap"):
        if m.api_version != "v1":
            continue
        tls = m.kind == "Secret" and m.obj.get("type") == "kubernetes.io/tls"
        for field, encoded in (("data", m.kind == "Secret"), ("stringData", False)):
            for key, value in sorted(_d(m.obj.get(field)).items()):
                if (tls and key == "tls.key" and isinstance(value, str) and value) or _has_key(
                    value, encoded
                ):
                    yield m.error(
                        "tls/private-key-in-git",
                        f"{field}['{key}']",
                        f"{m.kind} {m.name!r} carries a private key ({key}): it goes into "
                        "git with the files",
                        "let cert-manager make the kubernetes.io/tls Secret in the cluster "
                        "(a Certificate), or deliver it with an ExternalSecret or "
                        "SealedSecret",
                    )
                    break
